"""Dates: the window for every date a person types or a link carries, and how
every date a person reads is written (at the end of this module).

A date far outside it is a typing slip (20266 for 2026) or someone probing,
never a real shift, meal or best-before date, and the edges of the calendar
break arithmetic: `date(9999, 12, 31) + timedelta(days=1)` raises. So forms,
filters, query strings and services all refuse a date outside 1900–2200 with
the same message, before anything adds a day to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django import forms
from django.forms.fields import BaseTemporalField
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commonpot.errors import DomainError
from commonpot.formats.en import formats as _english

EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)
_OUTSIDE = gettext_noop("Give a date between %(earliest)s and %(latest)s.")
_WINDOW = {"earliest": EARLIEST.year, "latest": LATEST.year}
# The refusal in English, as some callers and the tests compare it; outside() is the
# same message in the language of the page.
OUTSIDE = _OUTSIDE % _WINDOW


def outside() -> str:
    """The refusal of a date outside the window, in the active language."""
    return _(_OUTSIDE) % _WINDOW


def in_window(day: date | datetime) -> bool:
    day = day.date() if isinstance(day, datetime) else day
    return EARLIEST <= day <= LATEST


def check_day(day: date | datetime | None, field: str | None = None):
    """`day` itself, or a DomainError on `field` when it is outside the window."""
    if day is not None and not in_window(day):
        raise DomainError(outside(), field=field)
    return day


def _validate(value) -> None:
    if value is not None and not in_window(value):
        raise forms.ValidationError(outside(), code="outside_window")


class DayField(forms.DateField):
    """A date field that refuses days outside the window."""

    default_validators = [_validate]


class DayTimeField(forms.DateTimeField):
    """A date-and-time field that refuses days outside the window."""

    default_validators = [_validate]


class LocalDayTimeField(DayTimeField):
    """A date and time as typed on a site's clock, left naive: the form turns it
    into a moment with `resolve_local_time`, which refuses a time the clocks skip
    and asks which when it happens twice (Django's own conversion would refuse
    both alike, without saying which night or why)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value
        try:
            parsed = parse_datetime(str(value).strip())  # "2026-03-29T02:30", as browsers send
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        return parsed or BaseTemporalField.to_python(self, value)


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
    """ "14:30" (in Arabic "2:30 م", the language's own format)."""
    fmt = named_format("TIME_FORMAT")
    if fmt == "H:i":
        # Most languages' format, written directly: a lead's day of 500 shifts writes
        # a thousand times, and Django's formatter costs tens of microseconds each.
        return f"{value.hour:02d}:{value.minute:02d}"
    return formats.time_format(value, fmt)


# --- Local clock times -----------------------------------------------------------
# A date and a clock time typed at a site become an aware moment here, and only
# here. Twice a year the clock is not a plain line: in spring an hour is skipped
# (02:30 on the last Sunday of March does not happen in Madrid) and in autumn an
# hour happens twice (02:30 on the last Sunday of October happens in summer time,
# then again an hour later in winter time). `datetime.combine` silently picks one
# reading for both (PEP 495's fold=0), which stores a skipped 02:30 as 03:30; so
# a time in the gap is refused with the reason, and a repeated one must say
# which of the two it is (`fold`: 0 the first, 1 the second).


