"""Every write of the network: offers, needs, claims and the steps of a transfer.

Each function is one transaction that locks what it changes, records who and
when, and raises a DomainError a person can read (nothing is written then).
Stock changes only through pantry.services: an offer or a claimed/accepted
transfer holds its food with reserve_stock; dispatch takes the holds out as
TRANSFER_OUT moves into TransferLine rows (food on the road); receipt puts each
line into a new lot at the destination (TRANSFER_IN) and records any short or
damaged part as waste there; cancelling after dispatch puts each line back into
a new lot at the source (TRANSFER_IN). So across the network, stock on hand
plus stock in transit changes only by what is received, cooked, given out or
wasted.

Lock order, always: transfer row, then offer row, then lots (the pantry locks
lots in key order). A claim locks the offer first and makes a new transfer,
which nobody else can see until it commits.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone

from commonpot import jobs
from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from commonpot.numbers import parse_decimal
from commonpot.permissions import can_manage_site, is_coordinator
from pantry import services as pantry
from pantry.models import Item, Lot, PantrySettings, Reservation, StockMove, Storage
from pantry.network.models import ColdChain, Need, Offer, Transfer, TransferLine, end_of_day
from pantry.services import NotEnoughStock
from pantry.units import (
    MAX_BASE,
    UnitError,
    display,
    display_weight,
    parse_quantity,
    parse_unit,
    registry,
    to_base,
)

if TYPE_CHECKING:
    from commonpot.models import User

Kind = StockMove.Kind
HELD = Reservation.Status.HELD


# --- Helpers ----------------------------------------------------------------------


def _require_manager(by: User | None, site: Site, doing: str) -> None:
    if by is None or not can_manage_site(by, site):
        raise DomainError(f"Only leads of {site.name} and coordinators can {doing}.")


def _positive(value, field: str = "quantity") -> Decimal:
    return parse_decimal(value, field=field, label="the quantity", ceiling=MAX_BASE)


def grams(quantity, unit: str) -> Decimal:
    """A weight as typed (2.5 kg, 10 lb) in grams, for needs of a whole category."""
    amount = parse_quantity(quantity)
    typed = registry().Quantity(amount, parse_unit(unit))
    if not typed.check("[mass]"):
        raise UnitError(
            "A need for a whole category is given by weight: kg, g, lb or oz.", field="unit"
        )
    return parse_decimal(
        typed.to("gram").magnitude,
        field="quantity",
        label="the quantity",
        ceiling=MAX_BASE,
        ceiling_text=display_weight(MAX_BASE),
        error=UnitError,
    )


def _fefo(lot: Lot):
    return (lot.best_before is None, lot.best_before or date.max, lot.received_on, lot.pk)


def _holds(reference: str) -> list[Reservation]:
    held = Reservation.objects.filter(reference=reference, status=HELD).select_related(
        "lot", "lot__item"
    )
    return sorted(held, key=lambda r: _fefo(r.lot))


def _check_can_store(site: Site, storage: str, item: Item) -> None:
    if storage not in PantrySettings.for_site(site).storage_areas:
        raise DomainError(
            f"{site.name} has no {Storage(storage).label.lower()} storage for {item.name}."
        )


def _lock_offer(offer_id: int) -> Offer:
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("site", "item")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise DomainError("This offer no longer exists.")
    return offer


def _lock_transfer(transfer_id: int) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("source", "destination", "item")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        raise DomainError("This transfer no longer exists.")
    return transfer


def _on_commit(task: str, *args) -> None:
    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task(task, *args, task_name=f"{task.rsplit('.', 1)[-1]}-{'-'.join(map(str, args))}")

    transaction.on_commit(enqueue)


# --- Offers -----------------------------------------------------------------------


@transaction.atomic
def post_offer(
    *,
    site: Site,
    by: User | None,
    quantity: Decimal,
    pickup_until: datetime,
    lot: Lot | None = None,
    item: Item | None = None,
    pickup_from: datetime | None = None,
    cold_chain: str | None = None,
    notes: str = "",
    token: UUID | None = None,
    now: datetime | None = None,
) -> Offer:
    """Offer `quantity` (base unit) of food from one of the site's lots, or of an item
    first expiring first. The quantity is held at once, so it cannot be cooked or
    given out meanwhile; leads whose open needs it fits are emailed after commit.

    Leftovers from a cooked meal are offered the same way: they are a lot of a
    prepared-meal item.
    """
    content = {
        "quantity": quantity,
        "pickup_until": pickup_until,
        "lot": lot,
        "item": item,
        "pickup_from": pickup_from,
        "cold_chain": cold_chain,
        "notes": notes,
    }
    existing = already_recorded(Offer, token, site_id=site.pk, content=content)
    if existing is not None:
        return existing
    _require_manager(by, site, "offer this site's food")
    now = now or timezone.now()
    if lot is not None:
        if lot.site_id != site.pk:
            raise DomainError(f"This lot belongs to {lot.site.name}, not {site.name}.", field="lot")
        item = lot.item
        if lot.is_expired(site.today()):
            raise DomainError(
                f"This lot of {item.name} passed its {lot.get_date_kind_display().lower()} "
                f"date on {lot.best_before:%d %b %Y}: it cannot be offered.",
                field="lot",
            )
    if item is None:
        raise DomainError("Choose the food to offer.", field="lot")
    quantity = _positive(quantity)
    pickup_from = pickup_from or now
    if pickup_until <= now:
        raise DomainError("The pickup window must end in the future.", field="pickup_until")
    if pickup_until <= pickup_from:
        raise DomainError("The pickup window must end after it starts.", field="pickup_until")
    cold_chain = item.storage if cold_chain is None else cold_chain
    if cold_chain == Storage.DRY:
        cold_chain = ColdChain.NONE
    if cold_chain not in ColdChain.values:
        raise DomainError(f"{cold_chain!r} is not a way to keep food cold.", field="cold_chain")

    offer = Offer(
        site=site,
        item=item,
        lot=lot,
        quantity=quantity,
        remaining=quantity,
        cold_chain=cold_chain,
        pickup_from=pickup_from,
        pickup_until=pickup_until,
        closes_at=pickup_until,
        notes=notes.strip()[:300],
        posted_by=by,
        posted_at=now,
        **tokened(token, content),
    )
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        # The same form, submitted twice at once: the first one stands.
        if (earlier := already_recorded(Offer, token, content=content)) is None:
            raise
        return earlier
    try:
        held = pantry.reserve_stock(
            site=site, item=item, quantity=quantity, reference=offer.reference, by=by, lot=lot
        )
    except NotEnoughStock as e:
        where = "in this lot" if lot else f"at {site.name}"
        raise NotEnoughStock(
            f"Only {display(e.available, item)} of {item.name} is free to offer {where}; "
            f"you offered {display(quantity, item)}.",
            available=e.available,
        ) from None
    dated = [r.lot for r in held if r.lot.best_before is not None]
    if dated:
        soonest = min(dated, key=_fefo)
        offer.best_before, offer.date_kind = soonest.best_before, soonest.date_kind
        offer.closes_at = min(end_of_day(site, soonest.best_before), pickup_until)
        offer.save(update_fields=["best_before", "date_kind", "closes_at"])
    _on_commit("pantry.network.tasks.notify_offer_matches", offer.pk)
    return offer


@transaction.atomic
def withdraw_offer(*, offer_id: int, by: User | None) -> Offer:
    """Take an offer off the board; what was still offered goes back to the site's stock."""
    offer = _lock_offer(offer_id)
    _require_manager(by, offer.site, "withdraw this offer")
    if offer.status == Offer.Status.WITHDRAWN:
        return offer
    if offer.status != Offer.Status.OPEN:
        raise DomainError(f"This offer is already closed: {offer.get_status_display().lower()}.")
    pantry.release_reservations(offer.reference)
    offer.status = Offer.Status.WITHDRAWN
    offer.closed_at = timezone.now()
    offer.save(update_fields=["status", "closed_at"])
    return offer


