"""On a phone: the Cook shift's card says it needs a food hygiene certificate before the
volunteer taps Claim, links to where they add theirs, and once it is added says so."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commonpot.models import Membership
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers.models import QualificationKind, SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_card_shows_the_certificate_a_shift_needs_before_claiming(phone):
    site = SiteFactory(name="Riverside Kitchen", slug="riverside")
    vera = UserFactory(username="vera", display_name="Vera Okafor")
    MembershipFactory(user=vera, site=site, role=Membership.Role.VOLUNTEER)
    hygiene = QualificationKind.objects.create(name="Food hygiene certificate")
    cook = ShiftRoleFactory(site=site, name="Cook")
    cook.required_qualifications.add(hygiene)
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    shift = ShiftFactory(
        site=site, role=cook, starts_at=start, ends_at=start + timedelta(hours=3), max_people=3
    )

    log_in(phone, vera.username, PASSWORD)
    phone.goto("/shifts/")
    card = phone.locator(f"#shift-{shift.pk}")
    expect(card).to_contain_text("Not yet Needs a Food hygiene certificate.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    card.get_by_role("link", name="Add yours").tap()
    expect(phone.get_by_role("heading", name="Qualifications")).to_be_visible()
    assert not SignUp.objects.exists()
