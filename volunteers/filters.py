"""The open shifts board's filters (django-filter)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

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


def _role_choices(request) -> list[tuple[str, str]]:
    names = (
        ShiftRole.objects.filter(site__in=board_sites(request.user), is_active=True)
        .values_list("name", flat=True)
        .distinct()
    )
    return sorted({(n, n) for n in names})


class BoardFilter(django_filters.FilterSet):
    """Dates are read in the chosen site's time zone, or the network's otherwise."""

    site = django_filters.ModelChoiceFilter(
        queryset=lambda request: board_sites(request.user),
        to_field_name="slug",
        empty_label="All sites",
    )
    start = django_filters.DateFilter(label="From", method="filter_start", widget=DATE)
    end = django_filters.DateFilter(label="To", method="filter_end", widget=DATE)
    role = django_filters.ChoiceFilter(
        field_name="role__name", label="Role", empty_label="Any role"
    )
    needs_people = django_filters.BooleanFilter(
        label="Still needs people",
        method="filter_needs_people",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Shift
        fields = ["site", "start", "end", "role", "needs_people"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["role"].extra["choices"] = _role_choices(request)

    def _tz(self):
        site = self.form.cleaned_data.get("site") if hasattr(self.form, "cleaned_data") else None
        return site.tz if site else timezone.get_current_timezone()

    def filter_start(self, queryset, name, value):
        return queryset.filter(starts_at__gte=datetime.combine(value, time.min, tzinfo=self._tz()))

    def filter_end(self, queryset, name, value):
        end = datetime.combine(value + timedelta(days=1), time.min, tzinfo=self._tz())
        return queryset.filter(starts_at__lt=end)

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
