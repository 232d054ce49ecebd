"""The one way to read ids, numbers and days from a query string (or a form's
management fields), without surprises.

`"²".isdigit()` is true and `int("²")` fails; `int("9" * 5000)` raises;
`date(9999, 12, 31) + 7 days` overflows. These helpers answer None, a default,
a 404 or a `BadParam` with a message a person can read, for anything that is
not a sensible id, count or day, so no view turns it into a 500.
"""

from __future__ import annotations

from datetime import date

from django.http import Http404

from commonpot.dates import EARLIEST as EARLIEST_DAY
from commonpot.dates import LATEST as LATEST_DAY

MAX_INT = 2**31 - 1


class BadParam(ValueError):
    """A query parameter that cannot mean anything; the message says which and why."""


def _digits(raw: str) -> int | None:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return None
    return int(raw)


def int_param(
    params,
    name: str,
    *,
    minimum: int = 1,
    maximum: int = MAX_INT,
    default: int | None = None,
    clamp: bool = False,
) -> int | None:
    """A whole number from `params[name]`, or `default`.

    Out of range: `default`, or with `clamp` the nearest end of the range (for
    "how many days ahead" links a person may have edited by hand).
    """
    value = _digits(params.get(name) or "")
    if value is None:
        return default
    if clamp:
        return max(minimum, min(value, maximum))
    return value if minimum <= value <= maximum else default


def require_int(
    params, name: str, *, default: int, minimum: int = 1, maximum: int = MAX_INT
) -> int:
    """Like int_param, for an API that answers bad input with 400 and a reason."""
    raw = params.get(name) or ""
    if raw == "":
        return default
    value = _digits(raw)
    if value is None or value < minimum:
        raise BadParam(f"'{name}' must be a whole number of {minimum} or more, not '{raw[:40]}'.")
    if value > maximum:
        raise BadParam(f"'{name}' may be at most {maximum}.")
    return value


def parse_day(value: str | None) -> date | None:
    """An ISO date inside the window of commonpot.dates, or None."""
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None


def require_day(value: str | None, name: str | None = None) -> date:
    """An ISO date inside the window, or a BadParam saying what is wrong
    (naming the parameter, for an API or a report link)."""
    text = (value or "").strip()
    which = f"'{name}': " if name else ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        if name:
            raise BadParam(f"'{name}' must be a date like 2026-11-01, not '{text[:40]}'.") from None
        raise BadParam(f"“{text[:40]}” is not a date. Write it as YYYY-MM-DD.") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise BadParam(
            f"{which}{day:%Y} is outside {EARLIEST_DAY.year}–{LATEST_DAY.year}. Check the year."
        )
    return day


def day_or_404(value: str | None) -> date:
    day = parse_day(value)
    if day is None:
        raise Http404(f"Not a date between {EARLIEST_DAY.year} and {LATEST_DAY.year}.")
    return day
