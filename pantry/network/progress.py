"""What is on its way to a need, and so what is left to find.

A shipment line is on its way to a need while its transfer is proposed, accepted
or dispatched and its item answers the need (the need's item, or for a need of a
whole category: food of that category), and either the transfer was made for
that need, or it was made for no need and goes to the need's site. A line of a
transfer made for no need counts towards one need only: the site's need for that
very item first, else its need for the item's category, the one that closes
soonest. Every line of a shipment counts, not only its first.

Quantities are in the need's unit: the item's base unit, or grams for a need of
a category (food of unknown weight then counts as nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from pantry.network.models import Need, ShipmentItem, Transfer


@dataclass
class OnItsWay:
    """One transfer's part in a need's progress: the transfer and its lines that count."""

    transfer: Transfer
    lines: list[ShipmentItem]

    @property
    def contents(self) -> str:
        return ", ".join(
            _("%(amount)s of %(item)s") % {"amount": si.quantity_display, "item": si.item.name}
            for si in self.lines
        )


def answers(need: Need, si: ShipmentItem) -> bool:
    """Whether a shipment line brings food the need asks for."""
    if need.item_id:
        return si.item_id == need.item_id
    return si.item.category == need.category


def amount_towards(need: Need, si: ShipmentItem, quantity: Decimal | None = None) -> Decimal:
    """A line's quantity (or `quantity` of its item) in the need's unit."""
    quantity = si.quantity if quantity is None else quantity
    if need.item_id:
        return quantity
    return si.item.weight_g(quantity) or Decimal(0)


def _in_flight_towards(needs: list[Need]):
    """Lines of in-flight transfers made for these needs, or for no need to their
    sites of their categories: a little more than counts (the owner is worked out
    in Python), in a query whose size does not grow with the needs' variety."""
    return ShipmentItem.objects.filter(transfer__status__in=Transfer.IN_FLIGHT).filter(
        Q(transfer__need_id__in={n.pk for n in needs})
        | Q(
            transfer__need__isnull=True,
            transfer__destination_id__in={n.site_id for n in needs},
            item__category__in={n.category for n in needs},
        )
    )


def _owner(si: ShipmentItem, needs: list[Need]) -> Need | None:
    """Which of these needs a shipment line counts towards (needs in closing order)."""
    transfer = si.transfer
    if transfer.need_id is not None:
        need = next((n for n in needs if n.pk == transfer.need_id), None)
        return need if need is not None and answers(need, si) else None
    at_site = [n for n in needs if n.site_id == transfer.destination_id]
    for n in at_site:
        if n.item_id == si.item_id:
            return n
    for n in at_site:
        if not n.item_id and n.category == si.item.category:
            return n
    return None


def attach_on_the_way(needs: list[Need], *, with_transfers: bool = False) -> None:
    """Set `need.on_the_way` (and `need.transfers_on_the_way`, a list of OnItsWay,
    when asked) for each of these needs, in one query whatever their number."""
    if not needs:
        return
    ordered = sorted(needs, key=lambda n: (n.closes_at, n.pk))
    related = ["item", "transfer"] + (["transfer__source"] if with_transfers else [])
    lines = (
        _in_flight_towards(ordered)
        .select_related(*related)
        .order_by("transfer__proposed_at", "transfer_id", "position", "pk")
    )
    parts: dict[int, dict[int, OnItsWay]] = {n.pk: {} for n in needs}
    for need in needs:
        need.on_the_way = Decimal(0)
    for si in lines:
        need = _owner(si, ordered)
        if need is None:
            continue
        need.on_the_way += amount_towards(need, si)
        part = parts[need.pk].setdefault(si.transfer_id, OnItsWay(si.transfer, []))
        part.lines.append(si)
    if with_transfers:
        for need in needs:
            need.transfers_on_the_way = list(parts[need.pk].values())


def open_needs_alike(need: Need):
    """The site's other open needs that a transfer made for no need could count
    towards instead of this one: those of the same category (item needs carry
    their item's category)."""
    return (
        Need.objects.open().filter(site_id=need.site_id, category=need.category).exclude(pk=need.pk)
    )
