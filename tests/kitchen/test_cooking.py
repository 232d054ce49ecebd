"""Cooking: one transaction takes the ingredients, keeps the leftovers, counts the
people fed — or refuses and writes nothing."""

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from commonpot.dates import day
from commonpot.errors import DomainError
from kitchen import services
from kitchen.cooking import CookLine, ShortOfStock, cook_meal
from kitchen.models import MealService
from pantry import services as pantry
from pantry.models import Item, Lot, Reservation, StockMove
from pantry.services import LineErrors
from tests.kitchen.factories import ItemFactory, cool_leftovers
from tests.pantry.factories import soap

pytestmark = pytest.mark.django_db


def taken_per_item(meal):
    """What left the lots for this meal, per item name (base unit)."""
    out = defaultdict(Decimal)
    for move in StockMove.objects.filter(reference=meal.reference, quantity__lt=0):
        assert move.kind == "cooked"
        out[move.lot.item.name] += -move.quantity
    return dict(out)


def ledger_snapshot():
    return (
        sorted(Lot.objects.values_list("pk", "on_hand", "reserved")),
        StockMove.objects.count(),
        sorted(Reservation.objects.values_list("pk", "status")),
    )


def test_cooking_takes_exactly_the_recipe_scaled_to_the_servings_made(lead, dinner, stocked):
    cook_meal(dinner, servings_made=30, servings_served=30, by=lead)
    assert taken_per_item(dinner) == {
        "Rice": Decimal("3000"),
        "Onions": Decimal("1500"),
        "Chopped tomatoes": Decimal("12"),
        "Cheddar": Decimal("600"),
    }
    assert all(ledger_adds_up(lot) for lot in Lot.objects.all())


def test_cooking_takes_the_rice_that_expires_first(lead, dinner, stocked):
    cook_meal(dinner, servings_made=20, servings_served=20, by=lead)
    stocked["rice_soon"].refresh_from_db()
    stocked["rice_later"].refresh_from_db()
    assert (stocked["rice_soon"].on_hand, stocked["rice_later"].on_hand) == (0, 4500)


def test_cooking_records_servings_and_people_fed(lead, dinner, stocked):
    cook_meal(dinner, servings_made=40, servings_served=35, leftover_servings=4, by=lead)
    dinner.refresh_from_db()
    assert dinner.status == "cooked" and dinner.cooked_by == lead
    assert (dinner.servings_made, dinner.servings_served, dinner.leftover_servings) == (40, 35, 4)


def test_leftovers_become_a_new_lot_of_prepared_meals_with_a_short_use_by(
    site, lead, dinner, stocked, today
):
    cook_meal(dinner, servings_made=40, servings_served=30, leftover_servings=8, by=lead)
    dinner.refresh_from_db()
    lot = dinner.leftover_lot
    assert (lot.site, lot.on_hand, lot.storage, lot.date_kind) == (site, 8, "chilled", "use_by")
    assert lot.best_before == today + timedelta(days=2)
    assert lot.item.name == "Prepared: Chilli and rice"
    assert lot.item.category == Item.Category.PREPARED and lot.item.piece_name == "portion"
    assert lot.item.allergens == ["milk"]
    # A portion weighs what went into the pot over the servings: (4000 + 2000 +
    # 16 x 400 + 800) g / 40.
    assert lot.item.weight_per_piece_g == Decimal("330.000")
    move = lot.moves.get()
    assert (move.kind, move.quantity, move.reference) == ("cooked", 8, dinner.reference)


def test_the_leftover_lot_can_be_given_out_like_any_other(site, lead, dinner, stocked):
    cook_meal(dinner, servings_made=40, servings_served=30, leftover_servings=8, by=lead)
    cool_leftovers(dinner, by=lead)
    pantry.take_stock(
        site=site, item=dinner.leftover_lot.item, quantity=5, kind="distributed", by=lead
    )
    dinner.leftover_lot.refresh_from_db()
    assert dinner.leftover_lot.on_hand == 3


