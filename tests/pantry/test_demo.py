"""The demo stock: believable, safe to build twice, and every lot adds up."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from commonpot.models import Site, User
from pantry import services
from pantry.freshness import DateRules
from pantry.models import Donation, Item, Lot, StockMove
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_stock_is_believable_and_safe_to_build_twice():
    call_command("seed_demo")
    counts = (Item.objects.count(), Lot.objects.count(), StockMove.objects.count())
    call_command("seed_demo")
    assert (Item.objects.count(), Lot.objects.count(), StockMove.objects.count()) == counts

    for site in Site.objects.all():
        today = site.today()
        lots = Lot.objects.at(site).in_stock()
        assert lots.count() >= 10, site
        assert lots.expiring_within(today, 3).exists(), site
        assert lots.past_use(DateRules.for_site(site, today)).exists(), site
        assert Item.objects.stock_at(site).filter(threshold__isnull=False).exists(), site
    assert StockMove.objects.filter(kind="distributed").exists()
    assert StockMove.objects.filter(kind="wasted").exists()
    for lot in Lot.objects.all():
        assert services.ledger_is_consistent(lot), lot


def test_the_demo_lead_sees_food_to_watch_on_their_home_page():
    call_command("seed_demo")
    lead = User.objects.get(username="lead")
    page = client_for(lead).get("/").content.decode()
    assert "Food to watch" in page and "Below its low-stock level" in page


def test_us_demo_sites_logged_their_donations_in_pounds():
    call_command("seed_demo")
    site = Site.objects.get(slug="eastside-food-bank")
    units = set(Donation.objects.filter(site=site).values_list("lines__unit_entered", flat=True))
    assert "lb" in units and "kg" not in units
    page = client_for(User.objects.get(username="foodbank-lead")).get(
        reverse("pantry:stock", args=[site.slug])
    )
    assert page.status_code == 200
