"""The done-means walk: 40 kg of bread go from one site to a food bank, 2 kg arrive
damaged; and the demo network has an offer and needs to try it on."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from commonpot.models import Site
from pantry.models import Lot
from pantry.network.models import Need, Offer, Transfer
from pantry.network.stock import network_quantities, stock_table
from pantry.units import to_base
from tests.conftest import client_for
from tests.network.factories import offer

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_open_offer_at_the_camp_and_posts_its_needs_once():
    call_command("seed_demo")
    needs = Need.objects.open().count()
    call_command("seed_demo")
    camp = Site.objects.get(slug="harbour-camp")
    (bread,) = Offer.objects.filter(site=camp)
    assert bread.site == camp and bread.item.name == "Bread" and bread.is_open()
    assert needs and Need.objects.open().count() == needs


def test_the_done_means_walk(
    site, other_site, lead, other_lead, coordinator, bread_lot, django_capture_on_commit_callbacks
):
    camp, bank = site, other_site
    o = offer(camp, bread_lot, by=lead)
    bread = o.item
    before = network_quantities()[bread.pk]
    sites = [camp, bank]
    kg_before = {row.site.slug: row.total_kg for row in stock_table(sites).rows}

    # The food bank claims it from the board.
    response = client_for(other_lead).post(
        reverse("network:offer_claim", args=[o.pk]),
        {"for_site": bank.pk, "token": "0b8b8f5e-0c3e-4d6f-9a55-5f3e2a1b4c7d"},
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and transfer.destination == bank

    # The camp's lead accepts; the driver prints the manifest; off it goes.
    camp_client = client_for(lead)
    camp_client.post(reverse("network:transfer_accept", args=[transfer.pk]))
    manifest = camp_client.get(reverse("network:transfer_manifest", args=[transfer.pk]))
    assert manifest.status_code == 200 and manifest.content.startswith(b"%PDF")
    camp_client.post(reverse("network:transfer_dispatch", args=[transfer.pk]))

    # 38 of the 40 kg arrive good; 2 kg are damaged.
    (line,) = transfer.lines.all()
    client_for(other_lead).post(
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
    assert kg_before[camp.slug] - kg_after[camp.slug] == 40
    assert kg_after[bank.slug] - kg_before.get(bank.slug, 0) == 38
    assert before - network_quantities()[bread.pk] == to_base("2", "kg", bread)
    # The dashboard says the same.
    dashboard = client_for(coordinator).get(reverse("network:dashboard"))
    assert "<strong>0 kg</strong> in transit" in dashboard.content.decode()