@transaction.atomic
def _close_lapsed_offer(offer_id: int, now: datetime) -> bool:
    offer = _lock_offer(offer_id)
    if offer.status != Offer.Status.OPEN or offer.closes_at > now:
        return False
    pantry.release_reservations(offer.reference)
    offer.status = Offer.Status.EXPIRED
    offer.closed_at = now
    offer.save(update_fields=["status", "closed_at"])
    return True


def close_lapsed(now: datetime | None = None) -> dict[str, int]:
    """Close offers past their date or pickup window (releasing their holds) and needs
    past their needed-by date. One transaction per offer, so an offer that cannot be
    closed is logged and the rest still close; safe to run twice."""
    now = now or timezone.now()
    offers = jobs.run_each(
        "close lapsed offers",
        list(Offer.objects.lapsed(now).values_list("pk", flat=True)),
        lambda pk: _close_lapsed_offer(pk, now),
        describe=lambda pk: f"offer {pk}",
    )
    needs = Need.objects.lapsed(now).update(status=Need.Status.EXPIRED, closed_at=now)
    counts = {"offers": sum(offers.results), "needs": needs}
    if offers.failed:
        counts["errors"] = offers.failed
    return counts


def _move_holds(
    *, site: Site, item: Item, from_ref: str, to_ref: str, quantity: Decimal, by
) -> list[Reservation]:
    """Move `quantity` of what is held for `from_ref` to `to_ref`, on the same lots,
    first expiring first. In the caller's transaction; the lots stay locked
    from the release to the new holds, so nobody can take the food in between."""
    holds = _holds(from_ref)
    if sum((h.quantity for h in holds), Decimal(0)) < quantity:
        raise DomainError(
            f"Less food is held than is offered; ask the site to check its stock of {item.name}."
        )
    pantry.release_reservations(from_ref)
    moved: list[Reservation] = []
    left = quantity
    for hold in holds:
        part = min(left, hold.quantity)
        if part > 0:
            moved += pantry.reserve_stock(
                site=site, item=item, quantity=part, reference=to_ref, by=by, lot=hold.lot
            )
        if hold.quantity - part > 0:
            pantry.reserve_stock(
                site=site,
                item=item,
                quantity=hold.quantity - part,
                reference=from_ref,
                by=by,
                lot=hold.lot,
            )
        left -= part
    return moved


