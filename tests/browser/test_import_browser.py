"""Donations from a spreadsheet in a real browser, on a phone: the stock export
imported back, the same file refused the second time, and imported again knowingly."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commonpot.models import Membership
from pantry import services
from pantry.models import DonationImport, Lot
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.pantry.factories import rice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_imports_the_stock_export_and_is_stopped_the_second_time(phone, tmp_path):
    site = SiteFactory(name="Riverside Kitchen", slug="riverside")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    services.receive(site=site, item=rice(), quantity=Decimal(3000), by=lead, source="Shop")
    log_in(phone, lead.username, PASSWORD)

    phone.goto(f"/sites/{site.slug}/stock/")
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Stock as CSV").click()
    sheet = tmp_path / "stock.csv"
    download.value.save_as(sheet)

    def import_the_sheet(again: bool = False) -> None:
        phone.get_by_label("Spreadsheet (CSV)").set_input_files(sheet)
        if again:
            phone.get_by_label("Import it again anyway").check()
        phone.get_by_role("button", name="Check and import").click()

    phone.goto(f"/sites/{site.slug}/donations/import/")
    expect(phone.get_by_label("Import it again anyway")).to_have_count(0)
    import_the_sheet()
    expect(phone.get_by_text("Imported 1 row as 1 donation.")).to_be_visible()

    phone.goto(f"/sites/{site.slug}/donations/import/")
    import_the_sheet()
    alert = phone.get_by_role("alert").filter(has_text="Already imported")
    expect(alert).to_contain_text("This file was imported at Riverside Kitchen on")
    expect(alert).to_contain_text("by Lena Lead (1 row as 1 donation)")
    # Nothing overflows a phone's width.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert sum(Lot.objects.values_list("on_hand", flat=True)) == 6000

    import_the_sheet(again=True)
    expect(phone.get_by_text("Imported 1 row as 1 donation.")).to_be_visible()
    assert sum(Lot.objects.values_list("on_hand", flat=True)) == 9000

    phone.goto(f"/sites/{site.slug}/donations/import/")
    import_the_sheet()
    phone.get_by_role("link", name="See what that import recorded").click()
    first = DonationImport.objects.get(repeat_of__isnull=True)
    expect(phone.get_by_text("Recorded by the import of")).to_contain_text(first.file_name)
    expect(phone.locator("tbody tr")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
