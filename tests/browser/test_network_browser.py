"""A full transfer in Chromium: the camp offers bread, the food bank claims it on a
phone (HTMX), the camp accepts, prints the manifest and dispatches, and the food
bank records 38 of 40 kg arrived with 2 kg damaged."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pantry.models import Lot, StockMove
from pantry.network.models import Offer, Transfer
from pantry.network.stock import network_quantities
from tests.browser.conftest import log_in
from tests.factories import PASSWORD
from tests.network.factories import bread, stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def item_bread(db):
    return bread()


@pytest.fixture
def mapped(site, other_site):
    site.latitude, site.longitude = Decimal("51.45000"), Decimal("-2.60000")
    other_site.latitude, other_site.longitude = Decimal("51.50000"), Decimal("-2.50000")
    for s in (site, other_site):
        s.save()


def test_bread_goes_from_offer_to_receipt_with_the_damaged_part_recorded(
    page, phone, site, other_site, lead, other_lead, item_bread, mapped
):
    lot = stock(site, item_bread, "40000", by=lead, days=2)
    before = network_quantities()[item_bread.pk]

    # The camp's lead offers all 40 kg.
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/sites/{site.slug}/surplus/")
    page.get_by_role("link", name="Offer surplus food").click()
    page.get_by_label("Food to offer").select_option(str(lot.pk))
    page.get_by_label("Quantity").fill("40")
    page.get_by_role("button", name="Offer it").click()
    expect(page.get_by_text("40 kg of Bread is on offer to the network")).to_be_visible()
    offer = Offer.objects.get()

    # The food bank's lead claims it from the board on a phone; the card says so in place.
    log_in(phone, other_lead.username, PASSWORD)
    phone.get_by_role("link", name="Network", exact=True).click()
    # Until the page's scripts have run (htmx, after the scripts' strings): a tap
    # before then posts the form as a plain page, which works but is not in place.
    phone.wait_for_load_state()
    card = phone.locator(f"#offer-{offer.pk}")
    expect(card).to_contain_text("40 kg of Bread")
    card.get_by_role("button", name="Claim all 40 kg").click()
    expect(phone.locator(f"#offer-{offer.pk}")).to_contain_text("now waits for Riverside Kitchen")
    assert phone.url.endswith("/network/")  # swapped in place, no page load
    transfer = Transfer.objects.get()

    # The camp's lead accepts, prints the manifest and dispatches.
    page.goto("/")
    page.get_by_role("link", name=f"#{transfer.pk} 40 kg of Bread").click()
    page.get_by_role("button", name="Accept and hold the food").click()
    expect(
        page.get_by_text("Accepted: 40 kg of Bread is held for Eastside Food Bank")
    ).to_be_visible()
    manifest = page.request.get(f"/network/transfers/{transfer.pk}/manifest.pdf")
    assert manifest.ok and manifest.headers["content-type"] == "application/pdf"
    assert manifest.body().startswith(b"%PDF")
    page.get_by_role("button", name="Dispatch: the food has left").click()
    expect(page.get_by_text("is in transit")).to_be_visible()

    # The food bank records what arrived.
    phone.goto(f"/network/transfers/{transfer.pk}/")
    phone.get_by_role("link", name="Record what arrived").click()
    phone.get_by_label("Quantity").fill("38")
    phone.get_by_label("Why was some short or damaged?").select_option("damaged")
    phone.get_by_label("Where did the unusable food go?").select_option("compost")
    phone.get_by_role("button", name="Record receipt").click()
    expect(
        phone.get_by_text("Received 38 kg of Bread; 2 kg recorded as short or damaged")
    ).to_be_visible()

    arrived = Lot.objects.get(site=other_site)
    assert (arrived.on_hand, arrived.best_before) == (Decimal(38000), lot.best_before)
    assert StockMove.objects.get(kind="wasted").reason == "damaged"
    assert network_quantities()[item_bread.pk] == before - 2000


def test_the_coordinators_map_marks_the_sites_and_says_when_tiles_cannot_load(
    page, settings, site, other_site, coordinator, mapped
):
    settings.MAP_TILES_URL = "/no-tiles-here/{z}/{x}/{y}.png"
    log_in(page, coordinator.username, PASSWORD)
    page.goto("/network/dashboard/")
    expect(page.locator("#site-map")).to_have_attribute("data-ready", "2")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(2)
    expect(page.get_by_role("status")).to_contain_text("The map background could not load")
    page.get_by_role("link", name="All 2 sites as a list").click()
    expect(page.get_by_role("link", name="Eastside Food Bank")).to_be_visible()


def test_a_coordinator_types_a_transfers_sites_and_food_on_a_phone(
    phone, site, other_site, lead, coordinator, item_bread, mapped, monkeypatch
):
    """In a network of many sites and a long catalog, the transfer form has boxes
    with suggestions instead of lists of every site and every item."""
    from commonpot import forms

    monkeypatch.setattr(forms, "SITES_LISTED", 1)
    stock(site, item_bread, "40000", by=lead, days=4)
    log_in(phone, coordinator.username, PASSWORD)
    phone.goto("/network/transfers/new/")
    phone.wait_for_load_state()
    source = phone.get_by_label("From", exact=True)
    source.fill(site.name[:5].lower())
    suggested = phone.locator("#id_source-suggestions option")
    expect(suggested).to_have_count(1)  # all sites on first focus, then the one typed
    expect(suggested).to_have_attribute("value", site.slug)
    source.fill(site.slug)  # what picking the suggestion enters
    phone.get_by_label("To", exact=True).fill(other_site.name)  # a whole name works too
    item = phone.get_by_label("Item", exact=True)
    item.fill("bre")
    suggested = phone.locator("#id_item-suggestions option")
    expect(suggested).to_have_count(1)
    expect(suggested).to_have_attribute("value", "Bread")
    item.fill("Bread")
    phone.get_by_label("Quantity").fill("3")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.get_by_role("button", name="Propose", exact=True).click()
    expect(phone.get_by_text("Proposed.")).to_be_visible()
    transfer = Transfer.objects.get()
    assert (transfer.source, transfer.destination, transfer.item) == (site, other_site, item_bread)