@transaction.atomic
def claim_offer(
    *,
    offer_id: int,
    site: Site,
    by: User | None,
    quantity: Decimal | None = None,
    need: Need | None = None,
    token: UUID | None = None,
    now: datetime | None = None,
) -> Transfer:
    """A site claims an offer (all that is left, or `quantity` of it): a proposed
    transfer, with the food now held for it, waiting for the source to accept.

    The offer row is locked first, so of two sites claiming the last of an
    offer at once one gets it and the other is told it is taken.
    """
    offer = _lock_offer(offer_id)
    content = {"site": site, "quantity": quantity, "need": need}
    existing = already_recorded(Transfer, token, offer_id=offer.pk, content=content)
    if existing is not None:
        return existing
    _require_manager(by, site, "claim food for this site")
    now = now or timezone.now()
    if site.pk == offer.site_id:
        raise DomainError("This is your own site's offer; withdraw it instead of claiming it.")
    if offer.status == Offer.Status.TAKEN:
        raise DomainError(
            f"Someone else claimed all of this {offer.item.name} first; it is no longer on offer."
        )
    if offer.status != Offer.Status.OPEN:
        raise DomainError(f"This offer is closed: {offer.get_status_display().lower()}.")
    if offer.closes_at <= now:
        raise DomainError(
            f"This offer closed on {offer.site.local(offer.closes_at):%d %b at %H:%M}: the food "
            "passed its date or the pickup window ended."
        )
    quantity = offer.remaining if quantity is None else _positive(quantity)
    if quantity > offer.remaining:
        raise NotEnoughStock(
            f"Only {offer.remaining_display} of {offer.item.name} is still on offer; "
            f"you asked for {display(quantity, offer.item)}.",
            available=offer.remaining,
        )
    if need is not None and (need.site_id != site.pk or need.status != Need.Status.OPEN):
        raise DomainError("That need is not an open need of the site you are claiming for.")
    for hold in _holds(offer.reference):
        _check_can_store(site, hold.lot.storage, offer.item)

    transfer = Transfer.objects.create(
        source=offer.site,
        destination=site,
        item=offer.item,
        quantity=quantity,
        offer=offer,
        need=need,
        cold_chain=offer.cold_chain,
        note=offer.notes,
        proposed_by=by,
        proposed_at=now,
        **tokened(token, content),
    )
    _move_holds(
        site=offer.site,
        item=offer.item,
        from_ref=offer.reference,
        to_ref=transfer.reference,
        quantity=quantity,
        by=by,
    )
    offer.remaining -= quantity
    if offer.remaining == 0:
        offer.status = Offer.Status.TAKEN
        offer.closed_at = now
    offer.save(update_fields=["remaining", "status", "closed_at"])
    _on_commit("pantry.network.tasks.notify_claim", transfer.pk)
    return transfer


