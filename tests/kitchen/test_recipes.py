"""Recipes: ingredients in any unit, allergens from the items, scaling, copies."""

from decimal import Decimal

import pytest

from commonpot.errors import DomainError
from kitchen import services
from kitchen.models import Recipe, RecipeIngredient, scale
from kitchen.services import IngredientLine
from pantry.services import LineErrors
from tests.kitchen.factories import ItemFactory
from tests.pantry.factories import soap

pytestmark = pytest.mark.django_db


def test_a_recipe_keeps_what_was_typed_and_the_base_quantity(chilli):
    rows = {i.item.name: i for i in chilli.ingredients.all()}
    assert (rows["Rice"].quantity_entered, rows["Rice"].unit_entered) == (1, "kg")
    assert rows["Rice"].quantity == Decimal("1000")
    assert rows["Chopped tomatoes"].quantity == 4
    assert rows["Onions"].note == "diced"
    assert chilli.dietary == ["vegetarian"]


def test_allergens_come_from_the_ingredients_items(chilli, items):
    assert chilli.allergens == ["milk"]
    # Marking an item in the catalog changes every recipe that uses it.
    items["rice"].allergens = ["sesame"]
    items["rice"].save()
    fresh = Recipe.objects.with_ingredients().get(pk=chilli.pk)
    assert fresh.allergens == ["milk", "sesame"]


def test_wheat_on_an_item_shows_as_gluten_and_wheat(site, lead, items):
    recipe = services.create_recipe(
        site=site,
        name="Pasta",
        yield_servings=4,
        ingredients=[IngredientLine(items["pasta"], "400", "g")],
        by=lead,
    )
    assert recipe.allergens == ["gluten", "wheat"]
    assert recipe.allergen_labels == ["Cereals containing gluten", "Wheat"]


def test_scaling_keeps_grams_exact_and_rounds_pieces_up(chilli):
    scaled = {i.item.name: q for i, q in chilli.scaled(25)}
    assert scaled["Rice"] == Decimal("2500")
    assert scaled["Onions"] == Decimal("1250")
    # 4 cans for 10 is 10 cans for 25; for 3 servings 1.2 cans: a cook opens 2.
    assert scaled["Chopped tomatoes"] == 10
    assert {i.item.name: q for i, q in chilli.scaled(3)}["Chopped tomatoes"] == 2


def test_scale_never_gives_less_than_the_ledger_can_hold(items):
    assert scale(Decimal("1"), items["rice"], 1000, 1) == Decimal("0.001")


def test_a_recipe_needs_at_least_one_ingredient(site, lead):
    with pytest.raises(DomainError, match="at least one ingredient"):
        services.create_recipe(site=site, name="Air", yield_servings=4, ingredients=[], by=lead)
    assert not Recipe.objects.exists()


@pytest.mark.parametrize("servings", [0, -3, "lots"])
def test_a_recipe_makes_at_least_one_serving(site, lead, items, servings):
    with pytest.raises(DomainError) as e:
        services.create_recipe(
            site=site,
            name="Rice",
            yield_servings=servings,
            ingredients=[IngredientLine(items["rice"], "1", "kg")],
            by=lead,
        )
    assert e.value.field == "yield_servings"
    assert not Recipe.objects.exists()


def test_a_quantity_that_cannot_convert_names_its_line_and_writes_nothing(site, lead, items):
    with pytest.raises(LineErrors) as e:
        services.create_recipe(
            site=site,
            name="Odd",
            yield_servings=4,
            ingredients=[
                IngredientLine(items["rice"], "1", "kg"),
                IngredientLine(soap(), "1", "kg"),
                IngredientLine(items["onions"], "2", "litres"),
            ],
            by=lead,
        )
    assert [(i, f) for i, f, _ in e.value.errors] == [(1, "unit"), (2, "unit")]
    assert "Soap is counted in bars" in e.value.errors[0][2]
    assert not Recipe.objects.exists() and not RecipeIngredient.objects.exists()


def test_the_same_item_twice_is_refused(site, lead, items):
    with pytest.raises(LineErrors, match="already ingredient 1"):
        services.create_recipe(
            site=site,
            name="Double rice",
            yield_servings=4,
            ingredients=[
                IngredientLine(items["rice"], "1", "kg"),
                IngredientLine(items["rice"], "200", "g"),
            ],
            by=lead,
        )


def test_a_site_cannot_have_two_recipes_of_the_same_name(site, lead, chilli, items):
    with pytest.raises(DomainError, match="already has a recipe called"):
        services.create_recipe(
            site=site,
            name="  chilli AND rice ",
            yield_servings=4,
            ingredients=[IngredientLine(items["rice"], "1", "kg")],
            by=lead,
        )
    assert Recipe.objects.count() == 1


def test_the_same_form_twice_records_one_recipe(site, lead, items):
    import uuid

    token = uuid.uuid4()
    kwargs = dict(
        site=site,
        name="Rice",
        yield_servings=4,
        ingredients=[IngredientLine(items["rice"], "1", "kg")],
        by=lead,
        token=token,
    )
    first = services.create_recipe(**kwargs)
    assert services.create_recipe(**kwargs) == first
    assert Recipe.objects.count() == 1


def test_another_site_copies_a_recipe_to_adapt_it(chilli, other_site, other_lead):
    copy = services.copy_recipe(chilli, to=other_site, by=other_lead)
    assert (copy.site, copy.name, copy.copied_from) == (other_site, "Chilli and rice", chilli)
    assert [(i.item_id, i.quantity) for i in copy.ingredients.all()] == [
        (i.item_id, i.quantity) for i in chilli.ingredients.all()
    ]
    again = services.copy_recipe(chilli, to=other_site, by=other_lead)
    assert again.name == "Chilli and rice (Riverside Kitchen)"


def test_only_the_recipes_own_site_may_change_it(chilli, other_site, items):
    with pytest.raises(DomainError, match="Copy it to Eastside Food Bank"):
        services.update_recipe(
            chilli,
            site=other_site,
            name="Mine now",
            yield_servings=4,
            ingredients=[IngredientLine(items["rice"], "1", "kg")],
        )
    chilli.refresh_from_db()
    assert chilli.name == "Chilli and rice"


def test_changing_a_recipe_replaces_its_ingredients(site, chilli, items):
    services.update_recipe(
        chilli,
        site=site,
        name="Chilli",
        yield_servings=5,
        ingredients=[IngredientLine(items["onions"], "1", "lb")],
        dietary=["vegan"],
    )
    chilli.refresh_from_db()
    assert chilli.name == "Chilli" and chilli.yield_servings == 5 and chilli.dietary == ["vegan"]
    assert [(i.item.name, i.quantity) for i in chilli.ingredients.all()] == [
        ("Onions", Decimal("453.592"))
    ]


def test_a_retired_recipe_leaves_the_lists(site, chilli):
    services.set_recipe_active(chilli, site=site, active=False)
    assert not Recipe.objects.active().exists()


def test_an_unknown_dietary_tag_is_refused(site, lead, items):
    with pytest.raises(DomainError, match="not a dietary tag"):
        services.create_recipe(
            site=site,
            name="Rice",
            yield_servings=4,
            ingredients=[IngredientLine(ItemFactory(), "1", "kg")],
            by=lead,
            dietary=["paleo"],
        )
