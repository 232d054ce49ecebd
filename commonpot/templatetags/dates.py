"""`{{ value|day }}`, `{{ value|long_day }}`, `{{ value|day_time }}`: dates as
commonpot.dates writes them, the year only when it is not this year. Like
`|date`, a datetime is shown in the page's time zone (`{% timezone %}`)."""

from django import template
from django.utils.translation import pgettext

from commonpot import dates

register = template.Library()


def _writer(write):
    def filter_(value):
        if value in (None, ""):
            return ""
        try:
            return write(value)
        except (AttributeError, TypeError, ValueError):
            return ""

    return filter_


register.filter("day", _writer(dates.day), expects_localtime=True, is_safe=False)
register.filter("long_day", _writer(dates.long_day), expects_localtime=True, is_safe=False)
register.filter("day_time", _writer(dates.day_time), expects_localtime=True, is_safe=False)


@register.filter(is_safe=False)
def clock_span(value, zone=False) -> str:
    """`{{ shift|clock_span }}`: its hours on its own clock ("22:00–06:00 next day"),
    from `local_start` and `local_end`; `{{ shift|clock_span:show_zone }}` adds the
    zone (for a list of several zones)."""
    try:
        return dates.clock_span(value.local_start, value.local_end, zone=bool(zone))
    except (AttributeError, TypeError, ValueError):
        return ""


@register.filter(is_safe=False)
def clock_span_to(value, zone=False) -> str:
    """As `clock_span`, written "22:00 to 06:00 next day" (for emails)."""
    to = pgettext("from one time to another", "to")
    try:
        return dates.clock_span(
            value.local_start, value.local_end, zone=bool(zone), between=f" {to} "
        )
    except (AttributeError, TypeError, ValueError):
        return ""


@register.filter(is_safe=False)
def clock(value, zone=False) -> str:
    """`{{ shift.local_start|clock:show_zone }}`: "16:00", or "16:00 CET" with the zone."""
    try:
        text = dates.time_of_day(value)
        return f"{text} {dates.zone_name(value)}" if zone else text
    except (AttributeError, TypeError, ValueError):
        return ""


@register.filter
def spans_zones(items) -> bool:
    """Whether things with a `.site` (shifts, or sign-ups through `.shift`) are at
    sites in more than one time zone: such a list shows the zone with each time."""
    zones = set()
    for item in items or ():
        thing = getattr(item, "shift", item)
        site = getattr(thing, "site", None)
        if site is not None:
            zones.add(site.time_zone)
    return len(zones) > 1
