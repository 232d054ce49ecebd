"""Time-zone blocks in calendar feeds cover every repeat (RFC 5545, 3.6.5)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar, Event

from commonpot.ical import add_time_zones
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


def by_the_block(cal: Calendar, wall: datetime) -> datetime:
    """A local time as the feed's own VTIMEZONE says, in UTC (as Outlook reads it)."""
    (block,) = cal.walk("VTIMEZONE")
    return wall.replace(tzinfo=block.to_tz(lookup_tzid=False)).astimezone(UTC)


@pytest.mark.parametrize("zone", ["Europe/Madrid", "America/New_York"])
def test_every_repeat_of_the_hours_feed_is_inside_its_time_zone_block(client, zone):
    site = SiteFactory(slug="camp", time_zone=zone, opening_hours="Sat 10:00-12:00 Pantry")
    response = client.get(reverse("site_hours_ics", args=["camp"]))
    cal = Calendar.from_ical(response.content)
    (event,) = cal.walk("VEVENT")
    first = event.decoded("DTSTART").replace(tzinfo=None)
    until = event["RRULE"]["UNTIL"][0]
    assert until.tzinfo is not None and until.utcoffset() == timedelta(0)
    two_years_ahead = first + timedelta(weeks=104)
    assert two_years_ahead.replace(tzinfo=site.tz) < until, "the feed stops too soon"

    # Every Saturday's 10:00, summer and winter, up to the end of the repeats.
    wall = first
    while wall.replace(tzinfo=site.tz) <= until:
        assert by_the_block(cal, wall) == wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
        wall += timedelta(weeks=1)


def test_a_saturday_two_years_ahead_opens_at_the_right_utc_time_in_summer(client):
    SiteFactory(slug="madrid", time_zone="Europe/Madrid", opening_hours="Sat 10:00-12:00")
    cal = Calendar.from_ical(client.get(reverse("site_hours_ics", args=["madrid"])).content)
    first = cal.walk("VEVENT")[0].decoded("DTSTART").replace(tzinfo=None)
    wall = first + timedelta(weeks=104)
    while wall.month not in (6, 7, 8):  # a summer Saturday, two years on or a little later
        wall += timedelta(weeks=1)
    assert by_the_block(cal, wall) == wall.replace(hour=8, tzinfo=UTC)  # 10:00 CEST


def test_a_repeat_without_an_end_is_refused_rather_than_left_outside_the_block():
    cal = Calendar()
    event = Event()
    event.add("uid", "open@commonpot")
    event.add("dtstart", datetime(2026, 12, 5, 10, tzinfo=ZoneInfo("Europe/Madrid")))
    event.add("rrule", {"freq": "weekly"})
    cal.add_component(event)
    with pytest.raises(ValueError, match="needs an UNTIL"):
        add_time_zones(cal)
