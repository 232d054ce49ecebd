"""Kitchen fixtures: a catalog, stock at the lead's site, a recipe and a planned meal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from kitchen import services
from kitchen.cooking import cook_meal
from kitchen.services import IngredientLine
from pantry import services as pantry
from pantry.models import Lot
from pantry.network import services as network
from pantry.services.distributions import OutLine, distribute
from pantry.services.donations import LineInput, add_donor, receive_donation
from tests.kitchen.factories import cheese, cool_leftovers, eggs, onions, pasta, tomatoes
from tests.network.factories import offer
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


@pytest.fixture
def donated_tomatoes(site, lead, items, today):
    grocer = add_donor(site=site, name="Corner Greengrocer", kind="shop")
    donation = receive_donation(
        site=site,
        donor=grocer,
        received_on=today,
        lines=[LineInput(items["tomatoes"], "40", "cans", today + timedelta(days=300))],
        by=lead,
    )
    return donation.lines.get().lot


@pytest.fixture
def journey(site, other_site, lead, other_lead, items, stocked, dinner, donated_tomatoes, today):
    """10 cans go to the other site, 3 of them out to 4 households; dinner cooks the rest."""
    tomatoes = donated_tomatoes
    posted = offer(site, tomatoes, Decimal("10"), by=lead)
    transfer = network.claim_offer(offer_id=posted.pk, site=other_site, by=other_lead)
    network.accept_transfer(transfer_id=transfer.pk, by=lead)
    network.dispatch_transfer(transfer_id=transfer.pk, by=lead)
    (line,) = transfer.lines.all()
    network.receive_transfer(
        transfer_id=transfer.pk, by=other_lead, received={line.pk: Decimal("10")}
    )
    line.refresh_from_db()
    distribute(
        site=other_site,
        recipient="households",
        households=4,
        # On the other site's own calendar (New York is a day behind London
        # between midnight and five UTC).
        given_on=other_site.today(),
        lines=[OutLine(items["tomatoes"], "3", "cans", lot=line.received_lot)],
        by=other_lead,
    )
    # The older cans go first: cook from the donated lot by using up the others.
    Lot.objects.filter(pk=stocked["tomatoes"].pk).update(best_before=today + timedelta(days=400))
    cook_meal(dinner, servings_made=40, servings_served=30, leftover_servings=8, by=lead)
    cool_leftovers(dinner, by=lead)  # cooled in time: free, as far as cooling goes
    return {"transfer": transfer, "arrived": line.received_lot, "dinner": dinner}
