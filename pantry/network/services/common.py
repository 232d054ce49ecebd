"""What the network's offers, needs and transfers share: locks in the one order, holds,
checks of who may act and what a site can store, and tasks queued after commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.models import Site
from commonpot.numbers import parse_decimal
from commonpot.permissions import can_manage_site
from pantry import services as pantry
from pantry.models import Item, Lot, PantrySettings, Reservation, StockMove, Storage
from pantry.network.models import Offer, Transfer
from pantry.units import (
    MAX_BASE,
    UnitError,
    display_weight,
    is_are,
    parse_quantity,
    parse_unit,
    registry,
)

if TYPE_CHECKING:
    from commonpot.models import User

Kind = StockMove.Kind
HELD = Reservation.Status.HELD


def require_manager(by: User | None, site: Site, refusal: str) -> None:
    """Refuse anyone but the site's leads and coordinators: `refusal` is the whole
    sentence they read, with the site's name as %(site)s ("Only leads of %(site)s
    and coordinators can close this need.")."""
    if by is None or not can_manage_site(by, site):
        raise DomainError(refusal % {"site": site.name})


def agreeing(quantity, item: Item) -> int:
    """The number for ngettext that agrees with `quantity` as pantry.units.display
    writes it: 1 for a weight or a volume ("20 kg of Bread is") and for one piece,
    else the count of pieces ("50 loaves of Bread are"; 2 for part of a piece)."""
    if is_are(quantity, item, "one", "more") == "one":
        return 1
    count = int(abs(Decimal(quantity or 0)))
    return count if count != 1 else 2


def positive(value, field: str = "quantity") -> Decimal:
    return parse_decimal(value, field=field, label=_("the quantity"), ceiling=MAX_BASE)


def grams(quantity, unit: str) -> Decimal:
    """A weight as typed (2.5 kg, 10 lb) in grams, for needs of a whole category."""
    amount = parse_quantity(quantity)
    typed = registry().Quantity(amount, parse_unit(unit))
    if not typed.check("[mass]"):
        raise UnitError(
            _("A need for a whole category is given by weight: kg, g, lb or oz."), field="unit"
        )
    return parse_decimal(
        typed.to("gram").magnitude,
        field="quantity",
        label=_("the quantity"),
        ceiling=MAX_BASE,
        ceiling_text=display_weight(MAX_BASE),
        error=UnitError,
    )


def fefo(lot: Lot):
    return (lot.best_before is None, lot.best_before or date.max, lot.received_on, lot.pk)


def holds_for(reference: str) -> list[Reservation]:
    held = Reservation.objects.filter(reference=reference, status=HELD).select_related(
        "lot", "lot__item"
    )
    return sorted(held, key=lambda r: fefo(r.lot))


def check_can_store(site: Site, storage: str, item: Item) -> None:
    if storage not in PantrySettings.for_site(site).storage_areas:
        raise DomainError(
            _("%(site)s has no %(storage)s storage for %(item)s.")
            % {"site": site.name, "storage": Storage(storage).label.lower(), "item": item.name}
        )


def lock_offer(offer_id: int) -> Offer:
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("site", "item")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        raise DomainError(_("This offer no longer exists."))
    return offer


def lock_transfer(transfer_id: int) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("source", "destination", "item")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        raise DomainError(_("This transfer no longer exists."))
    return transfer


def on_commit(task: str, *args) -> None:
    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task(task, *args, task_name=f"{task.rsplit('.', 1)[-1]}-{'-'.join(map(str, args))}")

    transaction.on_commit(enqueue)


def move_holds(
    *, site: Site, item: Item, from_ref: str, to_ref: str, quantity: Decimal, by
) -> list[Reservation]:
    """Move `quantity` of what is held for `from_ref` to `to_ref`, on the same lots,
    first expiring first. In the caller's transaction; the lots stay locked
    from the release to the new holds, so nobody can take the food in between."""
    holds = holds_for(from_ref)
    if sum((h.quantity for h in holds), Decimal(0)) < quantity:
        raise DomainError(
            _("Less food is held than is offered; ask the site to check its stock of %(item)s.")
            % {"item": item.name}
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
