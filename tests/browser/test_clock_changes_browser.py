"""On a phone: a lead at a Madrid site types a shift at a time the clocks skip, and
one at a time that happens twice. The days are the next ones on which Madrid's clocks
change, worked out from today, so the test types a coming date whatever day it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commonpot.models import Membership
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftRoleFactory
from volunteers.models import Shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MADRID = ZoneInfo("Europe/Madrid")


def next_clock_change(forward: bool) -> date:
    """The next day (from a week ahead) on which Madrid's clocks go forward, or back."""
    day = timezone.now().astimezone(MADRID).date() + timedelta(days=7)
    for _ in range(400):
        before = datetime.combine(day, time(0), tzinfo=MADRID).utcoffset()
        after = datetime.combine(day, time(5), tzinfo=MADRID).utcoffset()
        if (after > before) if forward else (after < before):
            return day
        day += timedelta(days=1)
    raise AssertionError("Madrid changes its clocks twice a year")


@pytest.fixture
def madrid_lead():
    site = SiteFactory(name="Lavapiés Kitchen", slug="lavapies", time_zone="Europe/Madrid")
    lead = UserFactory(username="lucia", display_name="Lucía Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    ShiftRoleFactory(site=site, name="Night watch")
    return lead


def fill_shift(phone, day: date, start: str, end: str) -> None:
    phone.goto("/sites/lavapies/shifts/new/")
    phone.get_by_label("Role").select_option(label="Night watch")
    phone.get_by_label("Date").fill(day.isoformat())
    phone.get_by_label("Starts").fill(start)
    phone.get_by_label("Ends").fill(end)
    phone.get_by_label("Maximum people").fill("2")
    phone.get_by_role("button", name="Add the shift").tap()


def fits_the_phone(phone) -> bool:
    return phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_time_the_clocks_skip_is_refused_on_the_form_and_nothing_is_saved(phone, madrid_lead):
    spring = next_clock_change(forward=True)
    log_in(phone, madrid_lead.username, PASSWORD)
    fill_shift(phone, spring, "02:30", "05:00")

    error = phone.locator(".error", has_text="does not exist in Europe/Madrid")
    expect(error).to_be_visible()
    expect(error).to_contain_text("02:30 on")
    expect(error).to_contain_text("the clocks go forward from 02:00 to 03:00")
    # What was typed is still there to correct.
    expect(phone.get_by_label("Starts")).to_have_value("02:30")
    expect(phone.get_by_label("Date")).to_have_value(spring.isoformat())
    assert fits_the_phone(phone)
    assert not Shift.objects.exists()


def test_a_time_that_happens_twice_asks_which_and_saves_the_one_chosen(phone, madrid_lead):
    autumn = next_clock_change(forward=False)
    log_in(phone, madrid_lead.username, PASSWORD)
    fill_shift(phone, autumn, "02:30", "06:00")

    expect(phone.get_by_text("happens twice in Europe/Madrid").first).to_be_visible()
    first = phone.get_by_label("the first 02:30 (summer time, CEST)")
    second = phone.get_by_label("the second 02:30 (winter time, CET)")
    expect(first).to_be_visible()
    expect(second).to_be_visible()
    assert fits_the_phone(phone)
    assert not Shift.objects.exists()

    second.check()
    phone.get_by_role("button", name="Add the shift").tap()
    expect(phone.get_by_text("Shift added")).to_be_visible()
    shift = Shift.objects.get()
    # 02:30 in winter time (CET, UTC+1) is 01:30 UTC; the first 02:30 would be 00:30.
    assert shift.starts_at == datetime.combine(autumn, time(1, 30), tzinfo=UTC)
