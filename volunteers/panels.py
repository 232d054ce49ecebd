"""Home-page panels (registered in apps.py through commonpot.registry)."""

from __future__ import annotations

from datetime import time, timedelta

from django.http import HttpRequest

from commonpot.models import Site
from volunteers.models import Shift, SignUp
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
    return "volunteers/panels/lead.html", {"site": site, "today": todays, "short": short}


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
