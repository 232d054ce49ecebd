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
from django.utils.translation import gettext as _

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
        raise BadParam(
            _("'%(name)s' must be a whole number of %(minimum)s or more, not '%(given)s'.")
            % {"name": name, "minimum": minimum, "given": raw[:40]}
        )
    if value > maximum:
        raise BadParam(
            _("'%(name)s' may be at most %(maximum)s.") % {"name": name, "maximum": maximum}
        )
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
    try:
        day = date.fromisoformat(text)
    except ValueError:
        if name:
            raise BadParam(
                _("'%(name)s' must be a date like 2026-11-01, not '%(given)s'.")
                % {"name": name, "given": text[:40]}
            ) from None
        raise BadParam(
            _("“%(given)s” is not a date. Write it as YYYY-MM-DD.") % {"given": text[:40]}
        ) from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        words = {
            "name": name,
            "year": f"{day:%Y}",
            "earliest": EARLIEST_DAY.year,
            "latest": LATEST_DAY.year,
        }
        if name:
            raise BadParam(
                _("'%(name)s': %(year)s is outside %(earliest)s–%(latest)s. Check the year.")
                % words
            )
        raise BadParam(_("%(year)s is outside %(earliest)s–%(latest)s. Check the year.") % words)
    return day


def day_or_404(value: str | None) -> date:
    day = parse_day(value)
    if day is None:
        raise Http404(
            _("Not a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST_DAY.year, "latest": LATEST_DAY.year}
        )
    return day
