"""Meals plan together: stock is shared in meal order, a hold never takes what an
earlier meal counts on without the lead saying so, and a meal is cooked before its
day only when the lead says so.

The issue's case: tonight's dinner for 80 needs 4 kg of lentils and 2.4 kg of
spinach; Wednesday's dal (a later lunch for 50) needs 5 kg and 2.5 kg; the site has
8 kg and 3.8 kg.
"""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.dates import day
from commonpot.errors import DomainError
from kitchen import services
from kitchen.cooking import cook_meal
from kitchen.models import MealService
from kitchen.services import IngredientLine
from pantry.models import Lot, Reservation, StockMove
from tests.conftest import client_for
from tests.pantry.factories import ItemFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


@pytest.fixture
def food(db):
    return {"lentils": ItemFactory(name="Lentils"), "spinach": ItemFactory(name="Spinach")}


@pytest.fixture
def larder(food, receive):
    return {
        "lentils": receive(food["lentils"], 8000, days=60),
        "spinach": receive(food["spinach"], 3800, days=10),
    }


def _recipe(site, lead, name, food, lentils, spinach):
    return services.create_recipe(
        site=site,
        name=name,
        yield_servings=10,
        ingredients=[
            IngredientLine(food["lentils"], lentils, "g"),
            IngredientLine(food["spinach"], spinach, "g"),
        ],
        by=lead,
    )


@pytest.fixture
def tonight(site, lead, food, today):
    stew = _recipe(site, lead, "Lentil and spinach stew", food, "500", "300")
    return services.plan_meal(
        site=site, date=today, kind="dinner", servings=80, recipes=[stew], by=lead
    )


@pytest.fixture
def dal(site, lead, food, today):
    recipe = _recipe(site, lead, "Spinach dal", food, "1000", "500")
    return services.plan_meal(
        site=site,
        date=today + timedelta(days=2),
        kind="lunch",
        servings=50,
        recipes=[recipe],
        by=lead,
    )


def _held(meal) -> dict[str, Decimal]:
    held: dict[str, Decimal] = {}
    for r in Reservation.objects.filter(reference=meal.reference, status="held"):
        held[r.lot.item.name] = held.get(r.lot.item.name, 0) + r.quantity
    return held


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _meal_page(lead, meal):
    return client_for(lead).get(reverse("kitchen:meal", args=[meal.site.slug, meal.pk]))


# --- What each meal's page says -----------------------------------------------------


def test_a_later_meals_holds_leave_the_earlier_meal_short_and_it_names_them(
    lead, larder, tonight, dal
):
    services.hold_stock(dal, by=lead, take=True)
    page = _text(_meal_page(lead, tonight))
    assert "Everything is in stock" not in page
    assert "Short of 2 ingredients: Lentils (1 kg), Spinach (1.1 kg)." in page
    wednesday = f"{day(dal.date)} lunch"
    assert f"{wednesday} holds 1 kg of Lentils this meal needs." in page
    assert f"{wednesday} holds 1.1 kg of Spinach this meal needs." in page
    dal_page = _text(_meal_page(lead, dal))
    assert "All the stock for this meal is held." in dal_page
    assert f"This meal holds 1 kg of Lentils that {day(tonight.date)} dinner needs." in dal_page


def test_a_later_meal_without_holds_is_short_of_what_the_earlier_one_counts_on(
    lead, larder, tonight, dal
):
    assert "Everything is in stock" in _text(_meal_page(lead, tonight))
    page = _text(_meal_page(lead, dal))
    assert "Short of 2 ingredients: Lentils (1 kg), Spinach (1.1 kg)." in page
    assert f"{day(tonight.date)} dinner comes first and counts on 1 kg of Lentils." in page


def test_the_week_shows_each_meals_shortfall_and_who_holds_it(site, lead, food, larder, today):
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    stew = _recipe(site, lead, "Stew", food, "500", "300")
    dal_recipe = _recipe(site, lead, "Dal", food, "1000", "500")
    first = services.plan_meal(
        site=site, date=monday, kind="dinner", servings=80, recipes=[stew], by=lead
    )
    later = services.plan_meal(
        site=site,
        date=monday + timedelta(days=2),
        kind="lunch",
        servings=50,
        recipes=[dal_recipe],
        by=lead,
    )
    services.hold_stock(later, by=lead, take=True)
    response = client_for(lead).get(
        f"{reverse('kitchen:week', args=[site.slug])}?week={monday.isoformat()}"
    )
    html = response.content.decode()
    rows = {
        meal.pk: next(
            r for r in re.findall(r"<tr class=.*?</tr>", html, re.S) if f'/meals/{meal.pk}/"' in r
        )
        for meal in (first, later)
    }
    assert "2 short" in rows[first.pk]
    assert f"{day(later.date)} lunch holds 1 kg of Lentils this meal needs." in rows[first.pk]
    assert "All held" in rows[later.pk]
    assert f"that {day(first.date)} dinner needs." in rows[later.pk]
    assert "1 planned meal this week is short of stock." in html


# --- Holding never takes silently -----------------------------------------------------


def test_holding_a_later_meal_that_takes_what_an_earlier_one_counts_on_is_refused_unasked(
    lead, larder, tonight, dal
):
    with pytest.raises(services.TakesStock) as refused:
        services.hold_stock(dal, by=lead)
    assert refused.value.message == (
        f"Holding stock for this meal takes 1 kg of Lentils that {day(tonight.date)} dinner "
        f"counts on. Holding stock for this meal takes 1.1 kg of Spinach that "
        f"{day(tonight.date)} dinner counts on."
    )
    assert not Reservation.objects.exists()
    assert Lot.objects.get(pk=larder["lentils"].pk).reserved == 0


