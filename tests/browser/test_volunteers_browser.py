"""A volunteer claims a shift on a phone and the card updates in place."""

import re
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


@pytest.fixture
def mine(board):
    """Vera holds a place on the Cook shift, two days ahead (before the cutoff)."""
    volunteer, shift = board
    sign_up = SignUpFactory(shift=shift, volunteer=volunteer)
    Shift.objects.filter(pk=shift.pk).update(places_taken=2)
    return volunteer, sign_up


def test_cancel_waits_with_an_undo_and_undo_keeps_the_place(phone, mine):
    volunteer, sign_up = mine
    log_in(phone, volunteer.username, PASSWORD)
    phone.goto("/me/shifts/")
    phone.get_by_role("button", name="Cancel").first.tap()
    status = phone.get_by_role("status").filter(has_text="Cancelling your place in")
    expect(status).to_be_visible()
    expect(phone.get_by_role("button", name="Undo")).to_be_focused()
    phone.get_by_role("button", name="Undo").tap()
    phone.wait_for_timeout(6_000)  # longer than the countdown: nothing is sent
    assert SignUp.objects.get(pk=sign_up.pk).is_confirmed
    expect(phone.get_by_role("button", name="Cancel").first).to_be_visible()

    phone.get_by_role("button", name="Cancel").first.tap()
    expect(phone.get_by_text("You are no longer down for")).to_be_visible(timeout=10_000)
    assert SignUp.objects.get(pk=sign_up.pk).status == SignUp.Status.CANCELLED


def test_cancel_with_javascript_off_asks_first(browser, live_server, mine):
    volunteer, sign_up = mine
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 780}
    )
    page = context.new_page()
    try:
        log_in(page, volunteer.username, PASSWORD)
        page.goto("/me/shifts/")
        page.get_by_role("button", name="Cancel").first.click()
        expect(page.get_by_role("heading", name="Are you sure?")).to_be_visible()
        assert SignUp.objects.get(pk=sign_up.pk).is_confirmed
        page.get_by_role("button", name="Yes").click()
        expect(page.get_by_text("You are no longer down for")).to_be_visible()
        assert SignUp.objects.get(pk=sign_up.pk).status == SignUp.Status.CANCELLED
    finally:
        context.close()


def test_in_a_network_of_many_sites_a_volunteer_types_a_sites_name_and_picks_it(
    phone, board, monkeypatch
):
    from commonpot import forms

    monkeypatch.setattr(forms, "SITES_LISTED", 2)
    volunteer, shift = board
    for name, slug in [("Eastside Food Bank", "eastside"), ("Northside Pantry", "northside")]:
        ShiftFactory(site=SiteFactory(name=name, slug=slug), starts_at=shift.starts_at)
    log_in(phone, volunteer.username, PASSWORD)
    phone.goto("/shifts/")
    expect(phone.locator(".shift-card")).to_have_count(3)
    phone.get_by_text("Filter the shifts").tap()
    box = phone.get_by_label("Site")
    expect(box).to_have_attribute("type", "search")
    box.fill("east")
    suggestions = phone.locator("#id_site-suggestions option")
    expect(suggestions).to_have_count(1)
    expect(suggestions).to_have_attribute("value", "eastside")
    assert phone.url.endswith("/shifts/")  # the suggestions did not change the address
    # Picking the suggestion puts its value in the box; leaving the box shows its shifts.
    box.fill("eastside")
    box.press("Tab")
    expect(phone.locator(".shift-card")).to_have_count(1)
    expect(phone.locator(".shift-card")).to_contain_text("Eastside Food Bank")
    expect(phone).to_have_url(re.compile(r"site=eastside"))
    # A name nobody has is said, not ignored.
    box.fill("Westside")
    box.press("Tab")
    expect(phone.get_by_role("alert")).to_contain_text("No site is called “Westside”")
    expect(phone.locator(".shift-card")).to_have_count(0)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
