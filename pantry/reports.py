"""The pantry's part of the reports: food in, out, moved and wasted, in kilograms.

Every figure is a sum over the stock ledger (StockMove), with undo moves netted
against the kind of move they undo, so a report always equals the ledger.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Value
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


def _grams(queryset) -> Decimal:
    total = queryset.aggregate(total=Sum("weight_g"))["total"]
    return abs(total or ZERO)


def figures(period: Period) -> dict:
    """Every pantry number of the report, as plain values (the tests rebuild these)."""
    moves = ledger_moves(period)
    received = moves.filter(net_kind(Kind.RECEIVED))
    wasted = moves.filter(net_kind(Kind.WASTED))
    donor_names = dict(Donor.Kind.choices)
    categories = dict(Item.Category.choices)
    reasons = dict(StockMove.WasteReason.choices)
    destinations = dict(StockMove.Destination.choices)

    by_donor = {
        donor_names.get(row["k"], "Not recorded"): abs(row["g"] or ZERO)
        for row in received.values(k=F("lot__donor__kind")).annotate(g=Sum("weight_g"))
    }
    by_category = {
        categories.get(row["k"], row["k"]): abs(row["g"] or ZERO)
        for row in received.values(k=F("lot__item__category")).annotate(g=Sum("weight_g"))
    }
    # An undo of a waste move carries no reason itself: it takes its move's.
    waste_reason = Coalesce(NullIf("reason", Value("")), "reverses__reason")
    waste_destination = Coalesce(NullIf("destination", Value("")), "reverses__destination")
    waste_by_reason = {
        reasons.get(row["k"], "Not recorded"): abs(row["g"] or ZERO)
        for row in wasted.values(k=waste_reason).annotate(g=Sum("weight_g"))
    }
    waste_by_destination = {
        destinations.get(row["k"], "Not recorded"): abs(row["g"] or ZERO)
        for row in wasted.values(k=waste_destination).annotate(g=Sum("weight_g"))
    }
    given = Distribution.objects.filter(period.q_dates(date_field="given_on")).aggregate(
        households=Sum("households"), people=Sum("people"), count=Count("pk")
    )
    unknown_weight = moves.filter(weight_g__isnull=True).count()
    received_g = _grams(received)
    wasted_g = _grams(wasted)
    return {
        "received_g": received_g,
        "received_by_donor": by_donor,
        "received_by_category": by_category,
        "distributed_g": _grams(moves.filter(net_kind(Kind.DISTRIBUTED))),
        "households": given["households"] or 0,
        "people": given["people"] or 0,
        "distributions": given["count"],
        # Cooking takes ingredients out (negative) and may put leftovers in
        # (positive, a new lot): "used in cooking" is what went out.
        "cooked_g": _grams(
            moves.filter(
                Q(kind=Kind.COOKED, quantity__lt=0)
                | Q(kind=Kind.REVERSED, reverses__kind=Kind.COOKED, reverses__quantity__lt=0)
            )
        ),
        "transferred_in_g": _grams(moves.filter(net_kind(Kind.TRANSFER_IN))),
        "transferred_out_g": _grams(moves.filter(net_kind(Kind.TRANSFER_OUT))),
        "wasted_g": wasted_g,
        "wasted_by_reason": waste_by_reason,
        "wasted_by_destination": waste_by_destination,
        "waste_share": (wasted_g / received_g * 100) if received_g else None,
        "unknown_weight_moves": unknown_weight,
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
