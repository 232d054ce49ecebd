"""One window for every date a person types or a link carries.

A date far outside it is a typing slip (20266 for 2026) or someone probing,
never a real shift, meal or best-before date, and the edges of the calendar
break arithmetic: `date(9999, 12, 31) + timedelta(days=1)` raises. So forms,
filters, query strings and services all refuse a date outside 1900–2200 with
the same message, before anything adds a day to it.
"""

from __future__ import annotations

from datetime import date, datetime

from django import forms

from commonpot.errors import DomainError

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
