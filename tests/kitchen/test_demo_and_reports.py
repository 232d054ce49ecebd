"""The demo kitchen, and the kitchen's numbers in the reports."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from commonpot.models import Site
from commonpot.reports import Period, build_sections, find_table
from kitchen.availability import meal_stock
from kitchen.cooking import cook_meal
from kitchen.models import MealService, Recipe
from pantry.models import Lot, StockMove
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_kitchen_is_safe_to_build_twice_and_has_a_short_dinner():
    call_command("seed_demo")
    counts = (Recipe.objects.count(), MealService.objects.count(), StockMove.objects.count())
    call_command("seed_demo")
    assert (
        Recipe.objects.count(),
        MealService.objects.count(),
        StockMove.objects.count(),
    ) == counts

    riverside = Site.objects.get(slug="riverside-kitchen")
    assert Recipe.objects.filter(site=riverside).count() >= 4
    lunch = MealService.objects.get(site=riverside, kind="lunch")
    assert lunch.is_cooked and lunch.leftover_lot.on_hand > 0
    dinner = MealService.objects.with_dishes().get(site=riverside, kind="dinner")
    assert dinner.is_planned
    assert meal_stock([dinner])[dinner.pk].short


def test_the_lead_plans_sees_the_shortfall_cooks_and_prints_the_label(
    site, lead, dinner, items, receive
):
    """Done means: dinner for 40, what is short, cooked, labelled, and the pantry shows
    exactly what was used and the leftovers as a new lot."""
    receive(items["rice"], 1500, days=2)  # of the 4 kg the dinner needs
    receive(items["onions"], 3000, days=10)
    receive(items["tomatoes"], 20, days=300)
    receive(items["cheese"], 1000, days=20)
    client = client_for(lead)

    page = client.get(reverse("kitchen:meal", args=[site.slug, dinner.pk])).content.decode()
    assert "Short of" in page and "Rice" in page

    form = client.get(reverse("kitchen:meal_cook", args=[site.slug, dinner.pk]))
    data = {}
    for f in [form.context["form"], *form.context["lines"]]:
        for name, field in f.fields.items():
            value = f.initial.get(name, field.initial)
            data[f.add_prefix(name)] = "" if value is None else str(value)
    stock = meal_stock([MealService.objects.with_dishes().get(pk=dinner.pk)])[dinner.pk]
    # Use what there is of whatever is short.
    for n, line in enumerate(form.context["lines"]):
        need = next(x for x in stock.needs if x.item == line.item)
        if need.short:
            data[f"line-{n}-quantity"] = str(need.available)
            data[f"line-{n}-unit"] = {"g": "g", "ml": "ml"}.get(line.item.base_unit, "pieces")
    data.update(servings_served="30", leftover_servings="10")
    before = {lot.pk: lot.on_hand for lot in Lot.objects.filter(site=site)}
    response = client.post(reverse("kitchen:meal_cook", args=[site.slug, dinner.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    dinner.refresh_from_db()
    moves = StockMove.objects.filter(reference=dinner.reference)
    for lot in Lot.objects.filter(site=site, pk__in=before):
        used = sum(-m.quantity for m in moves if m.lot_id == lot.pk)
        assert before[lot.pk] - lot.on_hand == used
    assert dinner.leftover_lot.on_hand == 10 and dinner.leftover_lot.pk not in before
    assert dinner.leftover_lot.date_kind == "use_by"
    assert dinner.leftover_lot.best_before <= site.today() + timedelta(days=3)

    labels = client.get(reverse("kitchen:meal_labels", args=[site.slug, dinner.pk]))
    assert labels.status_code == 200 and labels["Content-Type"] == "application/pdf"
    lot_page = client.get(reverse("pantry:lot", args=[site.slug, dinner.leftover_lot.pk]))
    assert lot_page.status_code == 200
    # The leftovers' history names the meal in words, not by its internal reference.
    assert b"For the dinner on" in lot_page.content
    assert dinner.reference.encode() not in lot_page.content


def test_the_report_counts_meals_servings_and_people_fed(
    site, lead, dinner, stocked, chilli, today
):
    from kitchen import services

    cook_meal(dinner, servings_made=40, servings_served=35, leftover_servings=5, by=lead)
    lunch = services.plan_meal(
        site=site, date=today, kind="lunch", servings=10, recipes=[chilli], by=lead
    )
    cook_meal(lunch, servings_made=10, servings_served=10, by=lead)
    services.plan_meal(
        site=site, date=today, kind="breakfast", servings=9, recipes=[chilli], by=lead
    )
    period = Period((site,), today.replace(day=1), today, network=False)
    section = next(s for s in build_sections(period) if s.key == "meals")
    assert dict(section.figures) == {
        "Meals cooked": "2",
        "Servings made": "50",
        "People fed": "45",
        "Leftover servings kept": "5",
    }
    assert find_table([section], "meals-by-site").rows == [["Riverside Kitchen", 2, 50, 45]]


def test_the_report_has_no_meals_section_when_nothing_was_cooked(site, today):
    period = Period((site,), today.replace(day=1), today, network=False)
    assert "meals" not in {s.key for s in build_sections(period)}


def test_food_cooked_for_a_meal_counts_on_the_meals_day_when_recorded_later(
    noon, site, lead, dinner, stocked, today
):
    noon.shift(timedelta(days=2))
    cook_meal(dinner, servings_made=40, servings_served=35, leftover_servings=5, by=lead)
    cooked = StockMove.objects.filter(reference=dinner.reference)
    assert {m.happened_on for m in cooked} == {today}
    assert {site.local(m.at).date() for m in cooked} == {today + timedelta(days=2)}
    on_the_day = Period((site,), today, today, network=False)
    food = next(s for s in build_sections(on_the_day) if s.key == "food")
    meals = next(s for s in build_sections(on_the_day) if s.key == "meals")
    # 4 kg rice, 2 kg onions, 16 cans of 400 g, 800 g cheddar.
    assert dict(food.figures)["Used in cooking"] == "13.2 kg"
    assert dict(meals.figures)["Meals cooked"] == "1"
