"""Which open offers fit which open needs: the ones covering most of the need
first, then the nearest.

An offer fits a need when it is at another site, is of the same item (or of the
need's category, for a need of a whole category, compared by weight), is still
good on the needed-by date, and is no further from the need's site than the
need's distance limit (`Need.limit_km`: its own, else its site's). It need not
cover the whole need: a match says how much of what is left to find it covers
("covers 6 of 10 L"), and matches rank by that share (capped at the whole
need), then by distance, then by the food that closes soonest.

Distances are great-circle distances between the two sites' latitude and
longitude (haversine). When either site has no coordinates the distance is
unknown: such offers are still suggested (the site may be next door), after
every offer whose distance is known, marked "distance unknown".

Everything here works on objects already loaded (offers and needs with their
site and item, needs with their limit and what is on its way), so a page or the
benchmark decides the queries and this module adds none.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.models import Site
from commonpot.numbers import grouped
from pantry.freshness import DateRules
from pantry.models import Storage
from pantry.network.models import ColdChain, Need, Offer
from pantry.units import to_base

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
WHOLE = Decimal(1)


Place = tuple[float, float, float]  # latitude, longitude, cosine of the latitude (radians)


def place(lat: float, lng: float) -> Place:
    phi = math.radians(lat)
    return phi, math.radians(lng), math.cos(phi)


def haversine_between(a: Place, b: Place) -> float:
    """Kilometres between two places already in radians (see `place`)."""
    h = math.sin((b[0] - a[0]) / 2) ** 2 + a[2] * b[2] * math.sin((b[1] - a[1]) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    return haversine_between(place(lat1, lng1), place(lat2, lng2))


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
    """Distances between sites, each pair computed once, and each site's place
    turned into radians once (a dashboard of 50 needs over 500 sites asks for
    tens of thousands of pairs). The same figures as `distance_km`."""

    def __init__(self) -> None:
        self._cache: dict[tuple[int, int], float | None] = {}
        self._places: dict[int, Place | None] = {}

    def _place(self, site: Site) -> Place | None:
        """The site's place in radians (`place`), or None when it is not on the map."""
        # `id`, not `pk`: the property costs more than the look-up, tens of
        # thousands of times a dashboard.
        found = self._places.get(site.id, False)
        if found is False:
            if site.latitude is None or site.longitude is None:
                found = None
            else:
                found = place(float(site.latitude), float(site.longitude))
            self._places[site.id] = found
        return found

    def by_latitude(self, sites: Iterable[Site]) -> ByLatitude:
        """`sites` ordered by latitude, to find those near a site without a
        distance to every one of them."""
        return ByLatitude(sites, self)

    def __call__(self, a: Site, b: Site) -> float | None:
        a_id, b_id = a.id, b.id
        key = (a_id, b_id) if a_id <= b_id else (b_id, a_id)
        try:
            return self._cache[key]
        except KeyError:
            pass
        pa, pb = self._place(a), self._place(b)
        if pa is None or pb is None:
            distance = None
        elif a_id == b_id:
            distance = 0.0
        else:
            distance = haversine_between(pa, pb)
        self._cache[key] = distance
        return distance


class ByLatitude:
    """Sites ordered by latitude (see `Distances.by_latitude`)."""

    def __init__(self, sites: Iterable[Site], distances: Distances) -> None:
        self._distances = distances
        placed, self.unplaced = [], []
        for site in sites:
            found = distances._place(site)
            if found is None:
                self.unplaced.append(site)
            else:
                placed.append((found[0], site))
        placed.sort(key=lambda e: e[0])
        self._latitudes = [phi for phi, _site in placed]
        self.placed = [site for _phi, site in placed]

    def around(self, origin: Site, km: float) -> list[Site]:
        """The sites that may be within `km` of `origin`: those whose latitude alone
        is not further (no great circle is shorter than its north-south part), and
        those whose distance is unknown; every one when `origin` is not on the map.
        A prefilter: the distance itself is for the caller to check."""
        found = self._distances._place(origin)
        if found is None:
            return self.placed + self.unplaced
        # A hair wider than the band: rounding must not drop a site on its edge.
        half = km / EARTH_RADIUS_KM + 1e-9
        low = bisect_left(self._latitudes, found[0] - half)
        high = bisect_right(self._latitudes, found[0] + half)
        return self.placed[low:high] + self.unplaced


