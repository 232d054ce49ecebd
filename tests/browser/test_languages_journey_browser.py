"""A volunteer whose phone speaks Spanish (or Arabic) signs up, claims a shift and
reads every page, the reminder and the site's day sheet in that language (a lead's
"2,5 kg" is in tests/pantry/test_donations.py)."""

from __future__ import annotations

import subprocess
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from commonpot.models import Membership, Message, User
from tests.conftest import client_for
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers import reminders
from volunteers.models import SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("var/screenshots")


def said(language: str, english: str, context: str | None = None) -> str:
    with translation.override(language):
        text = translation.pgettext(context, english) if context else translation.gettext(english)
    assert text != english, f"{english!r} is not translated into {language}"
    return text


def plain_letters(text: str) -> str:
    """Text as letters only, with Arabic's joined forms read back as its letters."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalpha())


@pytest.fixture
def riverside():
    site = SiteFactory(name="Riverside Kitchen", slug="riverside", is_public=True)
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    start = (timezone.now() + timedelta(hours=20)).replace(second=0, microsecond=0)
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site, name="Cook"),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        max_people=4,
    )
    return site, lead, shift


@pytest.mark.parametrize("language", ["es", "ar"])
def test_a_volunteer_lives_a_day_of_commonpot_in_their_language(
    browser, live_server, riverside, language, tmp_path
):
    site, lead, shift = riverside
    site.language = language  # its sheets print in the same language
    site.save()
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 780},
        is_mobile=True,
        has_touch=True,
        locale=language,
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)

    # Signs up from the site's page, in the phone's language.
    phone.goto(f"/accounts/signup/?site={site.slug}")
    expect(phone.locator("html")).to_have_attribute("lang", language)
    expect(phone.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    phone.locator('input[name="name"]').fill("Lucía Pérez")
    phone.locator('input[name="email"]').fill("lucia@example.org")
    phone.locator('input[name="password1"]').fill("carrots-and-lentils")
    phone.locator('input[name="password2"]').fill("carrots-and-lentils")
    with phone.expect_navigation():
        phone.locator('input[name="password2"]').press("Enter")
    lucia = User.objects.get(email="lucia@example.org")
    assert lucia.language == language

    # Claims the shift on the board.
    phone.goto("/shifts/")
    card = phone.locator(f"#shift-{shift.pk}")
    card.get_by_role(
        "button", name=said(language, "Claim", "verb: take a place on a shift")
    ).click()
    expect(card).to_contain_text(said(language, "You're in"))
    assert SignUp.objects.filter(shift=shift, volunteer=lucia).exists()

    # Every page of theirs in their language, fitting the phone.
    for path in ("/", "/shifts/", "/me/shifts/", "/accounts/profile/", f"/sites/{site.slug}/"):
        phone.goto(path)
        expect(phone.locator("html")).to_have_attribute("lang", language)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, path
    phone.goto("/me/shifts/")
    expect(phone.get_by_role("heading", name=said(language, "Your shifts"))).to_be_visible()
    phone.screenshot(path=str(SHOTS / f"journey-{language}-my-shifts.png"))
    context.close()

    # The reminder, decided by the worker at night, is in their language.
    reminders.send_due_reminders()
    reminder = Message.objects.get(to_user=lucia, kind=reminders.REMINDER, channel="email")
    prefix = said(language, "Reminder: %(role)s at %(site)s, %(when)s").split("%(")[0]
    assert reminder.subject.startswith(prefix), reminder.subject

    # The lead (reading English) prints the day sheet: in the site's language.
    day = shift.local_start.date().isoformat()
    pdf = client_for(lead).get(
        reverse("volunteers:day_sheet", args=[site.slug, day]), {"copy": "wall"}
    )
    assert pdf.status_code == 200
    (tmp_path / "day.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(tmp_path / "day.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    title = plain_letters(said(language, "Day sheet"))
    read = plain_letters(text)
    # Shaped Arabic reads back as its letters, in order (or, from some PDF
    # readers, in the visual order of a right-to-left line).
    assert title in read or title[::-1] in read, text[:300]
    assert "Daysheet" not in read
