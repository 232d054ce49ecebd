"""The pantry's part of the reports: food in, out, moved and wasted, in kilograms.

Every figure is a sum over the stock ledger (StockMove), with undo moves netted
against the kind of move they undo, so a report always equals the ledger.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf

from commonpot.reports import Chart, Period, Section, Table, kg
from pantry.models import Distribution, Donor, Item, StockMove

Kind = StockMove.Kind
ZERO = Decimal(0)


def net_kind(kind: str) -> Q:
    """Moves of `kind`, and the undo moves that cancel some of them."""
    return Q(kind=kind) | Q(kind=Kind.REVERSED, reverses__kind=kind)


def ledger_moves(period: Period):
    return StockMove.objects.filter(period.q(site_field="lot__site", time_field="at"))


def figures(period: Period) -> dict:
    """Every pantry number of the report, as plain values (the tests rebuild these).

    One grouped pass over the period's moves: at a million moves, one scan
    instead of one per figure.
    """
    donor_names = dict(Donor.Kind.choices)
    categories = dict(Item.Category.choices)
    reasons = dict(StockMove.WasteReason.choices)
    destinations = dict(StockMove.Destination.choices)
    rows = (
        ledger_moves(period)
        .values(
            k=F("kind"),
            undoes=F("reverses__kind"),
            out=Case(When(quantity__lt=0, then=Value(True)), default=Value(False)),
            donor=F("lot__donor__kind"),
            category=F("lot__item__category"),
            # An undo of a waste move carries no reason itself: it takes its move's.
            why=Coalesce(NullIf("reason", Value("")), "reverses__reason"),
            where=Coalesce(NullIf("destination", Value("")), "reverses__destination"),
        )
        .annotate(g=Sum("weight_g"), unknown=Count("pk", filter=Q(weight_g__isnull=True)))
        .order_by()
    )
    totals: dict[str, Decimal] = defaultdict(Decimal)
    by_donor: dict[str, Decimal] = defaultdict(Decimal)
    by_category: dict[str, Decimal] = defaultdict(Decimal)
    by_reason: dict[str, Decimal] = defaultdict(Decimal)
    by_destination: dict[str, Decimal] = defaultdict(Decimal)
    unknown = 0
    for row in rows:
        grams = row["g"] or ZERO
        unknown += row["unknown"]
        is_undo = row["k"] == Kind.REVERSED
        kind = row["undoes"] if is_undo else row["k"]
        totals[kind] += grams
        if kind == Kind.RECEIVED:
            by_donor[donor_names.get(row["donor"], "Not recorded")] += grams
            by_category[categories.get(row["category"], row["category"])] += grams
        elif kind == Kind.WASTED:
            by_reason[reasons.get(row["why"], "Not recorded")] += grams
            by_destination[destinations.get(row["where"], "Not recorded")] += grams
        elif kind == Kind.COOKED and bool(row["out"]) != is_undo:
            # Cooking takes ingredients out and may put leftovers in (a new
            # lot): "used in cooking" is what went out, less what was undone.
            totals["cooked_out"] += grams
    given = Distribution.objects.filter(period.q_dates(date_field="given_on")).aggregate(
        households=Sum("households"), people=Sum("people"), count=Count("pk")
    )

    def positive(values: dict[str, Decimal]) -> dict[str, Decimal]:
        return {k: abs(v) for k, v in values.items() if v}

    received_g, wasted_g = abs(totals[Kind.RECEIVED]), abs(totals[Kind.WASTED])
    return {
        "received_g": received_g,
        "received_by_donor": positive(by_donor),
        "received_by_category": positive(by_category),
        "distributed_g": abs(totals[Kind.DISTRIBUTED]),
        "households": given["households"] or 0,
        "people": given["people"] or 0,
        "distributions": given["count"],
        "cooked_g": abs(totals["cooked_out"]),
        "transferred_in_g": abs(totals[Kind.TRANSFER_IN]),
        "transferred_out_g": abs(totals[Kind.TRANSFER_OUT]),
        "wasted_g": wasted_g,
        "wasted_by_reason": positive(by_reason),
        "wasted_by_destination": positive(by_destination),
        "waste_share": (wasted_g / received_g * 100) if received_g else None,
        "unknown_weight_moves": unknown,
    }


def _kg_rows(values: dict[str, Decimal]) -> list[list]:
    return [[label, f"{grams / 1000:.1f}"] for label, grams in sorted(values.items())]


def _bars(values: dict[str, Decimal]) -> list[tuple[str, float]]:
    return sorted(((k, round(float(v) / 1000, 1)) for k, v in values.items()), key=lambda b: -b[1])


def food_section(period: Period) -> Section:
    f = figures(period)
    share = f"{f['waste_share']:.1f}%" if f["waste_share"] is not None else "—"
    return Section(
        key="food",
        title="Food",
        figures=[
            ("Received", kg(f["received_g"])),
            ("Given out", kg(f["distributed_g"])),
            ("Households served", f"{f['households']:,}"),
            ("People served", f"{f['people']:,}"),
            ("Used in cooking", kg(f["cooked_g"])),
            ("Transferred in", kg(f["transferred_in_g"])),
            ("Transferred out", kg(f["transferred_out_g"])),
            ("Wasted", kg(f["wasted_g"])),
            ("Waste as a share of food in", share),
        ],
        charts=[
            Chart("Food received by kind of donor (kg)", _bars(f["received_by_donor"]), "kg"),
            Chart("Food received by category (kg)", _bars(f["received_by_category"]), "kg"),
            Chart("Food wasted by reason (kg)", _bars(f["wasted_by_reason"]), "kg"),
        ],
        tables=[
            Table(
                "received-by-donor",
                "Received by kind of donor",
                ["Donor", "kg"],
                _kg_rows(f["received_by_donor"]),
                numeric={1},
            ),
            Table(
                "received-by-category",
                "Received by category",
                ["Category", "kg"],
                _kg_rows(f["received_by_category"]),
                numeric={1},
            ),
            Table(
                "wasted-by-reason",
                "Wasted by reason",
                ["Reason", "kg"],
                _kg_rows(f["wasted_by_reason"]),
                numeric={1},
            ),
            Table(
                "wasted-by-destination",
                "Wasted by destination",
                ["Destination", "kg"],
                _kg_rows(f["wasted_by_destination"]),
                numeric={1},
            ),
        ],
        note=(
            f"{f['unknown_weight_moves']} stock changes were of items with no known weight "
            "and are not in the kilograms."
            if f["unknown_weight_moves"]
            else ""
        ),
    )