def sites_within(origin: Site, km: float, sites: Iterable[Site]) -> list[int]:
    """Ids of the sites no further than `km` from `origin` (origin included)."""
    return [
        s.pk
        for s in sites
        if s.pk == origin.pk or ((d := distance_km(origin, s)) is not None and d <= km)
    ]


def in_reach(distance: float | None, limit_km: float) -> bool:
    """Is an offer this far suggested under this limit? Unknown distances are."""
    return distance is None or distance <= limit_km


def distance_label(km: float | None) -> str:
    if km is None:
        return _("distance unknown")
    if km < 1:
        return _("under 1 km")
    return f"{grouped(km)} km"


@dataclass(frozen=True)
class Match:
    offer: Offer
    need: Need
    distance_km: float | None
    # How much of what is left to find the offer covers, in the need's unit
    # (grams for a category need), and that as a share of it (at most 1).
    covers: Decimal
    share: Decimal

    @property
    def distance_label(self) -> str:
        return distance_label(self.distance_km)

    @property
    def is_whole(self) -> bool:
        return self.share >= WHOLE

    @property
    def covers_label(self) -> str:
        """'covers 6 of 10 L', or 'covers all 10 L' when the offer is enough."""
        left = self.need.show(self.need.left_to_find)
        if self.is_whole:
            return _("covers all %(left)s") % {"left": left}
        part = self.need.show(self.covers)
        number, _space, unit = part.partition(" ")
        if unit and left.endswith(f" {unit}"):
            part = number
        return _("covers %(part)s of %(left)s") % {"part": part, "left": left}

    def sort_key(self):
        # Known distances first; then the most of the need; then the nearest;
        # then the food that closes soonest.
        d = self.distance_km
        return (d is None, -self.share, d or 0.0, self.offer.closes_at, self.offer.pk, self.need.pk)


def good_on_needed_by(offer: Offer, need: Need) -> bool:
    """May the offered food still be given out on the day it is needed by?

    By the date rules (pantry.freshness) with the network's default days past
    best-before: use-by food until its date, best-before food for the days its kind
    allows after it. (A site's own days are read by its pages and services; matching
    works on objects already loaded and asks no query.)
    """
    storage = Storage.FROZEN if offer.cold_chain == ColdChain.FROZEN else ""
    state = DateRules.defaults(need.needed_by).state_of(
        offer.best_before, offer.date_kind, offer.item.category, storage
    )
    return state.usable


def _offer_weight(offer: Offer) -> Decimal | None:
    cached = getattr(offer, "_weight_for_matching", False)
    if cached is False:
        cached = offer.weight_g
        offer._weight_for_matching = cached
    return cached


def coverage(offer: Offer, need: Need) -> Decimal | None:
    """How much of what is left of the need this offer covers (need's unit), or None
    when it does not fit at all (own site, other food, not good in time, nothing left)."""
    left = need.left_to_find
    if offer.site_id == need.site_id or left <= 0:
        return None
    if not good_on_needed_by(offer, need):
        return None
    if need.item_id is not None:
        amount = offer.remaining if offer.item_id == need.item_id else None
    elif offer.item.category == need.category:
        amount = _offer_weight(offer)
    else:
        amount = None
    if amount is None or amount <= 0:
        return None
    return min(amount, left)


def match(offer: Offer, need: Need, distance: float | None) -> Match | None:
    """The match of this offer and need at this distance, or None when it does not fit
    or the offer is beyond the need's distance limit."""
    if not in_reach(distance, need.limit_km):
        return None
    covers = coverage(offer, need)
    if covers is None:
        return None
    share = min(covers / need.left_to_find, WHOLE)
    return Match(offer, need, distance, covers, share)


