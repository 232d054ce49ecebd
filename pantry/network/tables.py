"""The transfers list (django-tables2)."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from commonpot.tables import DayTimeColumn
from pantry.network.models import Transfer

TONES = {
    "proposed": "warn",
    "accepted": "warn",
    "dispatched": "",
    "received": "ok",
    "cancelled": "bad",
}


class TransferTable(tables.Table):
    id = tables.Column(verbose_name=_("Transfer"), linkify=True)
    item = tables.Column(verbose_name=_("Food"), accessor="item__name", order_by="item__name")
    quantity = tables.Column(
        verbose_name=_("Amount"), orderable=False, attrs={"td": {"class": "num"}}
    )
    source = tables.Column(verbose_name=_("From"), accessor="source__name")
    destination = tables.Column(verbose_name=_("To"), accessor="destination__name")
    status = tables.Column(verbose_name=_("Status"))
    proposed_at = DayTimeColumn(verbose_name=_("Proposed"))

    class Meta:
        model = Transfer
        fields = ["id", "item", "quantity", "source", "destination", "status", "proposed_at"]
        order_by = "-proposed_at"
        empty_text = _("No transfers yet. Claim an offer on the board to start one.")

    def render_id(self, value: int) -> str:
        return f"#{value}"

    def render_item(self, record: Transfer) -> str:
        # Every item of a shipment (the list's query prefetches them), not only its first.
        return record.contents_short

    def render_quantity(self, record: Transfer) -> str:
        # A shipment's items mix units: their weight together.
        return record.amount_display

    def render_status(self, record: Transfer, value: str):
        return format_html('<span class="badge {}">{}</span>', TONES.get(record.status, ""), value)
