"""Reading numbers and dates from a request's query string, without surprises.

`"²".isdigit()` is true and `int("²")` fails; `date(9999, 12, 31) + 7 days`
overflows. These helpers answer None (or a 404) for anything a person could
type that is not a sensible id, count or day, so no view turns it into a 500.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404

EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)
MAX_INT = 2**31 - 1


def int_param(params, name: str, *, minimum: int = 1, maximum: int = MAX_INT) -> int | None:
    raw = (params.get(name) or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def parse_day(value: str | None) -> date | None:
    """An ISO date between 2000 and 2999, or None."""
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def day_or_404(value: str | None) -> date:
    day = parse_day(value)
    if day is None:
        raise Http404("Not a date between 2000 and 2999.")
    return day
