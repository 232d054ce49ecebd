"""Calendar feeds: a volunteer's private feed and a site's public one."""

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from tests.conftest import client_for
from tests.volunteers.factories import ShiftFactory, SignUpFactory
from volunteers import people, services
from volunteers.models import VolunteerProfile

pytestmark = pytest.mark.django_db


def feed_for(client, user) -> Calendar:
    token = people.volunteer_profile(user).calendar_token
    response = client.get(reverse("volunteers:feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def test_the_private_feed_lists_my_shifts_in_the_sites_time_zone(client, shift, volunteer):
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    cal = feed_for(client, volunteer)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["SUMMARY"]) == "Cook at Riverside Kitchen"
    start = event.decoded("DTSTART")
    assert start == shift.starts_at
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(event["UID"]) == f"shift-{shift.pk}-volunteer-{volunteer.pk}@commonpot"


def test_the_uid_stays_the_same_when_the_shift_moves(client, shift, volunteer, lead):
    from volunteers import planning

    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    before = str(feed_for(client, volunteer).walk("VEVENT")[0]["UID"])
    planning.update_shift(
        shift_id=shift.pk,
        by=lead,
        starts_at=shift.starts_at + timedelta(hours=1),
        ends_at=shift.ends_at + timedelta(hours=1),
    )
    event = feed_for(client, volunteer).walk("VEVENT")[0]
    assert str(event["UID"]) == before
    assert event.decoded("DTSTART") == shift.starts_at + timedelta(hours=1)


def test_a_cancelled_sign_up_leaves_the_feed(client, shift, volunteer):
    sign_up = services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    services.cancel_sign_up(sign_up_id=sign_up.pk, by=volunteer)
    assert list(feed_for(client, volunteer).walk("VEVENT")) == []


def test_a_waitlist_place_is_tentative(client, shift, volunteer, make_volunteer):
    services.claim_shift(shift_id=shift.pk, volunteer=make_volunteer(), guests=3)
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    event = feed_for(client, volunteer).walk("VEVENT")[0]
    assert str(event["STATUS"]) == "TENTATIVE"
    assert str(event["SUMMARY"]).startswith("Waitlist:")


def test_resetting_the_address_stops_the_old_one(client, volunteer):
    old = people.volunteer_profile(volunteer).calendar_token
    response = client_for(volunteer).post(reverse("volunteers:calendar_reset"))
    assert response.status_code == 302
    assert client.get(reverse("volunteers:feed", args=[old])).status_code == 404
    new = VolunteerProfile.objects.get(user=volunteer).calendar_token
    assert new != old
    assert client.get(reverse("volunteers:feed", args=[new])).status_code == 200


def test_the_public_site_feed_has_shifts_and_no_personal_data(client, shift, other_site, volunteer):
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    ShiftFactory(site=shift.site, role=shift.role, is_published=False, notes="draft")
    response = client.get(reverse("volunteers:site_feed", args=[shift.site.slug]))
    body = response.content.decode()
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    assert str(events[0]["UID"]) == f"shift-{shift.pk}@commonpot"
    assert "3 places left" in str(events[0]["SUMMARY"])
    for private in (volunteer.name, volunteer.first_name_only, volunteer.email, volunteer.phone):
        assert private not in body


def test_a_shift_in_new_york_is_in_new_yorks_zone(client, other_site, volunteer):
    shift = ShiftFactory(site=other_site, role__name="Driver")
    SignUpFactory(shift=shift, volunteer=volunteer)
    event = feed_for(client, volunteer).walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == shift.starts_at


def test_a_night_shift_across_the_spring_change_reads_right_by_the_feeds_own_zone_block(
    client, volunteer
):
    from datetime import UTC, datetime

    import time_machine

    from tests.factories import MembershipFactory, SiteFactory

    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=False):
        madrid = SiteFactory(slug="madrid", time_zone="Europe/Madrid")
        MembershipFactory(user=volunteer, site=madrid)
        start = datetime(2027, 3, 27, 21, tzinfo=UTC)  # Saturday 22:00 CET
        night = ShiftFactory(site=madrid, starts_at=start, ends_at=start + timedelta(hours=7))
        services.claim_shift(shift_id=night.pk, volunteer=volunteer)
        cal = feed_for(client, volunteer)
    (event,) = cal.walk("VEVENT")
    (block,) = cal.walk("VTIMEZONE")
    zone = block.to_tz(lookup_tzid=False)  # as a calendar app reading the block sees it
    for name, expected in (("DTSTART", night.starts_at), ("DTEND", night.ends_at)):
        wall = event.decoded(name).replace(tzinfo=None)
        assert wall.replace(tzinfo=zone).astimezone(UTC) == expected
    assert event.decoded("DTEND").strftime("%d %H:%M") == "28 06:00"
