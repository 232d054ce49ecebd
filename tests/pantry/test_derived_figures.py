"""A figure worked out from what a person typed (a weight from a number of tins)
is held to the same bounds as what they typed: refused on the form, nothing
written, and every page that shows it still opens."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from pantry import services
from pantry.models import Donation, Lot, StockMove
from tests.conftest import client_for
from tests.pantry.factories import beans
from tests.pantry.test_donations import form_data

pytestmark = pytest.mark.django_db


def test_nine_billion_tins_of_a_415_g_item_are_refused_and_pages_still_open(site, lead):
    tins = beans()
    client = client_for(lead)
    response = client.post(
        reverse("pantry:donation_new", args=[site.slug]),
        form_data(site, [{"item": tins.name, "quantity": "9000000000", "unit": "cans"}]),
    )
    assert response.status_code == 400
    assert "must be at most" in response.content.decode()
    assert not Donation.objects.exists() and not Lot.objects.exists()
    for url in (
        reverse("pantry:donations", args=[site.slug]),
        reverse("pantry:stock", args=[site.slug]),
        reverse("pantry:moves_csv", args=[site.slug]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_count_of_two_billion_portions_is_refused_on_its_lot(site, lead):
    tins = beans()
    lot = services.receive(
        site=site, item=tins, quantity=Decimal(10), by=lead, source="Shop", storage="dry"
    ).lot
    client = client_for(lead)
    response = client.post(
        reverse("pantry:count_area", args=[site.slug, "dry"]),
        {"token": str(uuid.uuid4()), f"lot_{lot.pk}": "2147483648", f"unit_{lot.pk}": "cans"},
    )
    assert response.status_code == 400
    assert "must be at most" in response.content.decode()
    lot.refresh_from_db()
    assert lot.on_hand == Decimal(10)
    assert not StockMove.objects.filter(kind="counted").exists()
    assert client.get(reverse("pantry:lot", args=[site.slug, lot.pk])).status_code == 200
