"""Which open offers fit which open needs, nearest first.

An offer fits a need when it is at another site, is of the same item (or of the
need's category, for a need of a whole category), is enough for what is still
needed, and is still good on the needed-by date. Distances are great-circle
distances between the two sites' latitude and longitude (haversine); sites
without coordinates sort after those with them.

Everything here works on objects already loaded (offers and needs with their
site and item), so a page or the benchmark decides the queries and this
module adds none.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from commonpot.models import Site
from pantry.network.models import Need, Offer

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def distance_km(a: Site, b: Site) -> float | None:
    """Kilometres between two sites, or None when either has no coordinates."""
    if a.latitude is None or b.latitude is None:
        return None
    if a.pk == b.pk:
        return 0.0
    return haversine_km(
        float(a.latitude), float(a.longitude), float(b.latitude), float(b.longitude)
    )


class Distances:
    """Distances between sites, each pair computed once."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], float | None] = {}

    def __call__(self, a: Site, b: Site) -> float | None:
        key = (a.pk, b.pk) if a.pk <= b.pk else (b.pk, a.pk)
        if key not in self._cache:
            self._cache[key] = distance_km(a, b)
        return self._cache[key]


def sites_within(origin: Site, km: float, sites: Iterable[Site]) -> list[int]:
    """Ids of the sites no further than `km` from `origin` (origin included)."""
    return [
        s.pk
        for s in sites
        if s.pk == origin.pk or ((d := distance_km(origin, s)) is not None and d <= km)
    ]


@dataclass(frozen=True)
class Match:
    offer: Offer
    need: Need
    distance_km: float | None

    @property
    def distance_label(self) -> str:
        return distance_label(self.distance_km)

    def sort_key(self):
        # Nearest first; unknown distance last; then the food that closes soonest.
        d = self.distance_km
        return (d is None, d or 0.0, self.offer.closes_at, self.offer.pk, self.need.pk)


def distance_label(km: float | None) -> str:
    if km is None:
        return "distance unknown"
    if km < 1:
        return "under 1 km"
    return f"{km:,.0f} km"


def _offer_weight(offer: Offer) -> Decimal | None:
    cached = getattr(offer, "_weight_for_matching", False)
    if cached is False:
        cached = offer.weight_g
        offer._weight_for_matching = cached
    return cached


def fits(offer: Offer, need: Need) -> bool:
    """Does this open offer fit this open need? (Both are assumed open.)"""
    if offer.site_id == need.site_id or need.outstanding <= 0:
        return False
    if offer.best_before is not None and offer.best_before < need.needed_by:
        return False
    if need.item_id is not None:
        return offer.item_id == need.item_id and offer.remaining >= need.outstanding
    if offer.item.category != need.category:
        return False
    weight = _offer_weight(offer)
    return weight is not None and weight >= need.outstanding


def offers_for_need(
    need: Need, offers: Iterable[Offer], *, limit: int | None = None, distances=None
) -> list[Match]:
    distances = distances or Distances()
    found = (Match(o, need, distances(o.site, need.site)) for o in offers if fits(o, need))
    return _best(found, limit)


def needs_for_offer(
    offer: Offer, needs: Iterable[Need], *, limit: int | None = None, distances=None
) -> list[Match]:
    distances = distances or Distances()
    found = (Match(offer, n, distances(offer.site, n.site)) for n in needs if fits(offer, n))
    return _best(found, limit)


def _best(found: Iterable[Match], limit: int | None) -> list[Match]:
    if limit is None:
        return sorted(found, key=Match.sort_key)
    return heapq.nsmallest(limit, found, key=Match.sort_key)


def _further(distance: float | None, last: float | None) -> bool:
    """Does every offer at a site this far sort after a match this far?"""
    if last is None:
        return False  # unplaced sites tie with each other; keep looking
    return distance is None or distance > last


def best_matches(
    needs: Iterable[Need], offers: Iterable[Offer], *, per_need: int | None = 3
) -> dict[int, list[Match]]:
    """For each need, its best-fitting offers (nearest first). {need id: matches}.

    Offers are grouped by what they could fit (their item, their category) and
    by site, each group soonest-closing first. A need then walks the sites
    nearest first and stops as soon as it holds `per_need` matches and the next
    site is further away than the last of them: the answer is the same as
    sorting every fitting offer, without looking at the far ones.
    """
    by_key: dict[tuple, dict[int, list[Offer]]] = defaultdict(lambda: defaultdict(list))
    sites: dict[int, Site] = {}
    for offer in offers:
        sites[offer.site_id] = offer.site
        by_key[("item", offer.item_id)][offer.site_id].append(offer)
        by_key[("category", offer.item.category)][offer.site_id].append(offer)
    for groups in by_key.values():
        for group in groups.values():
            group.sort(key=lambda o: (o.closes_at, o.pk))
    distances = Distances()
    orders: dict[int, list[tuple[float | None, int]]] = {}
    result: dict[int, list[Match]] = {}
    for need in needs:
        key = ("item", need.item_id) if need.item_id else ("category", need.category)
        groups = by_key.get(key)
        if not groups or need.outstanding <= 0:
            result[need.pk] = []
            continue
        if per_need is None:
            candidates = [o for group in groups.values() for o in group]
            result[need.pk] = offers_for_need(need, candidates, distances=distances)
            continue
        order = orders.get(need.site_id)
        if order is None:
            order = sorted(
                ((distances(need.site, site), pk) for pk, site in sites.items()),
                key=lambda e: (e[0] is None, e[0] or 0.0, e[1]),
            )
            orders[need.site_id] = order
        found: list[Match] = []
        for distance, site_id in order:
            if len(found) >= per_need and _further(distance, found[per_need - 1].distance_km):
                break
            for offer in groups.get(site_id, ()):
                if fits(offer, need):
                    found.append(Match(offer, need, distance))
        result[need.pk] = sorted(found, key=Match.sort_key)[:per_need]
    return result
