"""Dates are written one way: short or long, with the year only when it is not this year."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.template import Context, Template

from commonpot.dates import day, day_time, long_day


@pytest.fixture(autouse=True)
def _in_june_2026():
    with time_machine.travel(datetime(2026, 6, 15, 12, tzinfo=UTC), tick=False):
        yield


def test_a_date_this_year_is_written_without_its_year():
    assert day(date(2026, 12, 1)) == "Tue 1 Dec"
    assert long_day(date(2026, 12, 1)) == "Tuesday 1 December"
    assert day_time(datetime(2026, 12, 1, 14, 30)) == "Tue 1 Dec, 14:30"


def test_a_date_in_another_year_is_written_with_its_year():
    assert day(date(2027, 12, 1)) == "Wed 1 Dec 2027"
    assert long_day(date(2027, 6, 19)) == "Saturday 19 June 2027"
    assert day_time(datetime(2025, 12, 31, 9, 5)) == "Wed 31 Dec 2025, 09:05"


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


def test_templates_write_dates_with_the_same_filters():
    assert render("{{ d|day }} · {{ d|long_day }}", d=date(2026, 7, 3)) == (
        "Fri 3 Jul · Friday 3 July"
    )
    assert render("{{ d|day }}", d=date(2027, 6, 19)) == "Sat 19 Jun 2027"
    assert render("{{ d|day|default:'no date' }}", d=None) == "no date"


def test_a_date_without_a_format_is_written_the_same_way_not_in_djangos_default():
    # Django's own default would be "Dec. 1, 2027".
    assert render("{{ d }}", d=date(2027, 12, 1)) == "Wednesday 1 December 2027"


def test_a_time_is_shown_in_the_pages_time_zone_and_its_year_is_the_local_one():
    # 03:00 UTC on 1 January 2027 is still 31 December 2026 in New York: this year.
    moment = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)
    text = '{% load tz %}{% timezone "America/New_York" %}{{ t|day_time }}{% endtimezone %}'
    assert render(text, t=moment) == "Thu 31 Dec, 22:00"


@pytest.mark.parametrize("language", ["en", "es", "pt-br", "fr", "ar", "uk"])
def test_a_clock_time_is_written_as_each_languages_own_format_says(language):
    """time_of_day writes "H:i" itself; every language must read as Django writes it."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import formats, translation

    from commonpot.dates import named_format, time_of_day

    with translation.override(language):
        moment = datetime(2026, 3, 29, 0, 5, tzinfo=ZoneInfo("Europe/Madrid"))
        for minutes in range(0, 24 * 60, 47):
            value = moment + timedelta(minutes=minutes)
            assert time_of_day(value) == formats.time_format(value, named_format("TIME_FORMAT"))
    with translation.override("ar"):
        assert time_of_day(datetime(2026, 6, 1, 14, 30, tzinfo=UTC)) != "14:30"