def test_cooking_uses_the_meals_holds_and_lets_go_of_the_rest(lead, dinner, stocked):
    services.hold_stock(dinner, by=lead)
    cook_meal(dinner, servings_made=30, servings_served=30, by=lead)
    assert not Reservation.objects.filter(status="held").exists()
    assert all(lot.reserved == 0 for lot in Lot.objects.all())
    assert taken_per_item(dinner)["Rice"] == 3000
    used = Reservation.objects.filter(reference=dinner.reference, status="used")
    assert used.exists()


def test_a_cook_may_pick_the_lot(lead, dinner, stocked):
    lines = [
        CookLine(stocked["rice_later"].item, "4", "kg", lot=stocked["rice_later"]),
    ]
    cook_meal(dinner, servings_made=40, servings_served=40, by=lead, lines=lines)
    stocked["rice_soon"].refresh_from_db()
    stocked["rice_later"].refresh_from_db()
    assert (stocked["rice_soon"].on_hand, stocked["rice_later"].on_hand) == (1500, 1000)


def test_a_substitute_is_taken_instead_and_brings_its_allergens(
    lead, dinner, stocked, items, receive
):
    receive(items["pasta"], 5000)
    lines = [
        CookLine(items["rice"], "4", "kg", substitute=items["pasta"]),
        CookLine(items["onions"], "2", "kg"),
        CookLine(items["tomatoes"], "16", "cans"),
        CookLine(items["cheese"], "0", "g"),  # left out
    ]
    cook_meal(dinner, servings_made=40, servings_served=40, by=lead, lines=lines)
    assert taken_per_item(dinner) == {
        "Pasta": Decimal("4000"),
        "Onions": Decimal("2000"),
        "Chopped tomatoes": Decimal("16"),
    }
    dinner.refresh_from_db()
    assert dinner.allergens == ["gluten", "wheat"]


def test_a_meal_is_cooked_once(lead, dinner, stocked):
    cook_meal(dinner, servings_made=10, servings_served=10, by=lead)
    before = ledger_snapshot()
    with pytest.raises(DomainError, match="already cooked"):
        cook_meal(dinner, servings_made=10, servings_served=10, by=lead)
    assert ledger_snapshot() == before


def test_not_enough_stock_lists_every_short_item_and_takes_nothing(lead, dinner, items, receive):
    receive(items["rice"], 1000)
    receive(items["tomatoes"], 20)
    receive(items["onions"], 100)
    before = ledger_snapshot()
    with pytest.raises(ShortOfStock) as e:
        cook_meal(dinner, servings_made=40, servings_served=40, by=lead)
    assert [(s.item.name, s.needed, s.available) for s in e.value.short] == [
        ("Rice", 4000, 1000),
        ("Onions", 2000, 100),
        ("Cheddar", 800, 0),
    ]
    assert "Rice: need 4 kg, 1 kg available" in str(e.value)
    assert ledger_snapshot() == before
    dinner.refresh_from_db()
    assert dinner.status == "planned"


def test_a_quantity_that_cannot_convert_is_refused_and_nothing_is_taken(
    lead, dinner, stocked, items
):
    before = ledger_snapshot()
    with pytest.raises(LineErrors) as e:
        cook_meal(
            dinner,
            servings_made=40,
            servings_served=40,
            by=lead,
            lines=[
                CookLine(items["rice"], "4", "kg"),
                CookLine(items["tomatoes"], "2", "litres"),
            ],
        )
    assert e.value.errors[0][0] == 1 and "Chopped tomatoes" in e.value.errors[0][2]
    assert ledger_snapshot() == before


def test_a_substitute_with_no_weight_cannot_be_given_in_kilograms(lead, dinner, stocked, items):
    with pytest.raises(LineErrors, match="no weight per bar"):
        cook_meal(
            dinner,
            servings_made=40,
            servings_served=40,
            by=lead,
            lines=[CookLine(items["rice"], "4", "kg", substitute=soap())],
        )


@pytest.mark.parametrize(
    ("made", "served", "kept", "field"),
    [
        (0, 0, 0, "servings_made"),
        (-5, 0, 0, "servings_made"),
        (10, 11, 0, "servings_served"),
        (10, -1, 0, "servings_served"),
        (10, 8, 3, "leftover_servings"),
    ],
)
def test_impossible_numbers_are_refused(lead, dinner, stocked, made, served, kept, field):
    before = ledger_snapshot()
    with pytest.raises(DomainError) as e:
        cook_meal(
            dinner, servings_made=made, servings_served=served, leftover_servings=kept, by=lead
        )
    assert e.value.field == field
    assert ledger_snapshot() == before


