"""A shift's card says before the tap what a claim would run into: what the role
needs and whether you have it, the cancellation cutoff, how the waitlist works,
and a stand-in wanted beside the free places."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.volunteers.factories import (
    QualificationFactory,
    QualificationKindFactory,
    ShiftFactory,
    SignUpFactory,
)
from volunteers.models import Shift, VolunteerProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def card(user, shift) -> str:
    html = client_for(user).get(reverse("volunteers:board")).content.decode()
    start = html.index(f'id="shift-{shift.pk}"')
    return html[start : html.index("</article>", start)]


@pytest.fixture
def hygiene(cook):
    kind = QualificationKindFactory()
    cook.required_qualifications.add(kind)
    return kind


def test_the_card_says_what_the_role_needs_and_links_where_to_add_it(shift, volunteer, hygiene):
    text = card(volunteer, shift)
    assert "Needs a Food hygiene certificate." in text and "Not yet" in text
    assert f'<a href="{reverse("volunteers:qualifications")}">Add yours</a>' in text


def test_the_card_says_when_you_have_what_the_role_needs(shift, volunteer, hygiene):
    QualificationFactory(volunteer=volunteer, kind=hygiene)
    text = card(volunteer, shift)
    assert "Needs a Food hygiene certificate: you have one." in text
    assert "Add yours" not in text


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"verified_at": None}, "yours is not verified by a lead yet. Show it to a lead."),
        ({"expires_on": "yesterday"}, "yours expires before this shift."),
    ],
)
def test_the_card_says_why_a_certificate_does_not_count_yet(
    shift, volunteer, hygiene, fields, says
):
    if fields.get("expires_on") == "yesterday":
        fields = {"expires_on": timezone.localdate() - timedelta(days=1)}
    QualificationFactory(volunteer=volunteer, kind=hygiene, **fields)
    assert says in card(volunteer, shift)


def test_a_minimum_age_is_on_the_card_and_checked_against_the_profile(shift, volunteer, cook):
    cook.minimum_age = 18
    cook.save()
    assert "Add your date of birth" in card(volunteer, shift)
    VolunteerProfile.objects.update_or_create(
        user=volunteer, defaults={"date_of_birth": timezone.localdate() - timedelta(days=365 * 16)}
    )
    text = card(volunteer, shift)
    assert "For people aged 18 or over." in text and "Not yet" in text


def test_a_visitor_sees_what_is_needed_without_any_verdict(client, shift, hygiene):
    html = client.get(reverse("volunteers:board")).content.decode()
    assert "Needs a Food hygiene certificate." in html and "Not yet" not in html


def test_a_claim_inside_the_cancellation_cutoff_is_said_before_the_tap(site, cook, volunteer):
    soon = timezone.now() + timedelta(hours=5)
    shift = ShiftFactory(site=site, role=cook, starts_at=soon, ends_at=soon + timedelta(hours=2))
    later = ShiftFactory(site=site, role=cook)
    assert "once claimed, you cannot cancel it here" in card(volunteer, shift)
    assert "cannot cancel" not in card(volunteer, later)


def test_a_stand_in_wanted_shows_beside_claim_while_places_are_free(
    site, cook, volunteer, make_volunteer
):
    shift = ShiftFactory(site=site, role=cook)
    SignUpFactory(
        shift=shift, volunteer=make_volunteer("Vera Lind"), stand_in_requested_at=timezone.now()
    )
    Shift.objects.filter(pk=shift.pk).update(places_taken=2)
    text = card(volunteer, shift)
    assert "Take Vera's place" in text and ">Claim<" in text


def test_a_full_shift_with_a_stand_in_wanted_offers_the_place_not_the_waitlist(
    site, cook, volunteer, make_volunteer
):
    shift = ShiftFactory(site=site, role=cook, min_people=1, max_people=1)
    SignUpFactory(
        shift=shift, volunteer=make_volunteer("Vera Lind"), stand_in_requested_at=timezone.now()
    )
    Shift.objects.filter(pk=shift.pk).update(places_taken=1)
    text = card(volunteer, shift)
    assert "Take Vera's place" in text and "Join the waitlist" not in text


def test_the_waitlist_says_people_move_up_by_themselves(shift, volunteer, make_volunteer):
    Shift.objects.filter(pk=shift.pk).update(places_taken=shift.max_people)
    text = card(volunteer, shift)
    assert "Join the waitlist" in text and "gets the place by themselves" in text


def test_the_card_costs_the_same_queries_for_one_role_need_or_many(site, cook, volunteer, hygiene):
    def board_queries():
        with CaptureQueriesContext(connection) as ctx:
            client_for(volunteer).get(reverse("volunteers:board"))
        return len(ctx)

    ShiftFactory(site=site, role=cook)
    few = board_queries()
    for n in range(12):
        kind = QualificationKindFactory(name=f"Certificate {n}")
        cook.required_qualifications.add(kind)
        QualificationFactory(volunteer=volunteer, kind=kind)
        ShiftFactory(site=site, role=cook, starts_at=timezone.now() + timedelta(days=4, hours=n))
    assert board_queries() == few
