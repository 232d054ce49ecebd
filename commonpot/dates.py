"""Dates: the window for every date a person types or a link carries, and how
every date a person reads is written (at the end of this module).

A date far outside it is a typing slip (20266 for 2026) or someone probing,
never a real shift, meal or best-before date, and the edges of the calendar
break arithmetic: `date(9999, 12, 31) + timedelta(days=1)` raises. So forms,
filters, query strings and services all refuse a date outside 1900–2200 with
the same message, before anything adds a day to it.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms
from django.utils import formats, timezone, translation

from commonpot.errors import DomainError
from commonpot.formats.en import formats as _english

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
OUTSIDE = f"Give a date between {EARLIEST.year} and {LATEST.year}."


def in_window(day: date | datetime) -> bool:
    day = day.date() if isinstance(day, datetime) else day
    return EARLIEST <= day <= LATEST


def check_day(day: date | datetime | None, field: str | None = None):
    """`day` itself, or a DomainError on `field` when it is outside the window."""
    if day is not None and not in_window(day):
        raise DomainError(OUTSIDE, field=field)
    return day


def _validate(value) -> None:
    if value is not None and not in_window(value):
        raise forms.ValidationError(OUTSIDE, code="outside_window")


class DayField(forms.DateField):
    """A date field that refuses days outside the window."""

    default_validators = [_validate]


class DayTimeField(forms.DateTimeField):
    """A date-and-time field that refuses days outside the window."""

    default_validators = [_validate]


# --- Writing dates -------------------------------------------------------------
# Every date a person reads is written by these three, from the named formats of
# the language's format module (commonpot/formats/<language>/formats.py), with
# the year only when the date is not in this year. Templates reach them as the
# filters `|day`, `|long_day` and `|day_time` (commonpot.templatetags.dates).
# A datetime is written as given: pass it in the time zone it is meant in
# (`site.local(...)`); the template filters convert to the page's time zone
# as `|date` does.


def named_format(name: str) -> str:
    """A date format by name: Django's own names, or Commonpot's (DAY_FORMAT, ...)
    from the active language's format module, falling back to English."""
    if name in formats.FORMAT_SETTINGS:
        return formats.get_format(name)
    for module in formats.get_format_modules(translation.get_language()):
        if hasattr(module, name):
            return getattr(module, name)
    return getattr(_english, name)


def _this_year(value: date | datetime) -> bool:
    return value.year == timezone.localdate().year


def day(value: date | datetime) -> str:
    """ "Wed 1 Dec" this year, "Wed 1 Dec 2027" another year."""
    return formats.date_format(
        value, named_format("DAY_FORMAT" if _this_year(value) else "SHORT_DATE_FORMAT")
    )


def long_day(value: date | datetime) -> str:
    """ "Wednesday 1 December" this year, "Wednesday 1 December 2027" another year."""
    return formats.date_format(
        value, named_format("LONG_DAY_FORMAT" if _this_year(value) else "DATE_FORMAT")
    )


def day_time(value: datetime) -> str:
    """ "Wed 1 Dec, 14:30" this year, "Wed 1 Dec 2027, 14:30" another year."""
    return formats.date_format(
        value, named_format("DAY_TIME_FORMAT" if _this_year(value) else "SHORT_DATETIME_FORMAT")
    )


def time_of_day(value: datetime) -> str:
    """ "14:30"."""
    return formats.time_format(value, named_format("TIME_FORMAT"))
