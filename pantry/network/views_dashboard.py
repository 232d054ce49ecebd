"""The coordinator's dashboard: stock by site and category, surplus about to spoil,
open needs with their best matches, transfers in flight, and a map of the sites."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from commonpot.maps import allow_tiles, sites_in_view
from commonpot.models import Site
from commonpot.opendata import site_map, site_map_feature
from commonpot.pagecache import cached_page
from commonpot.params import BadParam
from commonpot.permissions import coordinator_required
from commonpot.quickurls import quick_reverse
from pantry.models import Item
from pantry.network.matches import (
    Distances,
    Match,
    best_matches,
    box_around,
    box_around_all,
    reach_by_food,
)
from pantry.network.models import Need, Offer, Transfer
from pantry.network.progress import attach_on_the_way
from pantry.network.stock import network_stock
from pantry.network.views_runs import runs_of_the_day

EXPIRING_HOURS = 72
# What matching reads of an offer's item: its category, and its weight by unit.
MATCH_ITEM_FIELDS = (
    "item__category",
    "item__base_unit",
    "item__grams_per_ml",
    "item__weight_per_piece_g",
)
SHOWN = 50


@coordinator_required
@require_GET
@cached_page
def dashboard(request: HttpRequest) -> HttpResponse:
    """A fixed number of queries however many sites, offers, needs and transfers, and
    a bounded number of rows: the first SHOWN of each list, with how many more."""
    now = timezone.now()
    # A network of hundreds of sites: the stock rows of the sites holding or moving
    # food, a page at a time, and the site lists only of the sites they name.
    stock = network_stock()
    stock_page = Paginator(stock.holding, SHOWN).get_page(request.GET.get("page"))
    open_offers = Offer.objects.open(now).filter(site__is_active=True)
    expiring_offers = open_offers.filter(closes_at__lte=now + timedelta(hours=EXPIRING_HOURS))
    open_needs = Need.objects.open(now).filter(site__is_active=True)
    needs = list(open_needs.for_cards().with_limits()[:SHOWN])
    attach_on_the_way(needs)
    # Matches for the needs shown, from the offers that could fit them: of their
    # items or categories, each at the sites within reach of a need of it.
    distances = Distances()
    candidates = _candidates(open_offers, needs, distances)
    matches = _matches(needs, candidates, distances)
    in_flight = Transfer.objects.in_flight()
    flight_counts = dict(in_flight.values_list("status").annotate(n=Count("pk")).order_by())
    placed = Site.objects.active().aggregate(
        sites=Count("pk"), unplaced=Count("pk", filter=Q(latitude__isnull=True))
    )
    unplaced = list(
        Site.objects.active()
        .filter(latitude__isnull=True)
        .only("slug", "name")
        .order_by("name")[:SHOWN]
    )
    page = TemplateResponse(
        request,
        "network/dashboard.html",
        {
            "stock": stock,
            "stock_page": stock_page,
            "stock_grid": stock.page(list(stock_page.object_list)),
            "stock_empty": stock.sites_total - stock_page.paginator.count,
            "expiring": list(expiring_offers.for_cards()[:SHOWN]),
            "expiring_more": max(expiring_offers.count() - SHOWN, 0),
            "needs": [(n, matches[n.pk]) for n in needs],
            "needs_more": max(open_needs.count() - SHOWN, 0),
            # The longest in flight first: those are the ones to chase.
            "in_flight": list(in_flight.for_lists().order_by("proposed_at", "pk")[:SHOWN]),
            "in_flight_more": max(sum(flight_counts.values()) - SHOWN, 0),
            "in_flight_counts": [
                (status, label, flight_counts[status])
                for status, label in Transfer.Status.choices
                if flight_counts.get(status)
            ],
            "map_tiles_url": settings.MAP_TILES_URL,
            "expiring_hours": EXPIRING_HOURS,
            "site_count": placed["sites"],
            "unplaced": unplaced,
            "unplaced_more": max(placed["unplaced"] - SHOWN, 0),
            "runs": runs_of_the_day(request.user, timezone.localdate())[:SHOWN],
            "runs_day": timezone.localdate(),
        },
    )
    return allow_tiles(page)


class _SiteRow(NamedTuple):
    """A site as matching reads it: where it is (a Site instance for each of hundreds
    of sites cost more than the distances)."""

    id: int
    latitude: Decimal | None
    longitude: Decimal | None


class _Candidate:
    """An open offer as matching reads it, made from one row of values (a model
    instance for each of thousands of candidate offers cost more than the
    matching itself). The few offers matched are loaded whole afterwards."""

    FIELDS = (
        "pk",
        "site_id",
        "item_id",
        "remaining",
        "best_before",
        "date_kind",
        "cold_chain",
        "closes_at",
    )
    __slots__ = (*FIELDS, "site", "item", "_weight_for_matching")
    weight_g = Offer.weight_g

    def __init__(self, row: tuple, site: _SiteRow, item: Item) -> None:
        for name, value in zip(self.FIELDS, row, strict=True):
            setattr(self, name, value)
        self.site = site
        self.item = item


def _candidates(open_offers, needs: list[Need], distances: Distances):
    """The open offers that may fit one of `needs`: of a food one of them asks for,
    at a site within reach of a need of that food (or off the map). The sites
    around the needs are read first, in one query: those inside the box around
    every need's reach, so a network of hundreds of sites is not read whole. (One
    box around them all: a filter of fifty boxes cost more to write and for the
    database to test on every site than the few more sites it kept out.)"""
    # A need off the map has every site within reach (reach_by_food says so).
    origins = {(n.site_id, n.limit_km): n.site for n in needs if n.site.latitude is not None}
    boxes = [box_around(site, km) for (_site_id, km), site in origins.items()]
    placed = Site.objects.active().filter(latitude__isnull=False, longitude__isnull=False)
    if not boxes:
        placed = placed.none()
    elif None not in boxes:  # None: a box across a pole or the date line, look everywhere
        lats, lngs = box_around_all(boxes)
        placed = placed.filter(latitude__range=lats, longitude__range=lngs)
    around = map(_SiteRow._make, placed.values_list("id", "latitude", "longitude"))
    parts = []
    for (kind, value), site_ids in reach_by_food(needs, around, distances=distances).items():
        food = Q(item_id=value) if kind == "item" else Q(item__category=value)
        if site_ids is not None:
            food &= Q(site__latitude__isnull=True) | Q(site_id__in=site_ids)
        parts.append(food)
    return open_offers.filter(reduce(or_, parts)) if parts else open_offers.none()


def _matches(needs: list[Need], candidates, distances: Distances) -> dict[int, list[Match]]:
    """The best three offers for each need. The candidates are read as rows of only
    what matching reads, with their site's place; the few offers matched are then
    loaded whole, in one query, for the page to show."""
    rows = list(
        candidates.order_by("closes_at", "pk").values_list(
            *_Candidate.FIELDS, "site__latitude", "site__longitude"
        )
    )
    # Thousands of offers share a few hundred items and sites: load each item once,
    # with only what matching reads, and make each site's place once.
    items = {
        item.pk: item
        for item in Item.objects.filter(pk__in={row[2] for row in rows}).only(
            *(f.removeprefix("item__") for f in MATCH_ITEM_FIELDS)
        )
    }
    sites: dict[int, _SiteRow] = {}
    lean = []
    for row in rows:
        site = sites.get(row[1])
        if site is None:
            site = sites[row[1]] = _SiteRow(row[1], row[-2], row[-1])
        lean.append(_Candidate(row[:-2], site, items[row[2]]))
    matches = best_matches(needs, lean, per_need=3, distances=distances)
    chosen = {m.offer.pk for found in matches.values() for m in found}
    whole = {o.pk: o for o in Offer.objects.filter(pk__in=chosen).for_cards()}
    return {
        need: [replace(m, offer=whole[m.offer.pk]) for m in found]
        for need, found in matches.items()
    }


@coordinator_required
@require_GET
def sites_geojson(request: HttpRequest) -> JsonResponse:
    """Active sites with coordinates, camps included (coordinators only), with
    their open offers and needs, for the dashboard map: at most MAP_SITES_MAX, or
    those in `?bbox=` (400 with the reason for a bad box)."""
    try:
        sites, meta = sites_in_view(
            Site.objects.active().filter(latitude__isnull=False), request.GET
        )
    except BadParam as e:
        return JsonResponse({"error": str(e)}, status=400)
    now = timezone.now()
    shown = [site.pk for site in sites]
    offers = Counter(dict(_per_site(Offer.objects.open(now).filter(site_id__in=shown))))
    needs = Counter(dict(_per_site(Need.objects.open(now).filter(site_id__in=shown))))
    features = [
        site_map_feature(
            site,
            kind=" · ".join(
                [
                    str(site.get_kind_display()),
                    ngettext("%(count)s open offer", "%(count)s open offers", offers[site.pk])
                    % {"count": offers[site.pk]},
                    ngettext("%(count)s open need", "%(count)s open needs", needs[site.pk])
                    % {"count": needs[site.pk]},
                ]
            ),
            url=quick_reverse("network:site_surplus", site.slug),
            hours=[],
        )
        for site in sites
    ]
    return JsonResponse(site_map(features, meta))


def _per_site(queryset):
    """(site id, how many) of `queryset`, counted in the database."""
    return queryset.values_list("site_id").annotate(n=Count("pk")).order_by()
