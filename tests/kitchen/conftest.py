"""Kitchen fixtures: a catalog, stock at the lead's site, a recipe and a planned meal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kitchen import services
from kitchen.services import IngredientLine
from pantry import services as pantry
from tests.kitchen.factories import cheese, eggs, onions, pasta, tomatoes
from tests.pantry.factories import rice


@pytest.fixture
def items(db):
    return {
        "rice": rice(),
        "onions": onions(),
        "tomatoes": tomatoes(),
        "cheese": cheese(),
        "pasta": pasta(),
        "eggs": eggs(),
    }


@pytest.fixture
def today(site):
    return site.today()


@pytest.fixture
def receive(site, lead, today):
    """receive("rice", "2000", days=5): a lot at the lead's site; returns the lot."""

    def lot(item, quantity, days: int | None = 30, at=None, date_kind="best_before"):
        return pantry.receive(
            site=at or site,
            item=item,
            quantity=Decimal(str(quantity)),
            by=lead,
            source="Test intake",
            best_before=None if days is None else today + timedelta(days=days),
            date_kind=date_kind,
        ).lot

    return lot


@pytest.fixture
def chilli(site, lead, items):
    """Serves 10: 1 kg rice, 500 g onions, 4 cans of tomatoes, 200 g cheddar."""
    return services.create_recipe(
        site=site,
        name="Chilli and rice",
        yield_servings=10,
        ingredients=[
            IngredientLine(items["rice"], "1", "kg"),
            IngredientLine(items["onions"], "500", "g", "diced"),
            IngredientLine(items["tomatoes"], "4", "cans"),
            IngredientLine(items["cheese"], "200", "g", "grated, to serve"),
        ],
        by=lead,
        method="Fry the onions, add the tomatoes, simmer. Serve on rice.",
        dietary=["vegetarian"],
    )


@pytest.fixture
def stocked(items, receive):
    """Enough for the chilli for 40, some of it expiring soon."""
    return {
        "rice_soon": receive(items["rice"], 1500, days=2),
        "rice_later": receive(items["rice"], 5000, days=60),
        "onions": receive(items["onions"], 3000, days=10),
        "tomatoes": receive(items["tomatoes"], 20, days=300),
        "cheese": receive(items["cheese"], 1000, days=20),
    }


@pytest.fixture
def dinner(site, lead, chilli, today):
    """Dinner today for 40: 4 kg rice, 2 kg onions, 16 cans, 800 g cheddar."""
    return services.plan_meal(
        site=site, date=today, kind="dinner", servings=40, recipes=[chilli], by=lead
    )
