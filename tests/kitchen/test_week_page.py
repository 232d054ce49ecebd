"""The meals week as a lead reads it: each row's cells, what is short on which day,
and a query count that does not grow with the week's meals or the site's lots."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from commonpot.dates import day
from kitchen import services
from kitchen.services import IngredientLine
from tests.conftest import client_for, page_queries

pytestmark = pytest.mark.django_db


def _week(site, monday) -> str:
    return f"{reverse('kitchen:week', args=[site.slug])}?week={monday.isoformat()}"


def _row(html: str, meal) -> str:
    link = f'href="/sites/{meal.site.slug}/meals/{meal.pk}/"'
    rows = [r for r in re.findall(r"<tr class=.*?</tr>", html, re.S) if link in r]
    assert len(rows) == 1, rows
    return rows[0]


def test_a_lot_counts_for_the_meals_before_its_date_and_not_after(
    site, lead, items, receive, today
):
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    soup = services.create_recipe(
        site=site,
        name="Rice soup",
        yield_servings=10,
        ingredients=[IngredientLine(items["rice"], "1", "kg")],
        by=lead,
    )
    # Good until Wednesday: enough on Tuesday, gone by Thursday.
    receive(items["rice"], 2000, days=(monday - today).days + 2, date_kind="use_by")
    tuesday, thursday = (
        services.plan_meal(
            site=site,
            date=monday + timedelta(days=n),
            kind="lunch",
            servings=10,
            recipes=[soup],
            by=lead,
        )
        for n in (1, 3)
    )
    html = client_for(lead).get(_week(site, monday)).content.decode()
    assert '<tr class="meal--planned ' in _row(html, tuesday)
    assert "In stock" in _row(html, tuesday)
    short = _row(html, thursday)
    assert '<tr class="meal--planned meal--short' in short
    assert '<span class="badge bad">1 short</span>' in short and "Rice" in short
    assert "1 planned meal this week is short of stock." in html


def test_each_row_shows_the_day_the_meal_its_dishes_servings_and_staffing(
    site, lead, items, stocked, chilli, today
):
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    odd = services.create_recipe(
        site=site,
        name="<b>Bread</b> & butter",
        yield_servings=10,
        ingredients=[IngredientLine(items["cheese"], "10", "g")],
        by=lead,
    )
    meal = services.plan_meal(
        site=site,
        date=monday,
        kind="dinner",
        servings=1200,
        recipes=[chilli, odd],
        by=lead,
        name="Harvest",
    )
    html = client_for(lead).get(_week(site, monday)).content.decode()
    row = _row(html, meal)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[0] == day(monday)  # "Mon 7 Dec", with the year when next Monday is in the next one
    assert cells[1] == f'<a href="/sites/{site.slug}/meals/{meal.pk}/">Dinner: Harvest</a>'
    # Names are escaped, not markup.
    assert cells[2] == "&lt;b&gt;Bread&lt;/b&gt; &amp; butter, Chilli and rice"
    # Each cell names its column, for the card it becomes on a phone.
    assert '<td class="num" data-label="Servings">1200</td>' in row
    assert "short" in cells[4]
    # The volunteers' staffing cell, rendered for this meal.
    assert "No shifts" in cells[5] and f"meal={meal.pk}" in cells[5]
    assert 'class="table-container" role="region"' in html
    assert f'href="/sites/{site.slug}/meals/new/?date={monday.isoformat()}"' in html


def test_an_empty_week_says_so(site, lead, today):
    far = today.replace(year=today.year + 50)
    response = client_for(lead).get(_week(site, far))
    assert response.status_code == 200
    assert "No meals planned this week." in response.content.decode()


def test_the_week_runs_the_same_queries_for_few_lots_and_meals_as_for_many(
    site, lead, items, receive, chilli, today
):
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    client = client_for(lead)
    services.plan_meal(site=site, date=monday, kind="lunch", servings=10, recipes=[chilli], by=lead)
    receive(items["rice"], 500, days=9)
    few = page_queries(client, _week(site, monday))
    for n in range(1, 21):
        services.plan_meal(
            site=site,
            date=monday + timedelta(days=n % 7),
            kind="dinner",
            servings=10 + n,
            recipes=[chilli],
            by=lead,
        )
        receive(items["onions" if n % 2 else "rice"], 100 * n, days=n + 7)
    assert few > 3
    assert page_queries(client, _week(site, monday)) == few
