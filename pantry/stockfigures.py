"""Each site's stock by category, by weight, kept as it changes (StockFigure).

The network's dashboard shows what every site holds of each category. Summing
every lot in the network for it grows with the network (53,000 lots in a network
of 500 sites); the figures are a row per site and category, changed by the same
statements that change the stock, in the same transaction:

- the ledger's single writer (`pantry.services.ledger._record`) adds each move's
  weight (`note_move`), and counts lots of pieces of unknown weight as they come
  into stock or run out;
- a hold put on a lot or taken off it (`pantry.services.holds`) moves the lot's
  weight into or out of what is on hold (`note_hold`);
- an item saved (its category or weights may have changed) makes the figures of
  the sites holding it again from their lots (`rebuild`), as does a bulk load.

`from_lots` is the sum the figures stand for, read from the lots; `drift` lists
where the two differ (tests hold every service to none); `manage.py
stock_figures` checks them or makes them again, and the worker mends any that
differ once a day (`pantry.tasks.mend_stock_figures`, with a warning in the log).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import Round

from pantry.models import QTY, Item, Lot, StockFigure

log = logging.getLogger(__name__)

# Figures are kept to the milligram; the lots' own sum is not rounded per move.
# Differences below this are rounding, not drift.
TOLERANCE_G = Decimal("0.01")


# A site's figure of a category that holds something (one a site no longer holds
# stays, at nothing, for the next food of that category).
HOLDING = Q(grams__gt=0) | Q(held_grams__gt=0) | Q(unweighed_lots__gt=0)


class Figures(NamedTuple):
    grams: Decimal
    held_grams: Decimal
    unweighed_lots: int


def weight(prefix: str, quantity: str) -> Case:
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


def from_lots(site_ids: Iterable[int] | None = None) -> dict[tuple[int, str], Figures]:
    """{(site id, category): figures} summed over the lots in stock (of `site_ids`,
    or of every site): what the kept figures stand for. One grouped query."""
    lots = Lot.objects.filter(on_hand__gt=0)
    if site_ids is not None:
        lots = lots.filter(site_id__in=list(site_ids))
    rows = lots.values("site_id", "item__category").annotate(
        grams=Sum(weight("", "on_hand")),
        held_grams=Sum(Case(When(on_hold=True, then=weight("", "on_hand")), default=Value(None))),
        unweighed=Sum(
            Case(
                When(Q(item__base_unit=Item.Unit.PIECE, item__weight_per_piece_g=None), then=1),
                default=0,
            )
        ),
    )
    return {
        (r["site_id"], r["item__category"]): Figures(
            Decimal(r["grams"] or 0), Decimal(r["held_grams"] or 0), r["unweighed"] or 0
        )
        for r in rows
    }


def kept(site_ids: Iterable[int] | None = None) -> dict[tuple[int, str], Figures]:
    """{(site id, category): figures} as kept, leaving out the categories a site
    no longer holds."""
    rows = StockFigure.objects.filter(HOLDING)
    if site_ids is not None:
        rows = rows.filter(site_id__in=list(site_ids))
    return {
        (site_id, category): Figures(Decimal(grams), Decimal(held), unweighed)
        for site_id, category, grams, held, unweighed in rows.values_list(
            "site_id", "category", "grams", "held_grams", "unweighed_lots"
        )
    }


def _add(site_id: int, category: str, *, grams=Decimal(0), held=Decimal(0), unweighed=0) -> None:
    """Add to a site's figures of a category: one UPDATE, which also waits for any
    other transaction changing the same figures (no change is lost)."""
    changes = {
        "grams": Round(F("grams") + Value(grams), 3),
        "held_grams": Round(F("held_grams") + Value(held), 3),
        "unweighed_lots": F("unweighed_lots") + unweighed,
    }
    same = StockFigure.objects.filter(site_id=site_id, category=category)
    if same.update(**changes):
        return
    try:
        with transaction.atomic():
            StockFigure.objects.create(
                site_id=site_id,
                category=category,
                grams=grams,
                held_grams=held,
                unweighed_lots=unweighed,
            )
    except IntegrityError:  # another transaction made the row a moment ago
        same.update(**changes)


def note_move(lot: Lot, quantity: Decimal, before: Decimal) -> None:
    """A move of `quantity` (negative: out) into `lot`, which held `before`: its
    weight into the site's figures (and into what is on hold, for a held lot)."""
    grams = lot.item.weight_g(quantity)
    if grams is None:  # pieces of unknown weight: counted as lots in stock
        came = (before + quantity > 0) - (before > 0)
        if came:
            _add(lot.site_id, lot.item.category, unweighed=came)
        return
    if grams:
        _add(lot.site_id, lot.item.category, grams=grams, held=grams if lot.on_hold else 0)


