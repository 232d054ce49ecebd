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
from decimal import Decimal

from django.db.models import Q, QuerySet

from commonpot.models import Site
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
        if self.start.day == 1 and self.end == _month_end(self.start):
            return self.start.strftime("%B %Y")
        return f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"

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


@dataclass
class Chart:
    title: str
    bars: list[tuple[str, float]]
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
            raise BadPeriod(f"'month' must look like 2026-11, not '{month}'.") from None
        start, end = first, _month_end(first)
    elif raw_start or raw_end:
        if not (raw_start and raw_end):
            raise BadPeriod("Give both 'start' and 'end', or neither.")
        start, end = _parse_date(raw_start, "start"), _parse_date(raw_end, "end")
    else:
        start, end = today.replace(day=1), today
    if end < start:
        raise BadPeriod(f"The period ends ({end}) before it starts ({start}).")
    if start < EARLIEST or end > today + timedelta(days=366):
        raise BadPeriod(f"Reports cover {EARLIEST.year} to next year; {start} to {end} is outside.")
    if (end - start).days + 1 > MAX_DAYS:
        raise BadPeriod("A report covers at most five years.")
    return Period(tuple(sites), start, end, network)


def build_sections(period: Period) -> list[Section]:
    sections = []
    for _, build in registry.report_sections:
        section = build(period)
        if section is not None:
            sections.append(section)
    return sections


def kg(grams: Decimal | float | int | None) -> str:
    if grams is None:
        return "—"
    return f"{Decimal(grams) / 1000:,.1f} kg"


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
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
