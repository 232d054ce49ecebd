"""Where a lot's food came from and where it went: the ledger traced back and forward.

A recall starts from some lots and needs every lot their food is in now, at any
site (moved by a transfer, cooked into leftovers, sent back), every place it was
given out, cooked or thrown away, and, going back, where it first came from.

The pantry knows donations, distributions and waste. Transfers belong to
pantry.network and meals to the kitchen, which sit to the pantry's right in the
layers, so each of them adds a `Linker` to the registry
(`registry.add_lot_linker`, from its AppConfig.ready) that says, for a set of
lots, which lots their food went into and came from.

The walk goes level by level with a fixed number of queries per level, each read
by lot id on an indexed column, so a trace costs the same on a ledger of a
thousand moves as on one of a million. Reversed moves (an undone distribution,
say) count for nothing: the food did not go there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Protocol

from django.db.models import Q
from django.utils.translation import gettext as _

from commonpot.registry import registry
from pantry.models import DonationLine, Donor, Lot, StockMove

# Enough for any real chain (donor -> food bank -> pantry -> kitchen -> leftovers
# -> another site); a cycle cannot loop since each lot is visited once.
MAX_LEVELS = 50

# What leaves a lot and ends its food's journey at this site.
OUT_KINDS = [
    StockMove.Kind.DISTRIBUTED,
    StockMove.Kind.COOKED,
    StockMove.Kind.WASTED,
    StockMove.Kind.TRANSFER_OUT,
]


@dataclass(frozen=True)
class Link:
    """Food of `source_id` went into `target_id`."""

    source_id: int
    target_id: int
    label: str  # "Transfer #12 to Harbour Camp", "Leftovers of Lentil stew, lunch Tue 1 Dec"
    happened_on: date | None = None
    url: str = ""


@dataclass(frozen=True)
class Use:
    """One move out of a traced lot: where that food went."""

    lot_id: int
    kind: str  # a StockMove.Kind
    happened_on: date
    quantity: Decimal  # in the item's base unit, positive
    label: str  # "Given out to 12 households", "Cooked in Lentil stew (lunch)"
    households: int | None = None
    url: str = ""


class Linker(Protocol):
    def forward(self, moves: list[StockMove]) -> tuple[list[Link], dict[str, tuple[str, str]]]:
        """Lots the food of these moves went into, and, for the moves' references this
        linker knows, what happened in words and where to read it: {reference: (label, url)}."""

    def back(self, lot_ids: set[int]) -> list[Link]:
        """Lots the food of these lots came from."""


@dataclass
class Origin:
    """Food that came into the network: a donation line, or a lot with no donation."""

    lot: Lot
    donor_name: str
    received_on: date
    quantity: Decimal | None
    # A person who gave food is named only to those who run the site they gave to.
    from_a_person: bool = False


@dataclass
class Trace:
    start: list[Lot]
    # Every lot the food is or was in, the starting lots included.
    lots: dict[int, Lot] = field(default_factory=dict)
    # Lots it came from (not the starting lots themselves).
    sources: dict[int, Lot] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)
    back_links: list[Link] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    # Uses of a lot reached only through earlier ones: no more moves were read past this.
    cut_short: bool = False

    @property
    def lots_with_food(self) -> list[Lot]:
        """What is still on a shelf somewhere: what a recall holds."""
        return [lot for lot in self.lots.values() if lot.on_hand > 0]

    @property
    def site_ids(self) -> set[int]:
        return {lot.site_id for lot in self.lots.values()}

    @property
    def households(self) -> int:
        return sum(use.households or 0 for use in self.uses)

    def uses_of(self, lot_id: int) -> list[Use]:
        return self._uses_by_lot.get(lot_id, [])

    @cached_property
    def _uses_by_lot(self) -> dict[int, list[Use]]:
        """Grouped once, when the trace is read: a page asks for every lot's uses."""
        grouped: dict[int, list[Use]] = {}
        for use in self.uses:
            grouped.setdefault(use.lot_id, []).append(use)
        return grouped

    def lots_by_site(self) -> list[tuple[object, list[Lot]]]:
        by_site: dict[int, list[Lot]] = {}
        for lot in self.lots.values():
            by_site.setdefault(lot.site_id, []).append(lot)
        return [(lots[0].site, lots) for lots in by_site.values()]


def _lots(ids: Iterable[int]) -> dict[int, Lot]:
    ids = set(ids)
    if not ids:
        return {}
    return {
        lot.pk: lot
        for lot in Lot.objects.filter(pk__in=ids).select_related("item", "site", "donor")
    }


