"""The steps of a transfer: proposed, accepted (food held), dispatched (on the
road), received (into new lots, short or damaged parts recorded) or cancelled."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.dates import day_time
from commonpot.errors import DomainError
from commonpot.models import Site
from commonpot.numbers import parse_decimal
from commonpot.permissions import can_manage_site, is_coordinator
from pantry import services as pantry
from pantry.freshness import DateRules
from pantry.models import Item, Lot, StockMove
from pantry.network import cold
from pantry.network.models import Need, Offer, Transfer, TransferLine
from pantry.network.services.common import (
    Kind,
    agreeing,
    check_can_store,
    holds_for,
    lock_offer,
    lock_transfer,
    move_holds,
    require_manager,
)
from pantry.network.services.offers import claim_offer
from pantry.network.services.shipments import (
    Line,
    hold_items,
    item_for_hold,
    propose_shipment,
    shipment_items,
)
from pantry.units import (
    MAX_BASE,
    display,
)

if TYPE_CHECKING:
    from commonpot.models import User


@transaction.atomic
def propose_transfer(
    *,
    source: Site,
    destination: Site,
    item: Item,
    quantity: Decimal,
    by: User | None,
    note: str = "",
    need: Need | None = None,
    offer: Offer | None = None,
    token: UUID | None = None,
) -> Transfer:
    """A coordinator proposes moving food between two sites; the source's lead
    accepts it (which is when the food is held) or cancels it.

    With an `offer` (proposed from a match), the food is the offer's: the
    proposal is a claim of the offer for the destination, so the food held for
    the offer is held for the transfer at once (claim_offer), rather than a
    second hold the source's free stock may not have.
    """
    if offer is not None:
        if by is None or not is_coordinator(by):
            raise DomainError(
                _(
                    "Only coordinators propose transfers between sites; a site claims an offer "
                    "instead."
                )
            )
        if offer.site_id != source.pk or offer.item_id != item.pk:
            raise DomainError(
                _(
                    "The offer is of %(item)s at %(site)s: propose it from there, or leave the "
                    "offer out."
                )
                % {"item": offer.item.name, "site": offer.site.name},
                field="source",
            )
        transfer = claim_offer(
            offer_id=offer.pk,
            site=destination,
            by=by,
            quantity=quantity,
            need=need,
            token=token,
        )
        note = note.strip()
        if note and not transfer.note.startswith(note):
            # The coordinator's word for the driver first, then the offering site's.
            transfer.note = " · ".join(filter(None, [note, transfer.note]))[:300]
            transfer.save(update_fields=["note"])
        return transfer
    if by is None or not is_coordinator(by):
        raise DomainError(
            _("Only coordinators propose transfers between sites; a site claims an offer instead.")
        )
    return propose_shipment(
        source=source,
        destination=destination,
        lines=[Line(item=item, quantity=quantity)],
        by=by,
        note=note,
        need=need,
        token=token,
    )


@transaction.atomic
def accept_transfer(*, transfer_id: int, by: User | None) -> Transfer:
    """The source's lead agrees to send the food; from now it is held for the transfer."""
    transfer = lock_transfer(transfer_id)
    require_manager(
        by,
        transfer.source,
        _("Only leads of %(site)s and coordinators can accept transfers of its food."),
    )
    if transfer.status == Transfer.Status.ACCEPTED:
        return transfer
    if transfer.status != Transfer.Status.PROPOSED:
        raise DomainError(
            _("This transfer is %(status)s; it cannot be accepted now.")
            % {"status": transfer.get_status_display().lower()}
        )
    holds = holds_for(transfer.reference)
    if holds:
        # Claimed from an offer: the food is already held. Make sure it is still good.
        rules = DateRules.for_site(transfer.source)
        for hold in holds:
            if not rules.may_use(hold.lot):
                raise DomainError(
                    _("%(refusal)s Cancel the transfer instead.")
                    % {"refusal": rules.refusal(hold.lot)}
                )
    else:
        hold_items(transfer, by)
    transfer.status = Transfer.Status.ACCEPTED
    transfer.accepted_by = by
    transfer.accepted_at = timezone.now()
    transfer.save(update_fields=["status", "accepted_by", "accepted_at"])
    return transfer


