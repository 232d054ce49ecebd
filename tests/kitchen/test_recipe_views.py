"""The leads' recipe pages: the network's list, one recipe scaled, writing,
changing and copying, and "What can we cook?"."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kitchen import services
from kitchen.models import Recipe
from kitchen.services import IngredientLine
from tests.conftest import client_for, page_queries
from tests.kitchen.factories import RecipeFactory, add_ingredient

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_lead(lead):
    return client_for(lead)


def url(name, site, *args):
    return reverse(name, args=[site.slug, *args])


def recipe_data(**overrides):
    data = {
        "token": "8f1f6c62-8d0e-4a33-9d55-0d4f0b6a1e01",
        "name": "Leek soup",
        "yield_servings": "6",
        "method": "Sweat, simmer, blend.",
        "ingredients-TOTAL_FORMS": "3",
        "ingredients-INITIAL_FORMS": "3",
        "ingredients-0-item": "Onions",
        "ingredients-0-quantity": "1.5",
        "ingredients-0-unit": "lb",
        "ingredients-0-note": "sliced",
        "ingredients-1-item": "Cheddar",
        "ingredients-1-quantity": "100",
        "ingredients-1-unit": "g",
        "ingredients-2-item": "",
        "ingredients-2-quantity": "",
        "ingredients-2-unit": "g",
        "save": "1",
    }
    data.update(overrides)
    return data


# --- The list -------------------------------------------------------------------------


def test_the_list_shows_the_networks_recipes_this_sites_first(
    as_lead, site, other_site, chilli, items
):
    theirs = RecipeFactory(site=other_site, name="Apple crumble")
    add_ingredient(theirs, items["pasta"], 100)
    page = as_lead.get(url("kitchen:recipes", site)).content.decode()
    assert page.index("Chilli and rice") < page.index("Apple crumble")
    assert "Eastside Food Bank" in page and "MILK" in page.upper()


def test_free_from_milk_leaves_out_recipes_with_a_milk_item(as_lead, site, chilli, items):
    vegan = services.create_recipe(
        site=site,
        name="Plain rice",
        yield_servings=4,
        ingredients=[IngredientLine(items["rice"], "300", "g")],
        by=None,
    )
    response = as_lead.get(url("kitchen:recipes", site), {"free_from": ["milk"]})
    assert list(response.context["table"].data) == [vegan]


def test_suitable_for_filters_on_the_dietary_tags(as_lead, site, chilli, items):
    response = as_lead.get(url("kitchen:recipes", site), {"suitable": "vegan"})
    assert list(response.context["table"].data) == []
    response = as_lead.get(url("kitchen:recipes", site), {"suitable": "vegetarian"})
    assert list(response.context["table"].data) == [chilli]


def test_the_list_answers_htmx_with_the_results_alone(as_lead, site, chilli):
    response = as_lead.get(
        url("kitchen:recipes", site),
        {"q": "chil"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="recipe-results",
    )
    assert b"<html" not in response.content and b"Chilli and rice" in response.content


def _list_queries(client, site) -> int:
    return page_queries(client, url("kitchen:recipes", site))


def test_the_list_runs_the_same_queries_for_3_recipes_as_for_30(as_lead, site, other_site, items):
    def make(n):
        for i in range(n):
            recipe = RecipeFactory(site=site if i % 2 else other_site)
            add_ingredient(recipe, items["rice"], 100)
            add_ingredient(recipe, items["cheese"], 50, position=1)

    make(3)
    few = _list_queries(as_lead, site)
    make(27)
    assert _list_queries(as_lead, site) == few


# --- One recipe ----------------------------------------------------------------------


def test_a_recipe_is_scaled_and_checked_against_todays_stock(as_lead, site, chilli, stocked):
    page = as_lead.get(url("kitchen:recipe", site, chilli.pk), {"servings": "25"}).content.decode()
    assert "For 25 servings" in page
    assert "2.5 kg" in page and "10 cans" in page
    assert "Milk" in page and "from Cheddar" in page


def test_a_recipe_scaled_to_nonsense_says_so(as_lead, site, chilli):
    response = as_lead.get(url("kitchen:recipe", site, chilli.pk), {"servings": "-2"})
    assert response.status_code == 400 and b"at least 1" in response.content


def test_writing_a_recipe_converts_units_and_derives_allergens(as_lead, site, items):
    response = as_lead.post(url("kitchen:recipe_create", site), recipe_data())
    recipe = Recipe.objects.get()
    assert response.status_code == 302 and response["Location"] == recipe.get_absolute_url()
    assert [(i.item.name, i.quantity, i.note) for i in recipe.ingredients.all()] == [
        ("Onions", Decimal("680.389"), "sliced"),  # 1.5 lb
        ("Cheddar", 100, ""),
    ]
    assert recipe.allergens == ["milk"] and recipe.site == site


def test_a_recipe_with_no_ingredients_is_refused(as_lead, site, items):
    data = recipe_data(
        **{
            "ingredients-0-item": "",
            "ingredients-0-quantity": "",
            "ingredients-1-item": "",
            "ingredients-1-quantity": "",
        }
    )
    response = as_lead.post(url("kitchen:recipe_create", site), data)
    assert response.status_code == 400
    assert b"A recipe needs at least one ingredient." in response.content
    assert not Recipe.objects.exists()


def test_a_unit_that_does_not_fit_is_shown_on_its_line(as_lead, site, items):
    response = as_lead.post(
        url("kitchen:recipe_create", site), recipe_data(**{"ingredients-1-unit": "litres"})
    )
    assert response.status_code == 400
    assert response.context["formset"].forms[1].errors["unit"]
    assert not Recipe.objects.exists()


def test_an_unknown_item_is_shown_on_its_line(as_lead, site, items):
    response = as_lead.post(
        url("kitchen:recipe_create", site), recipe_data(**{"ingredients-0-item": "Unobtainium"})
    )
    assert response.status_code == 400
    assert b"No item called" in response.content and not Recipe.objects.exists()


def test_zero_servings_is_refused_on_the_form(as_lead, site, items):
    response = as_lead.post(url("kitchen:recipe_create", site), recipe_data(yield_servings="0"))
    assert response.status_code == 400 and not Recipe.objects.exists()


@pytest.mark.parametrize("count", ["61", "9" * 20])
def test_a_recipe_sent_with_more_lines_than_the_form_holds_is_refused(as_lead, site, items, count):
    response = as_lead.post(
        url("kitchen:recipe_create", site), recipe_data(**{"ingredients-TOTAL_FORMS": count})
    )
    assert response.status_code == 400
    assert b"Please submit at most 60 forms." in response.content
    assert len(response.context["formset"].forms) == 60
    assert not Recipe.objects.exists()


def test_adding_a_line_without_javascript_keeps_what_was_typed(as_lead, site, items):
    data = recipe_data(add_line="1")
    del data["save"]
    response = as_lead.post(url("kitchen:recipe_create", site), data)
    formset = response.context["formset"]
    assert response.status_code == 200 and len(formset.forms) == 4
    assert formset.forms[0].initial["item"] == "Onions"
    assert response.context["form"].initial["name"] == "Leek soup"
    assert not Recipe.objects.exists()


def test_adding_a_line_with_htmx(as_lead, site):
    response = as_lead.get(url("kitchen:recipe_line", site), {"ingredients-TOTAL_FORMS": "3"})
    body = response.content.decode()
    assert 'name="ingredients-3-item"' in body and "Ingredient 4" in body
    assert 'id="id_ingredients-TOTAL_FORMS"' in body and 'value="4"' in body


def test_changing_a_recipe_from_its_form(as_lead, site, chilli, items):
    page = as_lead.get(url("kitchen:recipe_edit", site, chilli.pk))
    assert len(page.context["formset"].forms) == 4 + 3
    data = recipe_data(
        name="Chilli", **{"ingredients-TOTAL_FORMS": "1", "ingredients-INITIAL_FORMS": "1"}
    )
    response = as_lead.post(url("kitchen:recipe_edit", site, chilli.pk), data)
    assert response.status_code == 302
    chilli.refresh_from_db()
    assert chilli.name == "Chilli" and [i.item.name for i in chilli.ingredients.all()] == ["Onions"]


def test_copying_another_sites_recipe_opens_the_copy_to_adapt(as_lead, site, other_site, items):
    theirs = RecipeFactory(site=other_site, name="Apple crumble")
    add_ingredient(theirs, items["pasta"], 100)
    response = as_lead.post(url("kitchen:recipe_copy", site, theirs.pk))
    copy = Recipe.objects.get(site=site)
    assert response["Location"] == url("kitchen:recipe_edit", site, copy.pk)
    assert copy.copied_from == theirs


def test_retiring_and_bringing_back(as_lead, site, chilli):
    as_lead.post(url("kitchen:recipe_retire", site, chilli.pk), {"active": "0"})
    chilli.refresh_from_db()
    assert not chilli.is_active
    assert list(as_lead.get(url("kitchen:recipes", site)).context["table"].data) == []
    as_lead.post(url("kitchen:recipe_retire", site, chilli.pk), {"active": "1"})
    chilli.refresh_from_db()
    assert chilli.is_active


# --- What can we cook? -------------------------------------------------------------------


@pytest.fixture
def pantry_for_ranking(site, lead, items, receive):
    """Rice for 100 servings (good for months), cheese for 5 (to eat tomorrow)."""
    receive(items["rice"], 10_000, days=200)
    receive(items["cheese"], 250, days=1)
    rice = services.create_recipe(
        site=site,
        name="Rice bowl",
        yield_servings=1,
        ingredients=[IngredientLine(items["rice"], "100", "g")],
        by=lead,
    )
    cheesy = services.create_recipe(
        site=site,
        name="Cheesy rice",
        yield_servings=1,
        ingredients=[
            IngredientLine(items["rice"], "100", "g"),
            IngredientLine(items["cheese"], "50", "g"),
        ],
        by=lead,
    )
    eggy = services.create_recipe(
        site=site,
        name="Egg fried rice",
        yield_servings=1,
        ingredients=[
            IngredientLine(items["rice"], "100", "g"),
            IngredientLine(items["eggs"], "1", "egg"),
        ],
        by=lead,
    )
    return rice, cheesy, eggy


def test_recipes_using_food_about_to_expire_come_first(as_lead, site, pantry_for_ranking):
    rice, cheesy, eggy = pantry_for_ranking
    ranked = as_lead.get(url("kitchen:suggestions", site)).context["ranked"]
    assert [(s.recipe, s.servings) for s in ranked] == [(cheesy, 5), (rice, 100), (eggy, 0)]
    assert ranked[0].soonest_item.name == "Cheddar" and ranked[0].urgency == 0
    assert [i.name for i in ranked[2].missing] == ["Eggs"]


def test_asking_for_more_servings_puts_first_what_can_feed_them(as_lead, site, pantry_for_ranking):
    rice, cheesy, eggy = pantry_for_ranking
    response = as_lead.get(url("kitchen:suggestions", site), {"servings": "20"})
    ranked = response.context["ranked"]
    assert [s.recipe for s in ranked] == [rice, cheesy, eggy]
    assert b"enough for 20" in response.content and b"not 20" in response.content


def test_held_stock_is_not_offered_again(as_lead, site, lead, pantry_for_ranking, today):
    rice, cheesy, eggy = pantry_for_ranking
    meal = services.plan_meal(
        site=site, date=today, kind="lunch", servings=60, recipes=[rice], by=lead
    )
    services.hold_stock(meal, by=lead)
    ranked = as_lead.get(url("kitchen:suggestions", site)).context["ranked"]
    assert {s.recipe.name: s.servings for s in ranked}["Rice bowl"] == 40


def test_suggestions_runs_the_same_queries_for_any_number_of_recipes(
    as_lead, site, pantry_for_ranking, items
):
    def count():
        return page_queries(as_lead, url("kitchen:suggestions", site))

    few = count()
    for _ in range(15):
        add_ingredient(RecipeFactory(site=site), items["rice"], 100)
    assert count() == few


def test_lots_past_their_date_do_not_count(as_lead, site, lead, items, receive, pantry_for_ranking):
    receive(items["eggs"], 30, days=-1, date_kind="use_by")
    ranked = as_lead.get(url("kitchen:suggestions", site)).context["ranked"]
    assert {s.recipe.name: s.servings for s in ranked}["Egg fried rice"] == 0
