from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, timedelta
from functools import cache

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from commonpot.models import Site
from pantry.models import Item, Lot
from pantry.units import display, display_weight

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}
EXPIRING_SOON = timedelta(days=3)


def date_badge(value: date | None, today: date) -> str:
    if value is None:
        return "no date"
    text = f"{value:%d %b %Y}"
    if value < today:
        return format_html('{} <span class="badge bad">passed</span>', text)
    if value <= today + EXPIRING_SOON:
        return format_html('{} <span class="badge warn">soon</span>', text)
    return text


CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "table")


@cache
def _wanted(function: Callable) -> tuple[str, ...]:
    """Which of CELL_ARGUMENTS a render_FOO method takes: asked once per method."""
    parameters = inspect.signature(function).parameters
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return CELL_ARGUMENTS
    return tuple(name for name in CELL_ARGUMENTS if name in parameters)


class QuickRowsTable(tables.Table):
    """A django-tables2 table whose body rows are written in Python, a row at a time.

    django-tables2 renders each cell through the template engine and, for each
    cell, inspects the signature of its render_FOO method (`call_with_appropriate`):
    for 25 rows of 8 columns that was three quarters of the stock page. Here each
    column's writer is worked out once per render (td attributes, how to read the
    value, which arguments its render_FOO takes), and each row is one string.

    What a person sees is what django-tables2's own template shows: the same
    header, ordering links, pagination, `even`/`odd` rows, td attributes, the
    column's `default` for an empty value, `get_FOO_display()` for a field with
    choices, and values localized and escaped as `{{ cell }}` would. A column this
    does not cover (linkify, localize, attributes computed per record) is rendered
    by django-tables2 itself, cell by cell.
    """

    class Meta:
        template_name = "pantry/_quick_table.html"

    def body_rows(self) -> list[SafeString]:
        writers = [(self._td(column), self._cell_writer(column)) for column in self.columns]
        rows = []
        for row in self.paginated_rows:
            cells = "".join(f"<td{td}>{write(row)}</td>" for td, write in writers)
            rows.append(mark_safe(f"<tr {row.attrs.as_html()}>{cells}</tr>"))  # noqa: S308
        return rows

    @staticmethod
    def _td(bound_column) -> str:
        html = bound_column.attrs["td"].as_html()
        return f" {html}" if html else ""

    def _cell_writer(self, bound_column) -> Callable:
        column = bound_column.column
        name = bound_column.name
        simple = (
            not bound_column.link
            and column.localize is None
            and type(column) is tables.Column
            and not any(callable(v) for v in column.attrs.get("td", {}).values())
            and "." not in str(bound_column.accessor)
            and "__" not in str(bound_column.accessor)
        )
        if not simple:
            return lambda row: conditional_escape(row.get_cell(name))
        read = self._reader(str(bound_column.accessor))
        render = getattr(self, f"render_{name}", None)
        empty, default = column.empty_values, bound_column.default
        if render is None:
            render, wanted = column.render, ("value",)
        else:
            wanted = _wanted(render.__func__)
        fixed = {"column": column, "bound_column": bound_column, "table": self}

        def write(row) -> str:
            record = row.record
            value = read(record)
            if value in empty:
                return conditional_escape(default)
            given = {"value": value, "record": record, **fixed}
            return conditional_escape(localize(render(**{k: given[k] for k in wanted})))

        return write

    def _reader(self, attribute: str) -> Callable:
        """Read a field as django-tables2 does: its display value if it has choices."""
        model = getattr(self._meta, "model", None)
        try:
            field = model._meta.get_field(attribute) if model else None
        except FieldDoesNotExist:
            field = None
        if field is not None and getattr(field, "choices", None):
            display = f"get_{attribute}_display"
            return lambda record: getattr(record, display)()
        return lambda record: getattr(record, attribute, None)


