"""Network-wide stock figures, by weight: on hand per site and category, in transit.

Each function is one grouped query, so the page's query count does not grow
with the stock. What sites hold is read from the figures the ledger keeps per
site and category (pantry.stockfigures), by weight: grams as they are,
millilitres by density, pieces by their weight.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Min, Q, QuerySet, Sum
from django.utils import timezone

from commonpot.models import Site
from pantry import stockfigures
from pantry.freshness import SitesDateRules
from pantry.models import Item, Lot, StockFigure
from pantry.network.matches import Distances, distance_label
from pantry.network.models import Offer, Transfer, TransferLine
from pantry.units import display

KG = Decimal(1000)


@dataclass
class SiteStock:
    site: Site
    by_category: dict[str, Decimal] = field(default_factory=dict)  # kg
    unweighed_lots: int = 0
    held_kg: Decimal = Decimal(0)  # of the on-hand weight, on hold (not free to use)
    in_transit_out_kg: Decimal = Decimal(0)
    in_transit_in_kg: Decimal = Decimal(0)

    @property
    def total_kg(self) -> Decimal:
        return sum(self.by_category.values(), Decimal(0))


@dataclass
class StockTable:
    """Some sites' stock: a row each."""

    rows: list[SiteStock]
    categories: list[tuple[str, str]]  # (value, label) of the categories they hold
    in_transit_kg: Decimal  # on the road anywhere in the network


@dataclass
class NetworkStock:
    """The whole network's stock, for the dashboard: its totals by category, summed
    in the database, and the sites holding or moving food as a query to page
    through (`page` makes the rows of one page). Bounded by the number of
    categories and the page, not by the number of sites or lots."""

    categories: list[tuple[str, str]]  # (value, label) of the categories held anywhere
    totals_kg: dict[str, Decimal]
    held_kg: Decimal
    in_transit_kg: Decimal
    holding: QuerySet  # the active sites holding or moving food, by name
    sites_total: int  # every active site
    transit: list[dict]

    @property
    def on_hand_kg(self) -> Decimal:
        return sum(self.totals_kg.values(), Decimal(0))

    @property
    def network_kg(self) -> Decimal:
        return self.on_hand_kg + self.in_transit_kg

    def column_totals(self) -> list[Decimal]:
        return [self.totals_kg[c] for c, _ in self.categories]

    def page(self, sites: list[Site]) -> list[tuple[SiteStock, list[Decimal | None]]]:
        """Each of `sites` (a page of `holding`) with its kilograms per category, in
        the order of `categories`."""
        table = stock_table(sites, transit=self.transit)
        return [(r, [r.by_category.get(c) for c, _ in self.categories]) for r in table.rows]


def network_stock() -> NetworkStock:
    """The network's stock by category over its active sites, with the sites
    holding or moving food to page through. Three queries whatever the size of
    the network; paging through `holding` is two more (how many, and the page),
    and `page` one (the figures of the sites on it)."""
    active = Site.objects.active()
    kept = StockFigure.objects.filter(stockfigures.HOLDING, site__in=active.values("pk"))
    totals = kept.values("category").annotate(grams=Sum("grams"), held=Sum("held_grams"))
    totals_kg, held_kg = {}, Decimal(0)
    for r in totals:
        if r["grams"]:
            totals_kg[r["category"]] = Decimal(r["grams"]) / KG
        held_kg += Decimal(r["held"] or 0) / KG
    transit = _transit()
    moving = {r[f"transfer__{end}_id"] for r in transit for end in ("source", "destination")}
    holding = active.filter(Q(pk__in=kept.values("site_id")) | Q(pk__in=moving))
    return NetworkStock(
        categories=[(c, label) for c, label in Item.Category.choices if c in totals_kg],
        totals_kg=totals_kg,
        held_kg=held_kg,
        in_transit_kg=sum((Decimal(r["grams"] or 0) / KG for r in transit), Decimal(0)),
        holding=holding.only("slug", "name", "kind", "city", "latitude", "longitude").order_by(
            "name", "pk"
        ),
        sites_total=active.count(),
        transit=transit,
    )


def _transit() -> list[dict]:
    """The weight on the road between each pair of sites (dispatched transfers)."""
    return list(
        TransferLine.objects.filter(transfer__status=Transfer.Status.DISPATCHED)
        .values("transfer__source_id", "transfer__destination_id")
        .annotate(grams=Sum("weight_g"))
    )


