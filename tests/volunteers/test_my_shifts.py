"""My shifts, qualifications, and what happens to sign-ups when an account is erased."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot import services as core
from tests.conftest import client_for, page_queries
from tests.volunteers.factories import QualificationKindFactory, ShiftFactory, SignUpFactory
from volunteers import services
from volunteers.models import Qualification, Shift, SignUp, VolunteerProfile

# Dates here are worked out from "now" in more than one time zone.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def test_my_shifts_offers_cancel_before_the_cutoff_and_a_stand_in_after(
    site, cook, shift, volunteer
):
    soon = timezone.now() + timedelta(hours=6)
    close = ShiftFactory(site=site, role=cook, starts_at=soon, ends_at=soon + timedelta(hours=2))
    far = services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    near = services.claim_shift(shift_id=close.pk, volunteer=volunteer)
    page = client_for(volunteer).get(reverse("volunteers:my_shifts")).content.decode()
    assert reverse("volunteers:cancel", args=[far.pk]) in page
    assert reverse("volunteers:cancel", args=[near.pk]) not in page
    assert reverse("volunteers:stand_in", args=[near.pk]) in page

    client_for(volunteer).post(reverse("volunteers:stand_in", args=[near.pk]))
    page = client_for(volunteer).get(reverse("volunteers:my_shifts")).content.decode()
    assert "Looking for a stand-in" in page and "I can come after all" in page
    response = client_for(volunteer).post(reverse("volunteers:cancel", args=[near.pk]), follow=True)
    assert "find a stand-in" in response.content.decode()
    assert SignUp.objects.get(pk=near.pk).is_confirmed


def test_my_shifts_shows_hours_served(site, cook, volunteer):
    past = ShiftFactory(
        site=site,
        role=cook,
        starts_at=timezone.now() - timedelta(days=2),
        ends_at=timezone.now() - timedelta(days=2) + timedelta(hours=3),
    )
    SignUp.objects.create(
        shift=past, volunteer=volunteer, status="confirmed", attendance="attended", hours_credited=3
    )
    page = client_for(volunteer).get(reverse("volunteers:my_shifts")).content.decode()
    assert "3 hours</strong> served over 1 shift" in page


def test_a_season_of_shifts_comes_twenty_to_a_page_in_the_same_queries(site, cook, volunteer):
    start = timezone.now() + timedelta(days=2)
    shifts = [
        ShiftFactory(
            site=site,
            role=cook,
            starts_at=start + timedelta(days=n),
            ends_at=start + timedelta(days=n, hours=2),
        )
        for n in range(45)
    ]
    # Made directly: sign-up opens only weeks ahead.
    for shift in shifts[:5]:
        SignUpFactory(shift=shift, volunteer=volunteer)
    url = reverse("volunteers:my_shifts")
    client = client_for(volunteer)
    few = page_queries(client, url)
    for shift in shifts[5:]:
        SignUpFactory(shift=shift, volunteer=volunteer)
    assert page_queries(client, url) == few

    def cancels(page) -> list[int]:
        html = client.get(url, {"page": page}).content.decode()
        mine = SignUp.objects.filter(volunteer=volunteer).order_by("shift__starts_at")
        return [n for n, s in enumerate(mine) if reverse("volunteers:cancel", args=[s.pk]) in html]

    assert cancels(1) == list(range(20))
    assert cancels(2) == list(range(20, 40))
    # Past the end: the last page, not an error.
    assert cancels(999999) == list(range(40, 45))
    assert "Page 3 of 3 (45 shifts)" in client.get(url, {"page": 3}).content.decode()


def test_a_volunteer_records_a_qualification_and_a_bad_date_is_refused(volunteer):
    kind = QualificationKindFactory()
    url = reverse("volunteers:qualifications")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    bad = client_for(volunteer).post(url, {"kind": kind.pk, "expires_on": yesterday})
    assert bad.status_code == 400
    assert "This date has passed" in bad.content.decode()
    assert not Qualification.objects.exists()
    client_for(volunteer).post(url, {"kind": kind.pk, "expires_on": "", "reference": "FH-1"})
    q = Qualification.objects.get()
    assert q.reference == "FH-1" and q.verified_at is None
    page = client_for(volunteer).get(url).content.decode()
    assert "Waiting for a lead to verify" in page


def test_a_date_of_birth_in_the_future_is_refused(volunteer):
    url = reverse("volunteers:qualifications")
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client_for(volunteer).post(url, {"date_of_birth": future})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    assert not VolunteerProfile.objects.filter(date_of_birth__isnull=False).exists()


def test_erasing_an_account_gives_up_its_places_and_moves_the_waitlist(
    shift, volunteer, make_volunteer
):
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer, guests=3)
    waiting = services.claim_shift(shift_id=shift.pk, volunteer=make_volunteer())
    core.erase_account(volunteer)
    assert not SignUp.objects.active().filter(volunteer=volunteer).exists()
    assert SignUp.objects.get(pk=waiting.pk).is_confirmed
    assert Shift.objects.get(pk=shift.pk).places_taken == 1


@pytest.mark.parametrize(
    ("waitlisted", "question"),
    [(False, "Give up your place on"), (True, "Leave the waitlist for")],
)
def test_a_button_that_gives_a_place_up_asks_first_and_writes_nothing(
    shift, volunteer, waitlisted, question
):
    status = SignUp.Status.WAITLISTED if waitlisted else SignUp.Status.CONFIRMED
    sign_up = SignUpFactory(shift=shift, volunteer=volunteer, status=status)
    Shift.objects.filter(pk=shift.pk).update(places_taken=0 if waitlisted else 1)
    url = reverse("volunteers:cancel", args=[sign_up.pk])
    response = client_for(volunteer).post(url, {"confirm": "ask"})
    assert response.status_code == 200
    assert question in response.content.decode() and 'value="yes"' in response.content.decode()
    assert SignUp.objects.get(pk=sign_up.pk).status == status
    client_for(volunteer).post(url, {"confirm": "yes"})
    assert SignUp.objects.get(pk=sign_up.pk).status == SignUp.Status.CANCELLED


def test_another_persons_sign_up_cannot_be_asked_about(shift, volunteer, make_volunteer):
    theirs = SignUpFactory(shift=shift, volunteer=make_volunteer("Ben Carter"))
    url = reverse("volunteers:cancel", args=[theirs.pk])
    assert client_for(volunteer).post(url, {"confirm": "ask"}).status_code == 404
