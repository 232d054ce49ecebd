"""The stock ledger: every operation that changes how much food a site holds.

Each function runs in one transaction, locks the lots it changes (in primary-key
order, so that two operations never wait on each other in a circle), writes the
StockMove that explains each change and updates the lot's cached `on_hand` and
`reserved` in the same transaction. A refusal raises a DomainError whose message
can be shown to a person as it is; nothing is written then.

Other apps (kitchen, network) call these functions and never write Lot,
StockMove or Reservation rows themselves. See docs/pantry.md, "For other apps".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.dates import check_day, day
from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from commonpot.numbers import parse_decimal, too_much
from commonpot.registry import registry
from pantry import stockfigures
from pantry.freshness import DateRules
from pantry.models import (
    CountLine,
    Item,
    Lot,
    PantrySettings,
    Reservation,
    StockCount,
    StockMove,
    Storage,
)
from pantry.units import MAX_BASE, agreeing, display, display_weight

if TYPE_CHECKING:
    from commonpot.models import User

Kind = StockMove.Kind
IN_KINDS = frozenset({Kind.RECEIVED, Kind.TRANSFER_IN, Kind.COOKED})
OUT_KINDS = frozenset({Kind.DISTRIBUTED, Kind.COOKED, Kind.TRANSFER_OUT, Kind.WASTED})
# How long after a move its "undo" is offered; older mistakes are put right by a count.
UNDO_WINDOW = timedelta(days=7)


class NotEnoughStock(DomainError):
    """Less is available than was asked for. `available` is in the item's base unit."""

    def __init__(self, message: str, *, available: Decimal, field: str | None = "quantity"):
        super().__init__(message, field=field)
        self.available = available


class LineErrors(DomainError):
    """Some lines of a donation (or rows of a spreadsheet) cannot be recorded.

    `errors` is a list of (line index from 0, field name or None, message); `noun`
    names a line in the message ("Line", "Row", "Ingredient").
    """

    def __init__(self, errors: list[tuple[int, str | None, str]], *, noun: str | None = None):
        self.errors = errors
        noun = noun or _("Line")
        super().__init__(
            " ".join(
                # Translators: one bad line of a form: "Line 2: Enter a quantity." (or "Row 2").
                _("%(noun)s %(number)s: %(message)s")
                % {"noun": noun, "number": i + 1, "message": message}
                for i, _field, message in errors
            )
        )


@dataclass(frozen=True)
class Taken:
    """What one take removed from one lot."""

    lot: Lot
    quantity: Decimal  # positive, in the item's base unit
    move: StockMove


# --- Helpers --------------------------------------------------------------


def _quantity(value: Decimal | int | str) -> Decimal:
    return parse_decimal(value, field="quantity", label=_("the quantity"), ceiling=MAX_BASE)