def test_holding_only_what_is_left_leaves_the_earlier_meal_whole(lead, larder, tonight, dal):
    result = services.hold_stock(dal, by=lead, take=False)
    assert _held(dal) == {"Lentils": Decimal("4000"), "Spinach": Decimal("1400")}
    assert f"Left 1 kg of Lentils for {day(tonight.date)} dinner, which comes first." in (
        result.message
    )
    assert "Everything is in stock" in _text(_meal_page(lead, tonight))


def test_holding_the_earlier_meal_first_leaves_the_later_one_what_is_left_unasked(
    lead, larder, tonight, dal
):
    services.hold_stock(tonight, by=lead)
    result = services.hold_stock(dal, by=lead)
    assert _held(dal) == {"Lentils": Decimal("4000"), "Spinach": Decimal("1400")}
    assert result.short and not result.left_for


def test_the_meal_page_asks_before_a_hold_takes_what_an_earlier_meal_counts_on(
    site, lead, larder, tonight, dal
):
    client = client_for(lead)
    hold = reverse("kitchen:meal_hold", args=[site.slug, dal.pk])
    asked = client.post(hold)
    assert asked.status_code == 409  # nothing held: the lead chooses
    page = _text(asked)
    assert (
        f"Holding stock for this meal takes 1 kg of Lentils that {day(tonight.date)} dinner "
        "counts on." in page
    )
    assert "Hold only what is left" in page and "Take it anyway" in page
    assert not Reservation.objects.exists()
    client.post(hold, {"take": "yes"})
    assert _held(dal) == {"Lentils": Decimal("5000"), "Spinach": Decimal("2500")}


def test_changing_a_held_meal_asks_before_it_takes_and_changes_nothing_unasked(
    site, lead, larder, tonight, dal
):
    services.hold_stock(dal, by=lead, take=False)
    client = client_for(lead)
    edit = reverse("kitchen:meal_edit", args=[site.slug, dal.pk])
    data = {
        "token": str(uuid.uuid4()),
        "date": str(dal.date),
        "kind": "lunch",
        "planned_servings": "60",
        "dish_1": str(dal.recipes.get().pk),
        "name": "",
        "notes": "",
    }
    asked = client.post(edit, data)
    assert asked.status_code == 409
    page = _text(asked)
    assert f"takes 2 kg of Lentils that {day(tonight.date)} dinner counts on." in page
    assert "Save, holding only what is left" in page and "Save and take it anyway" in page
    dal.refresh_from_db()
    assert dal.planned_servings == 50
    assert _held(dal) == {"Lentils": Decimal("4000"), "Spinach": Decimal("1400")}

    client.post(edit, {**data, "take": "no"})
    dal.refresh_from_db()
    assert dal.planned_servings == 60
    assert _held(dal) == {"Lentils": Decimal("4000"), "Spinach": Decimal("1400")}
    assert "Everything is in stock" in _text(_meal_page(lead, tonight))


# --- Cooking before the meal's day -------------------------------------------------------


def test_a_meal_of_a_later_day_is_not_cooked_unless_the_lead_says_so(lead, larder, dal):
    services.hold_stock(dal, by=lead)
    with pytest.raises(DomainError) as refused:
        cook_meal(dal, servings_made=50, servings_served=50, by=lead)
    assert "Cook it now, before its day" in refused.value.message
    dal.refresh_from_db()
    assert dal.status == MealService.Status.PLANNED
    assert not StockMove.objects.filter(reference=dal.reference).exists()
    assert _held(dal) == {"Lentils": Decimal("5000"), "Spinach": Decimal("2500")}

    cook_meal(dal, servings_made=50, servings_served=50, by=lead, before_its_day=True)
    dal.refresh_from_db()
    assert dal.status == MealService.Status.COOKED


def test_the_cook_form_asks_for_confirmation_on_a_meal_of_a_later_day(
    site, lead, larder, dal, tonight
):
    from tests.kitchen.test_meal_views import cook_data

    client = client_for(lead)
    cook = reverse("kitchen:meal_cook", args=[site.slug, dal.pk])
    shown = client.get(cook)
    assert "Cook it now, before its day" in shown.content.decode()
    refused = client.post(cook, cook_data(shown))
    assert refused.status_code == 400
    assert "Tick &quot;Cook it now, before its day&quot;" in refused.content.decode()
    assert not StockMove.objects.filter(reference=dal.reference).exists()
    dal.refresh_from_db()
    assert dal.status == MealService.Status.PLANNED

    done = client.post(cook, cook_data(shown, before_its_day="on"))
    assert done.status_code == 302
    dal.refresh_from_db()
    assert dal.status == MealService.Status.COOKED
    # Tonight's dinner, dated today, asks nothing.
    today_form = client.get(reverse("kitchen:meal_cook", args=[site.slug, tonight.pk]))
    assert "Cook it now, before its day" not in today_form.content.decode()


def test_a_meal_whose_day_passed_uncooked_takes_nothing_from_the_meals_to_come(
    site, lead, larder, tonight, today
):
    from kitchen.availability import meal_stock
    from tests.kitchen.factories import MealFactory

    yesterday = MealFactory(
        site=site,
        date=today - timedelta(days=1),
        planned_servings=80,
        recipes=list(tonight.recipes.all()),
    )
    # Both in one read, as the week shows them when yesterday is in the same week.
    stock = meal_stock([yesterday, tonight])
    assert not stock[tonight.pk].short and not stock[tonight.pk].competing
    assert not stock[yesterday.pk].short
