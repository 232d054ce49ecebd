"""The pantry in a real browser: lines added in place, the stock page, one-tap discard."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commonpot.models import Membership
from pantry import services
from pantry.models import Donation, Lot, StockMove
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.pantry.factories import beans, milk, rice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kitchen():
    site = SiteFactory(name="Riverside Kitchen", slug="riverside", stores__has_chilled_storage=True)
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    return site, lead


def test_a_lead_logs_a_three_line_donation_and_sees_it_in_stock(page, kitchen):
    site, lead = kitchen
    rice(), beans(), milk()
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/sites/{site.slug}/donations/new/")
    # A mark on the page survives only if adding lines does not load a new page.
    page.evaluate("window.stillTheSamePage = true")

    line1 = page.get_by_role("group", name="Line 1")
    line1.get_by_label("Item").press_sequentially("ric")
    # The picker suggests from the catalog as the lead types.
    expect(page.locator("#lines-0-items option[value='Rice']")).to_have_count(1)
    line1.get_by_label("Item").fill("Rice")
    line1.get_by_label("Quantity").fill("5")
    line1.get_by_label("Unit").fill("kg")
    line1.get_by_label("Best before or use by").fill("2031-05-01")

    page.get_by_role("button", name="Add a line").click()
    line2 = page.get_by_role("group", name="Line 2")
    expect(line2).to_be_visible()
    line2.get_by_label("Item").fill("Baked beans")
    line2.get_by_label("Quantity").fill("12")
    line2.get_by_label("Unit").fill("cans")

    page.get_by_role("button", name="Add a line").click()
    line3 = page.get_by_role("group", name="Line 3")
    line3.get_by_label("Item").fill("Milk")
    line3.get_by_label("Quantity").fill("2.2")
    line3.get_by_label("Unit").fill("lb")
    line3.get_by_label("Kind of date").select_option("use_by")
    line3.get_by_label("Best before or use by").fill("2031-05-03")
    assert page.evaluate("window.stillTheSamePage") is True

    page.get_by_role("button", name="Log the donation").click()
    expect(page.get_by_role("heading", name="Donation")).to_contain_text("Anonymous")
    expect(page.get_by_text("Donation logged: 3 lines")).to_be_visible()
    assert Donation.objects.get().lines.count() == 3

    page.get_by_role("link", name="See the stock").click()
    page.evaluate("window.stillTheSamePage = 'stock'")
    table = page.locator("#stock-results table")
    expect(table.get_by_role("row", name="Rice")).to_contain_text("5 kg")
    expect(table.get_by_role("row", name="Baked beans")).to_contain_text("12 cans")
    # 2.2 lb of milk (997.903 g) at 1.03 g per ml.
    expect(table.get_by_role("row", name="Milk")).to_contain_text("968.838 ml")

    # Filtering updates the table in place.
    page.get_by_label("Storage area").select_option("chilled")
    expect(table.get_by_role("row", name="Rice")).to_have_count(0)
    expect(table.get_by_role("row", name="Milk")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") == "stock"


def test_a_lot_past_use_by_is_discarded_in_one_tap_on_a_phone(phone, kitchen):
    site, lead = kitchen
    item = rice()
    lot = services.receive(
        site=site,
        item=item,
        quantity=Decimal(3000),
        by=lead,
        source="Test",
        best_before=site.today() - timedelta(days=2),
        date_kind="use_by",
        received_on=site.today() - timedelta(days=3),
    ).lot
    log_in(phone, lead.username, PASSWORD)
    phone.goto(f"/sites/{site.slug}/waste/")
    phone.get_by_role("button", name=re.compile(r"Discard to compost\W+Rice")).click()
    expect(phone.get_by_text("Discarded 3 kg of Rice to compost.")).to_be_visible()
    lot.refresh_from_db()
    assert lot.on_hand == 0
    move = StockMove.objects.get(kind="wasted")
    assert (move.reason, move.destination, move.by) == ("expired", "compost", lead)
    assert Lot.objects.count() == 1