# --- Needs ------------------------------------------------------------------------


@transaction.atomic
def post_need(
    *,
    site: Site,
    by: User | None,
    quantity: Decimal | str,
    needed_by: date,
    item: Item | None = None,
    category: str = "",
    unit: str | None = None,
    note: str = "",
    reference: str = "",
    token: UUID | None = None,
) -> Need:
    """Post what a site needs: `item`, or anything of a `category`, by a date.

    `quantity` is in the item's base unit (or in grams for a category), unless
    `unit` says what it was typed in ("kg", "cans", "L"...).

    With a `reference` (for example "meal-service:42" when the kitchen turns a
    meal's shortfall into a need), the site's open need for the same reference
    and item is updated instead of a second one being made, so calling this
    again for the same meal is harmless.
    """
    content = {
        "item": item,
        "category": category,
        "quantity": quantity,
        "unit": unit,
        "needed_by": needed_by,
        "note": note,
        "reference": reference,
    }
    existing = already_recorded(Need, token, site_id=site.pk, content=content)
    if existing is not None:
        return existing
    _require_manager(by, site, "post this site's needs")
    if (item is None) == (not category):
        raise DomainError("Say what is needed: one item, or a whole category.", field="item")
    if item is not None:
        category = item.category
        amount = to_base(quantity, unit, item) if unit else _positive(quantity)
    else:
        if category not in Item.Category.values:
            raise DomainError(f"{category!r} is not a category.", field="category")
        amount = grams(quantity, unit) if unit else _positive(quantity)
    if needed_by < site.today():
        raise DomainError("The needed-by date has already passed.", field="needed_by")
    fields = {
        "category": category,
        "quantity": amount,
        "needed_by": needed_by,
        "closes_at": end_of_day(site, needed_by),
        "note": note.strip()[:300],
    }
    reference = reference.strip()[:100]
    if reference:
        same = (
            Need.objects.select_for_update()
            .filter(site=site, item=item, reference=reference, status=Need.Status.OPEN)
            .first()
        )
        if same is not None:
            for name, value in fields.items():
                setattr(same, name, value)
            same.save(update_fields=list(fields))
            return same
    return Need.objects.create(
        site=site,
        item=item,
        reference=reference,
        posted_by=by,
        **fields,
        **tokened(token, content),
    )


@transaction.atomic
def close_need(*, need_id: int, by: User | None, status: str = Need.Status.MET) -> Need:
    """The site says a need is met, or withdraws it."""
    need = Need.objects.select_for_update().select_related("site").filter(pk=need_id).first()
    if need is None:
        raise DomainError("This need no longer exists.")
    _require_manager(by, need.site, "close this need")
    if status not in (Need.Status.MET, Need.Status.WITHDRAWN):
        raise DomainError("A need is closed as met or withdrawn.", field="status")
    if need.status == status:
        return need
    if need.status != Need.Status.OPEN:
        raise DomainError(f"This need is already closed: {need.get_status_display().lower()}.")
    need.status = status
    need.closed_at = timezone.now()
    need.save(update_fields=["status", "closed_at"])
    return need


# --- Transfers ---------------------------------------------------------------------


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
    token: UUID | None = None,
) -> Transfer:
    """A coordinator proposes moving food between two sites; the source's lead
    accepts it (which is when the food is held) or cancels it."""
    content = {"item": item, "quantity": quantity, "note": note, "need": need}
    existing = already_recorded(
        Transfer, token, source_id=source.pk, destination_id=destination.pk, content=content
    )
    if existing is not None:
        return existing
    if by is None or not is_coordinator(by):
        raise DomainError(
            "Only coordinators propose transfers between sites; a site claims an offer instead."
        )
    if source.pk == destination.pk:
        raise DomainError("Choose two different sites.", field="destination")
    quantity = _positive(quantity)
    _check_can_store(destination, item.storage, item)
    free = pantry.available(source, item)
    if free < quantity:
        raise NotEnoughStock(
            f"{source.name} has only {display(free, item)} of {item.name} free; "
            f"the transfer asks for {display(quantity, item)}.",
            available=free,
        )
    return Transfer.objects.create(
        source=source,
        destination=destination,
        item=item,
        quantity=quantity,
        need=need,
        cold_chain=item.storage if item.storage != Storage.DRY else ColdChain.NONE,
        note=note.strip()[:300],
        proposed_by=by,
        **tokened(token, content),
    )