@transaction.atomic
def dispatch_transfer(
    *, transfer_id: int, by: User | None, temperature_c: Decimal | None = None
) -> Transfer:
    """The food leaves the source's lots, first expiring first, and is in transit.

    Chilled or frozen food is read as it is picked up (`temperature_c`, °C): a
    missing reading, or food already warmer than transport allows, is refused
    and nothing leaves (pantry.network.cold)."""
    transfer = lock_transfer(transfer_id)
    require_manager(
        by,
        transfer.source,
        _("Only leads of %(site)s and coordinators can dispatch transfers of its food."),
    )
    return dispatch_locked(transfer, by=by, temperature_c=temperature_c)


def dispatch_locked(
    transfer: Transfer, *, by: User | None, temperature_c: Decimal | None = None
) -> Transfer:
    """Dispatch a transfer the caller has locked and whose right to do so it checked
    (the source's lead, or the driver of a run picking it up)."""
    if transfer.status == Transfer.Status.DISPATCHED:
        return transfer
    if transfer.status == Transfer.Status.PROPOSED:
        raise DomainError(_("Accept this transfer before dispatching it."))
    if transfer.status != Transfer.Status.ACCEPTED:
        raise DomainError(
            _("This transfer is %(status)s; it cannot be dispatched.")
            % {"status": transfer.get_status_display().lower()}
        )
    holds = holds_for(transfer.reference)
    if not holds:
        raise DomainError(_("No food is held for this transfer; cancel it and claim again."))
    reading = cold.read_food(transfer, temperature_c, when=cold.PICKUP, by=by)
    if reading is not None:
        cold.refuse_warm_pickup(transfer, reading)
    items = shipment_items(transfer)
    for hold in holds:
        taken = pantry.take_reserved(
            hold,
            kind=Kind.TRANSFER_OUT,
            by=by,
            reference=transfer.reference,
            note=_("To %(site)s") % {"site": transfer.destination.name},
        )
        lot = taken.lot
        TransferLine.objects.create(
            transfer=transfer,
            shipment_item=item_for_hold(items, lot),
            item=lot.item,
            origin_lot=lot,
            quantity=taken.quantity,
            weight_g=lot.item.weight_g(taken.quantity),
            best_before=lot.best_before,
            date_kind=lot.date_kind,
            storage=lot.storage,
            origin=lot.shareable_source,
        )
    transfer.status = Transfer.Status.DISPATCHED
    transfer.dispatched_by = by
    transfer.dispatched_at = timezone.now()
    transfer.pickup_reading = reading
    transfer.save(update_fields=["status", "dispatched_by", "dispatched_at", "pickup_reading"])
    return transfer