def test_a_use_by_beyond_a_few_days_is_refused_for_chilled_leftovers(lead, dinner, stocked, today):
    with pytest.raises(DomainError, match="used within 3 days") as e:
        cook_meal(
            dinner,
            servings_made=40,
            servings_served=30,
            leftover_servings=10,
            use_by=today + timedelta(days=10),
            by=lead,
        )
    assert e.value.field == "use_by"


def test_a_site_without_a_fridge_cannot_keep_leftovers(site, lead, dinner, stocked):
    stores = site.pantry_settings
    stores.has_chilled_storage = stores.has_frozen_storage = False
    stores.save()
    with pytest.raises(DomainError, match="no chilled or frozen storage"):
        cook_meal(dinner, servings_made=40, servings_served=30, leftover_servings=10, by=lead)


def test_cooking_nothing_at_all_is_refused(lead, dinner, stocked, items):
    with pytest.raises(DomainError, match="Nothing was taken from stock"):
        cook_meal(
            dinner,
            servings_made=40,
            servings_served=40,
            by=lead,
            lines=[CookLine(items["rice"], "", "kg")],
        )


def test_a_cancelled_meal_cannot_be_cooked(lead, dinner, stocked):
    services.cancel_meal(dinner, by=lead)
    with pytest.raises(DomainError, match="cancelled"):
        cook_meal(dinner, servings_made=40, servings_served=40, by=lead)


def test_a_cooked_meal_cannot_be_changed_or_cancelled(lead, dinner, stocked, chilli):
    cook_meal(dinner, servings_made=40, servings_served=40, by=lead)
    with pytest.raises(DomainError, match="already cooked"):
        services.cancel_meal(dinner, by=lead)
    with pytest.raises(DomainError, match="already cooked"):
        services.change_meal(
            dinner, date=dinner.date, kind="lunch", servings=3, recipes=[chilli], by=lead
        )


