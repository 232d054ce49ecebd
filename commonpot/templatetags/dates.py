"""`{{ value|day }}`, `{{ value|long_day }}`, `{{ value|day_time }}`: dates as
commonpot.dates writes them, the year only when it is not this year. Like
`|date`, a datetime is shown in the page's time zone (`{% timezone %}`)."""

from django import template

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
