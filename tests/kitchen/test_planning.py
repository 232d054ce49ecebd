"""Planned meals: servings, dishes, availability on the day, holding stock."""

from datetime import timedelta
from decimal import Decimal

import pytest

from commonpot.errors import DomainError
from kitchen import services
from kitchen.availability import meal_stock
from kitchen.models import MealService
from pantry.models import Lot, Reservation
from tests.kitchen.factories import RecipeFactory

pytestmark = pytest.mark.django_db


def stock_of(meal):
    meal = MealService.objects.with_dishes().get(pk=meal.pk)
    return {n.item.name: n for n in meal_stock([meal])[meal.pk].needs}


@pytest.mark.parametrize("servings", [0, -1, "ten"])
def test_a_meal_is_planned_for_at_least_one_serving(site, lead, chilli, today, servings):
    with pytest.raises(DomainError) as e:
        services.plan_meal(
            site=site, date=today, kind="lunch", servings=servings, recipes=[chilli], by=lead
        )
    assert e.value.field == "planned_servings"
    assert not MealService.objects.exists()


def test_a_meal_needs_a_recipe_with_ingredients(site, lead, today):
    with pytest.raises(DomainError, match="at least one recipe"):
        services.plan_meal(site=site, date=today, kind="lunch", servings=5, recipes=[], by=lead)
    empty = RecipeFactory(site=site, name="Empty pot")
    with pytest.raises(DomainError, match="Empty pot has no ingredients"):
        services.plan_meal(
            site=site, date=today, kind="lunch", servings=5, recipes=[empty], by=lead
        )
    assert not MealService.objects.exists()


def test_a_meal_cannot_be_planned_in_the_past(site, lead, chilli, today):
    with pytest.raises(DomainError, match="date has passed"):
        services.plan_meal(
            site=site,
            date=today - timedelta(days=1),
            kind="lunch",
            servings=5,
            recipes=[chilli],
            by=lead,
        )


def test_the_needs_are_the_recipes_scaled_and_added_up(site, lead, chilli, items, today):
    from kitchen.services import IngredientLine

    side = services.create_recipe(
        site=site,
        name="Extra rice",
        yield_servings=4,
        ingredients=[IngredientLine(items["rice"], "200", "g")],
        by=lead,
    )
    meal = services.plan_meal(
        site=site, date=today, kind="dinner", servings=20, recipes=[chilli, side], by=lead
    )
    needs = {name: n.needed for name, n in stock_of(meal).items()}
    assert needs == {
        "Rice": Decimal("3000"),  # 2 kg for the chilli and 1 kg on the side
        "Onions": Decimal("1000"),
        "Chopped tomatoes": Decimal("8"),
        "Cheddar": Decimal("400"),
    }


def test_availability_counts_only_lots_still_good_on_the_day(
    site, lead, chilli, items, receive, today
):
    receive(items["rice"], 1000, days=2, date_kind="use_by")
    receive(items["rice"], 2500, days=9)
    receive(items["rice"], 700, days=None)  # no date: good on any day
    meal = services.plan_meal(
        site=site,
        date=today + timedelta(days=5),
        kind="lunch",
        servings=40,
        recipes=[chilli],
        by=lead,
    )
    rice = stock_of(meal)["Rice"]
    assert (rice.needed, rice.available, rice.short) == (4000, 3200, 800)
    assert stock_of(meal)["Onions"].short == 2000


def test_holding_stock_holds_what_there_is_and_says_what_is_short(site, lead, dinner, stocked):
    result = services.hold_stock(dinner, by=lead)
    short = {h.item.name: h.short for h in result.short}
    assert short == {}
    held = Reservation.objects.filter(reference=dinner.reference, status="held")
    by_lot = {r.lot_id: r.quantity for r in held}
    # First expiring first: all of the rice that expires in two days, then the rest.
    assert by_lot[stocked["rice_soon"].pk] == 1500
    assert by_lot[stocked["rice_later"].pk] == 2500
    stocked["rice_later"].refresh_from_db()
    assert stocked["rice_later"].reserved == 2500
    assert stock_of(dinner)["Rice"].held == 4000


