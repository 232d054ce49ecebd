"""On a phone: a fridge read at 9 °C holds the milk in it, the lead is told, and
releases it with a reason."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commonpot.models import Membership, Message
from pantry import services
from pantry.models import Lot
from pantry.services import equipment
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.pantry.factories import milk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_warm_fridge_holds_the_milk_and_the_lead_releases_it(phone):
    site = SiteFactory(name="Riverside Kitchen", slug="riverside", stores__has_chilled_storage=True)
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    fridge = equipment.add_equipment(site, name="Fridge 1", kind="fridge")
    lot = services.receive(
        site=site, item=milk(), quantity=Decimal(4000), by=lead, source="Dairy", stored_in=fridge
    ).lot

    log_in(phone, lead.username, PASSWORD)
    phone.goto(f"/sites/{site.slug}/temperatures/")
    phone.evaluate("window.stillTheSamePage = true")
    phone.get_by_label("Fridge 1 now (°C)").fill("9")
    phone.get_by_role("button", name="Save Fridge 1").click()
    row = phone.locator(f"#unit-{fridge.pk}")
    expect(row).to_contain_text("Saved: 9.0 °C, above the limit. 1 lot in it is on hold")
    expect(row).to_contain_text("1 lot on hold")
    assert phone.evaluate("window.stillTheSamePage") is True
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    lot.refresh_from_db()
    assert lot.on_hold
    assert Message.objects.get().to_user == lead

    phone.goto(f"/sites/{site.slug}/holds/")
    card = phone.locator("li.card", has_text="Milk")
    expect(card).to_contain_text("Fridge 1 read 9.0 °C")
    card.get_by_label("Reason").fill("Door was open; milk probed at 4 °C")
    card.get_by_role("button", name="Release").click()
    expect(phone.get_by_text("Released: the lot of Milk may be used again.")).to_be_visible()
    expect(phone.get_by_text("Nothing is on hold.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert not Lot.objects.get(pk=lot.pk).on_hold
