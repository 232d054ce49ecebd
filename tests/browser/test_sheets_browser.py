"""A lead prints the day's sheet from a phone; a volunteer prints their schedule."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from commonpot.models import Membership
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.reminders.conftest import claim
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kitchen():
    site = SiteFactory(name="Riverside Kitchen", slug="riverside", time_zone="Europe/London")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    vera = UserFactory(username="vera", display_name="Vera Okafor")
    MembershipFactory(user=vera, site=site, role=Membership.Role.VOLUNTEER)
    day = site.today() + timedelta(days=2)
    start = datetime.combine(day, time(9), tzinfo=site.tz)
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site, name="Cook"),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
    )
    claim(shift, vera)
    return site, lead, vera, shift


def pdf_from(page, action) -> bytes:
    """Do `action` and return the PDF the browser was sent for it."""
    with page.expect_response(lambda r: r.url.endswith(".pdf") and r.status == 200) as caught:
        action()
    response = caught.value
    assert response.headers["content-type"] == "application/pdf"
    # The browser shows it in its PDF viewer; fetch the same address with the same
    # session to read the file itself.
    body = page.request.get(response.url).body()
    page.last_pdf_url = response.url
    return body


def test_a_lead_finds_the_shift_sheets_tab_on_a_phone_and_opens_a_day_sheet(phone, kitchen):
    site, lead, vera, shift = kitchen
    log_in(phone, lead.username, PASSWORD)
    phone.goto(f"/sites/{site.slug}/manage/")
    # The tabs come in groups: the sheets are among People's.
    tabs = phone.get_by_role("navigation", name=site.name)
    tabs.get_by_role("link", name="People", exact=True).first.tap()
    tabs.get_by_role("link", name="Shift sheets").tap()
    expect(phone.get_by_role("heading", name="Shift sheets")).to_be_visible()
    expect(phone.get_by_role("cell", name="09:00–12:00")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    body = pdf_from(phone, lambda: phone.get_by_role("link", name="Day sheet (PDF)").first.tap())
    assert body.startswith(b"%PDF")


def test_another_day_is_chosen_and_opened_with_the_keyboard(phone, kitchen):
    site, lead, vera, shift = kitchen
    log_in(phone, lead.username, PASSWORD)
    phone.goto(f"/sites/{site.slug}/sheets/")
    day = phone.get_by_label("Another day")
    day.fill("2031-02-03")
    day.focus()
    phone.keyboard.press("Tab")  # the button follows the field
    body = pdf_from(phone, lambda: phone.keyboard.press("Enter"))
    assert body.startswith(b"%PDF")
    assert phone.last_pdf_url.endswith(f"/sites/{site.slug}/sheets/days/2031-02-03.pdf")


def test_a_volunteer_prints_their_schedule_from_the_home_page(phone, kitchen):
    site, lead, vera, shift = kitchen
    log_in(phone, vera.username, PASSWORD)
    phone.goto("/")
    link = phone.get_by_role("link", name="Print my schedule (PDF)")
    expect(link).to_be_visible()
    assert pdf_from(phone, link.tap).startswith(b"%PDF")
