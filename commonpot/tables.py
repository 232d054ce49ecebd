import html
import inspect
from collections.abc import Callable
from functools import cache

import django_tables2 as tables
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage
from django.http import HttpRequest
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_tables2 import RequestConfig

from commonpot import dates
from commonpot.models import Message
from commonpot.params import int_param
from commonpot.registry import registry


def paginate(request: HttpRequest, table: tables.Table, per_page: int) -> None:
    """Ordering from the query string, and a page of `per_page` rows.

    Every table pages through this rather than django-tables2's own paging: that
    takes `?per_page=` from the address as it stands, and `?per_page=100000`
    rendered every row. A page number past the end shows the last page; one that
    is not a number, the first.
    """
    RequestConfig(request, paginate=False).configure(table)
    page = int_param(request.GET, "page", default=1)
    try:
        table.paginate(per_page=per_page, page=page)
    except EmptyPage:
        table.paginate(per_page=per_page, page=table.paginator.num_pages)


CELL_ARGUMENTS = ("value", "record", "column", "bound_column", "table")
ROW_ARGUMENTS = ("record", "table")


@cache
def _wanted(function: Callable, offered: tuple[str, ...] = CELL_ARGUMENTS) -> tuple[str, ...]:
    """Which of the `offered` arguments a render_FOO method (or a row_attrs callable)
    takes: asked once per function, as django-tables2 asks once per cell."""
    parameters = inspect.signature(function).parameters
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return offered
    return tuple(name for name in offered if name in parameters)


def _cell(value) -> str:
    """A cell's value as `{{ cell }}` writes it: conditional_escape(localize(value)),
    without their lazy-string checks (thousands of cells on a long table)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what localize gives, without its look-ups (a count a row)
    if not isinstance(value, str):
        value = localize(value)
        if hasattr(value, "__html__"):
            return value.__html__()
    return html.escape(str(value))


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
        template_name = "commonpot/_quick_table.html"

    def body_rows(self) -> list[SafeString]:
        writers = [(self._td(column), self._cell_writer(column)) for column in self.columns]
        tr = self._row_attrs_writer()
        rows = []
        for row in self.paginated_rows:
            cells = "".join(f"<td{td}>{write(row)}</td>" for td, write in writers)
            rows.append(mark_safe(f"<tr {tr(row)}>{cells}</tr>"))  # noqa: S308
        return rows

    def _row_attrs_writer(self) -> Callable:
        """A row's attributes as BoundRow.attrs.as_html() writes them (row_attrs, then
        `even` or `odd` in its class), with each callable's arguments worked out once
        rather than by inspecting its signature for every row."""
        attrs = dict(self.row_attrs)
        if any(isinstance(v, dict) for v in attrs.values()):
            return lambda row: row.attrs.as_html()
        computed = {k: (v, _wanted(v, ROW_ARGUMENTS)) for k, v in attrs.items() if callable(v)}
        attrs.setdefault("class", "")

        def write(row) -> str:
            given = {"record": row.record, "table": self}
            values = {
                k: computed[k][0](**{a: given[a] for a in computed[k][1]}) if k in computed else v
                for k, v in attrs.items()
            }
            parity = row.get_even_odd_css_class()
            values["class"] = f"{values['class']} {parity}" if values["class"] else parity
            return " ".join(f'{html.escape(k)}="{html.escape(str(v))}"' for k, v in values.items())

        return write

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
            return _cell(render(**{k: given[k] for k in wanted}))

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


class DayTimeColumn(tables.DateTimeColumn):
    """A date and time as every page writes it ("Wed 1 Dec, 14:30", the year when it
    is not this year), in the page's time zone like `|date`. No date (a message not
    sent) shows the table's default, as other columns do."""

    # A TemplateColumn renders even an empty value; this one leaves that to the table.
    empty_values = (None, "")

    def render(self, value):
        return dates.day_time(timezone.localtime(value))


class OutboxTable(tables.Table):
    created_at = DayTimeColumn(verbose_name=_("Decided"))
    kind = tables.Column(verbose_name=_("Kind"))
    channel = tables.Column(verbose_name=pgettext_lazy("the channel a message goes by", "By"))
    # Wide enough that a text message's words do not make each row a column of words.
    subject = tables.Column(verbose_name=_("Subject"), attrs={"td": {"class": "wide-text"}})
    last_error = tables.Column(
        verbose_name=_("What went wrong"), orderable=False, attrs={"td": {"class": "wide-text"}}
    )
    to = tables.Column(
        empty_values=(), verbose_name=pgettext_lazy("who a message went to", "To"), orderable=False
    )
    status = tables.Column(verbose_name=_("Status"))
    attempts = tables.Column(verbose_name=_("Attempts"))
    sent_at = DayTimeColumn(verbose_name=_("Sent"))

    class Meta:
        model = Message
        fields = [
            "created_at",
            "kind",
            "channel",
            "subject",
            "status",
            "attempts",
            "sent_at",
            "last_error",
        ]
        sequence = [
            "created_at",
            "kind",
            "channel",
            "to",
            "subject",
            "status",
            "attempts",
            "sent_at",
            "last_error",
        ]
        empty_text = _("Nothing has been sent from this site yet.")

    def render_kind(self, value: str) -> str:
        return registry.message_kind_label(value)

    def render_to(self, record: Message) -> str:
        if record.to_user_id:
            return record.to_user.name
        if record.channel == Message.Channel.SMS:
            return record.to_phone or "—"
        return record.to_email or "—"

    def render_status(self, record: Message, value: str):
        from django.utils.html import format_html

        tone = {
            "sent": "ok",
            "failed": "bad",
            "retrying": "warn",
            "skipped": "warn",
            "held": "warn",
        }.get(record.status, "")
        if record.delivery_status:
            # The gateway's delivery report of a text: "delivered", "undelivered (30003)".
            return format_html(
                '<span class="badge {}">{}</span> <span class="meta">{}</span>',
                tone,
                value,
                record.delivery_status,
            )
        return format_html('<span class="badge {}">{}</span>', tone, value)


def cards_on_phones(table: tables.Table) -> tables.Table:
    """Show `table` as a stack of cards on a phone (class `table--cards` in
    commonpot.css): each cell but the first, which heads its card, names its column
    in data-label. The table's columns are its own copies, so this touches no other."""
    for index, bound in enumerate(table.columns):
        if index == 0:
            continue
        td = dict(bound.column.attrs.get("td", {}))
        td["data-label"] = str(bound.header)
        bound.column.attrs = {**bound.column.attrs, "td": td}
    classes = table.attrs.get("class", "table")
    if "table--cards" not in classes:
        table.attrs = {**table.attrs, "class": f"{classes} table--cards"}
    return table
