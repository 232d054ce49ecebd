"""Shipments: a transfer carrying several items, each taken from the source's lots
first expiring first, or from one named lot.

A transfer is a shipment of one or more ShipmentItems. Proposing one checks every
line before writing anything (an item the source has too little of, a lot held
or past its date, a lot of another site); accepting holds each line's food under
the transfer's one reference, so dispatch, receipt and cancellation work line by
line exactly as for a transfer of one item.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from commonpot.permissions import can_manage_site, is_coordinator
from pantry import services as pantry
from pantry.freshness import DateRules
from pantry.models import Item, Lot, Reservation, Storage
from pantry.network.models import ColdChain, Need, ShipmentItem, Transfer
from pantry.network.services.common import check_can_store, positive
from pantry.services import NotEnoughStock
from pantry.units import display

if TYPE_CHECKING:
    from commonpot.models import User

# A van's load on one manifest: more lines than this is several shipments.
MAX_ITEMS = 30
COLDEST = {Storage.FROZEN: 2, Storage.CHILLED: 1}


@dataclass(frozen=True)
class Line:
    """One item of a shipment as asked for (quantity in the item's base unit)."""

    item: Item
    quantity: Decimal
    lot: Lot | None = None


def cold_chain_of(items) -> str:
    """The coldest storage among the items (frozen over chilled), or ambient."""
    coldest = max((i.storage for i in items), key=lambda s: COLDEST.get(s, 0), default="")
    return coldest if coldest in COLDEST else ColdChain.NONE


def _on_line(n: int, item: Item, text: str, many: bool) -> str:
    """A line's problem, naming the line when there are several ("Line 2 (Rice): ...")."""
    if not many:
        return text
    return _("Line %(n)s (%(item)s): %(problem)s") % {"n": n, "item": item.name, "problem": text}


def check_lines(source: Site, destination: Site, lines: list[Line]) -> list[Line]:
    """Every line checked against the source's stock as it is now; raises at the
    first line that cannot be sent, naming it (nothing is written)."""
    if not lines:
        raise DomainError(_("Add at least one item to the shipment."), field="item")
    if len(lines) > MAX_ITEMS:
        raise DomainError(
            _("A shipment carries at most %(max)s items; split it in two.") % {"max": MAX_ITEMS},
            field="item",
        )
    rules = DateRules.for_site(source)
    # The named lots as they are now (on hand, held), not as the form loaded them.
    fresh = Lot.objects.select_related("site", "item").in_bulk(
        [line.lot.pk for line in lines if line.lot is not None]
    )
    checked: list[Line] = []
    by_item: dict[int, Decimal] = defaultdict(Decimal)
    by_lot: dict[int, Decimal] = defaultdict(Decimal)
    for n, line in enumerate(lines, start=1):
        quantity = positive(line.quantity)
        item, lot = line.item, fresh.get(line.lot.pk) if line.lot is not None else None
        many = len(lines) > 1
        if lot is not None:
            if lot.site_id != source.pk:
                text = _(
                    # Translators: a lot is a batch of one food with one best-before date.
                    "That lot is at %(lot_site)s, not %(site)s. Choose one of the sending "
                    "site's lots."
                ) % {"lot_site": lot.site.name, "site": source.name}
                raise DomainError(_on_line(n, item, text, many), field="lot")
            if lot.item_id != item.pk:
                text = _("That lot holds %(lot_item)s, not %(item)s.") % {
                    "lot_item": lot.item.name,
                    "item": item.name,
                }
                raise DomainError(_on_line(n, item, text, many), field="lot")
            if not rules.may_use(lot):
                raise DomainError(_on_line(n, item, rules.refusal(lot), many), field="lot")
            by_lot[lot.pk] += quantity
            if by_lot[lot.pk] > lot.available:
                words = {
                    "free": display(lot.available, item),
                    "asked": display(by_lot[lot.pk], item),
                }
                if many:
                    text = _(
                        "That lot has only %(free)s free; the shipment asks for %(asked)s of it."
                    )
                else:
                    text = _(
                        "That lot has only %(free)s free; the transfer asks for %(asked)s of it."
                    )
                raise NotEnoughStock(_on_line(n, item, text % words, many), available=lot.available)
        check_can_store(destination, item.storage, item)
        by_item[item.pk] += quantity
        free = pantry.available(source, item)
        if free < by_item[item.pk]:
            words = {
                "site": source.name,
                "free": display(free, item),
                "item": item.name,
                "asked": display(by_item[item.pk], item),
            }
            if many:
                text = _(
                    "%(site)s has only %(free)s of %(item)s free; the shipment asks for %(asked)s."
                )
            else:
                text = _(
                    "%(site)s has only %(free)s of %(item)s free; the transfer asks for %(asked)s."
                )
            raise NotEnoughStock(_on_line(n, item, text % words, many), available=free)
        checked.append(Line(item=item, quantity=quantity, lot=lot))
    return checked


def content_of(lines: list[Line], note: str, need: Need | None) -> dict:
    """What the form said, for the token's check. A one-item proposal keeps the
    words it always had, so a retry across this change still records once."""
    if len(lines) == 1 and lines[0].lot is None:
        return {"item": lines[0].item, "quantity": lines[0].quantity, "note": note, "need": need}
    return {"lines": lines, "note": note, "need": need}


@transaction.atomic
def propose_shipment(
    *,
    source: Site,
    destination: Site,
    lines: list[Line],
    by: User | None,
    note: str = "",
    need: Need | None = None,
    token: UUID | None = None,
) -> Transfer:
    """Propose moving several items from one site to another.

    A coordinator proposes between any two sites; the source's lead accepts it
    (which is when the food is held). A lead of the source sends from their own
    site: the shipment is accepted at once, its food held now.
    """
    content = content_of(lines, note, need)
    existing = already_recorded(
        Transfer, token, source_id=source.pk, destination_id=destination.pk, content=content
    )
    if existing is not None:
        return existing
    sender = by is not None and can_manage_site(by, source)
    if by is None or not (is_coordinator(by) or sender):
        raise DomainError(
            _(
                "Only leads of %(site)s and coordinators can send its food; a site claims an "
                "offer instead."
            )
            % {"site": source.name}
        )
    if source.pk == destination.pk:
        raise DomainError(_("Choose two different sites."), field="destination")
    if need is not None and need.site_id != destination.pk:
        raise DomainError(
            _("That need is %(site)s's: send the food there.") % {"site": need.site.name},
            field="destination",
        )
    lines = check_lines(source, destination, lines)
    first = lines[0]
    transfer = Transfer.objects.create(
        source=source,
        destination=destination,
        item=first.item,
        quantity=first.quantity,
        more_items=len(lines) - 1,
        need=need,
        cold_chain=cold_chain_of(line.item for line in lines),
        note=note.strip()[:300],
        proposed_by=by,
        **tokened(token, content),
    )
    add_items(transfer, lines)
    if sender and not is_coordinator(by):
        from pantry.network.services.transfers import accept_transfer

        accept_transfer(transfer_id=transfer.pk, by=by)
        transfer.refresh_from_db()
    return transfer


def add_items(transfer: Transfer, lines: list[Line]) -> list[ShipmentItem]:
    return ShipmentItem.objects.bulk_create(
        ShipmentItem(
            transfer=transfer, position=n, item=line.item, quantity=line.quantity, lot=line.lot
        )
        for n, line in enumerate(lines)
    )


def hold_items(transfer: Transfer, by) -> list[Reservation]:
    """Hold every line's food for the transfer, a named lot or first expiring first
    (in the caller's transaction: one line short and nothing is held)."""
    held: list[Reservation] = []
    for n, si in enumerate(shipment_items(transfer), start=1):
        try:
            held += pantry.reserve_stock(
                site=transfer.source,
                item=si.item,
                quantity=si.quantity,
                reference=transfer.reference,
                by=by,
                lot=si.lot,
            )
        except NotEnoughStock as e:
            text = _(
                "%(site)s has only %(free)s of %(item)s free; the transfer asks for %(asked)s."
            ) % {
                "site": transfer.source.name,
                "free": display(e.available, si.item),
                "item": si.item.name,
                "asked": si.quantity_display,
            }
            if transfer.more_items:
                text = _("Line %(n)s: %(problem)s") % {"n": n, "problem": text}
            raise NotEnoughStock(text, available=e.available) from None
    return held


def shipment_items(transfer: Transfer) -> list[ShipmentItem]:
    return list(transfer.items.select_related("item", "lot").order_by("position", "pk"))


def item_for_hold(items: list[ShipmentItem], lot: Lot) -> ShipmentItem | None:
    """The shipment line a held lot's food belongs to: the line naming that lot,
    else the first line of its item."""
    for si in items:
        if si.lot_id == lot.pk:
            return si
    for si in items:
        if si.item_id == lot.item_id and si.lot_id is None:
            return si
    return next((si for si in items if si.item_id == lot.item_id), None)
