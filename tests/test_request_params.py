"""Odd query strings get a page or a 404, never a 500; list pages do not grow queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from pantry import services as pantry
from tests.conftest import client_for, page_queries
from tests.pantry.factories import rice

pytestmark = pytest.mark.django_db

ODD = ["²", "٣", "1" * 5000, "-1", "0", "abc"]


@pytest.mark.parametrize("value", ODD)
def test_odd_numbers_in_query_strings_are_ignored_not_a_crash(lead, site, value):
    client = client_for(lead)
    for url in (
        reverse("kitchen:meal_create", args=[site.slug]) + f"?recipe={value}&servings={value}",
        reverse("volunteers:shift_create", args=[site.slug]) + f"?meal={value}&transfer={value}",
        reverse("network:offer_new", args=[site.slug]) + f"?lot={value}",
        reverse("pantry:distribution_new", args=[site.slug]) + f"?lot={value}",
        reverse("network:transfer_new") + f"?need={value}",
    ):
        response = client.get(url)
        assert response.status_code in (200, 403), url


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-02", "2026-02-30", "tomorrow"])
def test_far_or_false_dates_are_a_404_not_a_crash(lead, site, day):
    client = client_for(lead)
    for url in (
        reverse("kitchen:week", args=[site.slug]) + f"?week={day}",
        reverse("volunteers:site_shifts", args=[site.slug]) + f"?week={day}",
    ):
        assert client.get(url).status_code == 404, url


def test_the_waste_page_and_the_lead_home_do_not_grow_with_lots(lead, site):
    item = rice()
    client = client_for(lead)
    soon = date.today() + timedelta(days=1)

    def add(n):
        for _ in range(n):
            pantry.receive(
                site=site,
                item=item,
                quantity=Decimal(500),
                by=lead,
                source="Shop",
                best_before=soon,
            )

    add(2)
    urls = [reverse("pantry:waste", args=[site.slug]), reverse("home")]
    small = [page_queries(client, url) for url in urls]
    add(10)
    assert [page_queries(client, url) for url in urls] == small


@pytest.mark.parametrize("value", ODD + ["999", "59.5"])
def test_odd_line_counts_and_day_spans_still_give_the_page(lead, site, value):
    client = client_for(lead)
    for url in (
        reverse("pantry:waste", args=[site.slug]) + f"?days={value}",
        reverse("pantry:donation_line", args=[site.slug]) + f"?lines-TOTAL_FORMS={value}",
        reverse("kitchen:recipe_line", args=[site.slug]) + f"?ingredients-TOTAL_FORMS={value}",
    ):
        assert client.get(url).status_code == 200, url


def test_a_hand_edited_day_span_is_brought_into_range_not_ignored(lead, site):
    response = client_for(lead).get(reverse("pantry:waste", args=[site.slug]) + "?days=999")
    assert response.context["days"] == 60


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("page=²", "'page' must be a whole number of 1 or more"),
        ("per_page=" + "9" * 40, "'per_page' must be a whole number"),
    ],
)
def test_the_open_data_api_names_the_bad_parameter(client, query, reason):
    response = client.get("/api/hsds/services?" + query)
    assert response.status_code == 400
    assert reason in response.content.decode()
