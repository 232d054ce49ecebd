"""Dates at the edge of the calendar are refused with a message, never a 500,
and nothing is written: one window (commonpot.dates) for forms, filters and links."""

from datetime import timedelta

import pytest
from django.urls import reverse

from commonpot.dates import OUTSIDE
from kitchen.models import MealService
from tests.conftest import client_for
from tests.volunteers.factories import ShiftRoleFactory
from volunteers.models import Rota, Shift

pytestmark = pytest.mark.django_db

EDGES = ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"]


@pytest.mark.parametrize("day", EDGES)
def test_a_rota_starting_at_the_end_of_the_calendar_is_refused_and_not_saved(lead, site, day):
    role = ShiftRoleFactory(site=site)
    response = client_for(lead).post(
        reverse("volunteers:rotas", args=[site.slug]),
        {
            "role": role.pk,
            "weekdays": ["0"],
            "start_time": "09:00",
            "end_time": "12:00",
            "min_people": "1",
            "max_people": "4",
            "starts_on": day,
        },
    )
    assert response.status_code == 400
    assert OUTSIDE in response.content.decode()
    assert not Rota.objects.exists() and not Shift.objects.exists()


@pytest.mark.parametrize("day", EDGES)
def test_the_board_filtered_to_the_end_of_the_calendar_says_so(volunteer, day):
    for param in ("end", "start"):
        response = client_for(volunteer).get(reverse("volunteers:board"), {param: day})
        # Refused with the reason, as every bad filter is, and no shifts scanned.
        assert response.status_code == 400
        assert OUTSIDE in response.content.decode()
        assert '<article class="shift-card' not in response.content.decode()


@pytest.mark.parametrize("day", EDGES)
def test_copying_a_day_to_the_end_of_the_calendar_is_refused(lead, site, day):
    tomorrow = str(site.today() + timedelta(days=1))
    response = client_for(lead).post(
        reverse("volunteers:copy_day", args=[site.slug, tomorrow]),
        {"from_day": tomorrow, "to_day": day},
    )
    assert response.status_code == 400
    assert OUTSIDE in response.content.decode()
    assert not Shift.objects.exists()


def test_a_link_to_a_day_past_the_window_is_not_found(lead, site):
    url = reverse("volunteers:copy_day", args=[site.slug, "9999-12-31"])
    assert client_for(lead).get(url).status_code == 404


@pytest.mark.parametrize("day", EDGES)
def test_a_meal_dated_at_the_end_of_the_calendar_is_refused(lead, site, day):
    response = client_for(lead).post(
        reverse("kitchen:meal_create", args=[site.slug]),
        {
            "date": day,
            "kind": "dinner",
            "servings": "40",
            "token": "9d1c3b1e-6a55-4c55-8f0e-3c2b1a0d9e8f",
        },
    )
    assert response.status_code == 400
    assert OUTSIDE in response.content.decode()
    assert not MealService.objects.exists()


def test_stock_received_by_any_path_keeps_its_date_inside_the_window(site, lead):
    from datetime import date
    from decimal import Decimal

    from commonpot.errors import DomainError
    from pantry import services
    from pantry.models import Lot
    from tests.pantry.factories import rice

    with pytest.raises(DomainError, match=OUTSIDE) as refused:
        services.receive(
            site=site,
            item=rice(),
            quantity=Decimal(5),
            by=lead,
            source="Shop",
            best_before=date(9999, 12, 31),
        )
    assert refused.value.field == "best_before"
    assert not Lot.objects.exists()
