"""The leads' meal pages: the week, planning, holding, cooking, labels."""

import copy
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonpot.registry import registry
from kitchen import services
from kitchen.models import MealService
from pantry.models import Lot, Reservation, StockMove
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
STAFFING_HEADER = re.compile(r"<th[^>]*>\s*Staffing\s*</th>")


@pytest.fixture
def as_lead(lead):
    return client_for(lead)


def url(name, site, *args):
    return reverse(name, args=[site.slug, *args])


def monday_of(day):
    return day - timedelta(days=day.weekday())


# --- The week ----------------------------------------------------------------------


def test_the_week_shows_each_meal_and_what_it_is_short_of(as_lead, site, dinner, items, receive):
    receive(items["rice"], 1000)
    response = as_lead.get(url("kitchen:week", site))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chilli and rice" in page and ">40<" in page
    assert "4 short" in page and "Onions" in page
    assert "1 planned meal this week is short of stock" in page


def test_the_week_answers_htmx_with_the_week_alone(as_lead, site, dinner):
    response = as_lead.get(url("kitchen:week", site), HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content and b'id="kitchen-week"' in response.content


def test_another_week_is_reached_by_date(as_lead, site, dinner, today):
    response = as_lead.get(url("kitchen:week", site), {"week": str(today + timedelta(days=7))})
    assert b"No meals planned this week." in response.content
    assert as_lead.get(url("kitchen:week", site), {"week": "soon"}).status_code == 404


def _week_queries(client, site, monday) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("kitchen:week", site), {"week": str(monday)})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.count(b'<tr class="meal--')


def _plan(site, lead, monday, n, recipes):
    for i in range(n):
        services.plan_meal(
            site=site,
            date=monday + timedelta(days=i % 7),
            kind=["breakfast", "lunch", "dinner"][i % 3],
            servings=10 + i,
            recipes=recipes,
            by=lead,
        )


def test_the_week_runs_the_same_queries_for_2_meals_as_for_12(
    as_lead, site, lead, chilli, stocked, today
):
    from kitchen.services import IngredientLine

    side = services.create_recipe(
        site=site,
        name="Side",
        yield_servings=2,
        ingredients=[IngredientLine(stocked["onions"].item, "100", "g")],
        by=lead,
    )
    first = monday_of(today) + timedelta(days=7)
    _plan(site, lead, first, 2, [chilli])
    _plan(site, lead, first + timedelta(days=7), 12, [chilli, side])
    # Both measured with the CSRF cookie set: a first visit without one is never kept,
    # so it skips reading the page cache's data version (a query on PostgreSQL).
    as_lead.get(url("kitchen:week", site))
    few, few_rows = _week_queries(as_lead, site, first)
    many, many_rows = _week_queries(as_lead, site, first + timedelta(days=7))
    assert (few_rows, many_rows) == (2, 12)
    assert few == many


@pytest.fixture
def staffing_slot():
    """A stand-in for the volunteers app: one query for the whole week."""
    calls = []

    def week_panel(request, week):
        calls.append(week)
        list(MealService.objects.filter(pk__in=[m.pk for m in week.meals]))
        return "kitchen/tests/staffing_cell.html", {
            "cells": {m.pk: f"cook for {m.pk}" for m in week.meals}
        }

    def meal_panel(request, meal):
        return "kitchen/tests/staffing_meal.html", {"meal": meal}

    registry.add_slot("meal_week", week_panel)
    registry.add_slot("meal", meal_panel)
    yield calls
    registry.slots["meal_week"].remove((50, week_panel))
    registry.slots["meal"].remove((50, meal_panel))