def _use(move: StockMove, labels: dict[str, tuple[str, str]]) -> Use:
    quantity = -move.quantity
    label, url = labels.get(move.reference, ("", ""))
    households = None
    if move.kind == StockMove.Kind.DISTRIBUTED:
        distribution = move.distribution
        if distribution is not None:
            households = distribution.households
            label = _("Given out to %(recipient)s") % {"recipient": distribution.recipient_label}
            url = distribution.get_absolute_url()
        else:
            label = _("Given out")
    elif move.kind == StockMove.Kind.WASTED:
        label = _("Thrown away: %(reason)s") % {"reason": move.get_reason_display().lower()}
    elif not label:
        label = str(move.get_kind_display())
    return Use(
        lot_id=move.lot_id,
        kind=move.kind,
        happened_on=move.happened_on,
        quantity=quantity,
        label=label,
        households=households,
        url=url,
    )


def trace(start: Iterable[Lot]) -> Trace:
    """Follow the food of `start` forward to every lot and use, and back to its origins."""
    start = list(start)
    result = Trace(start=start)
    result.lots = {lot.pk: lot for lot in start}
    _forward(result, set(result.lots))
    _back(result, {lot.pk for lot in start})
    return result


def _forward(result: Trace, frontier: set[int]) -> None:
    for _level in range(MAX_LEVELS):
        if not frontier:
            return
        moves = list(
            # Out only: a leftover lot's own first move is "cooked" too, but into it.
            StockMove.objects.filter(lot_id__in=frontier, kind__in=OUT_KINDS, quantity__lt=0)
            .filter(reversed_by__isnull=True)
            .select_related("distribution__site", "lot__site")
            .order_by("happened_on", "pk")
        )
        links: list[Link] = []
        labels: dict[str, tuple[str, str]] = {}
        for linker in registry.lot_linkers:
            found, named = linker.forward(moves)
            links += found
            labels.update(named)
        result.uses += [_use(move, labels) for move in moves]
        result.links += links
        new = {link.target_id for link in links} - set(result.lots)
        result.lots.update(_lots(new))
        frontier = new
    result.cut_short = bool(frontier)


def _back(result: Trace, frontier: set[int]) -> None:
    seen = set(frontier)
    for _level in range(MAX_LEVELS):
        if not frontier:
            break
        links = [link for linker in registry.lot_linkers for link in linker.back(frontier)]
        result.back_links += links
        new = {link.source_id for link in links} - seen
        seen |= new
        result.sources.update(_lots(new))
        frontier = new
    # Where the food came into the network: the donations of every lot on the way.
    every = set(result.sources) | {lot.pk for lot in result.start}
    lines = DonationLine.objects.filter(lot_id__in=every).select_related(
        "donation__donor", "lot__item", "lot__site"
    )
    donated = set()
    for line in lines:
        donated.add(line.lot_id)
        donor = line.donation.donor
        result.origins.append(
            Origin(
                lot=line.lot,
                donor_name=donor.name if donor else line.lot.source,
                received_on=line.donation.received_on,
                quantity=line.quantity,
                from_a_person=donor is not None and donor.kind == Donor.Kind.PERSON,
            )
        )
    # Lots that did not come by a donation nor from another lot (typed in by a count,
    # say) are origins too: their source text is all there is.
    linked = {link.target_id for link in result.back_links}
    for lot in [*result.start, *result.sources.values()]:
        if lot.pk not in donated and lot.pk not in linked:
            result.origins.append(
                Origin(lot=lot, donor_name=lot.source, received_on=lot.received_on, quantity=None)
            )


def lots_matching(
    *,
    item=None,
    code: str = "",
    dated_from: date | None = None,
    dated_until: date | None = None,
    donor_name: str = "",
    received_from: date | None = None,
    received_until: date | None = None,
    sites: Iterable | None = None,
):
    """The lots a recall names: by item (and lot code or a date range), or by donor (and
    the days received). Reads only; the caller says which criteria are enough."""
    q = Q()
    if item is not None:
        q &= Q(item=item)
    if code:
        q &= Q(code__iexact=code.strip())
    if dated_from is not None:
        q &= Q(best_before__gte=dated_from)
    if dated_until is not None:
        q &= Q(best_before__lte=dated_until)
    if donor_name:
        # Donors are kept per site: a supermarket giving to three sites is three donors.
        q &= Q(donor__name__iexact=donor_name.strip())
    if received_from is not None:
        q &= Q(received_on__gte=received_from)
    if received_until is not None:
        q &= Q(received_on__lte=received_until)
    lots = Lot.objects.filter(q)
    if sites is not None:
        lots = lots.filter(site__in=sites)
    return lots.select_related("item", "site", "donor")
