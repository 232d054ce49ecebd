"""The coordinator's dashboard: stock by site and category, surplus about to spoil,
open needs with their best matches, transfers in flight, and a map of the sites."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from commonpot.maps import allow_tiles
from commonpot.models import Site
from commonpot.opendata import site_map, site_map_feature
from commonpot.pagecache import cached_page
from commonpot.permissions import coordinator_required
from commonpot.quickurls import quick_reverse
from pantry.network.matches import best_matches
from pantry.network.models import Need, Offer, Transfer
from pantry.network.stock import stock_table

EXPIRING_HOURS = 72
SHOWN = 50


@coordinator_required
@require_GET
@cached_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """A fixed number of queries however many sites, offers, needs and transfers."""
    now = timezone.now()
    sites = list(Site.objects.active().order_by("name"))
    stock = stock_table(sites)
    offers = list(Offer.objects.open(now).filter(site__is_active=True).for_cards())
    needs = list(Need.objects.open(now).filter(site__is_active=True).for_cards())
    # Matches only for the needs shown: each need's are its own.
    matches = best_matches(needs[:SHOWN], offers, per_need=3)
    expiring = [o for o in offers if (o.closes_at - now).total_seconds() <= EXPIRING_HOURS * 3600]
    in_flight = list(Transfer.objects.in_flight().for_lists().order_by("proposed_at"))
    page = TemplateResponse(
        request,
        "network/dashboard.html",
        {
            "stock": stock,
            "expiring": expiring[:SHOWN],
            "expiring_more": max(len(expiring) - SHOWN, 0),
            "needs": [(n, matches[n.pk]) for n in needs[:SHOWN]],
            "needs_more": max(len(needs) - SHOWN, 0),
            "in_flight": in_flight,
            "in_flight_counts": list(Counter(t.get_status_display() for t in in_flight).items()),
            "map_tiles_url": settings.MAP_TILES_URL,
            "expiring_hours": EXPIRING_HOURS,
            "sites": sites,
        },
    )
    return allow_tiles(page)


@coordinator_required
@require_GET
def sites_geojson(request: HttpRequest) -> JsonResponse:
    """Every active site with coordinates, camps included (coordinators only), with
    its open offers and needs, for the dashboard map."""
    now = timezone.now()
    offers = Counter(Offer.objects.open(now).values_list("site_id", flat=True))
    needs = Counter(Need.objects.open(now).values_list("site_id", flat=True))
    features = [
        site_map_feature(
            site,
            kind=f"{site.get_kind_display()} · {offers[site.pk]} open offer"
            f"{'s' if offers[site.pk] != 1 else ''} · {needs[site.pk]} open need"
            f"{'s' if needs[site.pk] != 1 else ''}",
            url=quick_reverse("network:site_surplus", site.slug),
            hours=[],
        )
        for site in Site.objects.active().filter(latitude__isnull=False)
    ]
    return JsonResponse(site_map(features))
