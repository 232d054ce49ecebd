"""On a phone: after a third missed shift, a volunteer's next claim waits for a
lead, who approves it from the roster."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commonpot.models import Membership
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory, SignUpFactory
from volunteers.models import ShiftPolicy, SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def missed_three():
    site = SiteFactory(name="Riverside Kitchen", slug="riverside")
    ShiftPolicy.objects.update_or_create(
        site=site, defaults={"no_show_limit": 3, "no_show_days": 60}
    )
    cook = ShiftRoleFactory(site=site, name="Cook")
    volunteer = UserFactory(username="vera", display_name="Vera Okafor")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=volunteer, site=site, role=Membership.Role.VOLUNTEER)
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    for n in range(3):
        start = timezone.now() - timedelta(days=5 + n)
        past = ShiftFactory(
            site=site, role=cook, starts_at=start, ends_at=start + timedelta(hours=3)
        )
        SignUpFactory(shift=past, volunteer=volunteer, attendance=SignUp.Attendance.MISSED)
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    shift = ShiftFactory(site=site, role=cook, starts_at=start, ends_at=start + timedelta(hours=3))
    return site, volunteer, lead, shift


def test_a_third_missed_shift_puts_the_next_claim_up_for_a_leads_approval(
    browser, live_server, missed_three
):
    site, volunteer, lead, shift = missed_three
    for who, act in ((volunteer, "claim"), (lead, "approve")):
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": 390, "height": 780},
            is_mobile=True,
            has_touch=True,
        )
        page = context.new_page()
        try:
            log_in(page, who.username, PASSWORD)
            if act == "claim":
                page.goto("/shifts/")
                card = page.locator(f"#shift-{shift.pk}")
                card.get_by_role("button", name="Claim").tap()
                expect(card).to_contain_text("Waiting for a lead's approval")
                expect(card).to_contain_text("You missed 3 shifts at Riverside Kitchen")
                assert SignUp.objects.get(volunteer=volunteer, shift=shift).is_pending
            else:
                page.goto(f"/sites/{site.slug}/shifts/{shift.pk}/")
                page.get_by_role("button", name="Approve").tap()
                expect(page.get_by_text("Approved: Vera Okafor is on the shift.")).to_be_visible()
                assert SignUp.objects.get(volunteer=volunteer, shift=shift).is_confirmed
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        finally:
            context.close()
