"""A volunteer claims a shift on a phone and the card updates in place."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commonpot.models import Membership
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory, SignUpFactory
from volunteers.models import Shift, SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def board():
    site = SiteFactory(name="Riverside Kitchen", slug="riverside")
    volunteer = UserFactory(username="vera", display_name="Vera Okafor")
    MembershipFactory(user=volunteer, site=site, role=Membership.Role.VOLUNTEER)
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site, name="Cook"),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        max_people=3,
        places_taken=1,
    )
    SignUpFactory(shift=shift, volunteer=UserFactory(display_name="Amira Haddad"))
    return volunteer, shift


def test_a_volunteer_claims_a_shift_on_a_phone_and_the_card_updates_in_place(phone, board):
    volunteer, shift = board
    log_in(phone, volunteer.username, PASSWORD)
    phone.goto("/shifts/")
    card = phone.locator(f"#shift-{shift.pk}")
    expect(card).to_contain_text("2 places left")
    expect(card).to_contain_text("Going: Amira")
    # A marker on the page that a full page load would wipe out.
    phone.evaluate("window.__stillHere = true")

    card.get_by_label("Who is coming").select_option("1")
    card.get_by_role("button", name="Claim").tap()

    expect(card).to_contain_text("You're in")
    expect(card).to_contain_text("with 1 guest")
    expect(card).to_contain_text("Full")
    assert phone.evaluate("window.__stillHere") is True
    assert phone.url.endswith("/shifts/")
    assert SignUp.objects.get(volunteer=volunteer).guests == 1
    assert Shift.objects.get(pk=shift.pk).places_taken == 3
    # Nothing runs off the side of a phone screen.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_claiming_works_with_javascript_off(browser, live_server, board):
    volunteer, shift = board
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 780}
    )
    page = context.new_page()
    try:
        log_in(page, volunteer.username, PASSWORD)
        page.goto("/shifts/")
        page.locator(f"#shift-{shift.pk}").get_by_role("button", name="Claim").click()
        expect(page.get_by_text("You're in: Cook at Riverside Kitchen")).to_be_visible()
        expect(page.locator(f"#shift-{shift.pk}")).to_contain_text("You're in")
        assert SignUp.objects.get(volunteer=volunteer).is_confirmed
    finally:
        context.close()
