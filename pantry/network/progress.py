"""What is on its way to a need, and so what is left to find.

A transfer is on its way to a need while it is proposed, accepted or dispatched
and it was made for that need, or it was made for no need and brings the need's
item (for a need of a whole category: food of that category) to the need's
site. A transfer made for no need counts towards one need only: the site's need
for that very item first, else its need for the item's category, the one that
closes soonest.

Quantities are in the need's unit: the item's base unit, or grams for a need of
a category (food of unknown weight then counts as nothing).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from pantry.network.models import Need, Transfer


def _in_flight_towards(needs: list[Need]):
    """In-flight transfers made for these needs, or for no need to their sites of their
    categories: a little more than counts (the owner is worked out in Python), in a
    query whose size does not grow with the needs' variety."""
    return Transfer.objects.in_flight().filter(
        Q(need_id__in={n.pk for n in needs})
        | Q(
            need__isnull=True,
            destination_id__in={n.site_id for n in needs},
            item__category__in={n.category for n in needs},
        )
    )


def _owner(transfer: Transfer, needs: list[Need]) -> Need | None:
    """Which of these needs a transfer counts towards (needs in closing order)."""
    if transfer.need_id is not None:
        return next((n for n in needs if n.pk == transfer.need_id), None)
    at_site = [n for n in needs if n.site_id == transfer.destination_id]
    for n in at_site:
        if n.item_id == transfer.item_id:
            return n
    for n in at_site:
        if not n.item_id and n.category == transfer.item.category:
            return n
    return None


def _amount(transfer: Transfer, need: Need) -> Decimal:
    if need.item_id:
        return transfer.quantity
    return transfer.item.weight_g(transfer.quantity) or Decimal(0)


def attach_on_the_way(needs: list[Need], *, with_transfers: bool = False) -> None:
    """Set `need.on_the_way` (and `need.transfers_on_the_way` when asked) for each of
    these needs, in one query whatever their number."""
    if not needs:
        return
    ordered = sorted(needs, key=lambda n: (n.closes_at, n.pk))
    related = ("item", "source") if with_transfers else ("item",)
    transfers = _in_flight_towards(ordered).select_related(*related).order_by("proposed_at", "pk")
    for need in needs:
        need.on_the_way = Decimal(0)
        if with_transfers:
            need.transfers_on_the_way = []
    for transfer in transfers:
        need = _owner(transfer, ordered)
        if need is None:
            continue
        need.on_the_way += _amount(transfer, need)
        if with_transfers:
            need.transfers_on_the_way.append(transfer)


def open_needs_alike(need: Need):
    """The site's other open needs that a transfer made for no need could count
    towards instead of this one: those of the same category (item needs carry
    their item's category)."""
    return (
        Need.objects.open().filter(site_id=need.site_id, category=need.category).exclude(pk=need.pk)
    )
