"""Reads that join recipes to the pantry: what a meal needs, what the site has for
it on the day, and what the site could cook from its stock.

Every function here runs a fixed number of queries however many meals, recipes
or lots it looks at: pass meals from MealService.objects.with_dishes() and
recipes from Recipe.objects.with_ingredients().
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from django.db.models import F, Min, Sum
from django.utils.translation import gettext as _

from commonpot.dates import day
from commonpot.models import Site
from kitchen.models import MealService, Recipe, scale
from pantry.freshness import DateRules, SitesDateRules
from pantry.models import Item, Lot, Reservation, StockMove
from pantry.units import display

ZERO = Decimal(0)


def recipe_needs(recipes: Iterable[Recipe], servings: int) -> list[tuple[Item, Decimal]]:
    """Each item the recipes use, scaled to `servings` and added up across recipes,
    in the order the recipes list them."""
    totals: dict[int, Decimal] = {}
    items: dict[int, Item] = {}
    for recipe in recipes:
        for ingredient, quantity in recipe.scaled(servings):
            items.setdefault(ingredient.item_id, ingredient.item)
            totals[ingredient.item_id] = totals.get(ingredient.item_id, ZERO) + quantity
    return [(items[pk], totals[pk]) for pk in totals]


def meal_needs(meal: MealService, servings: int | None = None) -> list[tuple[Item, Decimal]]:
    return recipe_needs(meal.recipes.all(), servings or meal.planned_servings)


def meal_name(meal: MealService) -> str:
    """ "Wed 10 Dec dinner": how one meal names another."""
    # Translators: a meal named by its day: "Wed 10 Dec dinner".
    return _("%(day)s %(meal)s") % {"day": day(meal.date), "meal": meal.get_kind_display().lower()}


def meal_order(meal: MealService) -> tuple:
    """Meals share stock in this order: by date, then breakfast, lunch, dinner, other."""
    return (meal.date, MealService.Kind.values.index(meal.kind), meal.pk)


@dataclass(frozen=True)
class Competing:
    """Another planned meal at the site that competes with this one for an ingredient.

    `kind` says how, from this meal's side:
    - "holds": the other meal, a later one, holds `quantity` this meal needs;
    - "needs": this meal holds `quantity` that the other, earlier meal needs;
    - "first": the other meal comes first and counts on `quantity` this meal lacks.
    """

    kind: str
    meal: MealService
    item: Item
    quantity: Decimal

    @property
    def sentence(self) -> str:
        values = {
            "quantity": display(self.quantity, self.item),
            "item": self.item.name,
            "meal": meal_name(self.meal),
        }
        if self.kind == "holds":
            # Translators: %(meal)s is another meal, "Wed 10 Dec dinner".
            return _("%(meal)s holds %(quantity)s of %(item)s this meal needs.") % values
        if self.kind == "needs":
            # Translators: %(meal)s is another meal, "Wed 10 Dec dinner".
            return _("This meal holds %(quantity)s of %(item)s that %(meal)s needs.") % values
        # Translators: %(meal)s is another meal, "Wed 10 Dec dinner".
        return _("%(meal)s comes first and counts on %(quantity)s of %(item)s.") % values


@dataclass(frozen=True)
class IngredientNeed:
    """One ingredient of a meal: how much it needs, and what the site has for it.

    `available` is what is left for this meal of the free stock (not held for
    anything, in lots that will not have passed their date on the meal's day) once
    the planned meals before it (see meal_order) have taken what they need beyond
    their own holds; `held` is what is already held for this meal. `competing`
    names the other meals that take what this one lacks, or that lack what this
    one holds.
    """

    item: Item
    needed: Decimal
    available: Decimal
    held: Decimal = ZERO
    competing: tuple[Competing, ...] = ()

    @property
    def short(self) -> Decimal:
        return max(self.needed - self.available - self.held, ZERO)

    @property
    def fully_held(self) -> bool:
        return self.held >= self.needed

    def show(self, quantity: Decimal) -> str:
        return display(quantity, self.item)

    @property
    def needed_display(self) -> str:
        return display(self.needed, self.item)

    @property
    def available_display(self) -> str:
        return display(self.available, self.item)

    @property
    def held_display(self) -> str:
        return display(self.held, self.item)

    @property
    def short_display(self) -> str:
        return display(self.short, self.item)


@dataclass
class MealStock:
    """What one meal needs and whether the site has it."""

    needs: list[IngredientNeed] = field(default_factory=list)

    @property
    def short(self) -> list[IngredientNeed]:
        return [n for n in self.needs if n.short > 0]

    @property
    def held(self) -> bool:
        return any(n.held > 0 for n in self.needs)

    @property
    def all_held(self) -> bool:
        return bool(self.needs) and all(n.fully_held for n in self.needs)

    @property
    def competing(self) -> list[Competing]:
        return [c for n in self.needs for c in n.competing]

    @property
    def short_list(self) -> str:
        """What is short, for a sentence: "Rice (2 kg), Beans (500 g)"."""
        return ", ".join(f"{n.item.name} ({n.short_display})" for n in self.short)


def _free_rows(site_ids: set[int], item_ids: set[int], earliest: date):
    """Free stock per (site, item, date) in lots whose date allows use on `earliest`."""
    return (
        Lot.objects.filter(site_id__in=site_ids, item_id__in=item_ids)
        .with_available()
        .filter(SitesDateRules.load(site_ids).usable_q(earliest))
        .values("site_id", "item_id", "best_before")
        .annotate(free=Sum(F("on_hand") - F("reserved")))
        .order_by()
    )


def _free_by_day(
    site_ids: set[int], item_ids: set[int], days: list[date]
) -> dict[tuple[int, int, date], Decimal]:
    """{(site, item, day): free stock in lots whose date allows use on that day}.

    One row per site and item, with one conditional sum per day, so the rows the
    database sends (and Python converts) do not grow with the number of lots or
    of their dates: a week's meals ask for at most seven sums.
    """
    rules = SitesDateRules.load(site_ids)
    sums = {
        f"free_{n}": Sum(F("on_hand") - F("reserved"), filter=rules.usable_q(day))
        for n, day in enumerate(days)
    }
    rows = (
        Lot.objects.filter(site_id__in=site_ids, item_id__in=item_ids)
        .with_available()
        .filter(rules.usable_q(days[0]))
        .values("site_id", "item_id")
        .annotate(**sums)
        .order_by()
    )
    return {
        (row["site_id"], row["item_id"], day): row[f"free_{n}"] or ZERO
        for row in rows
        for n, day in enumerate(days)
    }


def _meals_sharing(meals: list[MealService]) -> list[MealService]:
    """The planned meals that share stock with `meals`: every planned meal at their
    sites from today (or the earliest of them, if that is earlier) on, in meal order."""
    start = min([m.date for m in meals] + [m.site.today() for m in meals])
    return sorted(
        MealService.objects.planned()
        .filter(site_id__in={m.site_id for m in meals}, date__gte=start)
        .with_dishes(),
        key=meal_order,
    )


def _allocate(
    meals: list[MealService],
    needs: dict[int, list[tuple[Item, Decimal]]],
    free: dict[tuple[int, int, date], Decimal],
    held: dict[tuple[int, int], Decimal],
) -> dict[int, MealStock]:
    """Share each site's stock among its planned meals in meal order.

    A meal has what it holds, then takes from the free stock what else it needs,
    before any later meal. Takers go first expiring first, so what an earlier meal
    takes comes first from lots that expire before a later meal's day: a later meal
    has left the free stock on its day or the free stock on the first meal's day less
    what the meals before it took, whichever is less. Meals in `meals` after the
    last one with `needs` only count for their holds. A meal whose day has passed
    (planned, never recorded as cooked) takes nothing from the meals to come.
    """
    first_day: dict[int, date] = {}
    today = {meal.site_id: meal.site.today() for meal in meals}
    for meal in meals:
        if meal.pk in needs and meal.date >= today[meal.site_id]:
            first_day.setdefault(meal.site_id, meal.date)
    taken: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    takers: dict[tuple[int, int], list[tuple[MealService, Decimal]]] = defaultdict(list)
    # Each line's `competing` is a list while the meals are shared out.
    lines: dict[int, list[IngredientNeed]] = {}
    for meal in meals:
        if meal.pk not in needs:
            continue
        lines[meal.pk] = []
        for item, needed in needs[meal.pk]:
            key = (meal.site_id, item.pk)
            own = held.get((meal.pk, item.pk), ZERO)
            on_day = free.get((meal.site_id, item.pk, meal.date), ZERO)
            if meal.date < today[meal.site_id]:
                # Its day has passed: it shares nothing.
                lines[meal.pk].append(IngredientNeed(item, needed, on_day, own, []))
                continue
            pool = free.get((meal.site_id, item.pk, first_day[meal.site_id]), ZERO)
            left = max(min(on_day, pool - taken[key]), ZERO)
            from_free = min(max(needed - own, ZERO), left)
            competing: list[Competing] = []
            short = needed - own - left
            # Taken by earlier meals, most recent first: theirs are the takes that
            # reach into lots still good on this meal's day.
            lacking = min(short, on_day - left)
            for earlier, quantity in reversed(takers[key]):
                if lacking <= 0:
                    break
                if quantity > 0:
                    part = min(lacking, quantity)
                    competing.append(Competing("first", earlier, item, part))
                    lacking -= part
            taken[key] += from_free
            takers[key].append((meal, from_free))
            lines[meal.pk].append(IngredientNeed(item, needed, left, own, competing))
    # What later meals hold that an earlier one lacks, named on both meals.
    held_for_others: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for n, meal in enumerate(meals):
        for line in lines.get(meal.pk, []):
            item = line.item
            lacking = line.short - sum((c.quantity for c in line.competing), ZERO)
            for later in meals[n + 1 :]:
                if lacking <= 0:
                    break
                if later.site_id != meal.site_id:
                    continue
                spare = held.get((later.pk, item.pk), ZERO) - held_for_others[(later.pk, item.pk)]
                if spare <= 0:
                    continue
                part = min(lacking, spare)
                held_for_others[(later.pk, item.pk)] += part
                lacking -= part
                line.competing.append(Competing("holds", later, item, part))
                for other in lines.get(later.pk, []):
                    if other.item.pk == item.pk:
                        other.competing.append(Competing("needs", meal, item, part))
    return {
        pk: MealStock([replace(line, competing=tuple(line.competing)) for line in rows])
        for pk, rows in lines.items()
    }


def meal_stock(meals: Sequence[MealService]) -> dict[int, MealStock]:
    """For each planned meal (by id): its needs against the site's stock on its day,
    after the planned meals before it (see _allocate) have taken their share.

    A fixed number of queries whatever the number of meals: the planned meals that
    share the stock, with their dishes; free stock by site and item, summed for
    each of the meals' days; and the meals' holds grouped by meal and item.
    Cooked and cancelled meals get an empty MealStock.
    """
    planned = [m for m in meals if m.is_planned]
    result = {m.pk: MealStock() for m in meals}
    if not planned:
        return result
    last = max(m.date for m in planned)
    sharing = _meals_sharing(planned)
    counted = [m for m in sharing if m.date <= last]
    needs = {m.pk: meal_needs(m) for m in counted}
    item_ids = {item.pk for lines in needs.values() for item, _quantity in lines}
    if not item_ids:
        return result
    free = _free_by_day({m.site_id for m in counted}, item_ids, sorted({m.date for m in counted}))
    held: dict[tuple[int, int], Decimal] = {}
    refs = {m.reference: m for m in sharing}
    for row in (
        Reservation.objects.filter(
            reference__in=refs, status=Reservation.Status.HELD, lot__item_id__in=item_ids
        )
        .values("reference", "lot__item_id")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    ):
        held[(refs[row["reference"]].pk, row["lot__item_id"])] = row["quantity"]
    shared = _allocate(sharing, needs, free, held)
    for meal in planned:
        result[meal.pk] = shared.get(meal.pk, MealStock())
    return result


def recipe_stock(recipe: Recipe, site: Site, servings: int, on: date) -> MealStock:
    """A recipe scaled to `servings` against `site`'s free stock on day `on`."""
    needs = recipe_needs([recipe], servings)
    free: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in _free_rows({site.pk}, {item.pk for item, _quantity in needs}, on):
        free[row["item_id"]] += row["free"]
    return MealStock([IngredientNeed(item, q, free[item.pk]) for item, q in needs])


def used_for(meal: MealService):
    """The pantry moves that cooking this meal made: ingredients out, leftovers in."""
    return (
        StockMove.objects.filter(reference=meal.reference, kind=StockMove.Kind.COOKED)
        .select_related("lot__item")
        .order_by("pk")
    )


# --- What can we cook? --------------------------------------------------------

USE_NOW_DAYS = 2
THIS_WEEK_DAYS = 7


@dataclass(frozen=True)
class Suggestion:
    """How much of a recipe a site can make from its free stock today."""

    recipe: Recipe
    servings: int
    limiting: Item | None  # the ingredient that runs out first
    missing: list[Item]  # ingredients with no free stock at all
    soonest: date | None  # the nearest date among the lots it would use
    soonest_item: Item | None
    today: date
    target: int | None = None

    @property
    def days_left(self) -> int | None:
        return None if self.soonest is None else (self.soonest - self.today).days

    @property
    def urgency(self) -> int:
        """0: uses food to eat within two days; 1: within a week; 2: nothing pressing."""
        days = self.days_left
        if days is None:
            return 2
        if days <= USE_NOW_DAYS:
            return 0
        return 1 if days <= THIS_WEEK_DAYS else 2

    @property
    def missing_names(self) -> str:
        """The ingredients with no free stock, for a sentence: "Rice, Beans"."""
        return ", ".join(item.name for item in self.missing)

    @property
    def enough(self) -> bool:
        return self.servings >= (self.target or 1)

    def sort_key(self):
        return (not self.enough, self.urgency, -self.servings, self.recipe.name.lower())


def _servings_from(quantity: Decimal, item: Item, yield_servings: int, free: Decimal) -> int:
    """The most servings whose scaled quantity of this ingredient fits in `free`."""
    if free <= 0:
        return 0
    if item.base_unit == Item.Unit.PIECE:
        free = free.to_integral_value(rounding=ROUND_FLOOR)
    n = int((free * yield_servings / quantity).to_integral_value(rounding=ROUND_FLOOR))
    while n > 0 and scale(quantity, item, yield_servings, n) > free:
        n -= 1
    return n


def what_can_we_cook(
    site: Site, recipes: Iterable[Recipe], *, today: date, target: int | None = None
) -> list[Suggestion]:
    """Recipes ranked so that food gets cooked before it is wasted.

    First the recipes the site can make (at least `target` servings, or one);
    among them those using food that must be eaten within two days, then within
    a week; then the ones it can make the most servings of. One query over the
    site's lots, whatever the number of recipes.
    """
    recipes = list(recipes)
    item_ids = {i.item_id for r in recipes for i in r.ingredients.all()}
    stock: dict[int, tuple[Decimal, date | None]] = {}
    if item_ids:
        for row in (
            Lot.objects.at(site)
            .filter(item_id__in=item_ids)
            .usable(DateRules.for_site(site, today))
            .values("item_id")
            .annotate(free=Sum(F("on_hand") - F("reserved")), nearest=Min("best_before"))
            .order_by()
        ):
            stock[row["item_id"]] = (row["free"], row["nearest"])
    suggestions = []
    for recipe in recipes:
        ingredients = list(recipe.ingredients.all())
        if not ingredients:
            continue
        best: int | None = None
        limiting = soonest_item = None
        soonest = None
        missing = []
        for ingredient in ingredients:
            free, nearest = stock.get(ingredient.item_id, (ZERO, None))
            if free <= 0:
                missing.append(ingredient.item)
            n = _servings_from(ingredient.quantity, ingredient.item, recipe.yield_servings, free)
            if best is None or n < best:
                best, limiting = n, ingredient.item
            if nearest is not None and free > 0 and (soonest is None or nearest < soonest):
                soonest, soonest_item = nearest, ingredient.item
        suggestions.append(
            Suggestion(
                recipe=recipe,
                servings=best or 0,
                limiting=limiting,
                missing=missing,
                soonest=soonest,
                soonest_item=soonest_item,
                today=today,
                target=target,
            )
        )
    suggestions.sort(key=Suggestion.sort_key)
    return suggestions


def short_summary(stock: MealStock) -> str:
    return "; ".join(f"{n.item.name} {n.short_display}" for n in stock.short)