def _lock(lot_ids: Iterable[int]) -> dict[int, Lot]:
    """Lock these lots, always in primary-key order, and return them fresh."""
    ids = sorted(set(lot_ids))
    if not ids:
        return {}
    rows = (
        Lot.objects.select_for_update(of=("self",))
        .select_related("item", "site")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {lot.pk: lot for lot in rows}


def _lock_one(lot: Lot | int) -> Lot:
    lot_id = lot if isinstance(lot, int) else lot.pk
    locked = _lock([lot_id])
    if lot_id not in locked:
        raise DomainError(_("This lot no longer exists."))
    return locked[lot_id]


def _happened_on(site: Site, on: date | None) -> date:
    """The day a move happened: a day the site has lived through (default today)."""
    today = site.today()
    if on is None:
        return today
    check_day(on, "happened_on")
    if on > today:
        raise DomainError(_("The day it happened cannot be in the future."), field="happened_on")
    return on


def _record(
    lot: Lot,
    kind: str,
    quantity: Decimal,
    *,
    by: User | None,
    at: datetime | None = None,
    on: date | None = None,
    **fields,
) -> StockMove:
    """Apply a signed quantity to a locked lot and write the move that explains it.

    `at` is when it is recorded (now); `on` the site's day it happened (default:
    the day at `at`), which reports count it on.

    The caller holds the lot's row lock. The checks here say in words what the
    database's check constraints would refuse anyway.
    """
    after = lot.on_hand + quantity
    if after < 0:
        raise NotEnoughStock(
            ngettext(
                "Only %(quantity)s of %(item)s is in this lot.",
                "Only %(quantity)s of %(item)s are in this lot.",
                agreeing(lot.on_hand, lot.item),
            )
            % {"quantity": display(lot.on_hand, lot.item), "item": lot.item.name},
            available=lot.on_hand,
        )
    if after < lot.reserved:
        free = max(lot.available, Decimal(0))
        raise NotEnoughStock(
            ngettext(
                # Translators: %(free)s ends the sentence: "only 2 kg is free." (its own message).
                "%(quantity)s of this lot of %(item)s is held for %(use)s; %(free)s",
                "%(quantity)s of this lot of %(item)s are held for %(use)s; %(free)s",
                agreeing(lot.reserved, lot.item),
            )
            % {
                "quantity": display(lot.reserved, lot.item),
                "item": lot.item.name,
                "use": _holders(lot),
                "free": _only_free(free, lot.item),
            },
            available=free,
        )
    # Worked-out figures must fit their columns as much as typed ones do.
    shown = display(MAX_BASE, lot.item)
    too_much(after, ceiling=MAX_BASE, field="quantity", label=_("this lot"), ceiling_text=shown)
    weight = lot.item.weight_g(quantity)
    if weight is not None:
        too_much(
            abs(weight),
            ceiling=MAX_BASE,
            field="quantity",
            label=_("the weight of this quantity"),
            ceiling_text=display_weight(MAX_BASE),
        )
    lot.on_hand = after
    # Both columns at once: the caller may have changed `reserved` too, and the
    # check constraint sees the row as written by this one statement.
    lot.save(update_fields=["on_hand", "reserved"])
    stockfigures.note_move(lot, quantity, after - quantity)
    at = at or timezone.now()
    return StockMove.objects.create(
        lot=lot,
        kind=kind,
        quantity=quantity,
        weight_g=weight,
        on_hand_after=after,
        at=at,
        happened_on=on or lot.site.local(at).date(),
        by=by,
        **fields,
    )


def held_for(*references: str) -> str:
    """What stock is held for, in a lead's words ("the offer of 20 kg of Bread to
    the network and transfer #4 to Eastside"): each app describes its own
    references (commonpot.registry.add_hold_describer), so no message shows one."""
    words = sorted(set(registry.describe_holds(references).values()))
    if not words:
        return _("a planned use")
    return str(get_text_list(words, _("and")))


def _only_free(free: Decimal, item: Item) -> str:
    """ "only 2 kg is free.": the end of a sentence on what a lot has free."""
    return ngettext(
        "only %(quantity)s is free.", "only %(quantity)s are free.", agreeing(free, item)
    ) % {"quantity": display(free, item)}


def _holders(lot: Lot) -> str:
    return held_for(
        *lot.reservations.filter(status=Reservation.Status.HELD).values_list("reference", flat=True)
    )


def _check_item_site(lot: Lot, site: Site, item: Item) -> None:
    if lot.site_id != site.pk:
        raise DomainError(
            _("This lot belongs to %(site)s, not %(other)s.")
            % {"site": lot.site.name, "other": site.name},
            field="lot",
        )
    if lot.item_id != item.pk:
        raise DomainError(
            _("This lot holds %(item)s, not %(other)s.")
            % {"item": lot.item.name, "other": item.name},
            field="lot",
        )


def _check_storage(site: Site, storage: str) -> None:
    if storage not in Storage.values:
        raise DomainError(
            _("%(storage)r is not a storage area.") % {"storage": storage}, field="storage"
        )
    if storage not in PantrySettings.for_site(site).storage_areas:
        raise DomainError(no_storage(site, storage), field="storage")


def no_storage(site: Site, storage: str) -> str:
    """ "Eastside has no frozen storage." """
    label = Storage(storage).label.lower() if storage in Storage.values else storage
    return _("%(site)s has no %(storage)s storage.") % {"site": site.name, "storage": label}


# --- In ---------------------------------------------------------------------


@transaction.atomic
def receive(
    *,
    site: Site,
    item: Item,
    quantity: Decimal,
    by: User | None,
    source: str,
    best_before: date | None = None,
    date_kind: str = Lot.DateKind.BEST_BEFORE,
    storage: str | None = None,
    kind: str = Kind.RECEIVED,
    received_on: date | None = None,
    donor=None,
    donation=None,
    reference: str = "",
    note: str = "",
    into: Lot | None = None,
    on: date | None = None,
    stored_in=None,
    code: str = "",
) -> StockMove:
    """Put `quantity` (base unit) of `item` into a new lot at `site`; return its move.

    kind: RECEIVED (pantry intake), TRANSFER_IN (network) or COOKED (a kitchen
    putting prepared food into stock). `reference` names the cause in the
    calling app, e.g. "transfer:17". With `into`, the quantity joins that lot
    (same site and item; its date, storage and source stay as they are).
    `on` is the site's day it came in (default: `received_on`, else today).
    `stored_in` is the fridge or freezer a new lot goes in (checked by the caller).
    `code` is the maker's lot code printed on the pack, which a recall names.
    """
    if kind not in IN_KINDS:
        raise DomainError(_("A %(kind)s move does not bring stock in.") % {"kind": kind})
    quantity = _quantity(quantity)
    check_day(best_before, "best_before")
    on = _happened_on(site, on or received_on)
    if into is not None:
        lot = _lock_one(into)
        _check_item_site(lot, site, item)
        return _record(
            lot,
            kind,
            quantity,
            by=by,
            on=on,
            donation=donation,
            reference=reference,
            note=note[:200],
        )
    storage = storage or item.storage
    _check_storage(site, storage)
    if date_kind not in Lot.DateKind.values:
        raise DomainError(
            _("%(kind)r is not a kind of date.") % {"kind": date_kind}, field="date_kind"
        )
    if not source.strip():
        raise DomainError(_("Say where this food came from."), field="source")
    lot = Lot.objects.create(
        item=item,
        site=site,
        best_before=best_before,
        date_kind=date_kind,
        storage=storage,
        source=source.strip()[:200],
        donor=donor,
        received_on=received_on or on,
        stored_in=stored_in,
        code=" ".join(code.split())[:60],
    )
    # A new lot is locked by being uncommitted: nobody else can see it yet.
    return _record(
        lot, kind, quantity, by=by, on=on, donation=donation, reference=reference, note=note[:200]
    )


# --- Out --------------------------------------------------------------------


@transaction.atomic
def take_stock(
    *,
    site: Site,
    item: Item,
    quantity: Decimal,
    kind: str,
    by: User | None,
    lot: Lot | None = None,
    reference: str = "",
    note: str = "",
    reason: str = "",
    destination: str = "",
    distribution=None,
    today: date | None = None,
    on: date | None = None,
    token_fields: Mapping[str, object] | None = None,
) -> list[Taken]:
    """Take `quantity` (base unit) of `item` out of `site`'s stock.

    Without `lot`: first expiring first, across the lots with something free
    (on hand minus reserved), skipping lots whose date has passed. With `lot`:
    from that lot only (it must be this site's and this item's). Either all of
    the quantity is taken or nothing is (NotEnoughStock says how much there is).

    kind: DISTRIBUTED, COOKED, TRANSFER_OUT or WASTED (which needs `reason` and
    `destination`, and may take from a lot whose date has passed). `on` is the
    site's day it went out (default today): a distribution's day given.
    `token_fields` (`commonpot.idempotency.tokened`) go on the move; with `lot` only,
    as a token names one move.
    """
    if kind not in OUT_KINDS:
        raise DomainError(_("A %(kind)s move does not take stock out.") % {"kind": kind})
    quantity = _quantity(quantity)
    rules = DateRules.for_site(site, today)
    if kind == Kind.WASTED:
        _check_waste(reason, destination)
    links = {
        "on": _happened_on(site, on),
        "reference": reference,
        "note": note[:200],
        "reason": reason,
        "destination": destination,
        "distribution": distribution,
    }

    if lot is not None:
        locked = _lock_one(lot)
        _check_item_site(locked, site, item)
        if kind != Kind.WASTED and not rules.may_use(locked):
            raise DomainError(rules.refusal(locked), field="lot")
        if locked.available < quantity:
            free = max(locked.available, Decimal(0))
            raise NotEnoughStock(
                ngettext(
                    "Only %(free)s of %(item)s is free in this lot; you asked for %(asked)s.",
                    "Only %(free)s of %(item)s are free in this lot; you asked for %(asked)s.",
                    agreeing(free, item),
                )
                % {
                    "free": display(free, item),
                    "item": item.name,
                    "asked": display(quantity, item),
                },
                available=free,
            )
        move = _record(locked, kind, -quantity, by=by, **links, **(token_fields or {}))
        return [Taken(locked, quantity, move)]

    lots = _free_lots(site, item, rules, enough=quantity)
    available = sum((locked.available for locked in lots), Decimal(0))
    if available < quantity:
        raise NotEnoughStock(
            ngettext(
                "Only %(free)s of %(item)s is free at %(site)s; you asked for %(asked)s.",
                "Only %(free)s of %(item)s are free at %(site)s; you asked for %(asked)s.",
                agreeing(available, item),
            )
            % {
                "free": display(available, item),
                "item": item.name,
                "site": site.name,
                "asked": display(quantity, item),
            },
            available=available,
        )
    taken = []
    for locked, part in _share_out(lots, quantity):
        move = _record(locked, kind, -part, by=by, **links)
        taken.append(Taken(locked, part, move))
    return taken


def _free_lots(
    site: Site, item: Item, rules: DateRules, enough: Decimal | None = None
) -> list[Lot]:
    """The item's lots at the site with something free and a date that allows use,
    locked, first expiring first.

    With `enough`, only the first lots that together hold that much are locked
    (most takes touch one or two lots of the many a food bank holds); if a
    concurrent take emptied some of them meanwhile, all are locked instead.
    """
    # Read the candidates without a lock, then lock them in key order and
    # re-check: a lot emptied by a take that committed meanwhile drops out here.
    rows = list(
        Lot.objects.at(site)
        .of(item)
        .usable(rules)
        .first_expiring_first()
        .values_list("pk", "on_hand", "reserved")
    )
    if enough is not None:
        prefix, total = [], Decimal(0)
        for pk, on_hand, reserved in rows:
            prefix.append(pk)
            total += on_hand - reserved
            if total >= enough:
                break
        if total >= enough and len(prefix) < len(rows):
            try:
                # A savepoint: rolling back to it releases the prefix's row locks
                # before all the lots are locked in key order (no lock cycles).
                with transaction.atomic():
                    lots = _usable_locked(prefix, rules)
                    if sum((lot.available for lot in lots), Decimal(0)) >= enough:
                        return lots
                    raise _TooFew
            except _TooFew:
                pass
    return _usable_locked([pk for pk, _on_hand, _reserved in rows], rules)


class _TooFew(Exception):
    """The first lots no longer hold enough: lock them all."""


def _usable_locked(ids: list[int], rules: DateRules) -> list[Lot]:
    lots = [lot for lot in _lock(ids).values() if lot.available > 0 and rules.may_use(lot)]
    return sorted(lots, key=_fefo_key)


def _share_out(lots: list[Lot], quantity: Decimal) -> list[tuple[Lot, Decimal]]:
    """How much to take from each lot, in order, to make up `quantity`."""
    parts = []
    left = quantity
    for lot in lots:
        if left <= 0:
            break
        part = min(left, lot.available)
        parts.append((lot, part))
        left -= part
    return parts


def _fefo_key(lot: Lot):
    return (lot.best_before is None, lot.best_before or date.max, lot.received_on, lot.pk)


def _check_waste(reason: str, destination: str) -> None:
    if reason not in StockMove.WasteReason.values:
        raise DomainError(_("Say why this food is discarded."), field="reason")
    if destination not in StockMove.Destination.values:
        raise DomainError(_("Say where the discarded food goes."), field="destination")


@transaction.atomic
def discard(
    lot: Lot,
    *,
    reason: str,
    destination: str,
    by: User | None,
    quantity: Decimal | None = None,
    note: str = "",
    on: date | None = None,
    token: UUID | None = None,
) -> StockMove:
    """Waste some of a lot (all that is free on it when `quantity` is None), on the
    site's day `on` (default today).

    `token` is the form's one-time token: sent again (a double tap, a phone
    replaying its offline queue), the first discard is answered and nothing more
    is wasted. It is looked up under the lot's lock, so two copies arriving at
    once are taken one after the other and the second finds the first.
    """
    locked = _lock_one(lot)
    content = {
        "reason": reason,
        "destination": destination,
        "quantity": quantity,
        "note": note,
        "on": on,
    }
    existing = already_recorded(StockMove, token, content=content, lot_id=locked.pk)
    if existing is not None:
        return existing
    if quantity is None:
        quantity = locked.available
        if quantity <= 0:
            if locked.on_hand > 0:
                raise DomainError(
                    _(
                        "All of this lot of %(item)s is held for %(use)s: "
                        "release it before discarding."
                    )
                    % {"item": locked.item.name, "use": _holders(locked)}
                )
            raise DomainError(
                _("This lot of %(item)s is already empty.") % {"item": locked.item.name}
            )
    (taken,) = take_stock(
        site=locked.site,
        item=locked.item,
        quantity=quantity,
        kind=Kind.WASTED,
        by=by,
        lot=locked,
        reason=reason,
        destination=destination,
        note=note,
        on=on,
        token_fields=tokened(token, content),
    )
    return taken.move


# --- Reservations -------------------------------------------------------------


@transaction.atomic
def reserve_stock(
    *,
    site: Site,
    item: Item,
    quantity: Decimal,
    reference: str,
    by: User | None,
    lot: Lot | None = None,
    today: date | None = None,
) -> list[Reservation]:
    """Hold `quantity` of `item` at `site` for `reference` (first expiring first).

    Held stock stays on hand but is no longer available to anyone else. All or
    nothing, like take_stock.
    """
    quantity = _quantity(quantity)
    if not reference.strip():
        raise DomainError(_("Say what the stock is held for."), field="reference")
    rules = DateRules.for_site(site, today)
    if lot is not None:
        locked = _lock_one(lot)
        _check_item_site(locked, site, item)
        if not rules.may_use(locked):
            raise DomainError(rules.refusal(locked), field="lot")
        lots = [locked] if locked.available > 0 else []
    else:
        lots = _free_lots(site, item, rules, enough=quantity)
    available = sum((locked.available for locked in lots), Decimal(0))
    if available < quantity:
        raise NotEnoughStock(
            ngettext(
                "Only %(free)s of %(item)s is free to hold at %(site)s; %(use)s needs %(asked)s.",
                "Only %(free)s of %(item)s are free to hold at %(site)s; %(use)s needs %(asked)s.",
                agreeing(available, item),
            )
            % {
                "free": display(available, item),
                "item": item.name,
                "site": site.name,
                "use": held_for(reference),
                "asked": display(quantity, item),
            },
            available=available,
        )
    held = []
    for locked, part in _share_out(lots, quantity):
        locked.reserved += part
        locked.save(update_fields=["reserved"])
        held.append(
            Reservation.objects.create(lot=locked, quantity=part, reference=reference, by=by)
        )
    return held


def _lock_reservation(reservation: Reservation) -> tuple[Reservation, Lot]:
    lot = _lock_one(reservation.lot_id)
    fresh = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if fresh.status != Reservation.Status.HELD:
        values = {"item": lot.item.name, "use": held_for(fresh.reference)}
        if fresh.status == Reservation.Status.USED:
            raise DomainError(_("This hold on %(item)s for %(use)s was already used.") % values)
        raise DomainError(_("This hold on %(item)s for %(use)s was already released.") % values)
    return fresh, lot


@transaction.atomic
def release_reservation(reservation: Reservation) -> None:
    """Give held stock back to the site's available stock."""
    fresh, lot = _lock_reservation(reservation)
    lot.reserved -= fresh.quantity
    lot.save(update_fields=["reserved"])
    fresh.status = Reservation.Status.RELEASED
    fresh.closed_at = timezone.now()
    fresh.save(update_fields=["status", "closed_at"])


@transaction.atomic
def release_reservations(reference: str) -> int:
    """Release every hold still made for `reference`; return how many there were."""
    held = list(Reservation.objects.filter(reference=reference, status=Reservation.Status.HELD))
    for reservation in sorted(held, key=lambda r: r.lot_id):
        release_reservation(reservation)
    return len(held)


@transaction.atomic
def take_reserved(
    reservation: Reservation,
    *,
    kind: str,
    by: User | None,
    quantity: Decimal | None = None,
    reference: str | None = None,
    note: str = "",
    today: date | None = None,
    on: date | None = None,
) -> Taken:
    """Take held stock out (cooking a planned meal, dispatching a transfer).

    Takes the whole hold, or `quantity` of it with the rest released; `on` is the
    site's day it happened (default today).
    """
    if kind not in OUT_KINDS - {Kind.WASTED}:
        raise DomainError(_("Held stock is not taken out as %(kind)s.") % {"kind": kind})
    fresh, lot = _lock_reservation(reservation)
    quantity = fresh.quantity if quantity is None else _quantity(quantity)
    if quantity > fresh.quantity:
        raise NotEnoughStock(
            ngettext(
                "Only %(quantity)s of %(item)s is held for %(use)s.",
                "Only %(quantity)s of %(item)s are held for %(use)s.",
                agreeing(fresh.quantity, lot.item),
            )
            % {
                "quantity": display(fresh.quantity, lot.item),
                "item": lot.item.name,
                "use": held_for(fresh.reference),
            },
            available=fresh.quantity,
        )
    rules = DateRules.for_site(lot.site, today)
    if not rules.may_use(lot):
        raise DomainError(rules.refusal(lot))
    lot.reserved -= fresh.quantity
    move = _record(
        lot,
        kind,
        -quantity,
        by=by,
        on=_happened_on(lot.site, on),
        reference=fresh.reference if reference is None else reference,
        note=note[:200],
    )
    fresh.status = Reservation.Status.USED
    fresh.closed_at = timezone.now()
    fresh.save(update_fields=["status", "closed_at"])
    return Taken(lot, quantity, move)


# --- Counts and corrections ----------------------------------------------------


@transaction.atomic
def record_count(
    *,
    site: Site,
    storage: str,
    counted: Mapping[int, Decimal],
    by: User | None,
    token=None,
    at: datetime | None = None,
    on: date | None = None,
) -> StockCount:
    """Record a count of some lots in one storage area: {lot id: quantity on the shelf}.

    Only the lots named are adjusted; a lot nobody counted keeps its quantity.
    Each difference becomes a COUNTED move, recorded now and dated the site's day
    of `at` (when the count was made; default now), or `on`, the day a count on
    paper was made when it is typed up later. A count on an earlier day is taken
    as made at the end of that day: it is compared with what the ledger held
    then, and the difference is carried into what is on hand now (counted 10 on
    Monday, 3 given out on Tuesday: 7 now). The same token records once.
    """
    _check_storage(site, storage)
    content = {"storage": storage, "counted": dict(counted), "on": on}
    if (earlier := already_recorded(StockCount, token, site, content=content)) is not None:
        return earlier
    if not counted:
        raise DomainError(_("Enter the quantity on the shelf for at least one lot."))
    quantities = {}
    for lot_id, value in counted.items():
        q = parse_decimal(
            value, field="counted", label=_("the count"), ceiling=MAX_BASE, zero_allowed=True
        )
        quantities[int(lot_id)] = q
    when = at or timezone.now()
    counted_on = _happened_on(site, on or site.local(when).date())
    lots = _lock(quantities)
    since = _moved_since(lots, counted_on)
    for lot_id in quantities:
        lot = lots.get(lot_id)
        if lot is None or lot.site_id != site.pk:
            raise DomainError(_("One of the counted lots is not at this site."), field="counted")
        if lot.received_on > counted_on:
            raise DomainError(
                _("The lot of %(item)s came in on %(day)s, after %(counted)s, the day counted.")
                % {"item": lot.item.name, "day": day(lot.received_on), "counted": day(counted_on)},
                field="counted",
            )
        if lot.storage != storage:
            raise DomainError(
                _(
                    "The lot of %(item)s is kept in %(storage)s storage, not in the area "
                    "being counted."
                )
                % {"item": lot.item.name, "storage": lot.get_storage_display().lower()},
                field="counted",
            )
        then = lot.on_hand - since.get(lot_id, 0)
        now = lot.on_hand + quantities[lot_id] - then
        if now < 0:
            raise DomainError(
                _(
                    "Since %(day)s, %(gone)s of the lot of %(item)s went out, more than the "
                    "%(counted)s counted: check the count, or the moves recorded since."
                )
                % {
                    "day": day(counted_on),
                    "gone": display(-since[lot_id], lot.item),
                    "item": lot.item.name,
                    "counted": display(quantities[lot_id], lot.item),
                },
                field="counted",
            )
        if now < lot.reserved:
            values = {
                "held": display(lot.reserved, lot.item),
                "item": lot.item.name,
                "use": _holders(lot),
                "counted": display(quantities[lot_id], lot.item),
                "day": day(counted_on),
            }
            number = agreeing(lot.reserved, lot.item)
            if since.get(lot_id):
                message = ngettext(
                    "%(held)s of the lot of %(item)s is held for %(use)s, more than the "
                    "%(counted)s counted with what moved since %(day)s leaves: "
                    "release the hold first.",
                    "%(held)s of the lot of %(item)s are held for %(use)s, more than the "
                    "%(counted)s counted with what moved since %(day)s leaves: "
                    "release the hold first.",
                    number,
                )
            else:
                message = ngettext(
                    "%(held)s of the lot of %(item)s is held for %(use)s, more than the "
                    "%(counted)s counted leaves: release the hold first.",
                    "%(held)s of the lot of %(item)s are held for %(use)s, more than the "
                    "%(counted)s counted leaves: release the hold first.",
                    number,
                )
            raise DomainError(message % values, field="counted")
    fields = {"site": site, "storage": storage, "by": by, "at": when}
    count = StockCount.objects.create(**fields, **tokened(token, content))
    for lot_id in sorted(quantities):
        lot, q = lots[lot_id], quantities[lot_id]
        then = lot.on_hand - since.get(lot_id, 0)
        CountLine.objects.create(count=count, lot=lot, expected=then, counted=q)
        if q != then:
            _record(lot, Kind.COUNTED, q - then, by=by, on=counted_on, count=count)
    return count


def _moved_since(lots: Mapping[int, Lot], counted_on: date) -> dict[int, Decimal]:
    """{lot id: net quantity of its moves on days after `counted_on`} (none for today)."""
    if not lots or counted_on >= next(iter(lots.values())).site.today():
        return {}
    rows = (
        StockMove.objects.filter(lot_id__in=list(lots), happened_on__gt=counted_on)
        .values("lot_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    # Quantized: SQLite sums decimals in floating point.
    return {r["lot_id"]: Decimal(r["total"]).quantize(Decimal("0.001")) for r in rows}


@transaction.atomic
def reverse_move(move: StockMove, *, by: User | None, note: str = "") -> StockMove:
    """Undo a move by recording its opposite, shown in the lot's history as a reversal."""
    lot = _lock_one(move.lot_id)
    move = StockMove.objects.select_related("lot__item").get(pk=move.pk)
    if move.kind == Kind.REVERSED:
        raise DomainError(_("This move is itself an undo; record the change again instead."))
    if StockMove.objects.filter(reverses=move).exists():
        raise DomainError(_("This move was already undone."))
    if timezone.now() - move.at > UNDO_WINDOW:
        days = UNDO_WINDOW.days
        raise DomainError(
            ngettext(
                "Only moves from the last %(count)s day can be undone; count the "
                "shelf to put an older mistake right.",
                "Only moves from the last %(count)s days can be undone; count the "
                "shelf to put an older mistake right.",
                days,
            )
            % {"count": days}
        )
    try:
        return _record(
            lot,
            Kind.REVERSED,
            -move.quantity,
            by=by,
            reverses=move,
            # An undo puts a mistake right: the report of the day the undone
            # move happened no longer counts it, whenever the undo is typed.
            on=move.happened_on,
            note=note[:200] or _("Undo of %(kind)s") % {"kind": move.get_kind_display().lower()},
            reference=move.reference,
        )
    except NotEnoughStock as e:
        raise DomainError(
            _("This cannot be undone: %(why)s Undo the later moves first, or count the shelf.")
            % {"why": e.message}
        ) from None


# --- Reads other apps use ------------------------------------------------------


def available(site: Site, item: Item, today: date | None = None) -> Decimal:
    """How much of `item` can be taken at `site` today (base unit)."""
    return Lot.objects.at(site).of(item).usable(DateRules.for_site(site, today)).total_available()


def ledger_is_consistent(lot: Lot) -> bool:
    """Does the lot's cached on-hand equal the sum of its moves, and reserved its holds?"""
    from django.db.models import Sum

    def total(queryset) -> Decimal:
        # Quantized: SQLite sums decimals as floating point (5.727 - 0.002 - 5.725 != 0).
        value = queryset.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
        return Decimal(value).quantize(Decimal("0.001"))

    moved = total(lot.moves.all())
    held = total(lot.reservations.filter(status=Reservation.Status.HELD))
    fresh = Lot.objects.get(pk=lot.pk)
    return fresh.on_hand == moved and fresh.reserved == held
