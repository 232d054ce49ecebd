"""On a phone: a coordinator recalls a tomato lot by its code; the food is held at the
site that received it and at the site it was sent to, and that site's lead answers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commonpot.models import Membership
from pantry.models import Lot, Recall, RecallSite, StockMove
from pantry.network import services as network
from pantry.services.donations import LineInput, receive_donation
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.kitchen.factories import tomatoes
from tests.network.factories import offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_recall_by_lot_code_holds_the_food_at_both_sites_and_a_site_answers(phone):
    riverside = SiteFactory(name="Riverside Kitchen", slug="riverside")
    eastside = SiteFactory(name="Eastside Food Bank", slug="eastside", kind="food_bank")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=riverside, role=Membership.Role.LEAD)
    east_lead = UserFactory(username="olly", display_name="Olly Eastlead")
    MembershipFactory(user=east_lead, site=eastside, role=Membership.Role.LEAD)
    coordinator = UserFactory(username="rosa", display_name="Rosa", is_coordinator=True)
    item = tomatoes()
    today = riverside.today()
    donation = receive_donation(
        site=riverside,
        donor=None,
        received_on=today - timedelta(days=6),
        lines=[LineInput(item, "40", "cans", today + timedelta(days=300), code="L2345")],
        by=lead,
    )
    lot = donation.lines.get().lot
    posted = offer(riverside, lot, Decimal("10"), by=lead)
    transfer = network.claim_offer(offer_id=posted.pk, site=eastside, by=east_lead)
    network.accept_transfer(transfer_id=transfer.pk, by=lead)
    network.dispatch_transfer(transfer_id=transfer.pk, by=lead)
    (line,) = transfer.lines.all()
    network.receive_transfer(transfer_id=transfer.pk, by=east_lead, received={line.pk: 10})
    arrived = Lot.objects.get(site=eastside)
    assert arrived.code == "L2345"

    log_in(phone, coordinator.username, PASSWORD)
    phone.goto("/recalls/")
    phone.get_by_role("link", name="Start a recall").click()
    phone.get_by_label("What is recalled").fill("Chopped tomatoes 400 g, lot L2345")
    phone.get_by_role("textbox", name="Item").fill("Chopped tomatoes")
    phone.get_by_label("Lot code").fill("l2345")
    phone.get_by_role("button", name="Start the recall and hold the food").click()
    expect(phone.get_by_text("Recall started: 2 lots held at 2 sites")).to_be_visible()
    expect(phone.locator("section", has_text="Eastside Food Bank").first).to_contain_text("held")
    expect(phone.get_by_text("Transfer #")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert Lot.objects.filter(on_hold=True).count() == 2

    phone.context.clear_cookies()
    log_in(phone, east_lead.username, PASSWORD)
    phone.goto("/")
    # The recall's number is its row's: tests before this one may have started others.
    recall = Recall.objects.get()
    name = f"Recall #{recall.pk}: Chopped tomatoes 400 g, lot L2345"
    phone.get_by_role("link", name=name).click()
    answer = phone.locator(f"#site-{eastside.pk}")
    answer.get_by_label("None left here").check()
    answer.get_by_role("button", name="Send the answer").click()
    expect(phone.locator("p.error", has_text="still hold food (Chopped tomatoes)")).to_be_visible()
    answer = phone.locator(f"#site-{eastside.pk}")
    answer.get_by_label("Found it: discard everything held here now").check()
    answer.get_by_role("button", name="Send the answer").click()
    expect(phone.get_by_text("Eastside Food Bank's answer is recorded.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    arrived.refresh_from_db()
    assert (arrived.on_hand, arrived.on_hold) == (0, False)
    assert StockMove.objects.get(lot=arrived, kind="wasted").reason == "recalled"
    assert RecallSite.objects.get(site=eastside).answer == "discarded"