def test_a_short_ingredient_is_held_as_far_as_it_goes(site, lead, dinner, items, receive):
    receive(items["rice"], 1000)
    result = services.hold_stock(dinner, by=lead)
    assert [(h.item.name, h.held, h.short) for h in result.short] == [
        ("Rice", 1000, 3000),
        ("Onions", 0, 2000),
        ("Chopped tomatoes", 0, 16),
        ("Cheddar", 0, 800),
    ]
    assert "Still short: Rice: 1 kg held of 4 kg" in result.message


def test_holding_with_nothing_in_stock_says_so_and_writes_nothing(lead, dinner):
    with pytest.raises(DomainError, match="None of the ingredients is in stock"):
        services.hold_stock(dinner, by=lead)
    assert not Reservation.objects.exists()


def test_held_stock_cannot_be_given_away(site, lead, dinner, stocked, items):
    from pantry import services as pantry

    services.hold_stock(dinner, by=lead)
    with pytest.raises(pantry.NotEnoughStock):
        pantry.take_stock(site=site, item=items["rice"], quantity=3000, kind="distributed", by=lead)


def test_holding_twice_does_not_hold_twice(lead, dinner, stocked):
    services.hold_stock(dinner, by=lead)
    services.hold_stock(dinner, by=lead)
    held = Reservation.objects.filter(reference=dinner.reference, status="held")
    assert sum(r.quantity for r in held if r.lot.item.name == "Rice") == 4000


def test_changing_the_servings_holds_again_for_the_new_plan(site, lead, dinner, stocked, chilli):
    services.hold_stock(dinner, by=lead)
    result = services.change_meal(
        dinner, date=dinner.date, kind="dinner", servings=20, recipes=[chilli], by=lead
    )
    assert result is not None and not result.short
    held = Reservation.objects.filter(reference=dinner.reference, status="held")
    assert sum(r.quantity for r in held if r.lot.item.name == "Rice") == 2000
    assert sum(lot.reserved for lot in Lot.objects.all()) == 2000 + 1000 + 8 + 400


def test_cancelling_a_meal_releases_its_stock(lead, dinner, stocked):
    services.hold_stock(dinner, by=lead)
    services.cancel_meal(dinner, by=lead)
    dinner.refresh_from_db()
    assert dinner.status == "cancelled"
    assert not Reservation.objects.filter(status="held").exists()
    assert all(lot.reserved == 0 for lot in Lot.objects.all())
    with pytest.raises(DomainError, match="cancelled"):
        services.hold_stock(dinner, by=lead)


def test_releasing_gives_the_stock_back(lead, dinner, stocked):
    services.hold_stock(dinner, by=lead)
    assert services.release_stock(dinner) == 5
    assert all(lot.reserved == 0 for lot in Lot.objects.all())
    with pytest.raises(DomainError, match="No stock is held"):
        services.release_stock(dinner)


def test_a_recipe_change_moves_the_holds_of_planned_meals(site, lead, dinner, stocked, chilli):
    from kitchen.services import IngredientLine

    services.hold_stock(dinner, by=lead)
    services.update_recipe(
        chilli,
        site=site,
        name=chilli.name,
        yield_servings=10,
        ingredients=[IngredientLine(stocked["onions"].item, "250", "g")],
    )
    held = Reservation.objects.filter(reference=dinner.reference, status="held")
    assert [(r.lot.item.name, r.quantity) for r in held] == [("Onions", 1000)]


def test_the_same_form_twice_plans_one_meal(site, lead, chilli, today):
    import uuid

    token = uuid.uuid4()
    for _ in range(2):
        services.plan_meal(
            site=site, date=today, kind="lunch", servings=5, recipes=[chilli], by=lead, token=token
        )
    assert MealService.objects.count() == 1


def test_the_same_form_sent_again_for_more_servings_is_refused_and_plans_nothing(
    site, lead, chilli, today
):
    import uuid

    from commonpot.idempotency import AlreadySent

    token = uuid.uuid4()
    meal = services.plan_meal(
        site=site, date=today, kind="lunch", servings=5, recipes=[chilli], by=lead, token=token
    )
    with pytest.raises(AlreadySent) as refused:
        services.plan_meal(
            site=site, date=today, kind="lunch", servings=8, recipes=[chilli], by=lead, token=token
        )
    assert refused.value.record == meal
    assert MealService.objects.get().planned_servings == 5
