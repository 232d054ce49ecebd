"""The demo shifts, and the whole story the issue asks for, through the pages."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from commonpot.models import User
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory, SignUpFactory
from volunteers.models import Shift, SignUp, VolunteerProfile

pytestmark = pytest.mark.django_db


def test_the_demo_shifts_are_believable_and_safe_to_build_twice():
    # The demo and this test both count from now: a clock that stands still keeps
    # "a shift 21 to 24 hours away" the same shift for both.
    with time_machine.travel(timezone.now(), tick=False):
        demo_shifts_are_believable()


def demo_shifts_are_believable():
    call_command("seed_demo")
    counts = (Shift.objects.count(), SignUp.objects.count())
    call_command("seed_demo")
    assert (Shift.objects.count(), SignUp.objects.count()) == counts

    for slug in ["riverside-kitchen", "harbour-camp", "eastside-food-bank", "maple-street-pantry"]:
        shifts = Shift.objects.filter(site__slug=slug)
        assert shifts.filter(rota__isnull=False).exists(), slug
        assert shifts.filter(starts_at__lt=timezone.now() + timedelta(days=15)).count() >= 5
        assert SignUp.objects.confirmed().filter(shift__site__slug=slug).exists(), slug
    full = Shift.objects.filter(places_taken=models_f("max_people"), sign_ups__status="waitlisted")
    assert full.exists()
    vera = User.objects.get(username="volunteer")
    soon = (
        SignUp.objects.confirmed()
        .of(vera)
        .get(
            shift__starts_at__gt=timezone.now() + timedelta(hours=21),
            shift__starts_at__lt=timezone.now() + timedelta(hours=24),
        )
    )
    assert not soon.may_cancel_freely()


def models_f(name):
    from django.db.models import F

    return F(name)


def test_a_volunteer_claims_subscribes_cancels_and_the_waitlist_moves_up(
    site, volunteer, django_capture_on_commit_callbacks
):
    vera = volunteer
    client = client_for(vera)
    server = ShiftRoleFactory(site=site, name="Server")
    # She is already down for tomorrow, past the cutoff for cancelling freely.
    tomorrow = ShiftFactory(site=site, role=server, starts_at=timezone.now() + timedelta(hours=22))
    SignUpFactory(shift=tomorrow, volunteer=vera)
    # A shift she is not on, that has room, at least two days away.
    shift = ShiftFactory(site=site, role=server)

    board = client.get(reverse("volunteers:board"), {"site": site.slug})
    assert board.status_code == 200
    claimed = client.post(
        reverse("volunteers:claim", args=[shift.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "You're in" in claimed

    mine = client.get(reverse("volunteers:my_shifts")).content.decode()
    assert shift.local_start.strftime("%H:%M") in mine and "Find a stand-in" in mine

    token = VolunteerProfile.objects.get(user=vera).calendar_token
    cal = Calendar.from_ical(client.get(reverse("volunteers:feed", args=[token])).content)
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert f"shift-{shift.pk}-volunteer-{vera.pk}@commonpot" in uids
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]

    # Fill the shift so someone waits, then cancel: they move up and are told.
    fresh = Shift.objects.get(pk=shift.pk)
    for _ in range(fresh.places_left + 1):
        client_for(UserFactory()).post(reverse("volunteers:claim", args=[shift.pk]))
    waiting = SignUp.objects.waitlisted().filter(shift=shift).first()
    assert waiting is not None
    mine = SignUp.objects.confirmed().get(shift=shift, volunteer=vera)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:cancel", args=[mine.pk]), follow=True)
    assert "You are no longer down for" in response.content.decode()
    assert SignUp.objects.get(pk=waiting.pk).is_confirmed
    assert [m.to for m in mail.outbox] == [[waiting.volunteer.email]]
