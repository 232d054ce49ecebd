"""Reports for funders and for each other: what came in, went out, was cooked,
moved, wasted, and who gave their time — per site or for the network.

Each app contributes a Section through commonpot.registry.add_report_section;
the core only knows how to lay sections out as a page, a PDF and CSV files.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from commonpot import measures
from commonpot.models import Site
from commonpot.numbers import plain_number
from commonpot.params import BadParam, require_day
from commonpot.registry import registry
from commonpot.spreadsheet import safe_cell

MAX_DAYS = 366 * 5
EARLIEST = date(2000, 1, 1)


class BadPeriod(ValueError):
    """A date range a person asked for that cannot be reported on; str() says why."""


@dataclass(frozen=True)
class Period:
    sites: tuple[Site, ...]
    start: date
    end: date  # inclusive
    network: bool  # the whole network, or the named sites

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def title(self) -> str:
        # Month names in the language of the page ("November 2026", "1 Nov 2026").
        if self.start.day == 1 and self.end == _month_end(self.start):
            return date_format(self.start, "F Y")
        return f"{date_format(self.start, 'j M Y')} – {date_format(self.end, 'j M Y')}"

    @property
    def site_ids(self) -> list[int]:
        return [s.pk for s in self.sites]

    def bounds(self, site: Site) -> tuple[datetime, datetime]:
        """The period as aware datetimes, by the site's own clock."""
        tz = site.tz
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def q(self, site_field: str = "site", time_field: str = "at") -> Q:
        """Rows of these sites whose time falls inside the period, each site by its own day."""
        # One clause per time zone, not per site: a network has many sites and
        # few zones, and a long OR of per-site ranges defeats the query planner.
        by_zone: dict[str, list[Site]] = {}
        for site in self.sites:
            by_zone.setdefault(site.time_zone, []).append(site)
        query = Q(pk__in=[])
        for sites in by_zone.values():
            start, end = self.bounds(sites[0])
            query |= Q(
                **{
                    f"{site_field}__in": [s.pk for s in sites],
                    f"{time_field}__gte": start,
                    f"{time_field}__lt": end,
                }
            )
        return query

    def q_dates(self, site_field: str = "site", date_field: str = "date") -> Q:
        """For rows dated by a plain date (a meal's day): no time zones involved."""
        return Q(
            **{
                f"{site_field}__in": self.site_ids,
                f"{date_field}__gte": self.start,
                f"{date_field}__lte": self.end,
            }
        )


@dataclass
class Table:
    key: str  # file name of its CSV
    title: str
    columns: Sequence[str]
    rows: list[Sequence]
    numeric: set[int] = field(default_factory=set)  # column indexes to right-align
    total: Sequence | None = None  # a last row, the sum of the rows above as shown
    # The CSV's own columns and rows where they differ from the page's
    # (weights: exact grams in the file, kilograms or pounds as read on the page).
    csv_columns: Sequence[str] | None = None
    csv_rows: list[Sequence] | None = None


@dataclass
class Chart:
    title: str
    # (label, value) or (label, value, text): the text, when given, is written
    # beside the bar as it is, so a chart reads the same figure as its table.
    bars: list[tuple]
    unit: str = ""


@dataclass
class Section:
    key: str
    title: str
    figures: list[tuple[str, str]] = field(default_factory=list)  # headline numbers
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    note: str = ""


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _parse_date(raw: str, name: str) -> date:
    try:
        return require_day(raw, name)
    except BadParam as e:
        raise BadPeriod(str(e)) from None