def quantity_for(offer: Offer, need: Need) -> Decimal:
    """What to ask of an offer for a need (offer's unit): what is left to find, at
    most what is offered."""
    if need.item_id:
        wanted = need.left_to_find
    else:
        try:
            wanted = to_base(need.left_to_find, "g", offer.item)
        except DomainError:
            wanted = offer.remaining
    return min(wanted, offer.remaining)


def fits(offer: Offer, need: Need, distance: float | None = None) -> bool:
    """Does this open offer fit this open need at all (even in part, within reach)?"""
    if distance is None:
        distance = distance_km(offer.site, need.site)
    return match(offer, need, distance) is not None


def offers_for_need(
    need: Need, offers: Iterable[Offer], *, limit: int | None = None, distances=None
) -> list[Match]:
    distances = distances or Distances()
    found = (m for o in offers if (m := match(o, need, distances(o.site, need.site))))
    return _best(found, limit)


def needs_for_offer(
    offer: Offer, needs: Iterable[Need], *, limit: int | None = None, distances=None
) -> list[Match]:
    distances = distances or Distances()
    found = (m for n in needs if (m := match(offer, n, distances(offer.site, n.site))))
    return _best(found, limit)


def _best(found: Iterable[Match], limit: int | None) -> list[Match]:
    if limit is None:
        return sorted(found, key=Match.sort_key)
    return heapq.nsmallest(limit, found, key=Match.sort_key)


def _settled(last: Match, distance: float | None) -> bool:
    """Does every match at a site this far (or further) sort after `last`?

    The best any such match can do is to cover the whole need at exactly this
    distance; `last` must beat that on (unknown distance, share, distance)."""
    best_possible = (distance is None, -WHOLE, distance or 0.0)
    return last.sort_key()[:3] < best_possible


def best_matches(
    needs: Iterable[Need],
    offers: Iterable[Offer],
    *,
    per_need: int | None = 3,
    distances: Distances | None = None,
) -> dict[int, list[Match]]:
    """For each need, its best-fitting offers (see the module's order). {need id: matches}.

    Offers are grouped by what they could fit (their item, their category) and
    by site. A need then walks the sites nearest first (sites of unknown distance
    last), skips those beyond its limit, and stops as soon as it holds `per_need`
    matches that nothing further away could beat: the answer is the same as
    sorting every fitting offer, without looking at the far ones.
    """
    by_key: dict[tuple, dict[int, list[Offer]]] = defaultdict(lambda: defaultdict(list))
    sites: dict[int, Site] = {}
    for offer in offers:
        sites[offer.site_id] = offer.site
        by_key[("item", offer.item_id)][offer.site_id].append(offer)
        by_key[("category", offer.item.category)][offer.site_id].append(offer)
    distances = distances or Distances()
    band = distances.by_latitude(sites.values())
    # By need site and distance limit: the sites within the limit, nearest first.
    orders: dict[tuple[int, float], list[tuple[float | None, int]]] = {}
    result: dict[int, list[Match]] = {}
    for need in needs:
        key = food_of(need)
        groups = by_key.get(key)
        if not groups or need.left_to_find <= 0:
            result[need.pk] = []
            continue
        if per_need is None:
            candidates = [o for group in groups.values() for o in group]
            result[need.pk] = offers_for_need(need, candidates, distances=distances)
            continue
        limit_km = need.limit_km
        order = orders.get((need.site_id, limit_km))
        if order is None:
            near = ((distances(need.site, s), s.id) for s in band.around(need.site, limit_km))
            order = sorted(
                ((d, pk) for d, pk in near if in_reach(d, limit_km)),
                key=lambda e: (e[0] is None, e[0] or 0.0, e[1]),
            )
            orders[(need.site_id, limit_km)] = order
        found: list[Match] = []
        unsorted = False
        for distance, site_id in order:  # within the limit; the unplaced sites last
            if len(found) >= per_need:
                if unsorted:
                    found.sort(key=Match.sort_key)
                    del found[per_need:]
                    unsorted = False
                if _settled(found[-1], distance):
                    break
            for offer in groups.get(site_id, ()):
                if (m := match(offer, need, distance)) is not None:
                    found.append(m)
                    unsorted = True
        result[need.pk] = sorted(found, key=Match.sort_key)[:per_need]
    return result


