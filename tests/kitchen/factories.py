"""Test data for the kitchen: catalog items with allergens, recipes and meals."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from kitchen.models import MealService, Recipe, RecipeIngredient
from pantry.models import Item, Storage
from tests.factories import SiteFactory
from tests.pantry.factories import ItemFactory


def onions() -> Item:
    return ItemFactory(name="Onions", category=Item.Category.PRODUCE)


def tomatoes() -> Item:
    return ItemFactory(
        name="Chopped tomatoes",
        base_unit=Item.Unit.PIECE,
        piece_name="can",
        weight_per_piece_g=Decimal("400"),
    )


def cheese() -> Item:
    return ItemFactory(
        name="Cheddar",
        category=Item.Category.DAIRY_EGGS,
        storage=Storage.CHILLED,
        allergens=["milk"],
    )


def pasta() -> Item:
    return ItemFactory(name="Pasta", category=Item.Category.GRAINS_BREAD, allergens=["wheat"])


def eggs() -> Item:
    return ItemFactory(
        name="Eggs",
        category=Item.Category.DAIRY_EGGS,
        base_unit=Item.Unit.PIECE,
        piece_name="egg",
        weight_per_piece_g=Decimal("60"),
        storage=Storage.CHILLED,
        allergens=["eggs"],
    )


class RecipeFactory(DjangoModelFactory):
    class Meta:
        model = Recipe

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Dish {n}")
    yield_servings = 10


def add_ingredient(recipe: Recipe, item: Item, quantity, unit: str | None = None, position=0):
    """An ingredient given in the item's base unit (for tests that need many quickly)."""
    quantity = Decimal(str(quantity))
    return RecipeIngredient.objects.create(
        recipe=recipe,
        item=item,
        quantity_entered=quantity,
        unit_entered=unit or {"g": "g", "ml": "ml"}.get(item.base_unit, item.piece_name),
        quantity=quantity,
        position=position,
    )


class MealFactory(DjangoModelFactory):
    class Meta:
        model = MealService
        skip_postgeneration_save = True

    site = factory.SubFactory(SiteFactory)
    date = factory.LazyAttribute(lambda m: m.site.today())
    kind = MealService.Kind.DINNER
    planned_servings = 40

    @factory.post_generation
    def recipes(self, create, extracted, **kwargs):
        if create and extracted:
            self.recipes.set(extracted)


__all__ = [
    "ItemFactory",
    "MealFactory",
    "RecipeFactory",
    "add_ingredient",
    "cheese",
    "eggs",
    "onions",
    "pasta",
    "tomatoes",
]


def cool_leftovers(meal: MealService, *, by=None) -> MealService:
    """Record a passing cooling record for a cooked meal's leftovers (20 °C, then
    4 °C, both read as it was cooked), which frees them from their cooling hold."""
    from kitchen.cooling import log_cooling_reading

    meal.refresh_from_db()
    for value in ("20", "4"):
        log_cooling_reading(meal, value_c=Decimal(value), at=meal.cooked_at, by=by)
    if meal.leftover_lot_id:
        meal.leftover_lot.refresh_from_db()
    return meal
