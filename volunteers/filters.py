"""The open shifts board's filters (django-filter)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot.dates import DayField
from commonpot.forms import LongSelect, SiteFilter, SiteListsMixin, first_sites
from commonpot.models import Site
from volunteers.models import Shift, ShiftRole

BOARD_DAYS = 14
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def board_sites(user):
    """Sites whose shifts a person may browse: public ones and their own."""
    sites = Site.objects.active()
    if user.is_authenticated and user.is_coordinator:
        return sites
    if user.is_authenticated:
        return sites.filter(Q(is_public=True) | Q(memberships__user=user)).distinct()
    return sites.filter(is_public=True)


def _shifts_coming() -> Exists:
    """Has the site a published shift coming up? (A filter of sites.)"""
    return Exists(Shift.objects.published().upcoming().filter(site=OuterRef("pk")))


def sites_with_shifts(user):
    """The sites of a person's board with a shift coming up."""
    return board_sites(user).filter(_shifts_coming())


def _role_choices(request) -> list[tuple[str, str]]:
    names = (
        ShiftRole.objects.filter(site__in=board_sites(request.user), is_active=True)
        .values_list("name", flat=True)
        .distinct()
    )
    return sorted({(n, n) for n in names})


class DayFilter(django_filters.DateFilter):
    """A day inside the window every date keeps (commonpot.dates)."""

    field_class = DayField


# The longest stretch the board shows at once: a season ahead. Longer (a range of
# fifty years from a hand-made address) is refused with the reason, not scanned.
BOARD_MAX_DAYS = 92


class BoardForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The last day comes before the first."))
            elif (end - start).days >= BOARD_MAX_DAYS:
                self.add_error(
                    "end",
                    ngettext(
                        "Choose at most %(n)s day at a time.",
                        "Choose at most %(n)s days at a time.",
                        BOARD_MAX_DAYS,
                    )
                    % {"n": BOARD_MAX_DAYS},
                )
        return data


class BoardFilter(SiteListsMixin, django_filters.FilterSet):
    """Dates are days on each shift's own site's clock."""

    site = SiteFilter(
        # Only what an option and the chosen site's clock need: a board may list
        # hundreds of sites.
        queryset=lambda request: board_sites(request.user).only("slug", "name", "time_zone"),
        to_field_name="slug",
        label=gettext_lazy("Site"),
        empty_label=gettext_lazy("All sites"),
        widget=LongSelect,
    )
    start = DayFilter(label=gettext_lazy("From"), method="filter_start", widget=DATE)
    end = DayFilter(label=gettext_lazy("To"), method="filter_end", widget=DATE)
    role = django_filters.ChoiceFilter(
        field_name="role__name",
        label=gettext_lazy("Role"),
        empty_label=gettext_lazy("Any role"),
        widget=LongSelect,
    )
    needs_people = django_filters.BooleanFilter(
        label=gettext_lazy("Still needs people"),
        method="filter_needs_people",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Shift
        form = BoardForm
        fields = ["site", "start", "end", "role", "needs_people"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["role"].extra["choices"] = _role_choices(request)

    sites_suggested = "volunteers:board_sites"

    def listed_sites(self, name, field):
        # The sites with a shift coming up (a network lists hundreds of sites, many
        # with no shifts), and the one chosen; any site of the board is still
        # accepted, as from a bookmark.
        chosen = Q(slug=self.data.get("site") or "")
        return first_sites(
            field.queryset.filter(_shifts_coming() | chosen).values_list("slug", "name")
        )

    @cached_property
    def _zones(self) -> list[str]:
        """The zones to read a day in: the chosen site's, or each board site's."""
        site = self.form.cleaned_data.get("site") if hasattr(self.form, "cleaned_data") else None
        if site:
            return [site.time_zone]
        return list(
            board_sites(self.request.user).order_by().values_list("time_zone", flat=True).distinct()
        )

    def _on_site_clocks(self, day, lookup: str) -> Q:
        """Shifts compared with midnight of `day` on each one's own site's clock."""
        query = Q(pk__in=[])
        for zone in self._zones:
            midnight = datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))
            query |= Q(site__time_zone=zone, **{f"starts_at__{lookup}": midnight})
        return query

    def filter_start(self, queryset, name, value):
        return queryset.filter(self._on_site_clocks(value, "gte"))

    def filter_end(self, queryset, name, value):
        return queryset.filter(self._on_site_clocks(value + timedelta(days=1), "lt"))

    def filter_needs_people(self, queryset, name, value):
        return queryset.needing_people() if value else queryset


def board_params(query) -> dict:
    """The board's filters with defaults: from today, for two weeks."""
    params = query.copy()
    today = timezone.localdate()
    if not params.get("start"):
        params["start"] = today.isoformat()
    if not params.get("end"):
        params["end"] = (today + timedelta(days=BOARD_DAYS)).isoformat()
    return params
