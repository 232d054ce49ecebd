"""The demo shifts, and the whole story the issue asks for, through the pages."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from commonpot.models import Invitation, User
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory, SignUpFactory
from volunteers.models import (
    HoursCertificate,
    LeadNote,
    RotaRegular,
    Shift,
    ShiftWatch,
    SignUp,
    VolunteerProfile,
    WalkIn,
)

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


def test_the_demo_shows_what_people_do_beyond_claiming_and_builds_it_once():
    with time_machine.travel(timezone.now(), tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        made = demo_people_rows()
        assert made["walk-ins"] == [("Sam Rivers", "riverside-kitchen")]
        assert len(made["invitations"]) == 3
        assert [who for _, who in made["certificates"]] == ["volunteer"]
        assert made["watches"] == [("volunteer", "riverside-kitchen")]
        assert [who for who, _ in made["notes"]] == ["amira"]
        assert {"volunteer", "ben", "amira"} <= set(made["available"])
        # Vera is a regular on Riverside's Tuesday and Thursday lunches, signed up on them.
        assert made["regulars"] == [("volunteer", "riverside-kitchen")]
        assert made["regular sign-ups"] >= 2
        call_command("seed_demo", stdout=io.StringIO())
        assert demo_people_rows() == made
        demo_people_pages()


def demo_people_rows() -> dict:
    return {
        "walk-ins": list(WalkIn.objects.values_list("name", "site__slug")),
        "invitations": sorted(
            Invitation.objects.pending(timezone.now()).values_list("email", "site__slug")
        ),
        "certificates": list(HoursCertificate.objects.values_list("code", "volunteer__username")),
        "watches": list(ShiftWatch.objects.values_list("volunteer__username", "site__slug")),
        "notes": list(LeadNote.objects.values_list("volunteer__username", "text")),
        "regulars": list(
            RotaRegular.objects.values_list("volunteer__username", "rota__site__slug")
        ),
        "regular sign-ups": SignUp.objects.filter(regular__isnull=False).count(),
        "available": sorted(
            VolunteerProfile.objects.filter(available_days__gt=0).values_list(
                "user__username", flat=True
            )
        ),
    }


def demo_people_pages():
    lead = User.objects.get(username="lead")
    vera = User.objects.get(username="volunteer")
    riverside = lead.memberships.get().site
    as_lead = client_for(lead)

    # Yesterday's lunch: Vera came, and a walk-in without an account helped.
    walk_in = WalkIn.objects.get(site=riverside)
    assert walk_in.name == "Sam Rivers" and not walk_in.person.has_usable_password()
    lunch = SignUp.objects.get(volunteer=walk_in.person).shift
    assert lunch.local_date == riverside.today() - timedelta(days=1)
    assert SignUp.objects.get(shift=lunch, volunteer=vera).attendance == "attended"
    roster = as_lead.get(reverse("volunteers:roster", args=[riverside.slug, lunch.pk]))
    assert "Sam Rivers" in roster.content.decode()

    # Invitations waiting: one to the walk-in, one to someone new, one at Eastside.
    people = as_lead.get(reverse("site_people", args=[riverside.slug])).content.decode()
    assert "nadia.cole@demo.commonpot.example" in people
    assert "sam.rivers@demo.commonpot.example" in people
    assert Invitation.objects.filter(site__slug="eastside-food-bank").pending(timezone.now())

    # Vera's certificate checks out at the public address, for anyone with the code.
    certificate = HoursCertificate.objects.get(volunteer=vera)
    check = client_for(None).get(
        reverse("volunteers:certificate_check", args=[certificate.printed_code])
    )
    assert check.status_code == 200
    page = check.content.decode()
    assert "Vera Okafor" in page and "Riverside Community Kitchen" in page
    assert certificate.hours == lunch.hours
    as_vera = client_for(vera)
    assert (
        certificate.printed_code in as_vera.get(reverse("volunteers:certificates")).content.decode()
    )

    # Her watch on short shifts, and whom to call in an emergency (seen by her lead).
    assert (
        "Riverside Community Kitchen" in as_vera.get(reverse("volunteers:watches")).content.decode()
    )
    record = as_lead.get(
        reverse("volunteers:record", args=[riverside.slug, vera.pk])
    ).content.decode()
    assert "Daniel Okafor" in record

    # The leads' note on Amira.
    amira = User.objects.get(username="amira")
    record = as_lead.get(
        reverse("volunteers:record", args=[riverside.slug, amira.pk])
    ).content.decode()
    assert "Runs the cook team well" in record

    # A shift with room lists who said they are free then or like the role.
    shift = (
        Shift.objects.at(riverside)
        .published()
        .upcoming()
        .filter(role__name="Cleanup", places_taken__lt=models_f("max_people"))
        .order_by("starts_at")
        .first()
    )
    roster = as_lead.get(
        reverse("volunteers:roster", args=[riverside.slug, shift.pk])
    ).content.decode()
    could_fill = roster[roster.index("Who could fill this") :]
    assert "Ben Carter" in could_fill and "likes Cleanup" in could_fill


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