@transaction.atomic
def accept_transfer(*, transfer_id: int, by: User | None) -> Transfer:
    """The source's lead agrees to send the food; from now it is held for the transfer."""
    transfer = _lock_transfer(transfer_id)
    _require_manager(by, transfer.source, "accept transfers of its food")
    if transfer.status == Transfer.Status.ACCEPTED:
        return transfer
    if transfer.status != Transfer.Status.PROPOSED:
        raise DomainError(
            f"This transfer is {transfer.get_status_display().lower()}; it cannot be accepted now."
        )
    holds = _holds(transfer.reference)
    if holds:
        # Claimed from an offer: the food is already held. Make sure it is still good.
        today = transfer.source.today()
        for hold in holds:
            if hold.lot.is_expired(today):
                raise DomainError(
                    f"The {transfer.item.name} held for this transfer passed its date on "
                    f"{hold.lot.best_before:%d %b %Y}: cancel the transfer instead."
                )
    else:
        try:
            pantry.reserve_stock(
                site=transfer.source,
                item=transfer.item,
                quantity=transfer.quantity,
                reference=transfer.reference,
                by=by,
            )
        except NotEnoughStock as e:
            raise NotEnoughStock(
                f"{transfer.source.name} has only {display(e.available, transfer.item)} of "
                f"{transfer.item.name} free; the transfer asks for {transfer.quantity_display}.",
                available=e.available,
            ) from None
    transfer.status = Transfer.Status.ACCEPTED
    transfer.accepted_by = by
    transfer.accepted_at = timezone.now()
    transfer.save(update_fields=["status", "accepted_by", "accepted_at"])
    return transfer


@transaction.atomic
def dispatch_transfer(*, transfer_id: int, by: User | None) -> Transfer:
    """The food leaves the source's lots, first expiring first, and is in transit."""
    transfer = _lock_transfer(transfer_id)
    _require_manager(by, transfer.source, "dispatch transfers of its food")
    if transfer.status == Transfer.Status.DISPATCHED:
        return transfer
    if transfer.status == Transfer.Status.PROPOSED:
        raise DomainError("Accept this transfer before dispatching it.")
    if transfer.status != Transfer.Status.ACCEPTED:
        raise DomainError(
            f"This transfer is {transfer.get_status_display().lower()}; it cannot be dispatched."
        )
    holds = _holds(transfer.reference)
    if not holds:
        raise DomainError("No food is held for this transfer; cancel it and claim again.")
    for hold in holds:
        taken = pantry.take_reserved(
            hold,
            kind=Kind.TRANSFER_OUT,
            by=by,
            reference=transfer.reference,
            note=f"To {transfer.destination.name}",
        )
        lot = taken.lot
        TransferLine.objects.create(
            transfer=transfer,
            item=transfer.item,
            origin_lot=lot,
            quantity=taken.quantity,
            weight_g=transfer.item.weight_g(taken.quantity),
            best_before=lot.best_before,
            date_kind=lot.date_kind,
            storage=lot.storage,
            origin=lot.source,
        )
    transfer.status = Transfer.Status.DISPATCHED
    transfer.dispatched_by = by
    transfer.dispatched_at = timezone.now()
    transfer.save(update_fields=["status", "dispatched_by", "dispatched_at"])
    return transfer