def test_another_app_can_fill_the_staffing_column_and_the_meal_page(
    as_lead, site, lead, chilli, dinner, today, staffing_slot, settings, tmp_path
):
    (tmp_path / "kitchen" / "tests").mkdir(parents=True)
    (tmp_path / "kitchen" / "tests" / "staffing_cell.html").write_text("[{{ cell }}]")
    (tmp_path / "kitchen" / "tests" / "staffing_meal.html").write_text(
        "Two cooks for {{ meal.title }}"
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates

    page = as_lead.get(url("kitchen:week", site)).content.decode()
    assert STAFFING_HEADER.search(page)
    assert f"[cook for {dinner.pk}]" in page
    assert len(staffing_slot) == 1 and staffing_slot[0].meals[0] == dinner
    meal_page = as_lead.get(url("kitchen:meal", site, dinner.pk)).content.decode()
    assert "Two cooks for Chilli and rice" in meal_page

    first = monday_of(today) + timedelta(days=7)
    _plan(site, lead, first, 2, [chilli])
    _plan(site, lead, first + timedelta(days=7), 9, [chilli])
    assert (
        _week_queries(as_lead, site, first)[0]
        == _week_queries(as_lead, site, first + timedelta(days=7))[0]
    )


def test_without_another_app_there_is_no_staffing_column(as_lead, site, dinner, monkeypatch):
    monkeypatch.setitem(registry.slots, "meal_week", [])  # as if volunteers were not installed
    page = as_lead.get(url("kitchen:week", site)).content.decode()
    assert re.search(r"<th[^>]*>\s*Stock\s*</th>", page)
    assert not STAFFING_HEADER.search(page)


# --- Planning ------------------------------------------------------------------------


def plan_data(chilli, **overrides):
    data = {
        "token": str(uuid.uuid4()),
        "date": str(chilli.site.today()),
        "kind": "dinner",
        "planned_servings": "80",
        "dish_1": str(chilli.pk),
        "dish_2": "",
        "dish_3": "",
        "name": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_a_lead_plans_dinner_for_80(as_lead, site, chilli):
    response = as_lead.post(url("kitchen:meal_create", site), plan_data(chilli))
    meal = MealService.objects.get()
    assert response.status_code == 302 and response["Location"] == meal.get_absolute_url()
    assert (meal.planned_servings, meal.kind, list(meal.recipes.all())) == (80, "dinner", [chilli])


@pytest.mark.parametrize("servings", ["0", "-4", "many", ""])
def test_planning_zero_or_fewer_servings_says_so_and_writes_nothing(
    as_lead, site, chilli, servings
):
    response = as_lead.post(
        url("kitchen:meal_create", site), plan_data(chilli, planned_servings=servings)
    )
    assert response.status_code == 400
    assert response.context["form"].errors["planned_servings"]
    assert not MealService.objects.exists()


def test_planning_without_a_dish_says_so(as_lead, site, chilli):
    response = as_lead.post(url("kitchen:meal_create", site), plan_data(chilli, dish_1=""))
    assert response.status_code == 400 and not MealService.objects.exists()


def test_planning_a_recipe_with_no_ingredients_says_so(as_lead, site, chilli):
    from tests.kitchen.factories import RecipeFactory

    empty = RecipeFactory(site=site, name="Empty pot")
    response = as_lead.post(url("kitchen:meal_create", site), plan_data(chilli, dish_1=empty.pk))
    assert response.status_code == 400
    assert b"Empty pot has no ingredients yet" in response.content
    assert not MealService.objects.exists()


def test_the_same_plan_posted_twice_makes_one_meal(as_lead, site, chilli):
    data = plan_data(chilli)
    as_lead.post(url("kitchen:meal_create", site), data)
    as_lead.post(url("kitchen:meal_create", site), data)
    assert MealService.objects.count() == 1


def test_the_plan_form_starts_from_a_recipe_and_servings(as_lead, site, chilli):
    response = as_lead.get(url("kitchen:meal_create", site), {"recipe": chilli.pk, "servings": 25})
    form = response.context["form"]
    assert form.initial["dish_1"] == chilli.pk and form.initial["planned_servings"] == 25


def test_changing_a_meal(as_lead, site, dinner, chilli):
    response = as_lead.post(
        url("kitchen:meal_edit", site, dinner.pk), plan_data(chilli, planned_servings="12")
    )
    assert response.status_code == 302
    dinner.refresh_from_db()
    assert dinner.planned_servings == 12


# --- A meal ------------------------------------------------------------------------------


def test_the_meal_page_shows_what_is_needed_and_short(as_lead, site, dinner, items, receive):
    receive(items["rice"], 1000)
    page = as_lead.get(url("kitchen:meal", site, dinner.pk)).content.decode()
    assert "Short of 4 ingredients" in page
    assert "3 kg short" in page  # rice: 4 kg needed, 1 kg free
    assert "MILK" in page.upper()


def test_holding_the_stock_from_the_meal_page(as_lead, site, dinner, stocked):
    response = as_lead.post(url("kitchen:meal_hold", site, dinner.pk))
    assert response.status_code == 302
    assert Reservation.objects.filter(reference=dinner.reference, status="held").count() == 5
    page = as_lead.get(response["Location"]).content.decode()
    assert "All the stock for this meal is held." in page


def test_holding_with_htmx_answers_with_the_stock_section(as_lead, site, dinner, stocked):
    response = as_lead.post(url("kitchen:meal_hold", site, dinner.pk), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="meal-stock"' in body and "Release the stock" in body


def test_releasing_from_the_meal_page(as_lead, site, dinner, stocked, lead):
    services.hold_stock(dinner, by=lead)
    as_lead.post(url("kitchen:meal_release", site, dinner.pk))
    assert not Reservation.objects.filter(status="held").exists()


def test_cancelling_from_the_meal_page(as_lead, site, dinner, stocked, lead):
    services.hold_stock(dinner, by=lead)
    as_lead.post(url("kitchen:meal_cancel", site, dinner.pk))
    dinner.refresh_from_db()
    assert dinner.status == "cancelled" and not Reservation.objects.filter(status="held").exists()


# --- Cooking ----------------------------------------------------------------------------


def cook_data(response, **overrides):
    """The cook form as shown, with its initial values, changed by overrides."""
    data = {}
    forms = [response.context["form"], *response.context["lines"]]
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            data[form.add_prefix(name)] = "" if value is None else str(value)
    data.update(overrides)
    return data


def test_the_cook_form_offers_the_recipe_scaled_to_the_servings(as_lead, site, dinner, stocked):
    response = as_lead.get(url("kitchen:meal_cook", site, dinner.pk), {"servings": "30"})
    lines = {
        line.item.name: (line.initial["quantity"], line.initial["unit"])
        for line in response.context["lines"]
    }
    assert lines == {
        "Rice": ("3", "kg"),
        "Onions": ("1.5", "kg"),
        "Chopped tomatoes": ("12", "cans"),
        "Cheddar": ("600", "g"),
    }
    assert response.context["form"].initial["servings_made"] == 30


def test_cooking_from_the_form(as_lead, site, dinner, stocked, lead, today):
    page = as_lead.get(url("kitchen:meal_cook", site, dinner.pk))
    response = as_lead.post(
        url("kitchen:meal_cook", site, dinner.pk),
        cook_data(page, servings_served="32", leftover_servings="8"),
    )
    assert response.status_code == 302
    dinner.refresh_from_db()
    assert (dinner.status, dinner.servings_made, dinner.servings_served) == ("cooked", 40, 32)
    assert dinner.leftover_lot.on_hand == 8
    page = as_lead.get(url("kitchen:meal", site, dinner.pk)).content.decode()
    assert "Taken from the pantry" in page and "Print labels" in page
    assert "8 portions, use by" in page


def test_cooking_with_not_enough_stock_lists_what_is_short_and_takes_nothing(
    as_lead, site, dinner, items, receive
):
    receive(items["rice"], 1000)
    receive(items["onions"], 2000)
    receive(items["tomatoes"], 16)
    receive(items["cheese"], 100)
    page = as_lead.get(url("kitchen:meal_cook", site, dinner.pk))
    moves = StockMove.objects.count()
    response = as_lead.post(url("kitchen:meal_cook", site, dinner.pk), cook_data(page))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Rice: need 4 kg, 1 kg available" in body
    assert "Cheddar: need 800 g, 100 g available" in body
    assert StockMove.objects.count() == moves
    dinner.refresh_from_db()
    assert dinner.status == "planned"


def test_cooking_with_what_there_is_and_a_substitute(as_lead, site, dinner, items, receive):
    receive(items["rice"], 1000)
    receive(items["pasta"], 5000)
    receive(items["onions"], 2000)
    receive(items["tomatoes"], 16)
    receive(items["cheese"], 100)
    page = as_lead.get(url("kitchen:meal_cook", site, dinner.pk))
    response = as_lead.post(
        url("kitchen:meal_cook", site, dinner.pk),
        cook_data(
            page,
            **{
                "line-0-quantity": "3",
                "line-0-unit": "kg",
                "line-0-substitute": "Pasta",
                "line-3-quantity": "100",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    taken = {
        m.lot.item.name: -m.quantity
        for m in StockMove.objects.filter(reference=dinner.reference, quantity__lt=0)
    }
    assert taken == {
        "Pasta": Decimal("3000"),
        "Onions": Decimal("2000"),
        "Chopped tomatoes": Decimal("16"),
        "Cheddar": Decimal("100"),
    }
    assert Lot.objects.get(item=items["rice"]).on_hand == 1000


def test_a_quantity_that_cannot_convert_is_shown_on_its_line(as_lead, site, dinner, stocked):
    page = as_lead.get(url("kitchen:meal_cook", site, dinner.pk))
    moves = StockMove.objects.count()
    response = as_lead.post(
        url("kitchen:meal_cook", site, dinner.pk), cook_data(page, **{"line-2-unit": "litres"})
    )
    assert response.status_code == 400
    assert response.context["lines"][2].errors
    assert StockMove.objects.count() == moves


def test_zero_servings_made_is_refused_on_the_form(as_lead, site, dinner, stocked):
    page = as_lead.get(url("kitchen:meal_cook", site, dinner.pk))
    response = as_lead.post(
        url("kitchen:meal_cook", site, dinner.pk), cook_data(page, servings_made="0")
    )
    assert response.status_code == 400 and response.context["form"].errors["servings_made"]
    assert not StockMove.objects.filter(kind="cooked").exists()


def test_cooking_twice_from_the_form_is_refused(as_lead, site, dinner, stocked, lead):
    page = as_lead.get(url("kitchen:meal_cook", site, dinner.pk))
    as_lead.post(url("kitchen:meal_cook", site, dinner.pk), cook_data(page))
    moves = StockMove.objects.count()
    response = as_lead.post(url("kitchen:meal_cook", site, dinner.pk), cook_data(page), follow=True)
    assert b"This meal was already cooked." in response.content
    assert StockMove.objects.count() == moves


# --- The lead's home ---------------------------------------------------------------------


def test_the_leads_home_shows_todays_meals_and_their_shortfalls(
    as_lead, site, dinner, items, receive, lead, chilli, today
):
    receive(items["rice"], 1000)
    services.plan_meal(
        site=site,
        date=today + timedelta(days=1),
        kind="lunch",
        servings=5,
        recipes=[chilli],
        by=lead,
    )
    services.plan_meal(
        site=site,
        date=today + timedelta(days=2),
        kind="lunch",
        servings=7,
        recipes=[chilli],
        by=lead,
    )
    page = as_lead.get(reverse("home")).content.decode()
    assert "Meals today and tomorrow" in page
    assert "Today, dinner: Chilli and rice" in page and "Rice 3 kg" in page
    assert "Tomorrow, lunch: Chilli and rice" in page
    assert "for 7" not in page
