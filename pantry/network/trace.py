"""Transfers in a trace: food that left one site's lot arrived as (or came back as) another."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from pantry.models import StockMove
from pantry.network.models import Transfer, TransferLine
from pantry.trace import Link

PREFIX = "transfer:"


def _pks(references: set[str]) -> list[int]:
    return [int(ref[len(PREFIX) :]) for ref in references if ref[len(PREFIX) :].isdigit()]


def _label(transfer: Transfer) -> str:
    words = {"number": transfer.pk, "site": transfer.destination.name}
    if transfer.status == Transfer.Status.DISPATCHED:
        return _("Transfer #%(number)s to %(site)s (on the road)") % words
    return _("Transfer #%(number)s to %(site)s") % words


class TransferLinker:
    def forward(self, moves: list[StockMove]):
        out = [
            m
            for m in moves
            if m.kind == StockMove.Kind.TRANSFER_OUT and m.reference.startswith(PREFIX)
        ]
        if not out:
            return [], {}
        lines = TransferLine.objects.filter(
            transfer_id__in=_pks({m.reference for m in out}),
            origin_lot_id__in={m.lot_id for m in out},
        ).select_related("transfer__destination")
        links, labels = [], {}
        for line in lines:
            transfer = line.transfer
            url = transfer.get_absolute_url()
            labels[transfer.reference] = (_label(transfer), url)
            if line.received_lot_id:
                label = _("Received at %(site)s (transfer #%(number)s)") % {
                    "site": transfer.destination.name,
                    "number": transfer.pk,
                }
                links.append(Link(line.origin_lot_id, line.received_lot_id, label, None, url))
            if line.returned_lot_id:
                label = _("Came back from transfer #%(number)s") % {"number": transfer.pk}
                links.append(Link(line.origin_lot_id, line.returned_lot_id, label, None, url))
        return links, labels

    def back(self, lot_ids: set[int]) -> list[Link]:
        lines = TransferLine.objects.filter(
            Q(received_lot_id__in=lot_ids) | Q(returned_lot_id__in=lot_ids)
        ).select_related("transfer__source")
        links = []
        for line in lines:
            transfer = line.transfer
            label = _("Transfer #%(number)s from %(site)s") % {
                "number": transfer.pk,
                "site": transfer.source.name,
            }
            url = transfer.get_absolute_url()
            for target in (line.received_lot_id, line.returned_lot_id):
                if target in lot_ids:
                    links.append(Link(line.origin_lot_id, target, label, None, url))
        return links
