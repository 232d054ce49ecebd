"""Panels on shared pages (registered in apps.py through commonpot.registry)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from commonpot.models import Site
from pantry.network.models import Need, Offer, Transfer

PUBLIC_NEEDS_SHOWN = 8


def public_needs(request: HttpRequest, site: Site | None):
    """ "What they need right now" on a site's public page: food, amounts, dates; no people."""
    if site is None:
        return None
    needs = list(Need.objects.open().at(site).select_related("item").order_by("closes_at", "pk"))
    if not needs:
        return None
    return "network/panels/public_needs.html", {
        "site": site,
        "needs": needs[:PUBLIC_NEEDS_SHOWN],
        "more": max(len(needs) - PUBLIC_NEEDS_SHOWN, 0),
    }


def lead_panel(request: HttpRequest, site: Site | None):
    """On a lead's home, per site: transfers waiting for this site, and its offers and needs."""
    if site is None:
        return None
    now = timezone.now()
    waiting = (
        Transfer.objects.filter(
            Q(source=site, status__in=[Transfer.Status.PROPOSED, Transfer.Status.ACCEPTED])
            | Q(destination=site, status=Transfer.Status.DISPATCHED)
        )
        .select_related("source", "destination", "item")
        .order_by("proposed_at")
    )
    counts = {
        "offers": Offer.objects.open(now).at(site).count(),
        "needs": Need.objects.open(now).at(site).count(),
    }
    return "network/panels/lead.html", {"site": site, "waiting": waiting, "counts": counts}


def coordinator_panel(request: HttpRequest, site: Site | None):
    now = timezone.now()
    counts = Transfer.objects.in_flight().aggregate(
        proposed=Count("pk", filter=Q(status=Transfer.Status.PROPOSED)),
        accepted=Count("pk", filter=Q(status=Transfer.Status.ACCEPTED)),
        dispatched=Count("pk", filter=Q(status=Transfer.Status.DISPATCHED)),
    )
    counts["offers"] = Offer.objects.open(now).count()
    counts["needs"] = Need.objects.open(now).count()
    return "network/panels/coordinator.html", {"counts": counts}
