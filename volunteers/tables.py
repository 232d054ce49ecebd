"""django-tables2 tables for the leads' pages."""

from __future__ import annotations

from html import escape

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from commonpot.dates import clock_span
from commonpot.dates import day as dates_day
from commonpot.models import User
from commonpot.quickurls import quick_reverse, quick_route
from commonpot.tables import QuickRowsTable
from volunteers.models import Shift


class WeekTable(QuickRowsTable):
    """A site's shifts for one week; those under their minimum stand out."""

    when = tables.Column("When", accessor="starts_at", order_by=("starts_at",))
    role = tables.Column("Role", accessor="role")
    people = tables.Column("People", accessor="places_taken", attrs={"td": {"class": "num"}})
    waiting = tables.Column("Waiting", attrs={"td": {"class": "num"}})
    staffing = tables.Column("Staffing", accessor="places_taken", orderable=False)

    class Meta:
        model = Shift
        fields = ()
        sequence = ("when", "role", "people", "waiting", "staffing")
        orderable = False
        verbose_name = "Shifts this week"
        empty_text = "No shifts this week."
        row_attrs = {"class": lambda record: "under-minimum" if record.is_under_minimum else ""}
        template_name = QuickRowsTable.Meta.template_name

    def render_role(self, record: Shift):
        return record.role.name

    def render_when(self, record: Shift):
        start, end = record.local_start, record.local_end
        when = f"{self._date(start.date())} {clock_span(start, end)}"
        return mark_safe(f'<a href="{self._roster_url(record)}">{escape(when)}</a>')  # noqa: S308

    def _roster_url(self, record: Shift) -> str:
        if "_roster" not in self.__dict__:
            self._roster = quick_route("volunteers:roster")
        return self._roster(record.site.slug, record.pk)

    def _date(self, day) -> str:
        dates = self.__dict__.setdefault("_dates", {})
        if day not in dates:
            dates[day] = dates_day(day)
        return dates[day]

    def render_people(self, record: Shift):
        return f"{record.places_taken} of {record.min_people}–{record.max_people}"

    def render_staffing(self, record: Shift):
        badges = []
        if record.is_under_minimum:
            short = record.min_people - record.places_taken
            badges.append(format_html('<span class="badge bad">{} short</span>', short))
        elif record.is_full:
            badges.append(mark_safe('<span class="badge ok">Full</span>'))
        else:
            badges.append(mark_safe('<span class="badge ok">Staffed</span>'))
        if not record.is_published:
            badges.append(mark_safe('<span class="badge">Not published</span>'))
        return format_html(" ".join(["{}"] * len(badges)), *badges)


class DayTable(WeekTable):
    """A site's shifts for one day, each with who is coming folded under it. Needs
    the shifts' active sign-ups prefetched into `listed` (volunteers first)."""

    roster = tables.Column("Who", accessor="pk", orderable=False)

    class Meta(WeekTable.Meta):
        sequence = ("when", "role", "people", "waiting", "staffing", "roster")
        verbose_name = "Shifts this day"
        empty_text = "No shifts this day."

    def render_roster(self, record: Shift):
        if not record.listed:
            return "Nobody yet"
        waiting = sum(1 for s in record.listed if not s.is_confirmed)
        summary = f"{len(record.listed) - waiting} coming" + (
            f", {waiting} waiting" if waiting else ""
        )
        names = "".join(
            f"<li>{escape(s.volunteer.name)}{'' if s.is_confirmed else ' (waiting)'}</li>"
            for s in record.listed
        )
        # Plain escape, not format_html: a day has hundreds of these.
        return mark_safe(f"<details><summary>{summary}</summary><ul>{names}</ul></details>")  # noqa: S308


class VolunteerTable(tables.Table):
    name = tables.Column("Name", accessor="display_name", order_by=("display_name", "username"))
    attended = tables.Column("Attended", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    missed = tables.Column("Missed", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    hours = tables.Column("Hours", attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    to_verify = tables.Column("Qualifications to verify", attrs={"td": {"class": "num"}})

    class Meta:
        model = User
        fields = ()
        sequence = ("name", "attended", "missed", "hours", "to_verify")
        verbose_name = "Volunteers"
        empty_text = "Nobody volunteers here yet."

    def __init__(self, *args, site, namesakes: frozenset[str] = frozenset(), **kwargs):
        self.site = site
        self.namesakes = namesakes  # names (lower case) two or more people here share
        super().__init__(*args, **kwargs)

    def render_name(self, record: User):
        url = quick_reverse("volunteers:record", self.site.slug, record.pk)
        if record.name.lower() in self.namesakes:
            return format_html(
                '<a href="{}">{}</a><br><span class="meta">{}</span>',
                url,
                record.name,
                tell_apart(record),
            )
        return format_html('<a href="{}">{}</a>', url, record.name)

    def render_hours(self, value):
        return f"{value:.2f}".rstrip("0").rstrip(".")

    def render_to_verify(self, value):
        if value:
            return format_html('<span class="badge warn">{}</span>', value)
        return "—"


def tell_apart(person: User) -> str:
    """A second line for a lead when two people here share a name: the end of
    their email address or phone number, never the whole of either."""
    if person.email and "@" in person.email:
        return f"email at {person.email.rsplit('@', 1)[1]}"
    digits = "".join(c for c in person.phone or "" if c.isdigit())
    if len(digits) >= 3:
        return f"phone ending {digits[-3:]}"
    return f"no email or phone (record {person.pk})"
