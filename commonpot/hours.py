"""Opening hours and meal times, written the way a site writes them on its door.

One line each: days, one or more time ranges, then an optional label.

    Mon-Fri 10:00-16:00
    Tue,Thu 15:00-19:00 Pantry open
    Daily 08:00-09:30 Breakfast
    Sat 09:00-12:00, 13:00-15:00

Kept as text (easy to type on a phone) but parsed strictly, so that the public
pages, the open-data feeds (HSDS schedules, iCalendar) and the map can all use
the same structured hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from django.core.exceptions import ValidationError

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
ICAL_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_DAY_ALIASES = {d.lower(): i for i, d in enumerate(DAYS)}
_DAY_ALIASES.update(
    {
        name: i
        for i, name in enumerate(
            ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        )
    }
)
_DAY_ALIASES.update({"tues": 1, "thur": 3, "thurs": 3})
_RANGE = r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})"
_LINE = re.compile(
    r"^(?P<days>[A-Za-z][A-Za-z,\- ]*?)\s+"
    rf"(?P<ranges>{_RANGE}(?:\s*,\s*{_RANGE})*)\s*(?P<label>.*)$"
)


def days_text(weekdays) -> str:
    """Weekdays (0 = Monday, in order) the short way a door sign writes them:
    'Daily', 'Mon–Fri', 'Tue, Thu', 'Mon–Wed, Sat'."""
    weekdays = sorted(weekdays)
    if len(weekdays) == 7:
        return "Daily"
    runs: list[list[int]] = []
    for day in weekdays:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        f"{DAYS[r[0]]}–{DAYS[r[-1]]}" if len(r) > 2 else ", ".join(DAYS[d] for d in r) for r in runs
    )


@dataclass(frozen=True)
class Opening:
    weekdays: tuple[int, ...]  # 0 = Monday
    opens: time
    closes: time
    label: str = ""

    @property
    def days_text(self) -> str:
        """'Daily', 'Mon–Fri', 'Tue, Thu', 'Mon–Wed, Sat'."""
        return days_text(self.weekdays)

    @property
    def byday(self) -> str:
        return ",".join(ICAL_DAYS[d] for d in self.weekdays)


def _days(text: str) -> tuple[int, ...]:
    text = text.strip().lower()
    if text in {"daily", "every day", "everyday"}:
        return tuple(range(7))
    if text in {"weekdays"}:
        return tuple(range(5))
    if text in {"weekends"}:
        return (5, 6)
    days: list[int] = []
    for part in re.split(r"\s*(?:,|\band\b|&)\s*", text):
        if not part:
            continue
        if "-" in part:
            first, _, last = (p.strip() for p in part.partition("-"))
            if first not in _DAY_ALIASES or last not in _DAY_ALIASES:
                raise ValueError(part)
            a, b = _DAY_ALIASES[first], _DAY_ALIASES[last]
            days += list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(0, b + 1))
        elif part in _DAY_ALIASES:
            days.append(_DAY_ALIASES[part])
        else:
            raise ValueError(part)
    return tuple(sorted(set(days)))


def _time(hours: str, minutes: str) -> time:
    return time(int(hours), int(minutes))


def parse_hours(text: str) -> list[Opening]:
    """Parse every line, or raise ValidationError naming each bad line."""
    openings: list[Opening] = []
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        try:
            if not match:
                raise ValueError(line)
            days = _days(match["days"])
            if not days:
                raise ValueError(line)
            label = match["label"].strip()
            for r in re.finditer(_RANGE, match["ranges"]):
                opens, closes = _time(r[1], r[2]), _time(r[3], r[4])
                if closes <= opens:
                    errors.append(f"Line {number}: closing time must be after opening time.")
                    continue
                openings.append(Opening(days, opens, closes, label))
        except ValueError:
            errors.append(
                f"Line {number} ('{line}') is not in the form 'Mon-Fri 10:00-16:00 Label'."
            )
    if errors:
        raise ValidationError(errors)
    return openings


def validate_hours(text: str) -> None:
    parse_hours(text)


def safe_parse_hours(text: str) -> list[Opening]:
    """For display and feeds: hours saved before validation existed never break a page."""
    try:
        return parse_hours(text)
    except ValidationError:
        return []
