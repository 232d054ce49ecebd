"""Network-wide stock figures, by weight: on hand per site and category, in transit.

Each function is one grouped query; weights are computed in the database from
the item's base unit (grams as they are, millilitres by density, pieces by
their weight), so the page's query count does not grow with the stock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Min, Q, Sum, Value, When
from django.utils import timezone

from commonpot.models import Site
from pantry.freshness import SitesDateRules
from pantry.models import QTY, Item, Lot
from pantry.network.matches import Distances, distance_label
from pantry.network.models import Offer, Transfer, TransferLine
from pantry.units import display

KG = Decimal(1000)


def _weight(prefix: str, quantity: str) -> Case:
    """A quantity's weight in grams, computed in SQL; NULL for pieces of unknown weight."""
    out = DecimalField(**QTY)
    unit = f"{prefix}item__base_unit"
    return Case(
        When(**{unit: Item.Unit.GRAM}, then=F(quantity)),
        When(
            **{unit: Item.Unit.MILLILITRE},
            then=ExpressionWrapper(
                F(quantity) * F(f"{prefix}item__grams_per_ml"), output_field=out
            ),
        ),
        When(
            **{unit: Item.Unit.PIECE, f"{prefix}item__weight_per_piece_g__isnull": False},
            then=ExpressionWrapper(
                F(quantity) * F(f"{prefix}item__weight_per_piece_g"), output_field=out
            ),
        ),
        default=Value(None),
        output_field=out,
    )


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
    rows: list[SiteStock]
    categories: list[tuple[str, str]]  # (value, label) of the categories held anywhere
    in_transit_kg: Decimal
    # How many sites the table is about: its rows, or, for the whole network, every
    # active site while the rows are only those holding or moving food.
    site_count: int | None = None

    @property
    def sites_total(self) -> int:
        return len(self.rows) if self.site_count is None else self.site_count

    @property
    def on_hand_kg(self) -> Decimal:
        return sum((r.total_kg for r in self.rows), Decimal(0))

    @property
    def held_kg(self) -> Decimal:
        return sum((r.held_kg for r in self.rows), Decimal(0))

    @property
    def network_kg(self) -> Decimal:
        return self.on_hand_kg + self.in_transit_kg

    @cached_property
    def holding(self) -> list[SiteStock]:
        """The sites that hold food or have food on the way in or out."""
        return [
            r
            for r in self.rows
            if r.by_category or r.unweighed_lots or r.in_transit_out_kg or r.in_transit_in_kg
        ]

    @property
    def empty_count(self) -> int:
        return self.sites_total - len(self.holding)

    def grid(
        self, rows: list[SiteStock] | None = None
    ) -> list[tuple[SiteStock, list[Decimal | None]]]:
        """Each site holding or moving food (or each of `rows`, a page of them) with
        its kilograms per category, in the order of `categories`."""
        return [
            (r, [r.by_category.get(c) for c, _ in self.categories])
            for r in (self.holding if rows is None else rows)
        ]

    def column_totals(self) -> list[Decimal]:
        return [
            sum((r.by_category.get(c, Decimal(0)) for r in self.rows), Decimal(0))
            for c, _ in self.categories
        ]


def stock_table(sites: list[Site] | None = None) -> StockTable:
    """Stock on hand by site and category in kg, how much of it is on hold, and
    each site's food in transit: of `sites`, a row each; or, without them, of every
    active site, with a row for each site holding or moving food only (a network of
    hundreds of sites loads those, not all).

    Two queries whatever the number of sites, lots and transfers (three for the
    whole network: the sites of the rows, and how many sites there are).
    """
    whole_network = sites is None
    lots = Lot.objects.filter(on_hand__gt=0)
    if whole_network:
        # A subquery rather than a join: SQLite then reads the lots by site.
        lots = lots.filter(site__in=Site.objects.active().values("pk"))
    else:
        lots = lots.filter(site__in=[s.pk for s in sites])
    on_hand = list(
        lots.values("site_id", "item__category").annotate(
            grams=Sum(_weight("", "on_hand")),
            held_grams=Sum(
                Case(When(on_hold=True, then=_weight("", "on_hand")), default=Value(None))
            ),
            unweighed=Sum(
                Case(
                    When(Q(item__base_unit=Item.Unit.PIECE, item__weight_per_piece_g=None), then=1),
                    default=0,
                )
            ),
        )
    )
    transit = list(
        TransferLine.objects.filter(transfer__status=Transfer.Status.DISPATCHED)
        .values("transfer__source_id", "transfer__destination_id")
        .annotate(grams=Sum("weight_g"))
    )
    site_count = None
    if whole_network:
        ids = {r["site_id"] for r in on_hand}
        ids |= {r[f"transfer__{end}_id"] for r in transit for end in ("source", "destination")}
        sites = list(
            Site.objects.active()
            .filter(pk__in=ids)
            .only("slug", "name", "kind", "city", "latitude", "longitude")
            .order_by("name")
        )
        site_count = Site.objects.active().count()
    rows = {s.pk: SiteStock(site=s) for s in sites}
    held: set[str] = set()
    for r in on_hand:
        row = rows[r["site_id"]]
        if r["grams"]:
            row.by_category[r["item__category"]] = Decimal(r["grams"]) / KG
            held.add(r["item__category"])
        row.held_kg += Decimal(r["held_grams"] or 0) / KG
        row.unweighed_lots += r["unweighed"] or 0
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
        site_count=site_count,
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
