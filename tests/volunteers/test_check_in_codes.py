"""Check-in by QR code: a volunteer on the shift scans the code the lead shows (or the
kiosk's at the door) and is checked in; a code for another shift, more than two
minutes old or changed is refused with the reason, and nothing is written."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.volunteers.factories import ShiftFactory, SignUpFactory
from volunteers import check_in_codes
from volunteers.models import AttendanceChange, SignUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def todays_shift(site, cook):
    day = site.today()
    return ShiftFactory(
        site=site,
        role=cook,
        starts_at=datetime.combine(day, time(0, 30), tzinfo=site.tz),
        ends_at=datetime.combine(day, time(3, 0), tzinfo=site.tz),
        places_taken=1,
    )


@pytest.fixture
def on_shift(todays_shift, volunteer):
    return SignUpFactory(shift=todays_shift, volunteer=volunteer)


def send(user, code):
    return client_for(user).post(reverse("volunteers:self_check_in"), {"code": code}, follow=True)


def nothing_written(sign_up):
    sign_up = SignUp.objects.get(pk=sign_up.pk)
    return not sign_up.attendance and not AttendanceChange.objects.exists()


def test_a_volunteer_on_the_shift_checks_in_with_its_code(volunteer, on_shift, todays_shift):
    response = send(volunteer, check_in_codes.for_shift(todays_shift))
    assert "You are checked in: Cook" in response.content.decode()
    sign_up = SignUp.objects.get(pk=on_shift.pk)
    assert sign_up.attendance == "attended" and sign_up.hours_credited == Decimal("2.50")
    assert sign_up.checked_in_by == volunteer
    again = send(volunteer, check_in_codes.for_shift(todays_shift))
    assert "You were already checked in" in again.content.decode()
    assert AttendanceChange.objects.count() == 1


def test_the_address_in_the_qr_code_asks_before_it_writes(volunteer, on_shift, todays_shift):
    code = check_in_codes.for_shift(todays_shift)
    page = client_for(volunteer).get(reverse("volunteers:self_check_in"), {"code": code})
    assert "Check me in" in page.content.decode()
    assert nothing_written(on_shift)


def test_a_code_older_than_two_minutes_is_refused(volunteer, on_shift, todays_shift):
    stale = check_in_codes.for_shift(todays_shift, now=timezone.now() - timedelta(minutes=2))
    response = send(volunteer, stale)
    assert response.status_code == 400
    assert "more than two minutes old" in response.content.decode()
    assert nothing_written(on_shift)
    # One made a minute ago is still taken (the screen changes every minute).
    recent = check_in_codes.for_shift(todays_shift, now=timezone.now() - timedelta(minutes=1))
    assert send(volunteer, recent).status_code == 200


def test_another_shifts_code_is_refused(site, cook, volunteer, on_shift):
    other = ShiftFactory(
        site=site,
        role__name="Driver",
        starts_at=on_shift.shift.starts_at + timedelta(hours=4),
        ends_at=on_shift.shift.ends_at + timedelta(hours=4),
    )
    response = send(volunteer, check_in_codes.for_shift(other))
    assert response.status_code == 400
    assert "This code is for another shift (Driver" in response.content.decode()
    assert nothing_written(on_shift)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda code: code.replace("s", "s9", 1),  # another shift's number, same signature
        lambda code: code[:-1] + ("0" if code[-1] != "0" else "1"),  # the signature
        lambda code: code.replace(".", ".9", 1),  # the minute moved on
        lambda code: "k" + code[1:],  # a shift's code passed off as a kiosk's
        lambda code: code + "<script>",
        lambda code: "",
    ],
)
def test_a_changed_code_is_refused(tamper, volunteer, on_shift, todays_shift):
    response = send(volunteer, tamper(check_in_codes.for_shift(todays_shift)))
    assert response.status_code == 400
    assert "check-in code" in response.content.decode() or "Scan the code" in (
        response.content.decode()
    )
    assert nothing_written(on_shift)


def test_the_kiosk_code_checks_in_the_volunteers_shift_of_the_day(site, volunteer, on_shift):
    response = send(volunteer, check_in_codes.for_kiosk(site))
    assert "You are checked in: Cook" in response.content.decode()
    assert SignUp.objects.get(pk=on_shift.pk).attendance == "attended"


def test_the_kiosk_code_refuses_someone_with_no_shift_there_today(site, other_site, outsider):
    response = send(outsider, check_in_codes.for_kiosk(site))
    assert response.status_code == 400
    assert "You are not on a shift at" in response.content.decode()
    assert not AttendanceChange.objects.exists()
    # A kiosk code of another site is that site's: no shift there either.
    assert send(outsider, check_in_codes.for_kiosk(other_site)).status_code == 400


def test_a_shift_on_another_day_is_refused(site, cook, volunteer):
    later = ShiftFactory(site=site, role=cook)  # three days ahead
    sign_up = SignUpFactory(shift=later, volunteer=volunteer)
    response = send(volunteer, check_in_codes.for_shift(later))
    assert response.status_code == 400
    assert "another day" in response.content.decode()
    assert nothing_written(sign_up)


def test_the_lead_sees_the_code_on_the_roster_and_full_size(site, lead, on_shift, todays_shift):
    client = client_for(lead)
    roster = client.get(reverse("volunteers:roster", args=[site.slug, todays_shift.pk]))
    assert "Check-in code for volunteers" in roster.content.decode()
    page = client.get(reverse("volunteers:roster_code", args=[site.slug, todays_shift.pk]))
    html = page.content.decode()
    assert "<svg" in html and f"code=s{todays_shift.pk}." in html
    kiosk = client.get(reverse("volunteers:kiosk", args=[site.slug]))
    assert "<svg" in kiosk.content.decode() and "0 of 1 checked in" in kiosk.content.decode()
