"""The board's and the transfer list's filters (django-filter)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commonpot.forms import LongSelect, SiteFilter, SiteListsMixin
from commonpot.models import Site
from commonpot.permissions import is_coordinator, lead_site_ids
from pantry.models import Item
from pantry.network.matches import sites_within
from pantry.network.models import Need, Offer, Transfer

DISTANCES = [
    ("10", "10 km"),
    ("25", "25 km"),
    ("50", "50 km"),
    ("100", "100 km"),
    ("500", "500 km"),
]
EXPIRY = [("1", _("a day")), ("2", _("2 days")), ("3", _("3 days")), ("7", _("a week"))]


def default_near(user, sites: list[Site]) -> Site | None:
    """Where distances are measured from when nobody chose: the person's first led site."""
    led = lead_site_ids(user)
    return next((s for s in sites if s.pk in led), None)


class BoardFilter(SiteListsMixin, django_filters.FilterSet):
    """Filters shared by the offers and the needs on the board.

    `near` and `within` are read together: sites within so many kilometres of
    the chosen site, found from the site list already loaded (the number of
    sites is small), so the offers query only gains an `IN (...)`.
    """

    # LongSelect: the site lists hold every active site (hundreds in a large
    # network), and Django's Select renders each option through a template.
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=Item.Category.choices,
        method="filter_category",
        empty_label=_("All categories"),
        widget=LongSelect,
    )
    site = SiteFilter(
        label=_("Site"),
        queryset=Site.objects.active(),
        to_field_name="slug",
        empty_label=_("All sites"),
        widget=LongSelect,
    )
    near = SiteFilter(
        label=_("Distance from"),
        queryset=Site.objects.active(),
        to_field_name="slug",
        method="filter_nothing",
        empty_label="—",
        widget=LongSelect,
    )
    within = django_filters.ChoiceFilter(
        label=_("Within"),
        choices=DISTANCES,
        method="filter_within",
        empty_label=_("Any distance"),
        widget=LongSelect,
    )
    expiring = django_filters.ChoiceFilter(
        label=_("Expiring within"),
        choices=EXPIRY,
        method="filter_expiring",
        empty_label=_("Any time"),
        widget=LongSelect,
    )

    category_field = "category"

    def __init__(
        self,
        data=None,
        *args,
        sites: list[Site],
        near: Site | None,
        listed: dict[str, list[Site]] | None = None,
        **kwargs,
    ):
        self.sites = sites
        # The options each site list shows (the view's choice; all sites if not
        # given). Any active site is still accepted, as from a bookmark.
        self.listed = listed or {}
        self.near_default = near
        if data is not None and near is not None and "near" not in data:
            # Show where distances are measured from, as if it had been chosen.
            data = data.copy()
            data["near"] = near.slug
        super().__init__(data, *args, **kwargs)

    site_lists = ("site", "near")

    def listed_sites(self, name, field):
        # The options from the sites the view loaded, not a query of each list's own.
        return [(s.slug, field.label_from_instance(s)) for s in self.listed.get(name, self.sites)]

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_category(self, queryset, name, value):
        return queryset.filter(**{self.category_field: value})

    @property
    def origin(self) -> Site | None:
        data = getattr(self.form, "cleaned_data", {})
        return data.get("near") or self.near_default

    def filter_within(self, queryset, name, value):
        origin = self.origin
        if origin is None:
            return queryset
        return queryset.filter(site_id__in=sites_within(origin, float(value), self.sites))

    def filter_expiring(self, queryset, name, value):
        return queryset.filter(closes_at__lte=timezone.now() + timedelta(days=int(value)))


class OfferFilter(BoardFilter):
    category_field = "item__category"

    class Meta:
        model = Offer
        fields = ["category", "site", "near", "within", "expiring"]


class NeedFilter(BoardFilter):
    class Meta:
        model = Need
        fields = ["category", "site", "near", "within", "expiring"]


class TransferFilter(SiteListsMixin, django_filters.FilterSet):
    # Labels given: "site" is no field of a transfer, and django-filter would
    # label it "[invalid name]".
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Transfer.Status.choices,
        empty_label=_("Any status"),
        method="filter_status",
    )
    site = SiteFilter(
        label=_("Site"),
        queryset=lambda request: _visible_sites(request.user),
        to_field_name="slug",
        empty_label=_("All my sites"),
        method="filter_site",
    )

    class Meta:
        model = Transfer
        fields = ["status", "site"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status=value)

    def filter_site(self, queryset, name, value):
        return queryset.filter(Q(source=value) | Q(destination=value))


def _visible_sites(user):
    if is_coordinator(user):
        return Site.objects.all()
    return Site.objects.filter(pk__in=lead_site_ids(user))
