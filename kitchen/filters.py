"""django-filter filter sets for the kitchen's lists."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from kitchen.models import Recipe, RecipeIngredient
from pantry.codes import Allergen, Dietary, allergen_mask, dietary_mask


class RecipeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name"), field_name="name", lookup_expr="icontains", max_length=60
    )
    mine = django_filters.BooleanFilter(
        label=_("This site's recipes only"), method="filter_mine", widget=forms.CheckboxInput
    )
    suitable = django_filters.ChoiceFilter(
        label=_("Suitable for"), choices=Dietary.choices, method="filter_suitable"
    )
    free_from = django_filters.MultipleChoiceFilter(
        label=_("Free from"),
        choices=Allergen.choices,
        method="filter_free_from",
        # Boxes to tick, not a list that needs Ctrl-click to choose two.
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Recipe
        fields = ()

    def __init__(self, *args, site, **kwargs):
        self.site = site
        super().__init__(*args, **kwargs)

    def filter_mine(self, queryset, name, value):
        return queryset.filter(site=self.site) if value else queryset

    def filter_suitable(self, queryset, name, value):
        mask = dietary_mask([value])
        return queryset.alias(_tag=F("dietary_mask").bitand(mask)).filter(_tag=mask)

    def filter_free_from(self, queryset, name, value):
        mask = allergen_mask(value)
        if not mask:
            return queryset
        # Allergens are the ingredients' items': leave out any recipe with one that has any.
        containing = (
            RecipeIngredient.objects.alias(_hit=F("item__allergen_mask").bitand(mask))
            .filter(_hit__gt=0)
            .values("recipe_id")
        )
        return queryset.exclude(pk__in=containing)
