"""What the pantry shows on home pages (registered in apps.py)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, F, Q
from django.http import HttpRequest
from django.utils import timezone

from commonpot.models import Site
from pantry import temperatures
from pantry.freshness import SitesDateRules
from pantry.models import Item, Lot, Recall, RecallSite
from pantry.units import display

EXPIRING_DAYS = 3
PANEL_ROWS = 8


def lead_panel(request: HttpRequest, site: Site | None):
    """A lead's site: what expires in the next 3 days, and what is below its level."""
    if site is None:
        return None
    today = site.today()
    expiring = list(
        Lot.objects.at(site)
        .in_stock()
        .expiring_within(today, EXPIRING_DAYS)
        .select_related("item", "site")
        .order_by("best_before", "item__name")[: PANEL_ROWS + 1]
    )
    low = list(
        Item.objects.stock_at(site)
        .filter(threshold__isnull=False, available_total__lt=F("threshold"))
        .order_by("name")[: PANEL_ROWS + 1]
    )
    return (
        "pantry/_home_panel.html",
        {
            "site": site,
            "today": today,
            "days": EXPIRING_DAYS,
            "expiring": [(lot, display(lot.on_hand, lot.item)) for lot in expiring[:PANEL_ROWS]],
            "more_expiring": len(expiring) > PANEL_ROWS,
            "low": [
                (item, display(item.available_total, item), display(item.threshold, item))
                for item in low[:PANEL_ROWS]
            ],
            "more_low": len(low) > PANEL_ROWS,
        },
    )


def coordinator_panel(request: HttpRequest, site: Site | None):
    """Across the network: per site, lots only fit for waste (past use-by, or past
    best-before beyond the site's limit) and lots whose date comes within 3 days.

    One grouped query. "Today" is the server's date here (sites may be a few hours
    apart); each site's own page uses the site's date.
    """
    today = timezone.localdate()
    rows = list(
        Lot.objects.in_stock()
        .filter(best_before__isnull=False, best_before__lte=today + timedelta(days=EXPIRING_DAYS))
        .values("site__slug", "site__name")
        .annotate(
            expired=Count("pk", filter=~SitesDateRules.load().date_allows_q(today)),
            expiring=Count("pk", filter=Q(best_before__gte=today)),
        )
        .order_by("site__name")
    )
    if not rows:
        return None
    return ("pantry/_coordinator_panel.html", {"rows": rows, "days": EXPIRING_DAYS})


def lead_checks_panel(request: HttpRequest, site: Site | None):
    """A lead's site: temperature checks not done yet today, and food on hold."""
    if site is None:
        return None
    units = list(temperatures.units_with_checks(site))
    held = Lot.objects.at(site).held().count()
    if not units and not held:
        return None
    local_now = site.local(timezone.now())
    missed = [
        (unit, temperatures.checks_due(unit.checks_per_day, local_now))
        for unit in temperatures.missed(units, site)
    ]
    return (
        "pantry/_checks_panel.html",
        {"site": site, "missed": missed, "held": held, "has_units": bool(units)},
    )


def volunteer_checks_panel(request: HttpRequest, site: Site | None):
    """A volunteer's sites that keep food in units they can log temperatures for."""
    user = request.user
    if not user.is_authenticated:
        return None
    sites = list(
        Site.objects.filter(
            memberships__user=user, equipment__retired_at__isnull=True, equipment__isnull=False
        )
        .distinct()
        .order_by("name")
    )
    if not sites:
        return None
    return ("pantry/_volunteer_checks_panel.html", {"sites": sites})


def lead_recall_panel(request: HttpRequest, site: Site | None):
    """A lead's site: open recalls that reached it and wait for its answer."""
    if site is None:
        return None
    waiting = list(
        RecallSite.objects.filter(
            site=site, answer=RecallSite.Answer.WAITING, recall__status=Recall.Status.OPEN
        )
        .select_related("recall")
        .order_by("-recall__started_at")[: PANEL_ROWS + 1]
    )
    if not waiting:
        return None
    return (
        "pantry/_recall_panel.html",
        {"site": site, "recalls": [part.recall for part in waiting[:PANEL_ROWS]]},
    )


def coordinator_recall_panel(request: HttpRequest, site: Site | None):
    """Across the network: open recalls, with how many sites still have to answer."""
    recalls = list(
        Recall.objects.filter(status=Recall.Status.OPEN)
        .annotate(
            waiting=Count("sites", filter=Q(sites__answer=RecallSite.Answer.WAITING)),
            reached=Count("sites"),
        )
        .order_by("-started_at")[: PANEL_ROWS + 1]
    )
    if not recalls:
        return None
    return ("pantry/_recall_panel.html", {"site": None, "recalls": recalls[:PANEL_ROWS]})