@transaction.atomic
def receive_transfer(
    *,
    transfer_id: int,
    by: User | None,
    received: dict[int, Decimal],
    damaged: dict[int, Decimal] | None = None,
    reason: str = "",
    destination: str = "",
    note: str = "",
    temperature_c: Decimal | None = None,
) -> Transfer:
    """The destination records what arrived in good condition, per line (base unit),
    and of the rest what arrived damaged (`damaged`, per line; the remainder was short).

    Each line becomes a new lot at the destination keeping the item, date,
    storage and origin. Whatever did not arrive in good condition (short or
    damaged) is recorded as waste from that lot with `reason` and `destination`,
    so the network's totals still add up.

    Chilled or frozen food is read on arrival (`temperature_c`, °C, required for
    it): food warmer than transport allows is received and its new lots put on
    hold at once, and the destination's leads are told (pantry.network.cold).
    """
    transfer = lock_transfer(transfer_id)
    require_manager(
        by,
        transfer.destination,
        _("Only leads of %(site)s and coordinators can receive transfers at this site."),
    )
    if transfer.status == Transfer.Status.RECEIVED:
        raise DomainError(
            _("This transfer was already received on %(when)s.")
            % {"when": day_time(transfer.destination.local(transfer.received_at))}
        )
    if transfer.status != Transfer.Status.DISPATCHED:
        raise DomainError(
            _("This transfer is %(status)s; only food in transit can be received.")
            % {"status": transfer.get_status_display().lower()}
        )
    lines = list(transfer.lines.select_for_update().select_related("item").order_by("pk"))
    good: dict[int, Decimal] = {}
    broken: dict[int, Decimal] = {}
    damaged = damaged or {}
    for line in lines:
        if line.pk not in received:
            raise DomainError(
                _("Say how much of the %(amount)s line arrived.")
                % {"amount": line.quantity_display}
            )
        q = parse_decimal(
            received[line.pk],
            field="received",
            label=_("what arrived"),
            ceiling=MAX_BASE,
            zero_allowed=True,
        )
        d = parse_decimal(
            damaged.get(line.pk, 0),
            field="damaged",
            label=_("what arrived damaged"),
            ceiling=MAX_BASE,
            zero_allowed=True,
        )
        if q + d > line.quantity:
            n = agreeing(line.quantity, line.item)
            if not d:
                text = ngettext(
                    "You entered %(entered)s of %(item)s received, but only %(sent)s was "
                    "dispatched on this line.",
                    "You entered %(entered)s of %(item)s received, but only %(sent)s were "
                    "dispatched on this line.",
                    n,
                )
            else:
                text = ngettext(
                    "You entered %(entered)s of %(item)s received and damaged, but only "
                    "%(sent)s was dispatched on this line.",
                    "You entered %(entered)s of %(item)s received and damaged, but only "
                    "%(sent)s were dispatched on this line.",
                    n,
                )
            raise DomainError(
                text
                % {
                    "entered": display(q + d, line.item),
                    "item": line.item.name,
                    "sent": line.quantity_display,
                },
                field="received",
            )
        good[line.pk], broken[line.pk] = q, d
    unusable = [line for line in lines if line.quantity - good[line.pk] > 0]
    if unusable:
        if reason not in StockMove.WasteReason.values:
            items = {line.item_id for line in unusable}
            first = unusable[0]
            if len(items) == 1:
                lost = sum((line.quantity - good[line.pk] for line in unusable), Decimal(0))
                text = _("%(amount)s did not arrive in good condition: say why.") % {
                    "amount": display(lost, first.item)
                }
            else:
                text = _("Some of the %(items)s did not arrive in good condition: say why.") % {
                    "items": ", ".join(sorted({line.item.name for line in unusable}))
                }
            raise DomainError(text, field="reason")
        if destination not in StockMove.Destination.values:
            raise DomainError(_("Say where the unusable food went."), field="destination")
    for line in lines:
        check_can_store(transfer.destination, line.storage, line.item)
    reading = cold.read_food(transfer, temperature_c, when=cold.ARRIVAL, by=by)
    codes = _lot_codes(lines)

    for line in lines:
        move = pantry.receive(
            site=transfer.destination,
            item=line.item,
            quantity=line.quantity,
            by=by,
            source=(
                _("%(origin)s (via %(site)s)")
                % {"origin": line.origin, "site": transfer.source.name}
            )[:200],
            best_before=line.best_before,
            date_kind=line.date_kind,
            storage=line.storage,
            kind=Kind.TRANSFER_IN,
            reference=transfer.reference,
            note=_("From %(site)s") % {"site": transfer.source.name},
            code=codes.get(line.origin_lot_id, ""),
        )
        line.received_lot = move.lot
        line.received_quantity = good[line.pk]
        line.damaged = broken[line.pk]
        line.shortfall = line.quantity - good[line.pk] - broken[line.pk]
        if line.shortfall + line.damaged > 0:
            pantry.take_stock(
                site=transfer.destination,
                item=line.item,
                quantity=line.shortfall + line.damaged,
                kind=Kind.WASTED,
                by=by,
                lot=move.lot,
                reason=reason,
                destination=destination,
                reference=transfer.reference,
                note=(note.strip() or _("Short or damaged on delivery"))[:200],
            )
        line.save(update_fields=["received_lot", "received_quantity", "shortfall", "damaged"])

    transfer.status = Transfer.Status.RECEIVED
    transfer.received_by = by
    transfer.received_at = timezone.now()
    if unusable:
        transfer.shortfall_reason, transfer.shortfall_destination = reason, destination
    transfer.receipt_note = note.strip()[:300]
    transfer.arrival_reading = reading
    transfer.save(
        update_fields=[
            "status",
            "received_by",
            "received_at",
            "shortfall_reason",
            "shortfall_destination",
            "receipt_note",
            "arrival_reading",
        ]
    )
    _count_towards_need(transfer, lines, good)
    if reading is not None:
        cold.hold_warm_arrival(transfer, reading, [line.received_lot for line in lines], by)
    return transfer


