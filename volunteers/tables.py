"""django-tables2 tables for the leads' pages."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from commonpot.models import User
from volunteers.models import Shift


class WeekTable(tables.Table):
    """A site's shifts for one week; those under their minimum stand out."""

    when = tables.Column("When", accessor="starts_at", order_by=("starts_at",))
    role = tables.Column("Role", accessor="role__name")
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

    def render_when(self, record: Shift):
        start = record.local_start
        url = reverse("volunteers:roster", args=[record.site.slug, record.pk])
        return format_html(
            '<a href="{}">{} {}–{}</a>',
            url,
            date_format(start, "D j M"),
            start.strftime("%H:%M"),
            record.local_end.strftime("%H:%M"),
        )

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

    def __init__(self, *args, site, **kwargs):
        self.site = site
        super().__init__(*args, **kwargs)

    def render_name(self, record: User):
        url = reverse("volunteers:record", args=[self.site.slug, record.pk])
        return format_html('<a href="{}">{}</a>', url, record.name)

    def render_hours(self, value):
        return f"{value:.2f}".rstrip("0").rstrip(".")

    def render_to_verify(self, value):
        if value:
            return format_html('<span class="badge warn">{}</span>', value)
        return "—"
