"""Time-zone blocks for Commonpot's iCalendar feeds and attachments.

An event whose times carry a TZID needs a VTIMEZONE saying that zone's offsets
for every moment the event happens, repeats included (RFC 5545, 3.6.5). The
icalendar package writes such a block from the tz database, but only for the
dates it is given, so a block that stops after a year makes a calendar app
(Outlook reads the block rather than its own zone data) show the second year's
repeats an hour off. `add_time_zones` reads the span from the events themselves,
and refuses a repeat without an end: a feed gives every RRULE an UNTIL, and the
calendar app fetches the feed again long before it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from icalendar import Calendar, Timezone


@lru_cache(maxsize=64)
def _block(tzid: str, first_year: int, last_year: int) -> bytes:
    return Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    ).to_ical()


def vtimezone_text(tzid: str, first: date, last: date) -> bytes:
    """The zone's VTIMEZONE from before `first` to after `last`, as text, in whole
    years (so calendars of nearby dates share one cached block: writing it from
    the tz database is slow, and an email run attaches it thousands of times)."""
    first -= timedelta(days=1)
    last += timedelta(days=1)
    return _block(tzid, first.year, last.year)


def vtimezone(tzid: str, first: date, last: date) -> Timezone:
    """The same block as a component, to add to a calendar."""
    return Timezone.from_ical(vtimezone_text(tzid, first, last))


def _day(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def event_span(cal: Calendar) -> tuple[date, date] | None:
    """The first and last day any event of the calendar happens, repeats included."""
    days: list[date] = []
    for event in cal.walk("VEVENT"):
        for name in ("DTSTART", "DTEND"):
            if name in event:
                days.append(_day(event.decoded(name)))
        rule = event.get("RRULE")
        if rule is not None:
            if "UNTIL" not in rule:
                raise ValueError(
                    f"{event.get('UID')}: a repeating event needs an UNTIL so that the "
                    "time-zone block can cover every repeat."
                )
            until = rule["UNTIL"]
            until = until[0] if isinstance(until, list) else until
            days.append(_day(until) + timedelta(days=1))
    return (min(days), max(days)) if days else None


def add_time_zones(cal: Calendar) -> None:
    """Add a VTIMEZONE for each zone the events use, valid for every occurrence."""
    span = event_span(cal)
    missing = cal.get_missing_tzids()
    if span is None or not missing:
        return
    for count, tzid in enumerate(sorted(missing)):
        # Before the events that use it: RFC 5545 allows either order, some apps want this.
        cal.subcomponents.insert(count, vtimezone(tzid, *span))
