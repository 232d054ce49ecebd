"""Spreadsheets in and out: stock and moves exported, donations imported.

Exports stream, so a site with a long history downloads without the web
process holding it all in memory. An import is checked row by row first; the
person sees every bad row at once, and nothing is written unless all are good.

The stock export reads back as an import (`STOCK_EXPORT_COLUMNS`): each lot's
`on_hand` is a quantity received, in its `unit`, on its `received_on` day, from
no donor. A file is known by `content_hash`, so the same sheet imported twice
at a site is noticed (pantry.services.donations.import_donations).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from commonpot import measures
from commonpot.dates import OUTSIDE, in_window
from commonpot.models import Site
from commonpot.spreadsheet import read_cell, safe_cell
from pantry.freshness import DateRules
from pantry.models import Donor, Item, Lot, StockMove, Storage
from pantry.services.donations import ImportRow, LineInput
from pantry.units import POUND_G

MAX_IMPORT_BYTES = 2_000_000
MAX_IMPORT_ROWS = 5_000
IMPORT_COLUMNS = (
    "received_on",
    "donor",
    "donor_kind",
    "item",
    "quantity",
    "unit",
    "best_before",
    "date_kind",
    "storage",
)
REQUIRED_COLUMNS = ("received_on", "item", "quantity", "unit")
# What the stock export calls an import column, read when the import's own name is absent.
STOCK_EXPORT_COLUMNS = {"on_hand": "quantity"}


class Echo:
    """A file-like object whose write returns the line, for streaming csv.writer."""

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class WeightColumns:
    """A weight's cells: kilograms to the gram (exact), and for a site in US
    measures the same in pounds beside them."""

    us: bool

    @classmethod
    def of(cls, site: Site) -> WeightColumns:
        # The site's own choice, not the page's measures: a streamed file is
        # written after the request (and what it activated) has ended.
        return cls(us=measures.site_measures(site) == measures.US)

    @property
    def names(self) -> list[str]:
        return ["weight_kg", "weight_lb"] if self.us else ["weight_kg"]

    def cells(self, grams: Decimal | None) -> list[str]:
        if grams is None:
            return [""] * len(self.names)
        kg = f"{grams / 1000:.3f}"
        return [kg, f"{grams / POUND_G:.3f}"] if self.us else [kg]


def stock_rows(site: Site) -> Iterator[str]:
    writer = csv.writer(Echo())
    weight = WeightColumns.of(site)
    # Keep these names readable by parse_donations (STOCK_EXPORT_COLUMNS): the
    # export is imported back as it is.
    yield writer.writerow(
        [
            "lot",
            "item",
            "category",
            "storage",
            "best_before",
            "date_kind",
            "on_hand",
            "reserved",
            "free",
            "date_state",
            "unit",
            *weight.names,
            "source",
            "received_on",
        ]
    )
    lots = (
        Lot.objects.at(site)
        .in_stock()
        .select_related("item")
        .order_by("item__name", F("best_before").asc(nulls_last=True), "pk")
    )
    rules = DateRules.for_site(site)
    # In English whatever the page's language: the import reads storage and date_kind back.
    with translation.override("en"):
        categories = {value: str(label) for value, label in Item.Category.choices}
        storages = {value: str(label) for value, label in Storage.choices}
        date_kinds = {value: str(label) for value, label in Lot.DateKind.choices}
    for lot in lots.iterator(chunk_size=2000):
        state = rules.state(lot)
        yield writer.writerow(
            [
                lot.pk,
                safe_cell(lot.item.name),
                categories.get(lot.item.category, lot.item.category),
                storages.get(lot.storage, lot.storage),
                lot.best_before or "",
                date_kinds.get(lot.date_kind, lot.date_kind),
                lot.on_hand,
                lot.reserved,
                lot.available if state.usable else lot.available * 0,
                state.value,
                lot.item.base_unit,
                *weight.cells(lot.item.weight_g(lot.on_hand)),
                safe_cell(lot.source),
                lot.received_on,
            ]
        )


def move_rows(site: Site, since: date | None = None, until: date | None = None) -> Iterator[str]:
    writer = csv.writer(Echo())
    weight = WeightColumns.of(site)
    yield writer.writerow(
        [
            "move",
            "at",
            "happened_on",
            "lot",
            "item",
            "kind",
            "quantity",
            "unit",
            *weight.names,
            "on_hand_after",
            "by",
            "reason",
            "destination",
            "donation",
            "distribution",
            "count",
            "reverses",
            "reference",
            "note",
        ]
    )
    moves = StockMove.objects.at(site).select_related("lot__item", "by").order_by("at", "pk")
    # Explicit bounds on the site's clock: a streamed response runs this after
    # the request's time zone is gone, so at__date would count UTC days.
    if since:
        moves = moves.filter(at__gte=datetime.combine(since, time.min, tzinfo=site.tz))
    if until:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=site.tz)
        moves = moves.filter(at__lt=end)
    for move in moves.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                move.pk,
                site.local(move.at).isoformat(timespec="seconds"),
                move.happened_on.isoformat(),
                move.lot_id,
                safe_cell(move.lot.item.name),
                move.kind,
                move.quantity,
                move.lot.item.base_unit,
                *weight.cells(move.weight_g),
                move.on_hand_after,
                safe_cell(move.by.name) if move.by else "",
                move.reason,
                move.destination,
                move.donation_id or "",
                move.distribution_id or "",
                move.count_id or "",
                move.reverses_id or "",
                safe_cell(move.reference),
                safe_cell(move.note),
            ]
        )


# --- Import -------------------------------------------------------------------------


def content_hash(data: bytes) -> str:
    """The sha256 of a file's content, the same for the sheet saved on Windows, a Mac
    or Linux: its line endings, a UTF-8 byte-order mark and newlines at the end are
    set aside."""
    text = data.removeprefix(codecs.BOM_UTF8).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return hashlib.sha256(text.rstrip(b"\n")).hexdigest()


def parse_donations(data: bytes) -> tuple[list[tuple[int, ImportRow]], list[tuple[int, str]]]:
    """(row number, row) for each good row of a donations sheet, (row number, message)
    for each bad one.

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    if len(data) > MAX_IMPORT_BYTES:
        return [], [(0, _("The file is larger than 2 MB: split it into smaller files."))]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [
            (0, _("The file is not text in UTF-8: save it from the spreadsheet as CSV UTF-8."))
        ]
    if "\x00" in text:
        # No spreadsheet writes one, and PostgreSQL cannot even compare text holding
        # one (the catalog lookup below would fail).
        return [], [(0, _("The file holds a NUL character (0x00): it is not a CSV spreadsheet."))]
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
        header = [
            STOCK_EXPORT_COLUMNS[name]
            if name in STOCK_EXPORT_COLUMNS and STOCK_EXPORT_COLUMNS[name] not in header
            else name
            for name in header
        ]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            return [], [
                (
                    1,
                    _("The first row must name the columns; missing: %(columns)s.")
                    % {"columns": ", ".join(missing)},
                )
            ]
        reader.fieldnames = header
        records = list(reader)
    except csv.Error as e:  # a cell past the csv module's limit (131,072 characters)
        return [], [
            (
                reader.reader.line_num,
                _("This row cannot be read as CSV (%(error)s).") % {"error": e},
            )
        ]
    if len(records) > MAX_IMPORT_ROWS:
        return [], [
            (
                0,
                _("The file has more than %(count)s rows: split it.")
                % {"count": f"{MAX_IMPORT_ROWS:,}"},
            )
        ]
    # Items by lower-case name and by barcode, in one query whatever the file's length.
    names = {read_cell((r.get("item") or "").strip()).lower() for r in records} - {""}
    found = Item.objects.active().annotate(low=Lower("name"))
    found = found.filter(Q(low__in=names) | Q(gtin__in=[n for n in names if n.isdigit()]))
    by_name = {i.low: i for i in found}
    by_gtin = {i.gtin: i for i in by_name.values() if i.gtin}

    rows: list[tuple[int, ImportRow]] = []
    errors: list[tuple[int, str]] = []
    for n, record in enumerate(records, start=2):
        get = lambda key, r=record: read_cell((r.get(key) or "").strip())  # noqa: E731
        if not any(get(c) for c in IMPORT_COLUMNS):
            continue  # a blank line in the sheet
        problems = []
        received_on = _date(get("received_on"), "received_on", problems, required=True)
        best_before = _date(get("best_before"), "best_before", problems)
        name = get("item")
        item = by_name.get(name.lower()) or by_gtin.get(name)
        if not name:
            # Translators: the problems of one row are joined with "; " into one sentence.
            problems.append(_("the item is empty"))
        elif item is None:
            problems.append(_("no item called %(name)r in the catalog") % {"name": name})
        kind = get("donor_kind").lower()
        if kind and kind not in Donor.Kind.values:
            problems.append(
                _("donor_kind %(kind)r is not one of %(kinds)s")
                % {"kind": kind, "kinds": ", ".join(Donor.Kind.values)}
            )
        # Empty: the kind the item's label usually carries.
        date_kind = get("date_kind").lower().replace(" ", "_").replace("-", "_")
        if date_kind and date_kind not in Lot.DateKind.values:
            problems.append(
                _("date_kind %(kind)r is not best_before or use_by") % {"kind": get("date_kind")}
            )
        storage = get("storage").lower()
        if storage and storage not in Storage.values:
            problems.append(
                _("storage %(storage)r is not dry, chilled or frozen") % {"storage": storage}
            )
        if not get("quantity"):
            problems.append(_("the quantity is empty"))
        if problems:
            message = "; ".join(problems)
            errors.append((n, message[0].upper() + message[1:] + "."))
            continue
        rows.append(
            (
                n,
                ImportRow(
                    received_on=received_on,
                    donor_name=get("donor"),
                    donor_kind=kind,
                    line=LineInput(
                        item=item,
                        quantity=get("quantity"),
                        unit=get("unit"),
                        best_before=best_before,
                        date_kind=date_kind,
                        storage=storage,
                    ),
                ),
            )
        )
    return rows, errors


def _date(text: str, column: str, problems: list[str], *, required: bool = False) -> date | None:
    if not text:
        if required:
            problems.append(_("%(column)s is empty") % {"column": column})
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(
            _("%(column)s %(text)r is not a date: write dates as YYYY-MM-DD")
            % {"column": column, "text": text}
        )
        return None
    if not in_window(day):
        problems.append(f"{column} {text!r}: {OUTSIDE}")
        return None
    return day