@dataclass(frozen=True)
class ClockChange:
    """What the clocks do around a local time that is skipped or repeated."""

    day: date
    clock: time
    zone: str
    skipped: bool  # True: the time does not exist; False: it happens twice
    turned_from: time  # the clocks show this...
    turned_to: time  # ...and then this
    first: datetime  # the reading with fold=0 (before the change)
    second: datetime  # the reading with fold=1 (after it)

    @property
    def reason(self) -> str:
        words = {
            "clock": f"{self.clock:%H:%M}",
            "day": day(self.day),
            "zone": self.zone,
            "from": f"{self.turned_from:%H:%M}",
            "to": f"{self.turned_to:%H:%M}",
        }
        if self.skipped:
            return (
                _(
                    "%(clock)s on %(day)s does not exist in %(zone)s: the clocks go forward "
                    "from %(from)s to %(to)s that night. Choose a time before %(from)s or "
                    "from %(to)s."
                )
                % words
            )
        return (
            _(
                "%(clock)s on %(day)s happens twice in %(zone)s: the clocks go back from "
                "%(from)s to %(to)s that night. Choose which %(clock)s you mean."
            )
            % words
        )

    def label(self, fold: int) -> str:
        """ "the first 02:30 (summer time, CEST)" / "the second 02:30 (winter time, CET)"."""
        moment = self.second if fold else self.first
        other = self.first if fold else self.second
        if moment.dst() and not other.dst():
            season = "summer"
        elif other.dst() and not moment.dst():
            season = "winter"
        else:
            season = ""
        labels = {
            (0, "summer"): _("the first %(clock)s (summer time, %(zone)s)"),
            (0, "winter"): _("the first %(clock)s (winter time, %(zone)s)"),
            (0, ""): _("the first %(clock)s (%(zone)s)"),
            (1, "summer"): _("the second %(clock)s (summer time, %(zone)s)"),
            (1, "winter"): _("the second %(clock)s (winter time, %(zone)s)"),
            (1, ""): _("the second %(clock)s (%(zone)s)"),
        }
        return labels[(1 if fold else 0, season)] % {
            "clock": f"{self.clock:%H:%M}",
            "zone": zone_name(moment),
        }

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [("0", self.label(0)), ("1", self.label(1))]


class LocalTimeError(DomainError):
    """A local time that is skipped, or repeated and not said which."""

    def __init__(self, change: ClockChange, *, field: str | None = None) -> None:
        super().__init__(change.reason, field=field)
        self.change = change


