"""Redirect targets, NUL characters and ids too long for any column: a 4xx or a form
message, never a 500, and never a redirect off the site. Run on SQLite and PostgreSQL
(PostgreSQL refuses NUL in text; SQLite overflows on a 20-digit id)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory, SignUpFactory
from volunteers.models import QualificationKind, Shift, ShiftRole, SignUp

pytestmark = pytest.mark.django_db

TWENTY_DIGITS = "9" * 20


@pytest.fixture
def shift(site):
    soon = timezone.now() + timedelta(days=3)
    return ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site),
        starts_at=soon,
        ends_at=soon + timedelta(hours=3),
    )


# --- Where to go after a claim ------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["shifts", "volunteers:board", "https://evil.example/", "//evil.example/x", "/\\evil.example"],
)
def test_a_claim_with_a_next_that_is_not_a_path_here_goes_to_my_shifts(shift, volunteer, target):
    response = client_for(volunteer).post(
        reverse("volunteers:claim", args=[shift.pk]), {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:my_shifts")
    assert SignUp.objects.get(volunteer=volunteer).is_confirmed


def test_a_claim_with_a_next_on_this_site_goes_there(shift, volunteer):
    response = client_for(volunteer).post(
        reverse("volunteers:claim", args=[shift.pk]) + "?next=/shifts/%3Fpage%3D2"
    )
    assert response["Location"] == "/shifts/?page=2"


def test_taking_over_a_place_with_next_shifts_goes_to_my_shifts(site, volunteer):
    soon = timezone.now() + timedelta(hours=5)
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site),
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
    )
    holder = UserFactory(display_name="Ben Carter")
    MembershipFactory(user=holder, site=site, role="volunteer")
    offer = SignUpFactory(shift=shift, volunteer=holder, stand_in_requested_at=timezone.now())
    Shift.objects.filter(pk=shift.pk).update(places_taken=1)
    response = client_for(volunteer).post(
        reverse("volunteers:take_over", args=[offer.pk]), {"next": "shifts"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:my_shifts")
    assert SignUp.objects.get(volunteer=volunteer, shift=shift).is_confirmed


# --- NUL characters ------------------------------------------------------------------


def test_a_nul_in_a_calendar_address_is_a_400(client):
    response = client.get("/calendar/a%00b.ics")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_search_is_a_400(lead):
    response = client_for(lead).get(reverse("pantry:items") + "?q=a%00b")
    assert response.status_code == 400
    assert "query string holds a NUL" in response.content.decode()


def test_a_nul_in_a_query_parameters_name_is_a_400(lead):
    assert client_for(lead).get(reverse("pantry:items") + "?a%00b=1").status_code == 400


def test_a_nul_in_a_form_is_a_400_and_nothing_is_written(site, lead):
    response = client_for(lead).post(
        reverse("volunteers:roles", args=[site.slug]),
        {"form": "role", "role-name": "Dish\x00washer", "role-is_active": "on"},
    )
    assert response.status_code == 400
    assert "form holds a NUL" in response.content.decode()
    assert not ShiftRole.objects.filter(site=site).exists()


def test_pages_without_a_nul_are_untouched(lead):
    assert client_for(lead).get(reverse("pantry:items") + "?q=rice").status_code == 200


# --- Ids longer than any column --------------------------------------------------------


def test_a_twenty_digit_qualification_on_the_roles_form_is_a_form_message(site, lead):
    QualificationKind.objects.create(name="Food hygiene")
    response = client_for(lead).post(
        reverse("volunteers:roles", args=[site.slug]),
        {
            "form": "role",
            "role-name": "Cook",
            "role-required_qualifications": [TWENTY_DIGITS],
            "role-is_active": "on",
        },
    )
    assert response.status_code in (200, 400)
    assert f"{TWENTY_DIGITS} is not one of the available choices" in response.content.decode()
    assert not ShiftRole.objects.filter(site=site).exists()


@pytest.mark.parametrize("value", [TWENTY_DIGITS, "-" + TWENTY_DIGITS, "9223372036854775808"])
def test_an_id_past_any_column_in_a_single_choice_is_a_form_message(coordinator, value):
    response = client_for(coordinator).post(
        reverse("network:transfer_new"),
        {"source": value, "destination": value, "item": value, "quantity": "1", "unit": "kg"},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_a_twenty_digit_id_in_an_address_is_a_404(lead, site):
    client = client_for(lead)
    for url in (
        f"/shifts/{TWENTY_DIGITS}/",
        reverse("pantry:items") + f"{TWENTY_DIGITS}/",
        reverse("volunteers:roles", args=[site.slug]) + f"{TWENTY_DIGITS}/",
    ):
        assert client.get(url).status_code == 404, url
