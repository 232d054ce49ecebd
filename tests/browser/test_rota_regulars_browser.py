"""On a phone: a lead makes a Mon/Wed/Fri rota, puts a regular on it, and finds
the regular on the rosters of the shifts it made."""

import pytest
from playwright.sync_api import expect

from commonpot.models import Membership
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers.models import Rota, Shift, SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_lead_makes_a_three_day_rota_with_a_regular_on_a_phone(phone):
    site = SiteFactory(name="Riverside Kitchen", slug="riverside")
    ShiftRoleFactory(site=site, name="Cook")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    regular = UserFactory(username="vera", display_name="Vera Okafor")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    MembershipFactory(user=regular, site=site, role=Membership.Role.VOLUNTEER)
    page = phone
    log_in(page, "lena", PASSWORD)

    page.goto(f"/sites/{site.slug}/rotas/")
    page.get_by_label("Role").select_option(label="Cook")
    for day in ("Mon", "Wed", "Fri"):
        page.get_by_label(day, exact=True).check()
    page.get_by_label("Start time").fill("16:00")
    page.get_by_label("End time").fill("19:00")
    assert fits_the_screen(page)
    page.get_by_role("button", name="Add and make its shifts").tap()
    expect(page.get_by_role("heading", name="Mon, Wed, Fri 16:00–19:00, Cook")).to_be_visible()
    rota = Rota.objects.get()
    made = list(Shift.objects.filter(rota=rota).order_by("starts_at"))
    assert made and {s.rota_date.weekday() for s in made} <= {0, 2, 4}

    page.get_by_label("Person").select_option(label="Vera Okafor")
    page.get_by_role("button", name="Add the regular").tap()
    expect(page.get_by_text("Vera Okafor is a regular on this rota.")).to_be_visible()
    assert fits_the_screen(page)
    assert SignUp.objects.filter(volunteer=regular, regular__isnull=False).count() == len(made)

    for shift in (made[0], made[-1]):
        page.goto(f"/sites/{site.slug}/shifts/{shift.pk}/")
        expect(page.get_by_role("link", name="Vera Okafor")).to_be_visible()
        expect(page.get_by_text("Regular on the rota")).to_be_visible()
        assert fits_the_screen(page)


def test_at_a_site_of_many_people_a_lead_types_a_name_and_picks_the_person(phone, monkeypatch):
    """An event's site, more people than a list offers: the roster's "Add someone
    by hand" is a box; two people of one name are told apart by their number."""
    from volunteers import forms

    monkeypatch.setattr(forms, "PEOPLE_LISTED", 2)
    site = SiteFactory(name="Riverside Kitchen", slug="riverside")
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    people = [UserFactory(display_name=name) for name in ("Vera Okafor", "Vera Okafor", "Ben")]
    for person in people:
        MembershipFactory(user=person, site=site, role=Membership.Role.VOLUNTEER)
    shift = ShiftFactory(site=site, role=ShiftRoleFactory(site=site, name="Cook"))
    log_in(phone, "lena", PASSWORD)
    phone.goto(f"/sites/{site.slug}/shifts/{shift.pk}/")
    phone.wait_for_load_state()
    box = phone.get_by_label("Volunteer", exact=True)
    box.fill("vera")
    suggested = phone.locator("#id_volunteer-suggestions option")
    expect(suggested).to_have_count(2)
    second = f"Vera Okafor #{people[1].pk}"
    expect(suggested.nth(1)).to_have_attribute("value", second)
    box.fill("Vera Okafor")
    phone.get_by_label("Reason").fill("Phoned in")
    phone.get_by_role("button", name="Add to the shift").tap()
    said = "More than one person here is called “Vera Okafor”: pick them from the list."
    expect(phone.get_by_text(said, exact=True)).to_be_visible()
    assert fits_the_screen(phone)
    phone.get_by_label("Volunteer", exact=True).fill(second)  # what picking enters
    phone.get_by_label("Reason").fill("Phoned in")
    phone.get_by_role("button", name="Add to the shift").tap()
    expect(phone.get_by_text("Vera Okafor is on the shift.")).to_be_visible()
    assert SignUp.objects.get().volunteer == people[1]
