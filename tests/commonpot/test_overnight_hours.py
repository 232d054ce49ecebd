"""Hours past midnight (a night shelter's kitchen, a camp's night kitchen) on every
page and feed that shows a site's hours."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from commonpot import opendata
from commonpot.models import Site
from tests.commonpot.test_opendata import assert_valid, hsds_validator
from tests.commonpot.test_site_settings import SETTINGS, settings_url
from tests.conftest import client_for
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
NIGHT_HOURS = "Fri,Sat 22:00-06:00 Night kitchen\nSun 18:00-24:00 Supper"
# A Saturday at 02:00 in Madrid: Friday's night kitchen is still open.
SATURDAY_2AM = datetime(2027, 1, 9, 2, 0, tzinfo=MADRID)


@pytest.fixture
def night_kitchen(db):
    return SiteFactory(
        name="Night Shelter Kitchen",
        slug="night-shelter",
        time_zone="Europe/Madrid",
        is_public=True,
        opening_hours=NIGHT_HOURS,
        show_exact_location=True,
        latitude="40.4168",
        longitude="-3.7038",
    )


def test_the_hours_feed_ends_a_night_opening_on_the_next_morning(client, night_kitchen):
    with time_machine.travel(SATURDAY_2AM, tick=False):
        response = client.get(reverse("site_hours_ics", args=["night-shelter"]))
    cal = Calendar.from_ical(response.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    night = events["Night kitchen at Night Shelter Kitchen"]
    start, end = night.decoded("DTSTART"), night.decoded("DTEND")
    # The one under way at 02:00 began last night, Friday at 22:00.
    assert start == datetime(2027, 1, 8, 22, 0, tzinfo=MADRID)
    assert end == datetime(2027, 1, 9, 6, 0, tzinfo=MADRID)
    assert end > start and end - start == timedelta(hours=8)
    assert night["rrule"]["BYDAY"] == ["FR", "SA"]
    supper = events["Supper at Night Shelter Kitchen"]
    assert supper.decoded("DTSTART") == datetime(2027, 1, 10, 18, 0, tzinfo=MADRID)
    assert supper.decoded("DTEND") == datetime(2027, 1, 11, 0, 0, tzinfo=MADRID)
    # The zone block still covers the first night and the last repeat.
    (block,) = cal.walk("VTIMEZONE")
    local = block.to_tz(lookup_tzid=False)
    for wall in (datetime(2027, 1, 9, 6, 0), datetime(2029, 7, 7, 6, 0)):
        assert wall.replace(tzinfo=local).astimezone(UTC) == wall.replace(tzinfo=MADRID).astimezone(
            UTC
        )


def test_hsds_schedules_of_a_night_opening_validate_and_say_when_it_closes(client, night_kitchen):
    with time_machine.travel(SATURDAY_2AM, tick=False):
        service = client.get(
            reverse("hsds_service", args=[opendata.public_id(night_kitchen, "service")])
        ).json()
    assert_valid(hsds_validator("service.json"), service)
    night, supper = service["schedules"]
    assert (night["byday"], night["opens_at"], night["closes_at"]) == (
        "FR,SA",
        "22:00+01:00",
        "06:00+01:00",
    )
    assert night["description"] == "Night kitchen (closes 06:00 the next morning)"
    assert (supper["opens_at"], supper["closes_at"]) == ("18:00+01:00", "00:00+01:00")
    assert supper["description"] == "Supper (closes at midnight)"


def test_the_public_page_says_next_day_and_that_the_site_is_open_at_two_in_the_morning(
    client, night_kitchen
):
    with time_machine.travel(SATURDAY_2AM, tick=False):
        page = client.get(night_kitchen.get_absolute_url()).content.decode()
    assert "Fri, Sat 22:00–06:00 next day Night kitchen" in page
    assert "Sun 18:00–midnight Supper" in page
    assert "Open now</span> until 06:00" in page
    with time_machine.travel(SATURDAY_2AM + timedelta(hours=5), tick=False):
        page = client.get(night_kitchen.get_absolute_url()).content.decode()
    assert "Open now" not in page


def test_the_public_page_says_tomorrow_when_tonight_runs_past_midnight(client, night_kitchen):
    with time_machine.travel(SATURDAY_2AM + timedelta(hours=21), tick=False):  # Sat 23:00
        page = client.get(night_kitchen.get_absolute_url()).content.decode()
    assert "Open now</span> until 06:00 tomorrow" in page


def test_the_map_and_the_site_list_read_the_night_back_the_same_way(client, night_kitchen):
    features = client.get(reverse("sites_geojson")).json()["features"]
    (feature,) = [f for f in features if f["properties"]["name"] == "Night Shelter Kitchen"]
    assert feature["properties"]["hours"] == [
        "Fri, Sat 22:00–06:00 next day Night kitchen",
        "Sun 18:00–midnight Supper",
    ]
    page = client.get(reverse("site_map")).content.decode()
    assert "Fri, Sat 22:00–06:00 next day Night kitchen" in page
    assert "Fri, Sat 22:00–06:00 next day Night kitchen" in client.get("/").content.decode()


def test_a_lead_saves_a_night_kitchens_hours(lead, site):
    response = client_for(lead).post(
        settings_url(site), {**SETTINGS, "opening_hours": "Fri,Sat 22:00-06:00 Night kitchen"}
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert [o.text for o in site.openings] == ["Fri, Sat 22:00–06:00 next day Night kitchen"]


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("Mon 10:00-10:00", "Line 1: 10:00-10:00 opens and closes at the same time"),
        ("Mon 09:00-12:00\nTue 25:00-06:00", "Line 2: 25:00 is not a time of day"),
        ("Mon 10:61-12:00", "Line 1: 10:61 is not a time of day"),
    ],
)
def test_hours_that_cannot_be_are_a_field_error_and_nothing_is_saved(lead, site, hours, message):
    response = client_for(lead).post(settings_url(site), {**SETTINGS, "opening_hours": hours})
    assert response.status_code == 400
    page = response.content.decode()
    # On the hours field itself, not only at the top of the form.
    error = page[page.index('id="id_opening_hours_error1"') :]
    assert message in error[: error.index("</p>")]
    site.refresh_from_db()
    assert site.opening_hours == ""
    assert Site.objects.get(pk=site.pk).name == "Riverside Kitchen"
