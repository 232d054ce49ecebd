"""A need shows what is on its way to it and what is left to find; "Propose a
transfer" from a need or a match opens filled in, with the sites holding the food."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from pantry.models import Reservation
from pantry.network import services
from pantry.network.models import Offer, Transfer
from pantry.network.progress import attach_on_the_way
from tests.conftest import client_for, page_queries
from tests.factories import MembershipFactory, SiteFactory
from tests.network.factories import need, offer, stock

pytestmark = pytest.mark.django_db
PROPOSE = reverse("network:transfer_new")


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def bread_need(other_site, other_lead, item_bread, mapped):
    """Eastside needs 10 kg of bread."""
    return need(other_site, by=other_lead, item=item_bread, quantity="10000")


def test_a_need_shows_transfers_on_their_way_and_what_is_left_to_find(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot, bread_need
):
    o = offer(site, bread_lot, "20000", by=lead)
    claimed = services.claim_offer(
        offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(3000), need=bread_need
    )
    # Sent to Eastside for no need in particular: it counts towards the bread need too.
    proposed = services.propose_transfer(
        source=site, destination=other_site, item=item_bread, quantity=Decimal(2000), by=coordinator
    )
    html = text(client_for(other_lead).get(bread_need.get_absolute_url()))
    on_the_way = html[html.index("On its way</h2>") : html.index("Offers that fit")]
    assert f"#{claimed.pk}" in on_the_way and f"#{proposed.pk}" in on_the_way
    assert "for no need in particular" in on_the_way
    assert "<dt>Left to find</dt><dd>5 kg</dd>" in html
    # The offer's match covers what is left, and its claim button asks for just that.
    assert "covers all 5 kg" in html and "Claim 5 kg" in html


def test_received_and_cancelled_transfers_are_no_longer_on_the_way(
    site, other_site, lead, other_lead, item_bread, bread_lot, bread_need
):
    o = offer(site, bread_lot, "20000", by=lead)
    t = services.claim_offer(
        offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(4000), need=bread_need
    )
    services.cancel_transfer(transfer_id=t.pk, by=other_lead, reason="Found some nearer.")
    html = text(client_for(other_lead).get(bread_need.get_absolute_url()))
    assert "<dt>On its way</dt><dd>Nothing yet</dd>" in html
    assert "<dt>Left to find</dt><dd>10 kg</dd>" in html
    assert "Earlier transfers for this need" in html and "Cancelled" in html


def test_a_transfer_for_no_need_counts_towards_one_need_of_the_site_only(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot, bread_need
):
    later = need(other_site, by=other_lead, item=item_bread, quantity="10000", days=3)
    category = need(other_site, by=other_lead, category="grains_bread", quantity="10000")
    services.propose_transfer(
        source=site, destination=other_site, item=item_bread, quantity=Decimal(4000), by=coordinator
    )
    needs = [later, category, bread_need]
    attach_on_the_way(needs)
    assert [n.on_the_way for n in needs] == [0, 0, 4000]
    # Each need's page says the same.
    assert "<dt>Left to find</dt><dd>10 kg</dd>" in text(
        client_for(other_lead).get(later.get_absolute_url())
    )


def test_when_everything_is_on_its_way_the_need_says_so_and_suggests_nothing(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot, bread_need
):
    offer(site, stock(site, item_bread, "5000", by=lead, days=3), by=lead)
    services.propose_transfer(
        source=site,
        destination=other_site,
        item=item_bread,
        quantity=Decimal(10000),
        by=coordinator,
        need=bread_need,
    )
    html = text(client_for(coordinator).get(bread_need.get_absolute_url()))
    assert "Everything still needed is on its way." in html
    assert "covers all" not in html and "covers 5" not in html
    assert "Propose a transfer from another site" not in html


def test_propose_from_a_need_is_filled_in_with_the_sites_holding_the_item_nearest_first(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot, bread_need
):
    far = SiteFactory(name="Far Pantry", latitude=Decimal("53.0"), longitude=Decimal("-2.0"))
    stock(far, item_bread, "7000", by=MembershipFactory(site=far, role="lead").user)
    response = client_for(coordinator).get(PROPOSE, {"need": bread_need.pk})
    html = text(response)
    form = response.context["form"]
    assert form.initial["destination"] == other_site and form.initial["item"] == item_bread
    assert (form.initial["quantity"], form.initial["unit"]) == ("10", "kg")
    holders = html[html.index("Sites that hold Bread") :]
    assert holders.index("Riverside Kitchen") < holders.index("Far Pantry")
    assert "40 kg" in holders and "9 km" in holders and "(beyond 30 km)" in holders
    assert f"?need={bread_need.pk}&amp;source={site.pk}" in holders


def test_propose_from_a_need_asks_for_what_is_left_after_what_is_on_its_way(
    site, other_site, lead, coordinator, item_bread, bread_lot, bread_need
):
    services.propose_transfer(
        source=site,
        destination=other_site,
        item=item_bread,
        quantity=Decimal(4000),
        by=coordinator,
        need=bread_need,
    )
    form = client_for(coordinator).get(PROPOSE, {"need": bread_need.pk}).context["form"]
    assert (form.initial["quantity"], form.initial["unit"]) == ("6", "kg")


def test_propose_for_a_category_need_asks_for_what_is_left_by_weight(
    other_site, other_lead, coordinator, mapped
):
    n = need(other_site, by=other_lead, category="canned_dry", quantity="2500")
    form = client_for(coordinator).get(PROPOSE, {"need": n.pk}).context["form"]
    assert (form.initial["quantity"], form.initial["unit"]) == ("2.5", "kg")
    assert form.initial["destination"] == other_site and form.initial["item"] is None


def test_propose_from_a_match_is_filled_in_with_the_offer_and_claims_it(
    site, other_site, lead, coordinator, item_bread, bread_lot, bread_need
):
    o = offer(site, bread_lot, "6000", by=lead)
    client = client_for(coordinator)
    need_html = text(client.get(bread_need.get_absolute_url()))
    assert f"?need={bread_need.pk}&amp;offer={o.pk}" in need_html
    form = client.get(PROPOSE, {"need": bread_need.pk, "offer": o.pk}).context["form"]
    assert form.initial["source"] == site and form.initial["offer"] == o
    assert (form.initial["quantity"], form.initial["unit"]) == ("6", "kg")
    response = client.post(
        PROPOSE,
        {
            "source": site.pk,
            "destination": other_site.pk,
            "item": item_bread.name,
            "quantity": "6",
            "unit": "kg",
            "need": bread_need.pk,
            "offer": o.pk,
            "note": "Back door.",
            "token": str(uuid.uuid4()),
        },
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and transfer.offer == o and transfer.need == bread_need
    assert transfer.note.startswith("Back door.")
    o.refresh_from_db()
    assert o.status == Offer.Status.TAKEN
    # The food held for the offer is now held for the transfer: no second hold.
    held = Reservation.objects.filter(status=Reservation.Status.HELD)
    assert {r.reference for r in held} == {transfer.reference}


def test_propose_with_an_offer_from_another_site_is_refused_and_writes_nothing(
    site, other_site, lead, coordinator, item_bread, bread_lot, bread_need
):
    third = SiteFactory(name="Third Kitchen")
    o = offer(site, bread_lot, "6000", by=lead)
    response = client_for(coordinator).post(
        PROPOSE,
        {
            "source": third.pk,
            "destination": other_site.pk,
            "item": item_bread.name,
            "quantity": "6",
            "unit": "kg",
            "need": bread_need.pk,
            "offer": o.pk,
            "token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    assert "The offer is of Bread at Riverside Kitchen" in text(response)
    assert not Transfer.objects.exists()
    o.refresh_from_db()
    assert o.remaining == 6000


def test_propose_for_a_need_to_another_destination_is_a_field_error(
    site, other_site, coordinator, item_bread, bread_lot, bread_need
):
    third = SiteFactory(name="Third Kitchen")
    response = client_for(coordinator).post(
        PROPOSE,
        {
            "source": site.pk,
            "destination": third.pk,
            "item": item_bread.name,
            "quantity": "6",
            "unit": "kg",
            "need": bread_need.pk,
            "token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400
    assert "That need is Eastside Food Bank's" in text(response)
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"need": "abc"},
        {"need": "99999999"},
        {"offer": "-3"},
        {"need": "1", "offer": "99999999", "source": "x"},
        {"source": "99999999"},
    ],
)
def test_propose_with_odd_links_opens_a_plain_form(coordinator, params, mapped):
    response = client_for(coordinator).get(PROPOSE, params)
    assert response.status_code == 200
    assert "Sites that hold" not in text(response)


def test_a_closed_offer_in_a_proposal_is_a_field_error(
    site, other_site, lead, coordinator, item_bread, bread_lot, bread_need
):
    o = offer(site, bread_lot, "6000", by=lead)
    services.withdraw_offer(offer_id=o.pk, by=lead)
    response = client_for(coordinator).post(
        PROPOSE,
        {
            "source": site.pk,
            "destination": other_site.pk,
            "item": item_bread.name,
            "quantity": "6",
            "unit": "kg",
            "offer": o.pk,
            "token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 400 and "That offer is no longer open" in text(response)
    assert not Transfer.objects.exists()


def test_a_need_page_and_the_propose_page_run_the_same_queries_for_few_and_many_transfers(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_need
):
    lot = stock(site, item_bread, "500000", by=lead, days=5)
    client = client_for(coordinator)
    urls = [bread_need.get_absolute_url(), f"{PROPOSE}?need={bread_need.pk}"]

    def add(n: int) -> None:
        for _ in range(n):
            o = offer(site, lot, "1000", by=lead)
            services.claim_offer(
                offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(100)
            )
            offer(site, lot, "1000", by=lead)

    add(2)
    small = [page_queries(client, url) for url in urls]
    add(15)
    assert [page_queries(client, url) for url in urls] == small