def stock_table(sites: list[Site], *, transit: list[dict] | None = None) -> StockTable:
    """Stock on hand of each of `sites` by category in kg, how much of it is on
    hold, and its food in transit: a row each. Two queries whatever the number of
    lots and transfers (one, given the network's `transit`)."""
    # Kept by the ledger as the stock moves (pantry.stockfigures): a row per site
    # and category, not every lot.
    figures = stockfigures.kept([s.pk for s in sites])
    if transit is None:
        transit = _transit()
    rows = {s.pk: SiteStock(site=s) for s in sites}
    held: set[str] = set()
    for (site_id, category), kept in figures.items():
        row = rows[site_id]
        if kept.grams:
            row.by_category[category] = kept.grams / KG
            held.add(category)
        row.held_kg += kept.held_grams / KG
        row.unweighed_lots += kept.unweighed_lots
    in_transit = Decimal(0)
    for r in transit:
        kg = Decimal(r["grams"] or 0) / KG
        in_transit += kg
        if r["transfer__source_id"] in rows:
            rows[r["transfer__source_id"]].in_transit_out_kg += kg
        if r["transfer__destination_id"] in rows:
            rows[r["transfer__destination_id"]].in_transit_in_kg += kg
    categories = [(c, label) for c, label in Item.Category.choices if c in held]
    return StockTable(
        rows=list(rows.values()),
        categories=categories,
        in_transit_kg=in_transit,
    )


def network_quantities() -> dict[int, Decimal]:
    """Per item (base unit): everything on hand in the network plus everything in transit.

    The conservation rule: this changes only by what sites receive from donors,
    cook, give out or waste — never by moving food between sites. Food sent to a
    partner network (pantry.federation) is still ours while it is on the road, and
    leaves the network when the partner says it arrived, as food given out does.
    """
    from pantry.federation.models import PartnerTransfer, PartnerTransferLine

    totals: dict[int, Decimal] = defaultdict(Decimal)
    for r in Lot.objects.values("item_id").annotate(q=Sum("on_hand")):
        totals[r["item_id"]] += r["q"] or Decimal(0)
    for r in (
        TransferLine.objects.filter(transfer__status=Transfer.Status.DISPATCHED)
        .values("item_id")
        .annotate(q=Sum("quantity"))
    ):
        totals[r["item_id"]] += r["q"] or Decimal(0)
    for r in (
        PartnerTransferLine.objects.filter(
            transfer__status=PartnerTransfer.Status.DISPATCHED,
            transfer__direction=PartnerTransfer.Direction.OUT,
        )
        .values("transfer__item_id")
        .annotate(q=Sum("quantity"))
    ):
        totals[r["transfer__item_id"]] += r["q"] or Decimal(0)
    return dict(totals)


@dataclass
class Holder:
    """A site that holds an item: free to send, on offer (its soonest-closing open
    offer of it), and how far from where the food would go."""

    site: Site
    free: Decimal
    offered: Decimal
    offer_id: int | None
    distance_km: float | None
    item: Item

    @property
    def free_display(self) -> str:
        return display(self.free, self.item)

    @property
    def offered_display(self) -> str:
        return display(self.offered, self.item)

    @property
    def distance_label(self) -> str:
        return distance_label(self.distance_km)


def sites_holding(item: Item, *, towards: Site | None, shown: int = 10) -> tuple[list[Holder], int]:
    """The active sites (other than `towards`) with `item` free (by each site's date
    rules, on `towards`' day) or on offer, nearest to `towards` first (sites not on
    the map last): the first `shown`, and how many more. Four queries whatever the
    number of sites and lots."""
    today = towards.today() if towards is not None else timezone.localdate()
    lots = (
        Lot.objects.of(item)
        .filter(site__is_active=True)
        .with_available()
        .filter(SitesDateRules.load().usable_q(today))
    )
    free = {
        r["site_id"]: Decimal(r["free"] or 0).quantize(Decimal("0.001"))
        for r in lots.values("site_id").annotate(free=Sum(F("on_hand") - F("reserved"))).order_by()
    }
    offered = {
        r["site_id"]: (Decimal(r["total"] or 0).quantize(Decimal("0.001")), r["first"])
        for r in Offer.objects.open()
        .filter(item=item, site__is_active=True)
        .values("site_id")
        .annotate(total=Sum("remaining"), first=Min("pk"))
        .order_by()
    }
    ids = (set(free) | set(offered)) - ({towards.pk} if towards is not None else set())
    sites = Site.objects.filter(pk__in=ids).only("slug", "name", "city", "latitude", "longitude")
    distances = Distances()
    holders = [
        Holder(
            site=s,
            free=free.get(s.pk, Decimal(0)),
            offered=offered.get(s.pk, (Decimal(0), None))[0],
            offer_id=offered.get(s.pk, (Decimal(0), None))[1],
            distance_km=distances(towards, s) if towards is not None else None,
            item=item,
        )
        for s in sites
    ]
    holders.sort(key=lambda h: (h.distance_km is None, h.distance_km or 0.0, h.site.name))
    return holders[:shown], max(len(holders) - shown, 0)