def clock_change(day_: date, clock: time, tz: tzinfo) -> ClockChange | None:
    """How the clocks change around `clock` on `day_`, or None on an ordinary day."""
    clock = clock.replace(fold=0, tzinfo=None)
    first = datetime.combine(day_, clock, tzinfo=tz)
    second = first.replace(fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before == after:
        return None
    # The change happened at one instant between the two readings: find it to
    # the minute (zones change on whole minutes) to say what the clocks show.
    low = first.replace(tzinfo=None) - max(before, after)
    high = first.replace(tzinfo=None) - min(before, after)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if middle.replace(tzinfo=UTC).astimezone(tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    instant = high
    return ClockChange(
        day=day_,
        clock=clock,
        zone=str(getattr(tz, "key", tz)),
        skipped=before < after,
        turned_from=(instant + before).time(),
        turned_to=(instant + after).time(),
        first=first,
        second=second,
    )


def local_moment(
    day_: date, clock: time, tz: tzinfo, *, fold: int | None = None, field: str | None = None
) -> datetime:
    """`clock` on `day_` in the zone `tz`, as an aware moment in UTC.

    Raises LocalTimeError (a DomainError on `field`) when the time is skipped
    that day, or happens twice and `fold` does not say which. In UTC because
    Python compares and subtracts two datetimes of the same zone by their clock
    faces, which is wrong across a change (22:00 to 06:00 that night is 9 hours
    in autumn, not 8).
    """
    change = clock_change(day_, clock, tz)
    if change is not None and (change.skipped or fold not in (0, 1)):
        raise LocalTimeError(change, field=field)
    moment = datetime.combine(day_, clock, tzinfo=tz).replace(fold=fold or 0)
    return moment.astimezone(UTC)


def zone_name(moment: datetime) -> str:
    """The zone's abbreviation at that moment ("CET", "EDT"), or "UTC+03:00"."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    hours, rest = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


class WhichTimeField(forms.TypedChoiceField):
    """Which of two readings of a repeated local time is meant (0 first, 1 second).

    Forms add it only when the time they were given happens twice (see
    `resolve_local_time`), so it is never in the way on the other 364 days.
    """

    widget = forms.RadioSelect

    def __init__(self, change: ClockChange, **kwargs):
        kwargs.setdefault("label", _("Which %(clock)s?") % {"clock": f"{change.clock:%H:%M}"})
        super().__init__(
            choices=change.choices, coerce=int, required=False, empty_value=None, **kwargs
        )


def _offer_which(form: forms.Form, name: str, after: str, change: ClockChange, initial=None):
    field = WhichTimeField(change, initial=initial)
    names = [n for n in form.fields if n != name]
    names.insert(names.index(after) + 1 if after in names else len(names), name)
    form.fields[name] = field
    form.order_fields(names)


def offer_which_time(
    form: forms.Form, name: str, *, after: str, moment: datetime, tz: tzinfo
) -> None:
    """On a form showing a stored moment whose clock time happens twice that day,
    show which one it is (so saving again keeps it)."""
    local = moment.astimezone(tz)
    change = clock_change(local.date(), local.time(), tz)
    if change is not None and not change.skipped:
        _offer_which(form, name, after, change, initial=local.fold)


def resolve_local_time(
    form: forms.Form, day_: date, clock: time, tz: tzinfo, *, field: str, which: str
) -> datetime | None:
    """For a form's clean(): `clock` on `day_` as a UTC moment, or None with the
    reason on `field` (a skipped time) or on the `which` choice it adds (a time
    that happens twice and the person has not yet said which)."""
    change = clock_change(day_, clock, tz)
    if change is None:
        return local_moment(day_, clock, tz)
    if change.skipped:
        form.add_error(field, change.reason)
        return None
    if which not in form.fields:
        _offer_which(form, which, field, change)
    raw = form.data.get(form.add_prefix(which)) if form.is_bound else None
    if raw not in ("0", "1"):
        form.add_error(which, change.reason)
        return None
    return local_moment(day_, clock, tz, fold=int(raw))


class TakenAtField(forms.CharField):
    """When a reading was taken, stamped by the phone (static/js/offline.js fills
    every `data-offline-stamp` input with the moment a form is queued with no
    connection): an ISO moment with its offset, at most a day old and not ahead of
    the server by more than a minute. Empty (sent at once) means now."""

    KEPT_AT_MOST = timedelta(days=1)
    widget = forms.HiddenInput(attrs={"data-offline-stamp": ""})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            moment = parse_datetime(text.strip())
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise forms.ValidationError(
                _("The time this was taken could not be read: enter it again."), code="invalid"
            )
        now = timezone.now()
        if moment > now + timedelta(minutes=1):
            raise forms.ValidationError(
                _(
                    "The phone's clock is ahead of the real time: check its clock, then enter "
                    "this again."
                ),
                code="future",
            )
        if moment < now - self.KEPT_AT_MOST:
            raise forms.ValidationError(
                _(
                    "This waited on the phone for more than a day: take it again, or enter it "
                    "with the time it was taken."
                ),
                code="stale",
            )
        return moment


class SiteClockForm:
    """A form mixin for date-times typed on a site's clock (`self.site`), wherever
    the server is: the form is cleaned in the site's zone, and each field named in
    `local_times` becomes a moment through `resolve_local_time` (a time the clocks
    skip is refused; one they pass twice asks which, in "<field>_which")."""

    local_times: tuple[str, ...] = ()

    def full_clean(self) -> None:
        with timezone.override(self.site.tz):
            super().full_clean()

    def clean(self):
        data = super().clean()
        for name in self.local_times:
            typed = data.get(name)
            if isinstance(typed, datetime) and typed.tzinfo is None:
                data[name] = resolve_local_time(
                    self,
                    typed.date(),
                    typed.time(),
                    self.site.tz,
                    field=name,
                    which=f"{name}_which",
                )
        return data


def clock_span(start: datetime, end: datetime, *, zone: bool = False, between: str = "–") -> str:
    """ "16:00–19:00"; a night shift "22:00–06:00 next day"; with `zone` each
    list of several zones shows: "16:00–19:00 CET", and "01:00 CET–06:00 CEST"
    when the clocks change in between. Pass both in the zone they are meant in."""
    first, last = time_of_day(start), time_of_day(end)
    if zone:
        start_zone, end_zone = zone_name(start), zone_name(end)
        if start_zone != end_zone:
            first = f"{first} {start_zone}"
        last = f"{last} {end_zone}"
    text = f"{first}{between}{last}"
    days = (end.date() - start.date()).days
    if days == 1:
        # Translators: a span of clock times that ends the next morning: "22:00–06:00 next day".
        return _("%(span)s next day") % {"span": text}
    if days > 1:
        return _("%(span)s on %(day)s") % {"span": text, "day": day(end)}
    return text