Food = tuple[str, object]  # ("item", the item's id) or ("category", the category)


def food_of(need: Need) -> Food:
    """What a need asks for, as offers are grouped to fit it: its item, or its category."""
    return ("item", need.item_id) if need.item_id else ("category", need.category)


def reach_by_food(
    needs: Iterable[Need], sites: Iterable[Site], *, distances: Distances | None = None
) -> dict[Food, set[int] | None]:
    """For each food the needs ask for, the ids of the sites on the map (of `sites`)
    an offer of it may be at to be suggested for one of them: those within the limit
    of a need of that food. None: any site, for a need whose own site is off the map
    (every distance from it is unknown). Offers at sites off the map are within
    reach of every need (their distance is unknown) and are not listed here.

    A page then reads, of the network's open offers, only these: a need of one item
    within 30 km does not bring the offers of every food in the network's reach."""
    distances = distances or Distances()
    band = distances.by_latitude(sites)
    around: dict[tuple[int, float], set[int] | None] = {}
    reach: dict[Food, set[int] | None] = {}
    for need in needs:
        key = (need.site_id, need.limit_km)
        if key not in around:
            origin, km = need.site, need.limit_km
            if origin.latitude is None or origin.longitude is None:
                around[key] = None
            else:
                around[key] = {
                    s.id
                    for s in band.around(origin, km)
                    if s.latitude is not None and in_reach(distances(origin, s), km)
                }
        food = food_of(need)
        if around[key] is None:
            reach[food] = None
        elif reach.get(food, ()) is not None:
            reach.setdefault(food, set()).update(around[key])
    return reach


Box = tuple[tuple[Decimal, Decimal], tuple[Decimal, Decimal]]  # latitudes, longitudes


def box_around(site: Site, km: float) -> Box | None:
    """The latitudes and longitudes around `site` that hold every place within `km`
    of it (a hair wider). None when the site is not on the map or the box would
    reach a pole or the date line (then it would not narrow much anyway)."""
    if site.latitude is None or site.longitude is None:
        return None
    lat, lng = float(site.latitude), float(site.longitude)
    dlat = km / KM_PER_DEGREE * 1.01
    if abs(lat) + dlat >= 89:
        return None
    dlng = km / (KM_PER_DEGREE * math.cos(math.radians(abs(lat) + dlat))) * 1.01
    if abs(lng) + dlng >= 180:
        return None

    def bounds(centre: float, half: float) -> tuple[Decimal, Decimal]:
        return Decimal(f"{centre - half:.5f}"), Decimal(f"{centre + half:.5f}")

    return bounds(lat, dlat), bounds(lng, dlng)


def box_around_all(boxes: Iterable[Box]) -> Box:
    """The smallest box holding every one of `boxes` (at least one)."""
    lats, lngs = zip(*boxes, strict=True)
    return (
        (min(lo for lo, _hi in lats), max(hi for _lo, hi in lats)),
        (min(lo for lo, _hi in lngs), max(hi for _lo, hi in lngs)),
    )


def near_filter(site: Site, km: float, field: str = "site") -> Q | None:
    """A database filter keeping the rows whose `field` site may be within `km` of
    `site`: inside the box around it (`box_around`), or not on the map (distance
    unknown). A prefilter: the exact distance is checked in Python. None when
    there is no box."""
    box = box_around(site, km)
    if box is None:
        return None
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}latitude__isnull": True}) | Q(
        **{f"{prefix}latitude__range": box[0], f"{prefix}longitude__range": box[1]}
    )
