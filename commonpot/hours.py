"""Opening hours and meal times, written the way a site writes them on its door.

One line each: days, one or more time ranges, then an optional label.

    Mon-Fri 10:00-16:00
    Tue,Thu 15:00-19:00 Pantry open
    Daily 08:00-09:30 Breakfast
    Sat 09:00-12:00, 13:00-15:00
    Fri,Sat 22:00-06:00 Night kitchen

A closing time at or before the opening time is the next morning: 22:00-06:00
opens on Friday evening and closes at 06:00 on Saturday (a night shelter's or a
camp's night kitchen). 00:00 or 24:00 as the closing time is midnight at the
end of the day. An opening and a closing at the same time says nothing, and is
refused.

Kept as text (easy to type on a phone) but parsed strictly, so that the public
pages, the open-data feeds (HSDS schedules, iCalendar) and the map can all use
the same structured hours.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from commonpot.i18n import fold

# The days as written back in English, and typed in any language (`_day_aliases`).
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
# Words for every day, in English and in each language's own words.
_EVERY_DAY = {
    "daily",
    "every day",
    "everyday",
    "diario",
    "todos los dias",
    "tous les jours",
    "todos os dias",
    "diariamente",
    "щодня",
    "يوميا",
}
_WEEKDAYS = {"weekdays"}
_WEEKENDS = {"weekends"}


def _fold(word: str) -> str:
    """A day's name as compared: folded (commonpot.i18n.fold), without a closing
    point ("Mié." is "mie", "Sáb" is "sab")."""
    return fold(word.strip().rstrip("."))


@functools.cache
def _day_aliases() -> dict[str, int]:
    """Day names as typed in any language Commonpot speaks: the hours a Spanish lead
    writes ("lun-vie") are read the same on an English page, and the other way round."""
    aliases = {_fold(name): day for name, day in _DAY_ALIASES.items()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for day in range(7):
                for name in (WEEKDAYS_ABBR[day], WEEKDAYS[day]):
                    aliases.setdefault(_fold(str(name)), day)
    return aliases


_RANGE = r"(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})"
_LINE = re.compile(
    r"^(?P<days>[^\W\d_][\w.,\- ]*?)\s+"
    rf"(?P<ranges>{_RANGE}(?:\s*,\s*{_RANGE})*)\s*(?P<label>.*)$"
)


def days_text(weekdays) -> str:
    """Weekdays (0 = Monday, in order) the short way a door sign writes them:
    'Daily', 'Mon–Fri', 'Tue, Thu', 'Mon–Wed, Sat'."""
    weekdays = sorted(weekdays)
    if len(weekdays) == 7:
        return _("Daily")
    runs: list[list[int]] = []
    for day in weekdays:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    # Django's names of the days, in the page's language ("Mon" in English).
    names = [str(WEEKDAYS_ABBR[d]) for d in range(7)]
    return ", ".join(
        f"{names[r[0]]}–{names[r[-1]]}" if len(r) > 2 else ", ".join(names[d] for d in r)
        for r in runs
    )


@dataclass(frozen=True)
class Opening:
    """One range of times on some days. `weekdays` are the days it opens (0 = Monday);
    an overnight opening closes on the morning after each of them, and `closes` is
    time(0) for one that closes at midnight."""

    weekdays: tuple[int, ...]
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

    @property
    def overnight(self) -> bool:
        """True when it closes on the day after it opens (at midnight or later)."""
        return self.closes <= self.opens

    @property
    def times_text(self) -> str:
        """'10:00–16:00', '18:00–midnight', '22:00–06:00 next day'."""
        if self.closes == time(0):
            return _("%(opens)s–midnight") % {"opens": f"{self.opens:%H:%M}"}
        text = f"{self.opens:%H:%M}–{self.closes:%H:%M}"
        # Translators: a span of clock times that ends the next morning: "22:00–06:00 next day".
        return _("%(span)s next day") % {"span": text} if self.overnight else text

    @property
    def text(self) -> str:
        """The opening as shown back: 'Fri, Sat 22:00–06:00 next day Night kitchen'."""
        return f"{self.days_text} {self.times_text} {self.label}".strip()

    def span_on(self, day: date, tz) -> tuple[datetime, datetime]:
        """When the opening that starts on `day` opens and closes, on the site's clock."""
        closes_on = day + timedelta(days=1) if self.overnight else day
        return (
            datetime.combine(day, self.opens, tzinfo=tz),
            datetime.combine(closes_on, self.closes, tzinfo=tz),
        )

    def current_or_next(self, moment: datetime, tz) -> tuple[datetime, datetime]:
        """The opening under way at `moment` (aware) on a site in `tz` or, if none,
        the next to start: one that began last night and closes this morning counts."""
        today = moment.astimezone(tz).date()
        # From yesterday, for an overnight opening still running after midnight.
        # Compared in UTC: on the night the clocks change, wall times mislead.
        for ahead in range(-1, 8):
            day = today + timedelta(days=ahead)
            if day.weekday() not in self.weekdays:
                continue
            opens, closes = self.span_on(day, tz)
            if closes.astimezone(UTC) > moment.astimezone(UTC):
                return opens, closes
        raise AssertionError("an opening happens at least once a week")

    def is_open_at(self, moment: datetime, tz) -> bool:
        opens, closes = self.current_or_next(moment, tz)
        return opens.astimezone(UTC) <= moment.astimezone(UTC) < closes.astimezone(UTC)


