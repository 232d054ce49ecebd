"""What a shift is for: the kitchen's meal it cooks or serves, the network's
transfer its driver moves. Reads only; the links are set by `planning`.

Volunteers may import the kitchen and the pantry; neither imports this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kitchen.models import MealService
from volunteers.models import Shift


@dataclass(frozen=True)
class SheetMeal:
    """What a shift sheet prints about a meal: its name, and allergens in bold."""

    name: str
    kind: str
    servings: int
    allergens: list[str]


def meals_with_allergens(meal_ids: Iterable[int]) -> dict[int, MealService]:
    """{meal id: meal with its dishes}, so `allergen_labels` needs no more queries."""
    ids = {pk for pk in meal_ids if pk is not None}
    if not ids:
        return {}
    return {m.pk: m for m in MealService.objects.filter(pk__in=ids).with_dishes()}


def sheet_meals(shifts: Iterable[Shift]) -> dict[int, SheetMeal]:
    """{shift id: SheetMeal} for the shifts linked to a meal, in a fixed number of queries."""
    shifts = list(shifts)
    meals = meals_with_allergens(s.meal_id for s in shifts)
    return {
        s.pk: SheetMeal(
            name=meals[s.meal_id].title,
            kind=meals[s.meal_id].get_kind_display(),
            servings=meals[s.meal_id].planned_servings,
            allergens=meals[s.meal_id].allergen_labels,
        )
        for s in shifts
        if s.meal_id in meals
    }