@transaction.atomic
def receive_transfer(
    *,
    transfer_id: int,
    by: User | None,
    received: dict[int, Decimal],
    reason: str = "",
    destination: str = "",
    note: str = "",
) -> Transfer:
    """The destination records what arrived in good condition, per line (base unit).

    Each line becomes a new lot at the destination keeping the item, date,
    storage and origin. Whatever did not arrive in good condition (short or
    damaged) is recorded as waste from that lot with `reason` and `destination`,
    so the network's totals still add up.
    """
    transfer = _lock_transfer(transfer_id)
    _require_manager(by, transfer.destination, "receive transfers at this site")
    if transfer.status == Transfer.Status.RECEIVED:
        raise DomainError(
            f"This transfer was already received on "
            f"{transfer.destination.local(transfer.received_at):%d %b at %H:%M}."
        )
    if transfer.status != Transfer.Status.DISPATCHED:
        raise DomainError(
            f"This transfer is {transfer.get_status_display().lower()}; only food in transit "
            "can be received."
        )
    lines = list(transfer.lines.select_for_update().order_by("pk"))
    good: dict[int, Decimal] = {}
    for line in lines:
        if line.pk not in received:
            raise DomainError(f"Say how much of the {line.quantity_display} line arrived.")
        q = parse_decimal(
            received[line.pk],
            field="received",
            label="what arrived",
            ceiling=MAX_BASE,
            zero_allowed=True,
        )
        if q > line.quantity:
            raise DomainError(
                f"You entered {display(q, line.item)} of {line.item.name} received, but only "
                f"{line.quantity_display} was dispatched on this line.",
                field="received",
            )
        good[line.pk] = q
    short = sum((line.quantity - good[line.pk] for line in lines), Decimal(0))
    if short > 0:
        if reason not in StockMove.WasteReason.values:
            raise DomainError(
                f"{display(short, transfer.item)} did not arrive in good condition: say why.",
                field="reason",
            )
        if destination not in StockMove.Destination.values:
            raise DomainError("Say where the unusable food went.", field="destination")
    for line in lines:
        _check_can_store(transfer.destination, line.storage, line.item)

    for line in lines:
        move = pantry.receive(
            site=transfer.destination,
            item=line.item,
            quantity=line.quantity,
            by=by,
            source=f"{line.origin} (via {transfer.source.name})"[:200],
            best_before=line.best_before,
            date_kind=line.date_kind,
            storage=line.storage,
            kind=Kind.TRANSFER_IN,
            reference=transfer.reference,
            note=f"From {transfer.source.name}",
        )
        line.received_lot = move.lot
        line.received_quantity = good[line.pk]
        line.shortfall = line.quantity - good[line.pk]
        if line.shortfall > 0:
            pantry.take_stock(
                site=transfer.destination,
                item=line.item,
                quantity=line.shortfall,
                kind=Kind.WASTED,
                by=by,
                lot=move.lot,
                reason=reason,
                destination=destination,
                reference=transfer.reference,
                note=(note.strip() or "Short or damaged on delivery")[:200],
            )
        line.save(update_fields=["received_lot", "received_quantity", "shortfall"])

    transfer.status = Transfer.Status.RECEIVED
    transfer.received_by = by
    transfer.received_at = timezone.now()
    if short > 0:
        transfer.shortfall_reason, transfer.shortfall_destination = reason, destination
    transfer.receipt_note = note.strip()[:300]
    transfer.save(
        update_fields=[
            "status",
            "received_by",
            "received_at",
            "shortfall_reason",
            "shortfall_destination",
            "receipt_note",
        ]
    )
    _count_towards_need(transfer, sum(good.values(), Decimal(0)))
    return transfer


def _count_towards_need(transfer: Transfer, arrived: Decimal) -> None:
    if transfer.need_id is None or arrived <= 0:
        return
    need = Need.objects.select_for_update().filter(pk=transfer.need_id).first()
    if need is None or need.status != Need.Status.OPEN:
        return
    amount = arrived if need.item_id else transfer.item.weight_g(arrived)
    if amount is None:
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
    transfer = _lock_transfer(transfer_id)
    if by is None or not (
        can_manage_site(by, transfer.source) or can_manage_site(by, transfer.destination)
    ):
        raise DomainError(
            f"Only leads of {transfer.source.name} or {transfer.destination.name} and "
            "coordinators can cancel this transfer."
        )
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError("Say why the transfer is cancelled.", field="reason")
    if transfer.status == Transfer.Status.CANCELLED:
        return transfer
    if transfer.status == Transfer.Status.RECEIVED:
        raise DomainError(
            "This transfer was already received; correct the stock at the site instead."
        )
    if transfer.status == Transfer.Status.DISPATCHED:
        for line in transfer.lines.select_for_update().order_by("pk"):
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
                note=f"Back: transfer {transfer.pk} to {transfer.destination.name} cancelled",
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
    held = sum((h.quantity for h in _holds(transfer.reference)), Decimal(0))
    offer = _lock_offer(transfer.offer_id) if transfer.offer_id else None
    reopen = (
        offer is not None
        and offer.status in (Offer.Status.OPEN, Offer.Status.TAKEN)
        and offer.closes_at > timezone.now()
        and held > 0
    )
    if not reopen:
        pantry.release_reservations(transfer.reference)
        return
    _move_holds(
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
