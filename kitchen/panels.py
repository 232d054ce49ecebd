"""The lead's home panel: today's and tomorrow's meals, and what they are short of
(registered in apps.py through commonpot.registry)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest

from commonpot.models import Site
from kitchen.availability import meal_stock
from kitchen.models import MealService


def lead_panel(request: HttpRequest, site: Site | None):
    if site is None:
        return None
    today = site.today()
    meals = list(
        MealService.objects.at(site)
        .between(today, today + timedelta(days=1))
        .exclude(status=MealService.Status.CANCELLED)
        .with_dishes()
        .in_order()
    )
    stock = meal_stock(meals)
    for meal in meals:
        meal.stock = stock[meal.pk]
    return (
        "kitchen/panels/lead.html",
        {
            "site": site,
            "today": today,
            "todays": [m for m in meals if m.date == today],
            "tomorrows": [m for m in meals if m.date != today],
        },
    )
