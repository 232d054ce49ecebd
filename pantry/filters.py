from __future__ import annotations

from datetime import date, timedelta

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from commonpot.models import Site
from pantry.codes import Allergen
from pantry.freshness import DateRules
from pantry.models import Item, Storage


class StockFilter(django_filters.FilterSet):
    """The stock page's filters. Storage narrows which lots are summed, so the
    queryset is built here from the site and the chosen storage area."""

    q = django_filters.CharFilter(label=_("Item name"), method="filter_name")
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Item.Category.choices, empty_label=_("Any category")
    )
    storage = django_filters.ChoiceFilter(
        label=_("Storage area"), choices=Storage.choices, empty_label=_("Any"), method="keep"
    )
    free_from = django_filters.MultipleChoiceFilter(
        label=_("Free from"),
        choices=Allergen.choices,
        method="filter_free_from",
        widget=forms.CheckboxSelectMultiple,
    )
    expiring_within = django_filters.NumberFilter(
        label=_("Expiring within (days)"),
        method="filter_expiring",
        min_value=0,
        max_value=3650,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )
    below_threshold = django_filters.BooleanFilter(
        label=_("Below low-stock level"),
        method="filter_below",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Item
        fields = ["q", "category", "storage", "free_from", "expiring_within", "below_threshold"]

    def __init__(self, data=None, *, site: Site, today: date, **kwargs):
        self.today = today
        storage = (data or {}).get("storage", "")
        storage = storage if storage in Storage.values else ""
        rules = DateRules.for_site(site, today)
        super().__init__(data, queryset=Item.objects.stock_at(site, storage, rules), **kwargs)

    def keep(self, queryset, name, value):
        return queryset  # already applied when the queryset was built

    def filter_name(self, queryset, name, value):
        return queryset.filter(name__icontains=value.strip()) if value.strip() else queryset

    def filter_free_from(self, queryset, name, value):
        return queryset.free_from(value) if value else queryset

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(nearest__lte=self.today + timedelta(days=int(value)))

    def filter_below(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(threshold__isnull=False, available_total__lt=F("threshold"))
