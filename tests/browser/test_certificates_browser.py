"""On a phone: a volunteer downloads an hours certificate from My shifts, and its
code verifies on the public check page, for someone with no account."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from commonpot.models import Membership
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory, SignUpFactory
from volunteers.models import HoursCertificate, SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vera():
    site = SiteFactory(name="Riverside Kitchen", slug="riverside", time_zone="Europe/London")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    vera = UserFactory(username="vera", display_name="Vera Volunteer")
    MembershipFactory(user=vera, site=site, role=Membership.Role.VOLUNTEER)
    role = ShiftRoleFactory(site=site, name="Cook")
    for days_ago, hours in ((5, "3"), (12, "2.5")):
        start = (timezone.now() - timedelta(days=days_ago)).replace(second=0, microsecond=0)
        SignUpFactory(
            shift=ShiftFactory(
                site=site, role=role, starts_at=start, ends_at=start + timedelta(hours=3)
            ),
            volunteer=vera,
            attendance=SignUp.Attendance.ATTENDED,
            hours_credited=Decimal(hours),
        )
    return vera


def test_a_volunteer_downloads_an_hours_certificate_whose_code_verifies(
    browser, live_server, phone, vera
):
    log_in(phone, vera.username, PASSWORD)
    phone.goto("/me/shifts/")
    phone.get_by_role("link", name="Download an hours certificate").tap()
    expect(phone.get_by_role("heading", name="Hours certificates")).to_be_visible()
    expect(phone.get_by_label("Site")).to_contain_text("Riverside Kitchen")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    with phone.expect_download() as download:
        phone.get_by_role("button", name="Download the certificate (PDF)").tap()
    text = " ".join(
        " ".join(
            p.extract_text() for p in PdfReader(BytesIO(download.value.path().read_bytes())).pages
        ).split()
    )
    certificate = HoursCertificate.objects.get()
    assert "This certifies that Vera Volunteer served 5.5 hours" in text
    assert "Lena Lead, lead at Riverside Kitchen" in text
    assert certificate.printed_code in text

    # Someone with no account types the code from the paper.
    stranger = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 780}, is_mobile=True
    ).new_page()
    stranger.goto("/certificates/")
    stranger.get_by_label("Code").fill(certificate.printed_code.lower())
    stranger.get_by_role("button", name="Check").click()
    expect(
        stranger.get_by_role("heading", name=f"Hours certificate {certificate.printed_code}")
    ).to_be_visible()
    facts = stranger.locator("dl")
    expect(facts).to_contain_text("Vera Volunteer")
    expect(facts).to_contain_text("Riverside Kitchen")
    expect(facts).to_contain_text("5.5")
    expect(facts).to_contain_text("Lena Lead, lead at Riverside Kitchen")
    stranger.goto("/certificates/ABCDEFGHJKMNPQRS/")
    expect(stranger.get_by_text("No certificate has this code")).to_be_visible()
    stranger.context.close()
