"""Meals in a trace: food cooked into a meal went to the people fed and into its leftovers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from kitchen.models import MealService
from pantry.models import StockMove
from pantry.trace import Link

PREFIX = "meal-service:"


def _label(meal: MealService) -> str:
    values = {"meal": meal, "site": meal.site.name, "fed": meal.servings_served}
    if meal.servings_served is None:
        # Translators: where food went in a trace: "Cooked in Dal, lunch Tue 1 Dec at Harbour".
        return _("Cooked in %(meal)s at %(site)s") % values
    return _("Cooked in %(meal)s at %(site)s, %(fed)s fed") % values


class MealLinker:
    def forward(self, moves: list[StockMove]):
        cooked = [
            m for m in moves if m.kind == StockMove.Kind.COOKED and m.reference.startswith(PREFIX)
        ]
        pks = {m.reference[len(PREFIX) :] for m in cooked}
        pks = [int(pk) for pk in pks if pk.isdigit()]
        if not pks:
            return [], {}
        meals = {
            meal.reference: meal
            for meal in MealService.objects.filter(pk__in=pks)
            .select_related("site")
            .prefetch_related("recipes")
        }
        links, labels = [], {}
        for reference, meal in meals.items():
            labels[reference] = (_label(meal), meal.get_absolute_url())
        for move in cooked:
            meal = meals.get(move.reference)
            if meal is not None and meal.leftover_lot_id:
                label = _("Leftovers of %(meal)s") % {"meal": meal}
                links.append(
                    Link(
                        move.lot_id, meal.leftover_lot_id, label, meal.date, meal.get_absolute_url()
                    )
                )
        return links, labels

    def back(self, lot_ids: set[int]) -> list[Link]:
        meals = {
            meal.reference: meal
            for meal in MealService.objects.filter(leftover_lot_id__in=lot_ids)
            .select_related("site")
            .prefetch_related("recipes")
        }
        if not meals:
            return []
        cooked = StockMove.objects.filter(
            reference__in=list(meals), kind=StockMove.Kind.COOKED, reversed_by__isnull=True
        ).only("lot_id", "reference")
        return [
            Link(
                move.lot_id,
                meals[move.reference].leftover_lot_id,
                _("Cooked into %(meal)s") % {"meal": meals[move.reference]},
                meals[move.reference].date,
                meals[move.reference].get_absolute_url(),
            )
            for move in cooked
        ]
