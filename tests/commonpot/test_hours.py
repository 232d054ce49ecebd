from datetime import time

import pytest
from django.core.exceptions import ValidationError

from commonpot.hours import parse_hours


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
        ("Mon 25:00-26:00", "Line 1"),
        ("Mon 10:00-12:00\nTue 16:00-09:00", "Line 2: closing time must be after opening time"),
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
