"""The transfer manifest (WeasyPrint): what a driver carries, signs and hands over.

Black on white, one page for an ordinary transfer: where to collect and where
to deliver (addresses, phones, opening hours, the pickup window), every line
with its date, origin, storage and weight, a loud banner for chilled or frozen
food, boxes for its temperature at pickup and on arrival (filled in once
read), and lines to sign at pickup and at delivery. Before dispatch it lists
what is held for the transfer; after dispatch, what actually left.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot import measures
from commonpot.pdf import render_pdf
from pantry import temperatures
from pantry.freshness import DateRules
from pantry.models import PantrySettings, Reservation, Storage
from pantry.network import cold
from pantry.network.models import Transfer
from pantry.units import display, display_weight


@dataclass
class ManifestLine:
    item: str
    quantity: str
    weight_g: Decimal | None
    date_label: str
    storage: str
    origin: str

    @property
    def weight(self) -> str:
        return display_weight(self.weight_g)

    @property
    def cold(self) -> bool:
        return self.storage in (Storage.CHILLED, Storage.FROZEN)

    @property
    def storage_label(self) -> str:
        """ "chilled", in words of the language shown."""
        return (
            Storage(self.storage).label.lower() if self.storage in Storage.values else self.storage
        )


def manifest_lines(transfer: Transfer) -> tuple[list[ManifestLine], str]:
    """The lines to print and what they are: "dispatched", "held" or "asked for" (in
    words of the language shown)."""
    # Dates flagged by the sending site's rules, on the day the manifest is printed.
    rules = DateRules.for_site(transfer.source)
    lines = list(transfer.lines.select_related("item"))
    if lines:
        dispatched = [
            ManifestLine(
                item=line.item.name,
                quantity=line.quantity_display,
                weight_g=line.weight_g,
                date_label=rules.label(line),
                storage=line.storage,
                origin=line.origin,
            )
            for line in lines
        ]
        # Translators: ends the manifest's "Lines below: ...": the food that left.
        return dispatched, _("dispatched")
    held = (
        Reservation.objects.filter(reference=transfer.reference, status=Reservation.Status.HELD)
        .select_related("lot__item")
        .order_by("lot__best_before", "pk")
    )
    rows = [
        ManifestLine(
            item=r.lot.item.name,
            quantity=display(r.quantity, r.lot.item),
            weight_g=r.lot.item.weight_g(r.quantity),
            date_label=rules.label(r.lot),
            storage=r.lot.storage,
            origin=r.lot.source,
        )
        for r in held
    ]
    if rows:
        # Translators: ends the manifest's "Lines below: ...": the food kept for the transfer.
        return rows, _("held")
    asked = list(transfer.items.select_related("item", "lot")) or [transfer]
    rows = [
        ManifestLine(
            item=si.item.name,
            quantity=si.quantity_display,
            weight_g=si.item.weight_g(si.quantity),
            date_label=rules.label(si.lot) if getattr(si, "lot", None) else _("chosen at dispatch"),
            storage=si.lot.storage if getattr(si, "lot", None) else si.item.storage,
            origin=si.lot.source if getattr(si, "lot", None) else "—",
        )
        for si in asked
    ]
    # Translators: ends the manifest's "Lines below: ...": the food the transfer asks for.
    return rows, _("asked for")


def manifest_pdf(transfer: Transfer) -> bytes:
    """The manifest in the measures of the site that prints it and loads the van,
    the source, whoever asks for it."""
    with measures.override(measures.site_measures(transfer.source)):
        return _manifest_pdf(transfer)


def _in_scale(reading) -> str:
    """A reading's number in the active scale, for a box that prints the unit."""
    if reading is None:
        return ""
    return f"{temperatures.in_scale(reading.value_c)}".replace("-", "−")


def _manifest_pdf(transfer: Transfer) -> bytes:
    lines, state = manifest_lines(transfer)
    weights = [line.weight_g for line in lines]
    total = sum((w for w in weights if w is not None), Decimal(0))
    storages = {line.storage for line in lines} | ({transfer.cold_chain} - {""})
    context = {
        "transfer": transfer,
        "lines": lines,
        "state": state,
        "total_weight": (
            _("%(weight)s (some weights unknown)") % {"weight": display_weight(total)}
            if None in weights
            else display_weight(total)
        ),
        "frozen": Storage.FROZEN in storages,
        "chilled": Storage.CHILLED in storages,
        # Boxes for the readings at pickup and on arrival, filled in once taken.
        "cold": cold.cold_kind(transfer) is not None,
        "cold_limit": cold.limit_text(transfer),
        "scale": temperatures.scale(),
        "pickup_temperature": _in_scale(transfer.pickup_reading),
        "arrival_temperature": _in_scale(transfer.arrival_reading),
        "printed": transfer.source.local(timezone.now()),
        "offer": transfer.offer,
        "page_size": PantrySettings.for_site(transfer.source).paper_size,
    }
    return render_pdf("network/manifest.pdf.html", context)
