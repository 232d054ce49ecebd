"""The pantry's part of the reports: food in, out, moved and wasted, by weight
(kilograms, or pounds in a report read in US measures).

Every figure is a sum over the stock ledger (StockMove), with undo moves netted
against the kind of move they undo, so a report always equals the ledger. A move
counts on the day it happened at its site (`happened_on`: the day a donation was
received, a distribution given, a count made...), not the day it was typed in.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.numbers import grouped
from commonpot.reports import (
    Chart,
    Period,
    Section,
    share_weights,
    weight,
    weight_step,
    weight_table,
    weight_unit,
)
from pantry.models import Distribution, Donor, Item, LotHold, Reading, Recall, StockMove

Kind = StockMove.Kind
ZERO = Decimal(0)
MILLIGRAM = Decimal("0.001")


def net_kind(kind: str) -> Q:
    """Moves of `kind`, and the undo moves that cancel some of them."""
    return Q(kind=kind) | Q(kind=Kind.REVERSED, reverses__kind=kind)


def ledger_moves(period: Period):
    # `happened_on` is already the site's own day: no time zones to work out here.
    return StockMove.objects.filter(
        period.q_dates(site_field="lot__site", date_field="happened_on")
    )


def figures(period: Period) -> dict:
    """Every pantry number of the report, as plain values (the tests rebuild these).

    One grouped pass over the period's moves: at a million moves, one scan
    instead of one per figure.
    """
    donor_names = {value: str(label) for value, label in Donor.Kind.choices}
    categories = {value: str(label) for value, label in Item.Category.choices}
    reasons = {value: str(label) for value, label in StockMove.WasteReason.choices}
    destinations = {value: str(label) for value, label in StockMove.Destination.choices}
    unrecorded = _("Not recorded")
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
        # SQLite adds decimals up as floating point: back to the milligram.
        grams = Decimal(row["g"] or ZERO).quantize(MILLIGRAM)
        unknown += row["unknown"]
        is_undo = row["k"] == Kind.REVERSED
        kind = row["undoes"] if is_undo else row["k"]
        totals[kind] += grams
        if kind == Kind.RECEIVED:
            by_donor[donor_names.get(row["donor"], unrecorded)] += grams
            by_category[categories.get(row["category"], row["category"])] += grams
        elif kind == Kind.WASTED:
            by_reason[reasons.get(row["why"], unrecorded)] += grams
            by_destination[destinations.get(row["where"], unrecorded)] += grams
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


def food_section(period: Period) -> Section:
    f = figures(period)
    share = f"{f['waste_share']:.1f}%" if f["waste_share"] is not None else "—"
    # The headline, both tables and both charts of what came in read in one step,
    # so they show the same total; the same for what was wasted.
    in_step = weight_step(
        f["received_g"], *f["received_by_donor"].values(), *f["received_by_category"].values()
    )
    by_donor = share_weights(f["received_by_donor"], in_step)
    by_category = share_weights(f["received_by_category"], in_step)
    out_step = weight_step(
        f["wasted_g"], *f["wasted_by_reason"].values(), *f["wasted_by_destination"].values()
    )
    by_reason = share_weights(f["wasted_by_reason"], out_step)
    by_destination = share_weights(f["wasted_by_destination"], out_step)
    unit = weight_unit().symbol
    return Section(
        key="food",
        title=_("Food"),
        figures=[
            (_("Received"), weight(f["received_g"], in_step)),
            (_("Given out"), weight(f["distributed_g"])),
            (_("Households served"), grouped(f["households"])),
            (_("People served"), grouped(f["people"])),
            (_("Used in cooking"), weight(f["cooked_g"])),
            (_("Transferred in"), weight(f["transferred_in_g"])),
            (_("Transferred out"), weight(f["transferred_out_g"])),
            (_("Wasted"), weight(f["wasted_g"], out_step)),
            (_("Waste as a share of food in"), share),
        ],
        charts=[
            Chart(
                _("Food received by kind of donor (%(unit)s)") % {"unit": unit},
                by_donor.bars(),
                unit,
            ),
            Chart(
                _("Food received by category (%(unit)s)") % {"unit": unit},
                by_category.bars(),
                unit,
            ),
            Chart(_("Food wasted by reason (%(unit)s)") % {"unit": unit}, by_reason.bars(), unit),
        ],
        tables=[
            weight_table("received-by-donor", _("Received by kind of donor"), _("Donor"), by_donor),
            weight_table(
                "received-by-category", _("Received by category"), _("Category"), by_category
            ),
            weight_table("wasted-by-reason", _("Wasted by reason"), _("Reason"), by_reason),
            weight_table(
                "wasted-by-destination",
                _("Wasted by destination"),
                _("Destination"),
                by_destination,
            ),
        ],
        note=(
            ngettext(
                "%(count)s stock change was of an item with no known weight "
                "and is not in the weights (%(unit)s).",
                "%(count)s stock changes were of items with no known weight "
                "and are not in the weights (%(unit)s).",
                f["unknown_weight_moves"],
            )
            % {"count": f["unknown_weight_moves"], "unit": unit}
            if f["unknown_weight_moves"]
            else ""
        ),
    )


# --- Food safety ------------------------------------------------------------------


def safety_figures(period: Period) -> dict:
    """Temperature checks, breaches, holds and recalls of the period: four queries,
    whatever the period's size. A reading counts at the time it was taken, a hold
    when it started (lots held) or ended (released, discarded), a recall when it
    started or closed, each by its site's own clock. A recall counts for a site's
    report when it reached the site (or the site started it)."""
    readings = Reading.objects.filter(period.q("equipment__site", "at")).aggregate(
        taken=Count("pk"), breaches=Count("pk", filter=Q(passed=False))
    )
    started = period.q("lot__site", "started_at")
    ended = period.q("lot__site", "released_at")
    held = (
        LotHold.objects.filter(started | ended)
        .order_by()
        .aggregate(
            lots=Count("lot", filter=started, distinct=True),
            released=Count("pk", filter=ended & Q(outcome=LotHold.Outcome.RELEASED)),
            discarded=Count("pk", filter=ended & Q(outcome=LotHold.Outcome.DISCARDED)),
        )
    )

    def recalls(time_field: str) -> int:
        reached = period.q("sites__site", time_field) | period.q("site", time_field)
        return Recall.objects.filter(reached).values("pk").distinct().count()

    return {
        "readings": readings["taken"],
        "breaches": readings["breaches"],
        "lots_held": held["lots"],
        "holds_released": held["released"],
        "holds_discarded": held["discarded"],
        "recalls_started": recalls("started_at"),
        "recalls_closed": recalls("closed_at"),
    }


def safety_section(period: Period) -> Section | None:
    f = safety_figures(period)
    if not any(f.values()):
        return None  # a pantry with no fridge to check has nothing to say here
    return Section(
        key="food-safety",
        title=_("Food safety"),
        figures=[
            (_("Temperature readings"), grouped(f["readings"])),
            (_("Readings outside their limit"), grouped(f["breaches"])),
            (_("Lots put on hold"), grouped(f["lots_held"])),
            (_("Holds released"), grouped(f["holds_released"])),
            (_("Holds ended by discarding the food"), grouped(f["holds_discarded"])),
            (_("Recalls started"), grouped(f["recalls_started"])),
            (_("Recalls closed"), grouped(f["recalls_closed"])),
        ],
    )
