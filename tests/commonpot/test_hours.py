from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from commonpot.hours import open_at, parse_hours


def test_hours_read_as_written_on_a_door():
    hours = parse_hours(
        "Mon-Fri 10:00-16:00\nTue and Thu 15:00-19:00 Pantry open\n"
        "Daily 08:00-09:30, 18:00-19:30 Meals\nFri-Mon 12:00-13:00"
    )
    assert hours[0].weekdays == (0, 1, 2, 3, 4) and hours[0].label == ""
    assert hours[1].weekdays == (1, 3) and hours[1].label == "Pantry open"
    assert [(h.opens, h.closes) for h in hours[2:4]] == [
        (time(8), time(9, 30)),
        (time(18), time(19, 30)),
    ]
    assert hours[4].weekdays == (0, 4, 5, 6)
    assert hours[4].byday == "MO,FR,SA,SU"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon-Fri", "Line 1"),
        ("Funday 10:00-12:00", "Line 1"),
        ("Mon 25:00-26:00", "Line 1: 25:00 is not a time of day"),
        ("Mon 10:61-12:00", "Line 1: 10:61 is not a time of day"),
        ("Mon 24:00-02:00", "Line 1: 24:00 is not a time of day"),
        ("Mon 10:00-12:00\nTue 10:00-10:00", "Line 2: 10:00-10:00 opens and closes at the same"),
        ("Mon 00:00-00:00", "Line 1: 00:00-00:00 opens and closes at the same time"),
    ],
)
def test_hours_that_do_not_parse_name_the_bad_line(text, message):
    with pytest.raises(ValidationError) as e:
        parse_hours(text)
    assert message in " ".join(e.value.messages)


def test_days_read_back_compactly():
    texts = [
        o.days_text
        for o in parse_hours(
            "Mon-Fri 10:00-16:00\nTue and Thu 15:00-19:00\n"
            "Daily 08:00-09:00\nMon-Wed,Sat 10:00-11:00"
        )
    ]
    assert texts == ["Mon–Fri", "Tue, Thu", "Daily", "Mon–Wed, Sat"]


def test_a_closing_time_before_the_opening_time_is_the_next_morning():
    night, late, also_late = parse_hours(
        "Fri,Sat 22:00-06:00 Night kitchen\nMon 18:00-00:00 Supper\nTue 18:00-24:00"
    )
    assert (night.weekdays, night.opens, night.closes) == ((4, 5), time(22), time(6))
    assert night.overnight and night.label == "Night kitchen"
    assert (late.closes, also_late.closes) == (time(0), time(0))
    assert late.overnight and also_late.overnight
    assert not parse_hours("Mon 10:00-16:00")[0].overnight


def test_hours_read_back_say_when_they_close_the_next_day():
    texts = [
        o.text
        for o in parse_hours(
            "Fri,Sat 22:00-06:00 Night kitchen\nMon 18:00-24:00 Supper\n"
            "Sun 00:00-24:00\nMon-Fri 10:00-16:00"
        )
    ]
    assert texts == [
        "Fri, Sat 22:00–06:00 next day Night kitchen",
        "Mon 18:00–midnight Supper",
        "Sun 00:00–midnight",
        "Mon–Fri 10:00–16:00",
    ]


MADRID = ZoneInfo("Europe/Madrid")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


def test_a_night_that_began_yesterday_is_open_at_two_in_the_morning():
    hours = parse_hours("Fri 22:00-06:00 Night kitchen\nSat 10:00-12:00 Pantry")
    # 2027-01-09 is a Saturday: Friday's night kitchen is still open at 02:00.
    assert open_at(hours, at(2027, 1, 9, 2, 0), MADRID) == hours[0]
    assert open_at(hours, at(2027, 1, 8, 23, 0), MADRID) == hours[0]
    assert open_at(hours, at(2027, 1, 9, 6, 0), MADRID) is None  # closed at 06:00
    assert open_at(hours, at(2027, 1, 9, 11, 0), MADRID) == hours[1]
    # Thursday night is not a night it opens.
    assert open_at(hours, at(2027, 1, 8, 2, 0), MADRID) is None
    assert hours[0].current_or_next(at(2027, 1, 9, 2, 0), MADRID) == (
        at(2027, 1, 8, 22, 0),
        at(2027, 1, 9, 6, 0),
    )
    # After it closes, the next one is next Friday's.
    assert hours[0].current_or_next(at(2027, 1, 9, 7, 0), MADRID)[0] == at(2027, 1, 15, 22, 0)


def test_an_opening_until_midnight_closes_at_the_start_of_the_next_day():
    (supper,) = parse_hours("Sun 18:00-24:00 Supper")
    # 2027-01-10 is a Sunday; the opening ends at 00:00 on Monday.
    assert supper.span_on(date(2027, 1, 10), MADRID) == (
        at(2027, 1, 10, 18, 0),
        at(2027, 1, 11, 0, 0),
    )
    assert open_at([supper], at(2027, 1, 10, 23, 59), MADRID) == supper
    assert open_at([supper], at(2027, 1, 11, 0, 0), MADRID) is None
