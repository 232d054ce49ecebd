"""What a lead reads about offers and transfers: what food is held for in words,
quantities with the verb that agrees, the transfers filter, the cancel help."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.errors import DomainError
from pantry import services as pantry
from pantry.models import Item
from pantry.network import services
from tests.conftest import client_for
from tests.network.factories import offer, stock
from tests.pantry.factories import ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaves(site, lead, mapped):
    item = ItemFactory(
        name="Sourdough",
        category=Item.Category.GRAINS_BREAD,
        base_unit=Item.Unit.PIECE,
        piece_name="loaf",
        weight_per_piece_g=Decimal("800"),
    )
    return stock(site, item, "3", by=lead)


def help_text(response) -> str:
    html = response.content.decode()
    (cancel,) = re.findall(r'<details class="cancel".*?<p class="help">(.*?)</p>', html, re.S)
    return cancel


def test_a_refusal_says_the_food_is_held_for_the_offer_not_offer_1(site, lead, bread_lot):
    o = offer(site, bread_lot, by=lead)
    with pytest.raises(DomainError) as refused:
        pantry.discard(bread_lot, reason="spoiled", destination="compost", by=lead)
    assert "is held for the offer of 40 kg of Bread to the network" in refused.value.message
    assert o.reference not in refused.value.message and "offer:" not in refused.value.message


def test_a_refusal_names_the_transfer_and_where_it_goes(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    t = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    with pytest.raises(DomainError) as refused:
        pantry.discard(bread_lot, reason="spoiled", destination="compost", by=lead)
    assert f"is held for transfer #{t.pk} to Eastside Food Bank" in refused.value.message
    assert "transfer:" not in refused.value.message


def test_what_is_still_on_offer_agrees_with_its_quantity(
    site, other_site, lead, other_lead, loaves
):
    o = offer(site, loaves, "2", by=lead)
    with pytest.raises(DomainError, match="Only 2 loaves of Sourdough are still on offer"):
        services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(3))
    services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(1))
    with pytest.raises(DomainError, match="Only 1 loaf of Sourdough is still on offer"):
        services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(2))


def test_a_quantity_by_weight_takes_is(site, other_site, lead, other_lead, bread_lot):
    o = offer(site, bread_lot, "20000", by=lead)
    with pytest.raises(DomainError, match="Only 20 kg of Bread is still on offer"):
        services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(30000))


def test_the_transfers_filter_labels_its_fields(lead):
    page = client_for(lead).get(reverse("network:transfers")).content.decode()
    assert ">Site</label>" in page and ">Status</label>" in page
    assert "[invalid name]" not in page


def test_the_cancel_help_follows_a_claimed_transfer_through_its_steps(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    t = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    source = client_for(lead)
    proposed = help_text(source.get(t.get_absolute_url()))
    assert proposed.startswith("The food held for it goes back on offer while the offer is open")

    services.accept_transfer(transfer_id=t.pk, by=lead)
    accepted = help_text(source.get(t.get_absolute_url()))
    assert "The food held for it goes back on offer" in accepted
    assert "free again in Riverside Kitchen's stock" in accepted
    assert "Nothing has been held or sent" not in accepted

    services.dispatch_transfer(transfer_id=t.pk, by=lead)
    dispatched = help_text(source.get(t.get_absolute_url()))
    assert dispatched == "The food in transit goes back into Riverside Kitchen's stock."


def test_the_cancel_help_of_a_proposal_says_nothing_is_held_until_it_is_accepted(
    site, other_site, lead, coordinator, item_bread, bread_lot
):
    t = services.propose_transfer(
        source=site,
        destination=other_site,
        item=item_bread,
        quantity=Decimal(10000),
        by=coordinator,
    )
    source = client_for(lead)
    assert help_text(source.get(t.get_absolute_url())) == "Nothing has been held or sent yet."

    services.accept_transfer(transfer_id=t.pk, by=lead)
    accepted = help_text(source.get(t.get_absolute_url()))
    assert accepted == (
        "The food held for it is released: free again in Riverside Kitchen's stock."
    )