def open_at(openings: list[Opening], moment: datetime, tz) -> Opening | None:
    """The opening under way at `moment` (aware) on a site in `tz`, if any."""
    return next((o for o in openings if o.is_open_at(moment, tz)), None)


def _days(text: str) -> tuple[int, ...]:
    text = _fold(text)
    aliases = _day_aliases()
    if text in _EVERY_DAY:
        return tuple(range(7))
    if text in _WEEKDAYS:
        return tuple(range(5))
    if text in _WEEKENDS:
        return (5, 6)
    days: list[int] = []
    for part in re.split(r"\s*(?:,|،|\band\b|&)\s*", text):
        if not part:
            continue
        if part in aliases:  # a name with a hyphen of its own: "segunda-feira"
            days.append(aliases[part])
        elif "-" in part:
            first, _dash, last = (_fold(p) for p in part.partition("-"))
            if first not in aliases or last not in aliases:
                raise ValueError(part)
            a, b = aliases[first], aliases[last]
            days += list(range(a, b + 1)) if a <= b else list(range(a, 7)) + list(range(0, b + 1))
        elif _fold(part) in aliases:
            days.append(aliases[_fold(part)])
        else:
            raise ValueError(part)
    return tuple(sorted(set(days)))


class _BadTime(ValueError):
    pass


def _time(hours: str, minutes: str, *, closing: bool = False) -> time:
    h, m = int(hours), int(minutes)
    if closing and (h, m) == (24, 0):
        return time(0)  # midnight at the end of the day
    if h > 23 or m > 59:
        raise _BadTime(
            _("%(time)s is not a time of day (00:00 to 23:59, or 24:00 to close at midnight).")
            % {"time": f"{hours}:{minutes}"}
        )
    return time(h, m)


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
                try:
                    opens, closes = _time(r[1], r[2]), _time(r[3], r[4], closing=True)
                except _BadTime as e:
                    errors.append(_("Line %(number)s: %(error)s") % {"number": number, "error": e})
                    continue
                if closes == opens and (r[3], r[4]) != ("24", "00"):
                    errors.append(
                        _(
                            "Line %(number)s: %(time)s-%(time)s opens and closes at the same "
                            "time. Write the hours it is open, such as 22:00-06:00 for a night "
                            "that ends the next morning, or 00:00-24:00 for the whole day."
                        )
                        % {"number": number, "time": f"{opens:%H:%M}"}
                    )
                    continue
                openings.append(Opening(days, opens, closes, label))
        except ValueError:
            errors.append(
                _("Line %(number)s ('%(line)s') is not in the form 'Mon-Fri 10:00-16:00 Label'.")
                % {"number": number, "line": line}
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
