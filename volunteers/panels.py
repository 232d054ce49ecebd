"""Home-page panels (registered in apps.py through commonpot.registry)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import TYPE_CHECKING

from django.http import HttpRequest

from commonpot.models import Site
from commonpot.permissions import can_manage_site
from volunteers.models import Shift, SignUp

if TYPE_CHECKING:
    from kitchen.models import MealService
    from kitchen.slots import MealWeek
from volunteers.planning import local_moment

NEXT_SHOWN = 3


def volunteer_panel(request: HttpRequest, site: Site | None):
    upcoming = (
        SignUp.objects.of(request.user)
        .active()
        .upcoming()
        .with_waitlist_position()
        .select_related("shift__site", "shift__role")
        .order_by("shift__starts_at")[:NEXT_SHOWN]
    )
    return "volunteers/panels/volunteer.html", {"upcoming": upcoming}


def lead_panel(request: HttpRequest, site: Site | None):
    if site is None:
        return None
    today = site.today()
    monday = today - timedelta(days=today.weekday())
    base = Shift.objects.at(site).select_related("site", "role").order_by("starts_at")
    todays = base.on_local_day(site, today)
    short = base.between(
        max(local_moment(site, monday, time.min), local_moment(site, today, time.min)),
        local_moment(site, monday + timedelta(days=7), time.min),
    ).under_minimum()
    pending = (
        SignUp.objects.pending()
        .upcoming()
        .filter(shift__site=site)
        .select_related("volunteer", "shift__site", "shift__role")
        .order_by("shift__starts_at", "created_at")
    )
    return "volunteers/panels/lead.html", {
        "site": site,
        "today": todays,
        "short": short,
        "pending": pending,
        "next": request.get_full_path(),
    }


def coordinator_panel(request: HttpRequest, site: Site | None):
    from django.db.models import Count
    from django.utils import timezone

    now = timezone.now()
    short = (
        Shift.objects.published()
        .filter(starts_at__gte=now, starts_at__lt=now + timedelta(days=7))
        .under_minimum()
        .values("site__name", "site__slug")
        .annotate(n=Count("id"))
        .order_by("-n", "site__name")
    )
    return "volunteers/panels/coordinator.html", {"short": short}


def public_site_panel(request: HttpRequest, site: Site | None):
    if site is None:
        return None
    shifts = (
        Shift.objects.at(site)
        .published()
        .upcoming()
        .needing_people()
        .select_related("site", "role")
    )[:5]
    return "volunteers/panels/site.html", {"site": site, "shifts": shifts}


# --- The kitchen's staffing slots (see kitchen/slots.py) -----------------------


@dataclass
class Staffing:
    """The shifts linked to one meal, and whether they have their people."""

    shifts: list[Shift] = field(default_factory=list)

    @property
    def staffed(self) -> bool:
        """Every linked shift has at least its minimum (and there is one)."""
        return bool(self.shifts) and not any(s.is_under_minimum for s in self.shifts)

    @property
    def people_short(self) -> int:
        return sum(max(s.min_people - s.places_taken, 0) for s in self.shifts)


def _linked_shifts(meal_ids: list[int]) -> dict[int, Staffing]:
    by_meal: dict[int, Staffing] = defaultdict(Staffing)
    if meal_ids:
        for shift in (
            Shift.objects.filter(meal_id__in=meal_ids)
            .select_related("site", "role")
            .order_by("starts_at", "pk")
        ):
            by_meal[shift.meal_id].shifts.append(shift)
    return {pk: by_meal[pk] for pk in meal_ids}


def meal_staffing(request: HttpRequest, meal: MealService):
    """On a meal's page: its shifts, each with places taken, minimum and maximum."""
    staffing = _linked_shifts([meal.pk])[meal.pk]
    return "volunteers/panels/meal.html", {
        "meal": meal,
        "site": meal.site,
        "staffing": staffing,
        "can_manage": can_manage_site(request.user, meal.site),
    }


def meal_week_staffing(request: HttpRequest, week: MealWeek):
    """The week view's staffing column: one query for the whole week."""
    return "volunteers/panels/meal_week.html", {
        "site": week.site,
        "cells": _linked_shifts([m.pk for m in week.meals]),
        "can_manage": can_manage_site(request.user, week.site),
    }


def transfer_driver(request: HttpRequest, transfer):
    """On a transfer's page: the driver shifts linked to it and who is driving.

    Names are first names for anyone but the leads of the shift's own site,
    and no contact details: the roster is where a lead finds a phone number.
    """
    shifts = list(
        Shift.objects.filter(transfer=transfer)
        .select_related("site", "role")
        .prefetch_related("sign_ups__volunteer")
        .order_by("starts_at", "pk")
    )
    if not shifts:
        return None
    rows = []
    for shift in shifts:
        manages = can_manage_site(request.user, shift.site)
        drivers = [
            s.volunteer.name if manages else s.volunteer.first_name_only
            for s in shift.sign_ups.all()
            if s.status == SignUp.Status.CONFIRMED
        ]
        rows.append({"shift": shift, "drivers": drivers, "can_manage": manages})
    return "volunteers/panels/transfer.html", {
        "rows": rows,
        "transfer": transfer,
        # The two ends of a transfer may keep different clocks.
        "show_zone": len({s.site.time_zone for s in shifts}) > 1,
    }


def run_driver_ids(run) -> list[int]:
    """The volunteers confirmed on a driver shift of the run: they may use its
    driver's page (pantry.network asks through the registry)."""
    return list(
        SignUp.objects.filter(shift__run=run, status=SignUp.Status.CONFIRMED).values_list(
            "volunteer_id", flat=True
        )
    )