def note_hold(lot: Lot, on_hold: bool) -> None:
    """`lot` was put on hold (or taken off it): what it holds is on hold (or free)."""
    grams = lot.item.weight_g(lot.on_hand) if lot.on_hand > 0 else None
    if grams:
        _add(lot.site_id, lot.item.category, held=grams if on_hold else -grams)


@transaction.atomic
def rebuild(site_ids: Iterable[int] | None = None) -> None:
    """Make the figures of `site_ids` (or of every site) again from their lots."""
    site_ids = None if site_ids is None else sorted(set(site_ids))
    if site_ids == []:
        return
    rows = StockFigure.objects.all()
    if site_ids is not None:
        rows = rows.filter(site_id__in=site_ids)
    # Lock them first: a move changing them meanwhile is then summed in, not lost.
    list(rows.select_for_update().order_by("site_id", "category").values_list("pk"))
    rows.update(grams=0, held_grams=0, unweighed_lots=0)
    StockFigure.objects.bulk_create(
        [
            StockFigure(
                site_id=site_id,
                category=category,
                grams=figures.grams.quantize(Decimal("0.001")),
                held_grams=figures.held_grams.quantize(Decimal("0.001")),
                unweighed_lots=figures.unweighed_lots,
            )
            for (site_id, category), figures in from_lots(site_ids).items()
        ],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["site", "category"],
        update_fields=["grams", "held_grams", "unweighed_lots"],
    )


def rebuild_for_item(item: Item) -> None:
    """Make again the figures of every site holding `item` (its category or weight
    may have changed)."""
    rebuild(Lot.objects.filter(item=item, on_hand__gt=0).values_list("site_id", flat=True))


def item_saved(sender, instance: Item, created: bool, raw: bool = False, **kwargs) -> None:
    """post_save of an Item: a new item is in no lot yet; a changed one may weigh
    or file differently now."""
    if not created and not raw:
        rebuild_for_item(instance)


def drift(site_ids: Iterable[int] | None = None) -> dict[tuple[int, str], tuple[Figures, Figures]]:
    """{(site id, category): (kept, from the lots)} where they differ by more than
    rounding: empty when the figures are right."""
    site_ids = None if site_ids is None else list(site_ids)
    have, want = kept(site_ids), from_lots(site_ids)
    zero = Figures(Decimal(0), Decimal(0), 0)
    return {
        key: (have.get(key, zero), want.get(key, zero))
        for key in have.keys() | want.keys()
        if not _close(have.get(key, zero), want.get(key, zero))
    }


def mend() -> int:
    """Make again the figures of the sites where they differ from the lots, saying
    which in the log (a write around the ledger made them differ); how many sites."""
    wrong = drift()
    sites = sorted({site_id for site_id, _category in wrong})
    for (site_id, category), (have, want) in sorted(wrong.items()):
        log.warning(
            "Stock figures of site %s, %s: kept %s, the lots say %s; made again.",
            site_id,
            category,
            have,
            want,
        )
    rebuild(sites)
    return len(sites)


def _close(a: Figures, b: Figures) -> bool:
    return (
        abs(a.grams - b.grams) <= TOLERANCE_G
        and abs(a.held_grams - b.held_grams) <= TOLERANCE_G
        and a.unweighed_lots == b.unweighed_lots
    )
