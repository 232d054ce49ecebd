"""django-tables2 tables for the leads' pages."""

from __future__ import annotations

from html import escape

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot.dates import clock_span
from commonpot.dates import day as dates_day
from commonpot.models import User
from commonpot.quickurls import quick_reverse, quick_route
from commonpot.tables import QuickRowsTable
from volunteers.models import Shift


class WeekTable(QuickRowsTable):
    """A site's shifts for one week; those under their minimum stand out."""

    when = tables.Column(gettext_lazy("When"), accessor="starts_at", order_by=("starts_at",))
    role = tables.Column(gettext_lazy("Role"), accessor="role")
    people = tables.Column(
        gettext_lazy("People"), accessor="places_taken", attrs={"td": {"class": "num"}}
    )
    # Translators: a column: how many people are on a shift's waitlist.
    waiting = tables.Column(gettext_lazy("Waiting"), attrs={"td": {"class": "num"}})
    staffing = tables.Column(gettext_lazy("Staffing"), accessor="places_taken", orderable=False)

    class Meta:
        model = Shift
        fields = ()
        sequence = ("when", "role", "people", "waiting", "staffing")
        orderable = False
        verbose_name = gettext_lazy("Shifts this week")
        empty_text = gettext_lazy("No shifts this week.")
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
        # Translators: people on a shift against its minimum and maximum: "3 of 2–5".
        return _("%(taken)s of %(least)s–%(most)s") % {
            "taken": record.places_taken,
            "least": record.min_people,
            "most": record.max_people,
        }

    def render_staffing(self, record: Shift):
        badges = []
        if record.is_under_minimum:
            short = record.min_people - record.places_taken
            # Translators: a shift needs this many more people to reach its minimum.
            text = ngettext("%(n)s short", "%(n)s short", short) % {"n": short}
            badges.append(format_html('<span class="badge bad">{}</span>', text))
        elif record.is_full:
            badges.append(format_html('<span class="badge ok">{}</span>', _("Full")))
        else:
            badges.append(format_html('<span class="badge ok">{}</span>', _("Staffed")))
        if not record.is_published:
            badges.append(format_html('<span class="badge">{}</span>', _("Not published")))
        return format_html(" ".join(["{}"] * len(badges)), *badges)


class DayTable(WeekTable):
    """A site's shifts for one day, each with who is coming folded under it. Needs
    each shift's people on it as `listed` (views_lead.Listed, those coming first)."""

    roster = tables.Column(gettext_lazy("Who"), accessor="pk", orderable=False)

    class Meta(WeekTable.Meta):
        sequence = ("when", "role", "people", "waiting", "staffing", "roster")
        verbose_name = gettext_lazy("Shifts this day")
        empty_text = gettext_lazy("No shifts this day.")

    def render_roster(self, record: Shift):
        if not record.listed:
            return _("Nobody yet")
        waiting = sum(1 for s in record.listed if not s.is_confirmed)
        values = {"coming": len(record.listed) - waiting, "waiting": waiting}
        summary = escape(
            _("%(coming)s coming, %(waiting)s waiting") % values
            if waiting
            else _("%(coming)s coming") % values
        )
        # Translators: after the name of someone on a shift's waitlist.
        on_waitlist = escape(" " + _("(waiting)"))
        names = "".join(
            f"<li>{escape(s.name)}{'' if s.is_confirmed else on_waitlist}</li>"
            for s in record.listed
        )
        # Plain escape, not format_html: a day has hundreds of these.
        return mark_safe(f"<details><summary>{summary}</summary><ul>{names}</ul></details>")  # noqa: S308


class VolunteerTable(tables.Table):
    name = tables.Column(
        gettext_lazy("Name"), accessor="display_name", order_by=("display_name", "username")
    )
    attended = tables.Column(
        gettext_lazy("Attended"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    missed = tables.Column(
        gettext_lazy("Missed"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    hours = tables.Column(
        gettext_lazy("Hours"), attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    to_verify = tables.Column(
        gettext_lazy("Qualifications to verify"), attrs={"td": {"class": "num"}}
    )

    class Meta:
        model = User
        fields = ()
        sequence = ("name", "attended", "missed", "hours", "to_verify")
        verbose_name = gettext_lazy("Volunteers")
        empty_text = gettext_lazy("Nobody volunteers here yet.")

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
        # Translators: tells two people of the same name apart: "email at example.org".
        return _("email at %(domain)s") % {"domain": person.email.rsplit("@", 1)[1]}
    digits = "".join(c for c in person.phone or "" if c.isdigit())
    if len(digits) >= 3:
        return _("phone ending %(digits)s") % {"digits": digits[-3:]}
    return _("no email or phone (record %(number)s)") % {"number": person.pk}
