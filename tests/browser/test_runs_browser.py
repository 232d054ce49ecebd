# ruff: noqa: F811
"""A pickup run in Chromium: the coordinator has the solver order a bakery pickup and
drops at two sites, and the driver, on a 390 px phone, records that only 20 of the
30 kg for Riverside was there; the other 10 kg goes back on the bakery's offer."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from pantry.network.models import Offer, Transfer
from pantry.network.services import runs
from pantry.network.stock import network_quantities
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

# The network tests' bakery, its claimed bread and the van's day, as fixtures here
# (a test naming a fixture shadows the imported name: F811 is how fixtures work).
from tests.network.conftest import baker, bakery, claimed, item_bread, mapped, run  # noqa: F401
from tests.network.factories import tomorrow_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_driver_takes_part_of_a_pickup_on_a_phone_and_the_rest_goes_back_on_offer(
    page, phone, run, coordinator, lead, bakery, site, other_site, claimed, item_bread
):
    offer, first, second = claimed
    before = network_quantities()[item_bread.pk]
    for kind, where, hours, transfers in (
        ("drop", other_site, (9, 13), None),
        ("pickup", bakery, (8, 10), [first, second]),
        ("drop", site, (8, 13), None),
    ):
        runs.add_stop(
            run_id=run.pk,
            by=coordinator,
            kind=kind,
            site=where,
            transfers=transfers,
            window_from=tomorrow_at(site, hours[0]),
            window_until=tomorrow_at(site, hours[1]),
        )

    # The coordinator has the stops put in order: the bakery comes first.
    log_in(page, coordinator.username, PASSWORD)
    page.goto(f"/network/runs/{run.pk}/")
    page.get_by_role("button", name="Order the stops").click()
    first_stop = page.locator("ol.stops > li, ol > li").first
    expect(first_stop).to_contain_text("Pick up: Harbour Bakery")

    # The driver (the run's site's lead) opens the run on a phone at the bakery.
    log_in(phone, lead.username, PASSWORD)
    phone.goto(f"/network/runs/{run.pk}/drive/")
    expect(phone.get_by_role("heading", name="Harbour Bakery")).to_be_visible()
    rows = phone.locator("ul.drive-lines > li")
    riverside = rows.filter(has_text="for Riverside Kitchen")
    riverside.get_by_text("Took part (or none)").click()
    riverside.get_by_label("Took (of 30 kg)").fill("20")
    riverside.get_by_role("button", name="Save: the rest stays").click()
    expect(riverside.get_by_text("Loaded 20 kg")).to_be_visible()
    eastside = rows.filter(has_text="for Eastside Food Bank")
    eastside.get_by_role("button", name="Took all").click()
    expect(eastside.get_by_text("Loaded 10 kg")).to_be_visible()
    phone.get_by_role("button", name="Done: next stop").click()
    expect(phone.get_by_text("Stop 2 of 3")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # The 10 kg not there is back on the bakery's offer; what was taken left.
    offer.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert offer.status == Offer.Status.OPEN and offer.remaining == Decimal("10000")
    assert (first.status, first.quantity) == (Transfer.Status.DISPATCHED, Decimal("20000"))
    assert (second.status, second.quantity) == (Transfer.Status.DISPATCHED, Decimal("10000"))
    # Nothing appeared or vanished: on hand plus in transit is what it was.
    assert network_quantities()[item_bread.pk] == before
