"""The kitchen in a real browser: plan a meal, see what is short, hold, cook, label."""

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commonpot.models import Membership
from kitchen import services as kitchen
from kitchen.models import MealService, Recipe
from kitchen.services import IngredientLine
from pantry import services
from pantry.models import Lot, StockMove
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SiteFactory, UserFactory
from tests.kitchen.factories import cheese, onions, tomatoes
from tests.pantry.factories import rice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def riverside():
    site = SiteFactory(name="Riverside Kitchen", slug="riverside", stores__has_chilled_storage=True)
    lead = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
    items = {"rice": rice(), "onions": onions(), "tomatoes": tomatoes(), "cheese": cheese()}
    today = site.today()
    for item, quantity, days in [
        ("rice", "6000", 60),
        ("onions", "3000", 10),
        ("tomatoes", "20", 300),
        ("cheese", "500", 3),  # the chilli for 40 needs 800 g
    ]:
        services.receive(
            site=site,
            item=items[item],
            quantity=Decimal(quantity),
            by=lead,
            source="Harbourside Co-op",
            best_before=today + timedelta(days=days),
        )
    kitchen.create_recipe(
        site=site,
        name="Chilli and rice",
        yield_servings=10,
        ingredients=[
            IngredientLine(items["rice"], "1", "kg"),
            IngredientLine(items["onions"], "500", "g"),
            IngredientLine(items["tomatoes"], "4", "cans"),
            IngredientLine(items["cheese"], "200", "g"),
        ],
        by=lead,
        dietary=["vegetarian"],
    )
    return site, lead, items


def test_a_lead_plans_dinner_sees_the_shortfall_holds_and_cooks_it_on_a_phone(phone, riverside):
    site, lead, items = riverside
    page = phone
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/sites/{site.slug}/manage/")
    page.get_by_role("navigation", name="Riverside Kitchen").get_by_role(
        "link", name="Meals"
    ).click()
    expect(page.get_by_role("heading", name="Meals, week of")).to_be_visible()
    page.get_by_role("link", name="Plan a meal").first.click()

    page.get_by_label("Meal", exact=True).select_option("dinner")
    page.get_by_label("Servings").fill("40")
    page.get_by_label("Dish 1").select_option(label="Chilli and rice")
    page.get_by_role("button", name="Plan the meal").click()

    expect(page.get_by_role("heading", name="Chilli and rice")).to_be_visible()
    expect(page.get_by_text("Short of 1 ingredient: Cheddar (300 g)")).to_be_visible()
    meal = MealService.objects.get()

    # Holding the stock swaps the section in place (no new page) and says what is short.
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Hold the stock").click()
    expect(
        page.get_by_text("Held what there is. Still short: Cheddar: 500 g held of 800 g")
    ).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert Lot.objects.get(item=items["cheese"]).reserved == 500

    page.get_by_role("link", name="Record as cooked").click()
    expect(page.get_by_text("the site is short of: Cheddar (300 g)")).to_be_visible()
    cheddar = page.get_by_role("group", name="Cheddar")
    cheddar.get_by_label("Quantity used").fill("500")
    page.get_by_label("People fed").fill("34")
    page.get_by_label("Leftover servings to keep").fill("6")
    page.get_by_role("button", name="Record as cooked").click()

    expect(
        page.get_by_text("Cooked: Chilli and rice. The pantry shows what was used.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Print labels (PDF)")).to_be_visible()
    meal.refresh_from_db()
    assert (meal.status, meal.servings_made, meal.servings_served) == ("cooked", 40, 34)
    taken = {
        m.lot.item.name: -m.quantity
        for m in StockMove.objects.filter(reference=meal.reference, quantity__lt=0)
    }
    assert taken == {
        "Rice": Decimal("4000"),
        "Onions": Decimal("2000"),
        "Chopped tomatoes": Decimal("16"),
        "Cheddar": Decimal("500"),
    }
    assert meal.leftover_lot.on_hand == 6

    # One label per leftover portion, on the site's sheet unless the lead picks another.
    expect(page.get_by_label("How many labels")).to_have_value("6")
    page.get_by_label("Label sheet").select_option(label="A4, 14 labels (2 × 7, 99.1 × 38.1 mm)")
    with page.expect_response(lambda r: "labels.pdf" in r.url) as label:
        page.evaluate(
            "() => { const form = document.querySelector('form.kitchen-labels');"
            " return fetch(form.action + '?' + new URLSearchParams(new FormData(form))); }"
        )
    assert "sheet=a4-14" in label.value.url and "count=6" in label.value.url
    assert label.value.status == 200
    assert label.value.headers["content-type"] == "application/pdf"


def test_a_lead_writes_a_recipe_adding_lines_in_place(page, riverside):
    site, lead, items = riverside
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/sites/{site.slug}/recipes/new/")
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_label("Name").fill("Onion soup")
    page.get_by_label("Makes (servings)").fill("6")

    first = page.get_by_role("group", name="Ingredient 1")
    first.get_by_label("Item").press_sequentially("oni")
    expect(page.locator("#ingredients-0-items option[value='Onions']")).to_have_count(1)
    first.get_by_label("Item").fill("Onions")
    first.get_by_label("Quantity").fill("2")
    first.get_by_label("Unit").fill("lb")
    for n in range(2, 4):
        page.get_by_role("group", name=f"Ingredient {n}").get_by_label("Unit").fill("g")

    page.get_by_role("button", name="Add an ingredient").click()
    fourth = page.get_by_role("group", name="Ingredient 4")
    expect(fourth).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    fourth.get_by_label("Item").fill("Cheddar")
    fourth.get_by_label("Quantity").fill("150")
    fourth.get_by_label("Unit").fill("g")
    page.get_by_role("button", name="Save the recipe").click()

    expect(page.get_by_role("heading", name="Onion soup")).to_be_visible()
    expect(page.get_by_text("from Cheddar")).to_be_visible()
    recipe = Recipe.objects.get(name="Onion soup")
    assert [(i.item.name, i.quantity) for i in recipe.ingredients.all()] == [
        ("Onions", Decimal("907.185")),
        ("Cheddar", Decimal("150")),
    ]


def test_holding_a_later_meal_asks_before_it_takes_what_tonights_dinner_counts_on(phone, riverside):
    from commonpot.dates import day

    site, lead, items = riverside
    chilli = Recipe.objects.get(name="Chilli and rice")
    today = site.today()
    dinner = kitchen.plan_meal(
        site=site, date=today, kind="dinner", servings=40, recipes=[chilli], by=lead
    )
    later = kitchen.plan_meal(
        site=site,
        date=today + timedelta(days=2),
        kind="lunch",
        servings=40,
        recipes=[chilli],
        by=lead,
    )
    page = phone
    log_in(page, lead.username, PASSWORD)
    page.goto(f"/sites/{site.slug}/meals/{later.pk}/")
    expect(page.get_by_text(f"{day(dinner.date)} dinner comes first and counts on")).to_have_count(
        4
    )
    page.evaluate("window.stillTheSamePage = true")
    page.get_by_role("button", name="Hold the stock").click()
    expect(
        page.get_by_text(
            f"Holding stock for this meal takes 2 kg of Rice that {day(dinner.date)} dinner "
            "counts on."
        )
    ).to_be_visible()
    assert Lot.objects.get(item=items["rice"]).reserved == 0
    page.get_by_role("button", name="Hold only what is left").click()
    expect(page.get_by_text(f"Left 2 kg of Rice for {day(dinner.date)} dinner")).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True
    assert Lot.objects.get(item=items["rice"]).reserved == 2000
