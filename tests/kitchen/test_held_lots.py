"""A lot on hold (pantry.services.holds) is not cooked, nor held for a meal."""

import pytest

from kitchen import services
from kitchen.cooking import ShortOfStock, cook_meal
from pantry.models import StockMove
from pantry.services import holds

pytestmark = pytest.mark.django_db


def test_cooking_does_not_take_from_held_rice(lead, dinner, stocked):
    holds.start_holds(
        [stocked["rice_soon"], stocked["rice_later"]], cause="manual", by=lead, note="Rodents"
    )
    with pytest.raises(ShortOfStock) as e:
        cook_meal(dinner, servings_made=40, servings_served=40, by=lead)
    assert ("Rice", 4000, 0) in [(s.item.name, s.needed, s.available) for s in e.value.short]
    assert not StockMove.objects.filter(kind="cooked").exists()


def test_a_meal_holds_free_rice_and_leaves_the_held_lot(lead, dinner, stocked):
    holds.start_holds([stocked["rice_soon"]], cause="manual", by=lead, note="Damp sack")
    services.hold_stock(dinner, by=lead, take=False)
    stocked["rice_soon"].refresh_from_db()
    stocked["rice_later"].refresh_from_db()
    assert stocked["rice_soon"].reserved == 0 and stocked["rice_later"].reserved == 4000