class StockTable(QuickRowsTable):
    name = tables.Column(verbose_name="Item")
    category = tables.Column()
    available_total = tables.Column(verbose_name="Available", attrs=NUM)
    on_hand_total = tables.Column(verbose_name="On hand", attrs=NUM)
    weight = tables.Column(verbose_name="Weight", empty_values=(), orderable=False, attrs=NUM)
    lot_count = tables.Column(verbose_name="Lots", attrs=NUM)
    nearest = tables.Column(verbose_name="Nearest date")
    storage = tables.Column(verbose_name="Usual storage")

    class Meta:
        model = Item
        fields = ()
        sequence = (
            "name",
            "category",
            "available_total",
            "on_hand_total",
            "weight",
            "lot_count",
            "nearest",
            "storage",
        )
        order_by = ("name",)
        empty_text = "No stock matches. Log a donation to add some."
        attrs = {"class": "table stock-table"}
        template_name = QuickRowsTable.Meta.template_name

    def __init__(self, *args, site: Site, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.today = today

    def render_name(self, record: Item, value: str):
        url = reverse("pantry:stock_item", args=[self.site.slug, record.pk])
        low = ""
        if record.threshold is not None and record.available_total < record.threshold:
            low = mark_safe(' <span class="badge bad">low</span>')  # noqa: S308 — a constant
        return format_html('<a href="{}">{}</a>{}', url, value, low)

    def render_category(self, record: Item):
        return record.get_category_display()

    def render_available_total(self, record: Item, value):
        return display(value, record)

    def render_on_hand_total(self, record: Item, value):
        return display(value, record)

    def render_weight(self, record: Item):
        return display_weight(record.weight_g(record.on_hand_total))

    def render_nearest(self, value):
        return date_badge(value, self.today)

    def render_storage(self, record: Item):
        return record.get_storage_display()


class LotTable(tables.Table):
    """The lots of one item at one site."""

    id = tables.Column(verbose_name="Lot", linkify=True)
    best_before = tables.Column(verbose_name="Date", empty_values=())
    available = tables.Column(empty_values=(), orderable=False, attrs=NUM)
    on_hand = tables.Column(verbose_name="On hand", attrs=NUM)
    storage = tables.Column(verbose_name="Storage area")
    source = tables.Column()
    received_on = tables.Column(verbose_name="Received")

    class Meta:
        model = Lot
        fields = ()
        sequence = ("id", "best_before", "available", "on_hand", "storage", "source", "received_on")
        empty_text = "None of this item is in stock."
        attrs = {"class": "table"}

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_id(self, value):
        return f"#{value}"

    def render_best_before(self, record: Lot):
        if record.best_before is None:
            return "no date"
        return format_html(
            "{} {}", record.get_date_kind_display(), date_badge(record.best_before, self.today)
        )

    def render_available(self, record: Lot):
        return display(record.available, record.item)

    def render_on_hand(self, record: Lot, value):
        return display(value, record.item)


class ItemTable(tables.Table):
    """The network's catalog."""

    name = tables.Column(linkify=lambda record: reverse("pantry:item_edit", args=[record.pk]))
    category = tables.Column()
    base_unit = tables.Column(verbose_name="Counted by")
    weight_per_piece_g = tables.Column(verbose_name="Weight of one piece", attrs=NUM)
    storage = tables.Column()
    allergens = tables.Column(empty_values=(), orderable=False)
    dietary = tables.Column(verbose_name="Dietary", empty_values=(), orderable=False)
    gtin = tables.Column(verbose_name="Barcode")
    is_active = tables.BooleanColumn(verbose_name="In use")

    class Meta:
        model = Item
        fields = ()
        sequence = (
            "name",
            "category",
            "base_unit",
            "weight_per_piece_g",
            "storage",
            "allergens",
            "dietary",
            "gtin",
            "is_active",
        )
        order_by = ("name",)
        empty_text = "No items match."
        attrs = {"class": "table"}

    def render_base_unit(self, record: Item):
        if record.base_unit == Item.Unit.PIECE:
            return f"pieces ({record.piece_name})"
        return record.base_unit

    def render_weight_per_piece_g(self, value):
        return display_weight(value)

    def render_allergens(self, record: Item):
        return ", ".join(record.allergens) or "—"

    def render_dietary(self, record: Item):
        return ", ".join(record.dietary) or "—"
