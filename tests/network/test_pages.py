"""The offer, need, transfer and site pages: what each person sees and can do."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from pantry.models import Lot
from pantry.network import services
from pantry.network.models import Need, Offer, Transfer
from tests.conftest import client_for
from tests.network.factories import need, offer, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(site, other_site, lead, other_lead, bread_lot):
    o = offer(site, bread_lot, by=lead, notes="Crates by the gate")
    return services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)


def text(response) -> str:
    return response.content.decode()


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)


def test_a_lead_offers_a_lot_in_kg_on_the_sites_clock(site, lead, bread_lot):
    url = reverse("network:offer_new", args=[site.slug])
    assert "Bread · best before" in text(client_for(lead).get(url))
    response = client_for(lead).post(
        url,
        {
            "lot": bread_lot.pk,
            "quantity": "25",
            "unit": "kg",
            "pickup_until": "2099-01-01T18:00",
            "cold_chain": "auto",
            "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e10",
        },
    )
    o = Offer.objects.get()
    assert response.status_code == 302 and response["Location"] == o.get_absolute_url()
    assert o.remaining == 25000
    # 18:00 in London in winter is 18:00 UTC.
    assert (o.pickup_until.hour, o.pickup_until.tzinfo is not None) == (18, True)


def test_offering_more_than_the_lot_holds_shows_the_reason_on_the_form(site, lead, bread_lot):
    response = client_for(lead).post(
        reverse("network:offer_new", args=[site.slug]),
        {
            "lot": bread_lot.pk,
            "quantity": "45",
            "unit": "kg",
            "pickup_until": "2099-01-01T18:00",
            "cold_chain": "auto",
            "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e11",
        },
    )
    assert response.status_code == 400
    assert "Only 40 kg of Bread is free to offer in this lot" in text(response)
    assert not Offer.objects.exists()


def test_a_unit_that_does_not_fit_is_a_form_error(site, lead, bread_lot):
    response = client_for(lead).post(
        reverse("network:offer_new", args=[site.slug]),
        {
            "lot": bread_lot.pk,
            "quantity": "4",
            "unit": "L",
            "pickup_until": "2099-01-01T18:00",
            "cold_chain": "auto",
            "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e12",
        },
    )
    assert response.status_code == 400 and "not counted by volume" in text(response)
    assert not Offer.objects.exists()


def test_a_lead_posts_a_need_for_a_category_by_weight(site, lead):
    response = client_for(lead).post(
        reverse("network:need_new", args=[site.slug]),
        {
            "category": "canned_dry",
            "quantity": "22",
            "unit": "lb",
            "needed_by": "2099-01-01",
            "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e13",
        },
    )
    n = Need.objects.get()
    assert response.status_code == 302
    assert (n.item, n.category, n.quantity) == (None, "canned_dry", Decimal("9979.032"))


def test_a_need_for_a_category_in_pieces_is_refused(site, lead):
    response = client_for(lead).post(
        reverse("network:need_new", args=[site.slug]),
        {
            "category": "canned_dry",
            "quantity": "22",
            "unit": "pieces",
            "needed_by": "2099-01-01",
            "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e14",
        },
    )
    assert response.status_code == 400 and "given by weight" in text(response)
    assert not Need.objects.exists()


def test_a_need_shows_the_offers_that_fit_most_first_within_its_limit_and_a_claim_button(
    site, other_site, lead, other_lead, item_bread, mapped
):
    from tests.factories import MembershipFactory, SiteFactory

    far = SiteFactory(name="Far Pantry", latitude=Decimal("53.0"), longitude=Decimal("-2.0"))
    far_lead = MembershipFactory(site=far, role="lead").user
    n = need(other_site, by=other_lead, item=item_bread, quantity="10000", days=1)
    part = offer(site, stock(site, item_bread, "5000", by=lead, days=3), by=lead)
    whole = offer(site, stock(site, item_bread, "20000", by=lead, days=3), by=lead)
    far_offer = offer(far, stock(far, item_bread, "20000", by=far_lead, days=3), by=far_lead)
    html = text(client_for(other_lead).get(n.get_absolute_url()))
    assert html.index(f"/offers/{whole.pk}/") < html.index(f"/offers/{part.pk}/")
    assert "covers all 10 kg" in html and "covers 5 of 10 kg" in html
    assert f"/offers/{far_offer.pk}/" not in html  # about 170 km away: beyond 30 km
    assert "Claim 10 kg" in html and "Claim 5 kg" in html


def test_the_transfer_page_shows_each_side_its_next_step(claimed, lead, other_lead, coordinator):
    url = claimed.get_absolute_url()
    assert "Accept and hold the food" in text(client_for(lead).get(url))
    assert "Accept and hold the food" not in text(client_for(other_lead).get(url))
    assert "Waiting for Riverside Kitchen to accept" in text(client_for(other_lead).get(url))
    assert "Accept and hold the food" in text(client_for(coordinator).get(url))


def test_the_destination_cannot_accept_and_is_told_why(claimed, other_lead):
    response = client_for(other_lead).post(reverse("network:transfer_accept", args=[claimed.pk]))
    assert response.status_code == 403
    assert "Only leads of Riverside Kitchen" in text(response)
    claimed.refresh_from_db()
    assert claimed.status == Transfer.Status.PROPOSED


def test_a_full_transfer_through_the_pages(claimed, site, other_site, lead, other_lead):
    source, destination = client_for(lead), client_for(other_lead)
    assert source.post(reverse("network:transfer_accept", args=[claimed.pk])).status_code == 302
    manifest = pdf_text(source.get(reverse("network:transfer_manifest", args=[claimed.pk])))
    assert "Transfer manifest" in manifest and "Riverside Kitchen" in manifest
    assert "Eastside Food Bank" in manifest and "40 kg" in manifest and "Released by" in manifest
    assert source.post(reverse("network:transfer_dispatch", args=[claimed.pk])).status_code == 302

    receive = reverse("network:transfer_receive", args=[claimed.pk])
    (line,) = claimed.lines.all()
    form = text(destination.get(receive))
    assert "arrived in good condition" in form and 'value="40"' in form
    response = destination.post(
        receive,
        {
            f"line_{line.pk}": "38",
            f"line_{line.pk}_unit": "kg",
            "reason": "damaged",
            "destination": "compost",
            "note": "Two crates crushed",
        },
        follow=True,
    )
    page = text(response)
    assert "Received 38 kg of Bread; 2 kg recorded as short or damaged" in page
    assert "2 kg short or damaged (damaged, to compost)" in page
    lot = Lot.objects.get(site=other_site)
    assert (lot.on_hand, lot.best_before) == (38000, line.best_before)


def test_receiving_more_than_was_sent_is_a_form_error(claimed, lead, other_lead, other_site):
    services.accept_transfer(transfer_id=claimed.pk, by=lead)
    services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    (line,) = claimed.lines.all()
    response = client_for(other_lead).post(
        reverse("network:transfer_receive", args=[claimed.pk]),
        {f"line_{line.pk}": "41", f"line_{line.pk}_unit": "kg"},
    )
    assert response.status_code == 400
    assert "only 40 kg was dispatched on this line" in text(response)
    assert not Lot.objects.filter(site=other_site).exists()


def test_cancelling_without_a_reason_is_refused_on_the_page(claimed, other_lead):
    response = client_for(other_lead).post(
        reverse("network:transfer_cancel", args=[claimed.pk]), {"reason": ""}
    )
    assert response.status_code == 400 and "This field is required" in text(response)
    claimed.refresh_from_db()
    assert claimed.status == Transfer.Status.PROPOSED


def test_the_site_surplus_tab_shows_food_in_transit_on_both_sides(
    claimed, site, other_site, lead, other_lead
):
    services.accept_transfer(transfer_id=claimed.pk, by=lead)
    services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    out = text(client_for(lead).get(reverse("network:site_surplus", args=[site.slug])))
    into = text(client_for(other_lead).get(reverse("network:site_surplus", args=[other_site.slug])))
    assert "Out to Eastside Food Bank" in out and "40 kg</strong> on the way out" in out
    assert "In from Riverside Kitchen" in into and "40 kg</strong> on the way in" in into


def test_the_public_site_page_lists_what_it_needs_and_no_people(other_site, other_lead):
    need(other_site, by=other_lead, category="canned_dry", quantity="15000", note="For families")
    html = text(client_for(None).get(other_site.get_absolute_url()))
    assert (
        "What they need right now" in html
        and "<strong>15 kg</strong> of any canned and dry goods" in html
    )
    assert other_lead.name not in html and other_lead.email not in html


def test_a_site_with_no_open_needs_shows_no_needs_panel(site):
    assert "What they need right now" not in text(client_for(None).get(site.get_absolute_url()))


def test_a_leads_home_lists_transfers_waiting_for_their_site(claimed, lead, other_lead):
    html = text(client_for(lead).get(reverse("home")))
    assert f"#{claimed.pk} 40 kg of Bread" in html and "asks for it — accept or cancel" in html


def test_a_coordinator_proposes_a_transfer_for_a_need(
    site, other_site, coordinator, other_lead, item_bread, bread_lot
):
    n = need(other_site, by=other_lead, item=item_bread, quantity="8000")
    url = reverse("network:transfer_new")
    form = text(client_for(coordinator).get(url, {"need": n.pk}))
    assert "For Eastside Food Bank" in form
    response = client_for(coordinator).post(
        url,
        {
            "source": site.pk,
            "destination": other_site.pk,
            "item": item_bread.name,
            "quantity": "8",
            "unit": "kg",
            "need": n.pk,
            "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e15",
        },
    )
    t = Transfer.objects.get()
    assert response.status_code == 302 and (t.need, t.quantity, t.offer) == (n, 8000, None)


def test_another_app_can_show_who_drives_on_the_transfer_page(claimed, lead, monkeypatch):
    from commonpot.registry import registry

    def driver(request, transfer):
        return "network/email/claim.txt", {"transfer": transfer, "url": "driver-slot-was-here"}

    monkeypatch.setitem(registry.slots, "transfer", [(50, driver)])
    html = text(client_for(lead).get(claimed.get_absolute_url()))
    assert '<h2 id="driver-heading">Driver</h2>' in html and "driver-slot-was-here" in html


def test_without_a_driver_slot_the_transfer_page_has_no_driver_section(claimed, lead, monkeypatch):
    from commonpot.registry import registry

    monkeypatch.setitem(registry.slots, "transfer", [])
    assert "driver-heading" not in text(client_for(lead).get(claimed.get_absolute_url()))


def test_a_need_form_sent_again_for_more_says_the_change_was_not_saved(site, lead):
    url = reverse("network:need_new", args=[site.slug])
    data = {
        "category": "canned_dry",
        "quantity": "22",
        "unit": "lb",
        "needed_by": "2099-01-01",
        "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e20",
    }
    client = client_for(lead)
    client.post(url, data)
    n = Need.objects.get()
    response = client.post(url, {**data, "quantity": "30"}, follow=True)
    assert response.redirect_chain == [(n.get_absolute_url(), 302)]
    assert "This form was already sent; your changes were not saved." in text(response)
    n.refresh_from_db()
    assert n.quantity == Decimal("9979.032") and Need.objects.count() == 1


def test_a_claim_sent_again_for_another_amount_sends_htmx_to_the_recorded_transfer(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    url = reverse("network:offer_claim", args=[o.pk])
    data = {
        "for_site": other_site.pk,
        "quantity": "5",
        "unit": "kg",
        "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e21",
    }
    client = client_for(other_lead)
    client.post(url, data, HTTP_HX_REQUEST="true")
    transfer = Transfer.objects.get()
    response = client.post(url, {**data, "quantity": "8"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == transfer.get_absolute_url()
    page = text(client.get(transfer.get_absolute_url()))
    assert "This form was already sent; your changes were not saved." in page
    transfer.refresh_from_db()
    assert transfer.quantity == 5000 and Transfer.objects.count() == 1


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("2027-03-28T01:30", "does not exist in Europe/London"),
        ("2027-10-31T01:30", "Which 01:30?"),
    ],
)
def test_a_pickup_time_the_clocks_skip_or_repeat_is_not_guessed(site, lead, bread_lot, typed, says):
    url = reverse("network:offer_new", args=[site.slug])
    data = {
        "lot": bread_lot.pk,
        "quantity": "5",
        "unit": "kg",
        "pickup_until": typed,
        "cold_chain": "auto",
        "token": "7d1c1bd0-3b8a-4a39-a1f5-1a1b1c1d1e11",
    }
    response = client_for(lead).post(url, data)
    assert response.status_code == 400
    assert says in text(response)
    assert not Offer.objects.exists()
    if says.startswith("Which"):
        response = client_for(lead).post(url, {**data, "pickup_until_which": "1"})
        assert response.status_code == 302
        # The second 01:30, on winter time, is 01:30 UTC.
        assert Offer.objects.get().pickup_until.hour == 1
