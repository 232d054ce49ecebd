"""On a phone: a lead cooks a meal with leftovers, which are held until they cool;
20 °C then 4 °C on the meal page, and the leftovers may be used."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commonpot.models import Membership
from kitchen import services as kitchen
from kitchen.models import MealService
from kitchen.services import IngredientLine
from pantry import services
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.pantry.factories import rice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leftovers_cooled_in_time_on_a_phone_may_be_used(phone):
    site = SiteFactory(name="Riverside Kitchen", slug="riverside", stores__has_chilled_storage=True)
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    grain = rice()
    services.receive(
        site=site,
        item=grain,
        quantity=Decimal(5000),
        by=lead,
        source="Harbourside Co-op",
        best_before=site.today() + timedelta(days=60),
    )
    recipe = kitchen.create_recipe(
        site=site,
        name="Rice pot",
        yield_servings=10,
        ingredients=[IngredientLine(grain, "1", "kg")],
        by=lead,
    )
    meal = kitchen.plan_meal(
        site=site, date=site.today(), kind="lunch", servings=20, recipes=[recipe], by=lead
    )

    log_in(phone, lead.username, PASSWORD)
    phone.goto(f"/sites/{site.slug}/meals/{meal.pk}/cook/")
    phone.get_by_label("People fed").fill("14")
    phone.get_by_label("Leftover servings to keep").fill("6")
    phone.get_by_role("button", name="Record as cooked").click()
    expect(phone.get_by_text("Cooked: Rice pot.")).to_be_visible()
    state = phone.locator("#cooling-state")
    expect(state).to_contain_text("Cooling record: waiting for 21 °C by")
    expect(state).to_contain_text("The leftovers are on hold until it passes.")
    meal = MealService.objects.get(pk=meal.pk)
    assert meal.leftover_lot.on_hold

    phone.evaluate("window.stillTheSamePage = true")
    phone.get_by_label("Temperature of the leftovers (°C)").fill("20")
    phone.get_by_role("button", name="Save the reading").click()
    expect(phone.get_by_text("Saved: 20.0 °C.")).to_be_visible()
    expect(state).to_contain_text("waiting for 5 °C by")
    phone.get_by_label("Temperature of the leftovers (°C)").fill("4")
    phone.get_by_role("button", name="Save the reading").click()
    expect(state).to_contain_text("Cooling record: passed: 20.0 °C at")
    expect(state).to_contain_text("The leftovers may be used.")
    expect(phone.locator(".kitchen-cooling-readings li")).to_have_count(2)
    assert phone.evaluate("window.stillTheSamePage") is True
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    meal.leftover_lot.refresh_from_db()
    assert not meal.leftover_lot.on_hold

    phone.get_by_role("link", name="6 portions").click()
    expect(phone.get_by_text("Cooling record of Rice pot: passed")).to_be_visible()
    expect(phone.get_by_role("link", name="Give out from this lot")).to_be_visible()