def parse_period(params, *, sites: Iterable[Site], network: bool, today: date) -> Period:
    """Read ?month=YYYY-MM or ?start=&end= (default: this month so far)."""
    month = params.get("month", "").strip()
    raw_start, raw_end = params.get("start", "").strip(), params.get("end", "").strip()
    if month:
        try:
            first = datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise BadPeriod(
                _("'month' must look like 2026-11, not '%(given)s'.") % {"given": month}
            ) from None
        start, end = first, _month_end(first)
    elif raw_start or raw_end:
        if not (raw_start and raw_end):
            raise BadPeriod(_("Give both 'start' and 'end', or neither."))
        start, end = _parse_date(raw_start, "start"), _parse_date(raw_end, "end")
    else:
        start, end = today.replace(day=1), today
    if end < start:
        raise BadPeriod(
            _("The period ends (%(end)s) before it starts (%(start)s).")
            % {"end": end, "start": start}
        )
    if start < EARLIEST or end > today + timedelta(days=366):
        raise BadPeriod(
            _("Reports cover %(earliest)s to next year; %(start)s to %(end)s is outside.")
            % {"earliest": EARLIEST.year, "start": start, "end": end}
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise BadPeriod(_("A report covers at most five years."))
    return Period(tuple(sites), start, end, network)


def build_sections(period: Period) -> list[Section]:
    sections = []
    for _order, build in registry.report_sections:
        section = build(period)
        if section is not None:
            sections.append(section)
    return sections


# --- Weights ------------------------------------------------------------------
#
# Reports add up grams exactly and round only to show them, in the measures of
# the report (a site's report in its own; the network's in the viewer's, see
# commonpot.measures): kilograms to the gram under 10 kg (5 lb of rice is
# 2.268 kg, not 2.3), to 100 g from 10 kg up; pounds to 0.01 lb under 20 lb, to
# 0.1 lb from 20 lb up. Figures read together -- a table, its total, its chart,
# the headline above them -- are shown in the same step, and the rows are rounded
# so that they add up to the total as shown. CSV files carry the exact grams.

GRAM = Decimal("0.001")  # of a kilogram
TENTH = Decimal("0.1")
FINE_BELOW_G = Decimal(10_000)


@dataclass(frozen=True)
class WeightUnit:
    symbol: str
    grams: Decimal  # in one of it
    fine: Decimal  # the step of small weights...
    fine_below_g: Decimal  # ...below this many grams
    coarse: Decimal = TENTH
    csv_places: Decimal | None = None  # None: grams / `grams` is exact as it is

    def csv_figure(self, grams: Decimal) -> str:
        value = grams / self.grams
        return plain(value.quantize(self.csv_places) if self.csv_places else value)


KILOGRAM = WeightUnit("kg", Decimal(1000), GRAM, FINE_BELOW_G)
POUND_G = Decimal("453.59237")
POUND = WeightUnit("lb", POUND_G, Decimal("0.01"), 20 * POUND_G, csv_places=Decimal("0.0001"))


def weight_unit() -> WeightUnit:
    """Kilograms, or pounds where the report is read in US measures."""
    return POUND if measures.is_us() else KILOGRAM


def weight_step(*grams: Decimal | None) -> Decimal:
    """How finely to show these weights together: the finest step any one of them needs."""
    unit = weight_unit()
    small = any(g is not None and 0 < abs(g) < unit.fine_below_g for g in grams)
    return unit.fine if small else unit.coarse


def in_unit(grams: Decimal | int, step: Decimal | None = None) -> Decimal:
    """Grams in the report's unit (kg or lb), rounded to `step` (by default the
    step the weight needs)."""
    grams = Decimal(grams)
    return (grams / weight_unit().grams).quantize(
        step or weight_step(grams), rounding=ROUND_HALF_UP
    )


def plain(number: Decimal) -> str:
    """A decimal for a CSV cell: no trailing zeros, exponent or separators (6267.962)."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# A weight in the report's unit as a page shows it, with thousands separated: 1,542.1.
figure_text = plain_number


def weight(grams: Decimal | int | None, step: Decimal | None = None) -> str:
    """A weight as a report's page shows it: 2.268 kg, or 5 lb."""
    if grams is None:
        return "—"
    return f"{figure_text(in_unit(grams, step))} {weight_unit().symbol}"


@dataclass(frozen=True)
class Weights:
    """Weights by label, shown together: each row's exact grams and its weight as
    shown (in the report's unit), which add up to the total as shown."""

    rows: list[tuple[str, Decimal, Decimal]]  # label, grams, weight shown; by label
    total_g: Decimal
    total_shown: Decimal
    step: Decimal
    unit: WeightUnit = KILOGRAM

    @property
    def total_text(self) -> str:
        return f"{figure_text(self.total_shown)} {self.unit.symbol}"

    def bars(self) -> list[tuple[str, Decimal, str]]:
        """For a chart: the rows' shown weights, largest first."""
        return sorted(
            ((label, shown, figure_text(shown)) for label, _grams, shown in self.rows if shown),
            key=lambda bar: -bar[1],
        )


def share_weights(grams_by_label: dict[str, Decimal], step: Decimal | None = None) -> Weights:
    """Round each row so that the rows add up to the rounded total (largest remainder).

    Plain rounding of each row does not: rows of 300.04 and 242.04 kg would show
    300.0 + 242.0 under a total of 542.1.
    """
    unit = weight_unit()
    total_g = sum(grams_by_label.values(), Decimal(0))
    step = step or weight_step(total_g, *grams_by_label.values())
    total_shown = in_unit(total_g, step)
    labels = sorted(grams_by_label)
    units = {label: grams_by_label[label] / unit.grams / step for label in labels}
    shown = {label: u.to_integral_value(rounding=ROUND_FLOOR) for label, u in units.items()}
    left = int(total_shown / step - sum(shown.values(), Decimal(0)))
    for label in sorted(labels, key=lambda label: shown[label] - units[label])[:left]:
        shown[label] += 1
    rows = [(label, grams_by_label[label], shown[label] * step) for label in labels]
    return Weights(rows, total_g, total_shown, step, unit)


def weight_table(key: str, title: str, label: str, weights: Weights) -> Table:
    """A two-column table of weights: kg (or lb) on the page; in its CSV the same
    unit unrounded beside the exact grams."""
    unit = weights.unit
    total = _("Total")
    return Table(
        key,
        title,
        [label, unit.symbol],
        [[name, figure_text(shown)] for name, _grams, shown in weights.rows],
        numeric={1},
        total=[total, figure_text(weights.total_shown)] if weights.rows else None,
        csv_columns=[label, unit.symbol, _("grams")],
        csv_rows=[
            *([name, unit.csv_figure(grams), plain(grams)] for name, grams, _s in weights.rows),
            [total, unit.csv_figure(weights.total_g), plain(weights.total_g)],
        ],
    )


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    if table.csv_rows is not None:
        writer.writerow(table.csv_columns or table.columns)
        rows = table.csv_rows
    else:
        writer.writerow(table.columns)
        rows = [*table.rows, *([table.total] if table.total else [])]
    for row in rows:
        writer.writerow(safe_cell(v) for v in row)
    return out.getvalue()


def find_table(sections: list[Section], key: str) -> Table | None:
    for section in sections:
        for table in section.tables:
            if table.key == key:
                return table
    return None


def site_queryset_for(user) -> QuerySet[Site]:
    return Site.objects.led_by(user)