def test_a_later_cooking_with_new_allergens_widens_the_prepared_items_allergens(
    site, lead, chilli, stocked, items, receive, today
):
    receive(items["eggs"], 30)
    first = services.plan_meal(
        site=site, date=today, kind="lunch", servings=10, recipes=[chilli], by=lead
    )
    cook_meal(first, servings_made=10, servings_served=5, leftover_servings=5, by=lead)
    second = services.plan_meal(
        site=site, date=today, kind="dinner", servings=10, recipes=[chilli], by=lead
    )
    cook_meal(
        second,
        servings_made=10,
        servings_served=5,
        leftover_servings=5,
        by=lead,
        lines=[CookLine(items["cheese"], "6", "eggs", substitute=items["eggs"])],
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.allergens == ["milk"]  # its label keeps what it was cooked with
    assert second.allergens == ["eggs"]
    assert first.leftover_lot.item == second.leftover_lot.item
    second.leftover_lot.item.refresh_from_db()
    assert second.leftover_lot.item.allergens == ["eggs", "milk"]


# --- Invariants ---------------------------------------------------------------------


@pytest.fixture
def catalog_of_four(db):
    return [
        ItemFactory(name="Flour", allergens=["wheat"]),
        ItemFactory(name="Oil", base_unit=Item.Unit.MILLILITRE, allergens=["sesame"]),
        ItemFactory(
            name="Eggs",
            base_unit=Item.Unit.PIECE,
            piece_name="egg",
            weight_per_piece_g=Decimal("60"),
            allergens=["eggs"],
        ),
        ItemFactory(name="Salt"),
    ]


@given(
    data=st.data(),
    servings=st.integers(min_value=1, max_value=250),
    yield_servings=st.integers(min_value=1, max_value=40),
)
def test_cooking_conserves_quantities_and_the_meal_has_the_union_of_allergens(
    site, lead, catalog_of_four, today, data, servings, yield_servings
):
    # Each example in its own savepoint, rolled back: the next starts from an empty pantry.
    with transaction.atomic():
        _cook_random_recipe(site, lead, catalog_of_four, today, data, servings, yield_servings)
        transaction.set_rollback(True)


def ledger_adds_up(lot) -> bool:
    """on_hand is the sum of the lot's moves (added in Python: SQLite sums decimals as
    floats, so 1 - 0.6 - 0.4 would not come to exactly 0 there)."""
    lot.refresh_from_db()
    moves = sum(lot.moves.values_list("quantity", flat=True), Decimal(0))
    held = sum(
        lot.reservations.filter(status="held").values_list("quantity", flat=True), Decimal(0)
    )
    return lot.on_hand == moves and lot.reserved == held


def _cook_random_recipe(site, lead, catalog_of_four, today, data, servings, yield_servings):
    from kitchen.services import IngredientLine

    chosen = data.draw(
        st.lists(st.sampled_from(catalog_of_four), min_size=1, max_size=4, unique_by=lambda i: i.pk)
    )
    amounts = [data.draw(st.decimals(min_value="0.5", max_value="2000", places=1)) for _ in chosen]
    recipe = services.create_recipe(
        site=site,
        name="Random dish",
        yield_servings=yield_servings,
        ingredients=[
            IngredientLine(item, amount, {"g": "g", "ml": "ml", "piece": "eggs"}[item.base_unit])
            for item, amount in zip(chosen, amounts, strict=True)
        ],
        by=lead,
    )
    expected = {}
    for ingredient in recipe.ingredients.all():
        exact = ingredient.quantity * servings / yield_servings
        if ingredient.item.base_unit == "piece":
            want = exact.to_integral_value(rounding=ROUND_CEILING)  # whole eggs, rounded up
        else:
            want = max(exact.quantize(Decimal("0.001"), ROUND_HALF_UP), Decimal("0.001"))
        expected[ingredient.item.name] = want
        # Two lots each, the sooner one too small alone, so cooking spans lots.
        for days, share in ((1, Decimal("0.4")), (20, Decimal("0.7"))):
            pantry.receive(
                site=site,
                item=ingredient.item,
                quantity=max((want * share).quantize(Decimal(1)) + 1, Decimal(1)),
                by=lead,
                source="test",
                best_before=today + timedelta(days=days),
            )
    meal = services.plan_meal(
        site=site, date=today, kind="lunch", servings=servings, recipes=[recipe], by=lead
    )
    cook_meal(meal, servings_made=servings, servings_served=servings, by=lead)

    assert taken_per_item(meal) == expected
    union = 0
    for item in chosen:
        union |= item.allergen_mask
    meal.refresh_from_db()
    assert meal.cooked_allergen_mask == union
    assert all(ledger_adds_up(lot) for lot in Lot.objects.filter(site=site))


def test_a_planned_meals_allergens_are_exactly_the_union_of_its_ingredients(
    site, lead, catalog_of_four, today
):
    from kitchen.services import IngredientLine

    flour, oil, eggs, salt = catalog_of_four
    bread = services.create_recipe(
        site=site,
        name="Bread",
        yield_servings=8,
        ingredients=[IngredientLine(flour, "500", "g"), IngredientLine(salt, "10", "g")],
        by=lead,
    )
    omelette = services.create_recipe(
        site=site,
        name="Omelette",
        yield_servings=1,
        ingredients=[IngredientLine(eggs, "2", "eggs"), IngredientLine(oil, "10", "ml")],
        by=lead,
    )
    meal = services.plan_meal(
        site=site, date=today, kind="breakfast", servings=8, recipes=[bread, omelette], by=lead
    )
    meal = MealService.objects.with_dishes().get(pk=meal.pk)
    assert meal.allergens == ["gluten", "wheat", "eggs", "sesame"]
    assert set(meal.allergens) == set(bread.allergens) | set(omelette.allergens)


def test_stock_held_for_a_meal_is_refused_naming_the_meal_not_its_reference(
    dinner, stocked, lead, today
):
    services.hold_stock(dinner, by=lead)
    with pytest.raises(DomainError) as refused:
        pantry.discard(stocked["rice_soon"], reason="spoiled", destination="compost", by=lead)
    assert f"is held for the dinner on {day(today)}" in refused.value.message
    assert dinner.reference not in refused.value.message
