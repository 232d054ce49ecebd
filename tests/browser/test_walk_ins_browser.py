"""On a phone: the lead records a walk-in after the shift ended and invites them;
the invitee accepts and sees their hours."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from commonpot.models import Membership, Message, User
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers.models import SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ended_shift():
    site = SiteFactory(name="Riverside Kitchen", slug="riverside", time_zone="Europe/London")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    start = (timezone.now() - timedelta(hours=4)).replace(second=0, microsecond=0)
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site, name="Server"),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        min_people=1,
    )
    return lead, shift


def test_a_lead_records_a_walk_in_after_the_shift_and_the_invitee_sees_their_hours(
    browser, live_server, phone, ended_shift
):
    lead, shift = ended_shift
    log_in(phone, lead.username, PASSWORD)
    phone.goto(f"/sites/riverside/shifts/{shift.pk}/")
    expect(phone.get_by_text("Attendance can be recorded or corrected until")).to_be_visible()

    walk_in = phone.locator("form", has=phone.get_by_role("button", name="Record the walk-in"))
    walk_in.get_by_label("Name").fill("Sam Walker")
    walk_in.get_by_label("Email").fill("sam@example.org")
    walk_in.get_by_label("They agree to be contacted").check()
    walk_in.get_by_role("button", name="Record the walk-in").tap()

    expect(phone.get_by_text("Sam Walker is on the shift as a walk-in")).to_be_visible()
    row = phone.locator("tr", has=phone.get_by_role("link", name="Sam Walker"))
    expect(row).to_contain_text("Walk-in")
    expect(row).to_contain_text("Attended, 3 h")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    row.get_by_role("link", name="Sam Walker").tap()
    expect(phone.get_by_role("heading", name="Invite Sam Walker to an account")).to_be_visible()
    expect(phone.get_by_text("sam@example.org").first).to_be_visible()
    invite = phone.locator("form", has=phone.get_by_role("button", name="Send the invitation"))
    expect(invite.get_by_label("Email")).to_have_value("sam@example.org")
    expect(invite.get_by_label("They asked for this invitation")).to_be_checked()
    invite.get_by_role("button", name="Send the invitation").tap()
    expect(phone.get_by_text("Invitation sent to sam@example.org")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The invitee opens the link from the email on their own phone.
    email = Message.objects.get(kind="commonpot.invitation", to_email="sam@example.org")
    token = email.body_text.split("/invitation/")[1].split("/")[0]
    path = reverse("invitation", args=[token])
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 780},
        is_mobile=True,
        has_touch=True,
    )
    invitee = context.new_page()
    invitee.set_default_timeout(10_000)
    try:
        invitee.goto(path)
        expect(invitee.get_by_role("heading", name="Join Riverside Kitchen")).to_be_visible()
        expect(invitee.get_by_label("Email address")).to_have_value("sam@example.org")
        expect(invitee.get_by_label("Name")).to_have_value("Sam Walker")
        invitee.get_by_label("Password", exact=True).fill("carrots-and-lentils")
        invitee.get_by_label("Password again").fill("carrots-and-lentils")
        invitee.get_by_role("button", name="Make my account and join").tap()
        expect(
            invitee.get_by_text("Welcome! You now volunteer at Riverside Kitchen.")
        ).to_be_visible()

        invitee.get_by_role("link", name="My shifts").first.tap()
        expect(invitee.get_by_text("3 hours")).to_be_visible()
        expect(invitee.get_by_role("cell", name="Server")).to_be_visible()
        assert invitee.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()

    sam = User.objects.get(email="sam@example.org")
    assert SignUp.objects.get(shift=shift).volunteer == sam
    # The link worked once.
    assert Message.objects.filter(kind="commonpot.invitation").count() == 1