def _count_towards_need(
    transfer: Transfer, lines: list[TransferLine], good: dict[int, Decimal]
) -> None:
    """What arrived in good condition of every line whose item answers the need the
    transfer was made for (not only the shipment's first item)."""
    if transfer.need_id is None:
        return
    need = Need.objects.select_for_update().filter(pk=transfer.need_id).first()
    if need is None or need.status != Need.Status.OPEN:
        return
    amount = Decimal(0)
    for line in lines:
        if need.item_id:
            if line.item_id == need.item_id:
                amount += good[line.pk]
        elif line.item.category == need.category:
            amount += line.item.weight_g(good[line.pk]) or Decimal(0)
    if amount <= 0:
        return
    # A need's tally only informs; kept within its column rather than refusing a delivery.
    need.received = min(need.received + amount, MAX_BASE)
    fields = ["received"]
    if need.received >= need.quantity:
        need.status, need.closed_at = Need.Status.MET, timezone.now()
        fields += ["status", "closed_at"]
    need.save(update_fields=fields)


@transaction.atomic
def cancel_transfer(*, transfer_id: int, by: User | None, reason: str) -> Transfer:
    """Call a transfer off before it is received.

    Before dispatch, the held food is released; when the transfer came from an
    offer that is still open, it goes back on offer. After dispatch, every line
    goes back to the source as a new lot (TRANSFER_IN) keeping its date and origin.
    """
    transfer = lock_transfer(transfer_id)
    if by is None or not (
        can_manage_site(by, transfer.source) or can_manage_site(by, transfer.destination)
    ):
        raise DomainError(
            _(
                "Only leads of %(source)s or %(destination)s and coordinators can cancel this "
                "transfer."
            )
            % {"source": transfer.source.name, "destination": transfer.destination.name}
        )
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError(_("Say why the transfer is cancelled."), field="reason")
    if transfer.status == Transfer.Status.CANCELLED:
        return transfer
    if transfer.status == Transfer.Status.RECEIVED:
        raise DomainError(
            _("This transfer was already received; correct the stock at the site instead.")
        )
    if transfer.status == Transfer.Status.DISPATCHED:
        lines = list(transfer.lines.select_for_update().order_by("pk"))
        codes = _lot_codes(lines)
        for line in lines:
            move = pantry.receive(
                site=transfer.source,
                item=line.item,
                quantity=line.quantity,
                by=by,
                source=line.origin,
                best_before=line.best_before,
                date_kind=line.date_kind,
                storage=line.storage,
                kind=Kind.TRANSFER_IN,
                reference=transfer.reference,
                note=_("Back: transfer %(number)s to %(site)s cancelled")
                % {"number": transfer.pk, "site": transfer.destination.name},
                code=codes.get(line.origin_lot_id, ""),
            )
            line.returned_lot = move.lot
            line.save(update_fields=["returned_lot"])
    else:
        _give_back_to_offer(transfer, by)
    transfer.status = Transfer.Status.CANCELLED
    transfer.cancelled_by = by
    transfer.cancelled_at = timezone.now()
    transfer.cancel_reason = reason[:300]
    transfer.save(update_fields=["status", "cancelled_by", "cancelled_at", "cancel_reason"])
    return transfer


def _give_back_to_offer(transfer: Transfer, by) -> None:
    held = sum((h.quantity for h in holds_for(transfer.reference)), Decimal(0))
    offer = lock_offer(transfer.offer_id) if transfer.offer_id else None
    reopen = (
        offer is not None
        and offer.status in (Offer.Status.OPEN, Offer.Status.TAKEN)
        and offer.closes_at > timezone.now()
        and held > 0
    )
    if not reopen:
        pantry.release_reservations(transfer.reference)
        return
    move_holds(
        site=transfer.source,
        item=transfer.item,
        from_ref=transfer.reference,
        to_ref=offer.reference,
        quantity=held,
        by=by,
    )
    offer.remaining += held
    offer.status, offer.closed_at = Offer.Status.OPEN, None
    offer.save(update_fields=["remaining", "status", "closed_at"])


def _lot_codes(lines: list[TransferLine]) -> dict[int, str]:
    """The maker's lot code of each line's source lot: the food keeps it on arrival."""
    ids = [line.origin_lot_id for line in lines]
    return dict(Lot.objects.filter(pk__in=ids).exclude(code="").values_list("pk", "code"))
