"""Where other apps add to the kitchen's pages without the kitchen importing them.

Dependencies point one way (kitchen <- volunteers), so the week view and the meal
page offer two slots through commonpot.registry (`registry.add_slot(name, fill)`):

- "meal": called once on a meal's page as `panel(request, meal)`, where `meal` is
  a kitchen.models.MealService (its site is `meal.site`). It returns
  (template, context) or None; the template is rendered in the page's
  "Staffing" section.
- "meal_week": called once per week view as `panel(request, week)`, where `week`
  is a MealWeek below. It returns (template, context) or None. Its template is
  then rendered once per meal row, in the week table's "Staffing" column, with
  the panel's context plus `meal` (that row's MealService) and `cell`
  (`context["cells"].get(meal.pk)`, if the panel put a dict of per-meal values
  under "cells"). Do the queries in the panel, once for the week: the template
  must not query, so the week view's query count stays the same however many
  meals it shows.

See docs/kitchen.md, "For other apps".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest
from django.template.context import make_context
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe

from commonpot.models import Site
from commonpot.registry import registry
from kitchen.models import MealService

MEAL = "meal"
MEAL_WEEK = "meal_week"


@dataclass(frozen=True)
class MealWeek:
    site: Site
    monday: date
    meals: list[MealService]


def _render(template: str, context: dict, request: HttpRequest) -> SafeString:
    return mark_safe(render_to_string(template, context, request=request))  # noqa: S308


def meal_panels(request: HttpRequest, meal: MealService) -> list[SafeString]:
    html = []
    for panel in registry.fillers(MEAL):
        result = panel(request, meal)
        if result is not None:
            template, context = result
            html.append(_render(template, context, request))
    return html


def has_week_panels() -> bool:
    return bool(registry.fillers(MEAL_WEEK))


def week_cells(request: HttpRequest, week: MealWeek) -> dict[int, list[SafeString]]:
    """{meal id: [html from each "meal_week" panel]} for the week's staffing column.

    Each panel's template is loaded once and rendered for every meal in one
    request context, bound once: render_to_string per meal would run the context
    processors again for every row.
    """
    cells: dict[int, list[SafeString]] = {meal.pk: [] for meal in week.meals}
    for panel in registry.fillers(MEAL_WEEK):
        result = panel(request, week)
        if result is None:
            continue
        name, context = result
        template = get_template(name).template
        per_meal = context.get("cells", {})
        page = make_context(context, request)
        with page.bind_template(template):
            for meal in week.meals:
                with page.push(meal=meal, cell=per_meal.get(meal.pk)):
                    cells[meal.pk].append(mark_safe(template.render(page)))  # noqa: S308
    return cells
