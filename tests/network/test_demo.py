"""The demo walk-through: the camp's bread goes to the food bank, 2 kg arrive damaged."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from commonpot.models import Site, User
from pantry.models import Lot
from pantry.network.models import Need, Offer, Transfer
from pantry.network.stock import network_quantities, stock_table
from pantry.units import to_base
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_offers_40_kg_of_bread_at_the_camp_and_posts_needs_once():
    call_command("seed_demo")
    call_command("seed_demo")
    camp = Site.objects.get(slug="harbour-camp")
    offer = Offer.objects.get()
    assert offer.site == camp and offer.item.name == "Bread"
    assert offer.weight_g == 40000 and offer.best_before == camp.today() + timedelta(days=2)
    assert offer.is_open()
    assert Need.objects.open().count() == 3


def test_the_done_means_walk(django_capture_on_commit_callbacks):
    call_command("seed_demo")
    camp, bank = Site.objects.get(slug="harbour-camp"), Site.objects.get(slug="eastside-food-bank")
    camp_lead, bank_lead = (User.objects.get(username=u) for u in ("camp-lead", "foodbank-lead"))
    offer = Offer.objects.get()
    bread = offer.item
    before = network_quantities()[bread.pk]
    sites = [camp, bank]
    kg_before = {row.site.slug: row.total_kg for row in stock_table(sites).rows}

    # The food bank claims it from the board.
    response = client_for(bank_lead).post(
        reverse("network:offer_claim", args=[offer.pk]),
        {"for_site": bank.pk, "token": "0b8b8f5e-0c3e-4d6f-9a55-5f3e2a1b4c7d"},
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and transfer.destination == bank

    # The camp's lead accepts; the driver prints the manifest; off it goes.
    camp_client = client_for(camp_lead)
    camp_client.post(reverse("network:transfer_accept", args=[transfer.pk]))
    manifest = camp_client.get(reverse("network:transfer_manifest", args=[transfer.pk]))
    assert manifest.status_code == 200 and manifest.content.startswith(b"%PDF")
    camp_client.post(reverse("network:transfer_dispatch", args=[transfer.pk]))

    # 38 of the 40 kg arrive good; 2 kg are damaged.
    (line,) = transfer.lines.all()
    client_for(bank_lead).post(
        reverse("network:transfer_receive", args=[transfer.pk]),
        {
            f"line_{line.pk}": "38",
            f"line_{line.pk}_unit": "kg",
            "reason": "damaged",
            "destination": "compost",
        },
    )
    transfer.refresh_from_db()
    line.refresh_from_db()
    assert transfer.status == Transfer.Status.RECEIVED

    arrived = Lot.objects.get(pk=line.received_lot_id)
    assert arrived.site == bank and arrived.on_hand == to_base("38", "kg", bread)
    assert arrived.best_before == line.best_before
    # Both sites' stock and the network's totals agree: 40 kg left, 38 kg arrived, 2 wasted.
    kg_after = {row.site.slug: row.total_kg for row in stock_table(sites).rows}
    assert kg_before["harbour-camp"] - kg_after["harbour-camp"] == 40
    assert kg_after["eastside-food-bank"] - kg_before["eastside-food-bank"] == 38
    assert before - network_quantities()[bread.pk] == to_base("2", "kg", bread)
    # The dashboard says the same.
    dashboard = client_for(User.objects.get(username="coordinator")).get(
        reverse("network:dashboard")
    )
    assert "<strong>0 kg</strong> in transit" in dashboard.content.decode()
