"""What a lead does with recipes and planned meals: one function per action.

Each runs in one transaction and raises commonpot.errors.DomainError (or
pantry.services.LineErrors for ingredient lines) with a sentence to show as it
is; nothing is written then. Stock is held and released only through
pantry.services, under the meal's reference "meal-service:<id>".
Cooking lives in kitchen.cooking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot.dates import check_day, day_time
from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from commonpot.numbers import decimal_text, parse_whole
from kitchen.availability import meal_name, meal_stock
from kitchen.models import MealService, Recipe, RecipeIngredient
from pantry import services as pantry
from pantry.codes import dietary_mask
from pantry.freshness import DateRules
from pantry.models import Item, Lot, Reservation
from pantry.services import LineErrors, NotEnoughStock
from pantry.units import UnitError, display, to_base

if TYPE_CHECKING:
    from commonpot.models import User

MAX_SERVINGS = 100_000


@dataclass(frozen=True)
class IngredientLine:
    """One ingredient as a person typed it."""

    item: Item
    quantity: Decimal | str
    unit: str
    note: str = ""


# --- Recipes --------------------------------------------------------------


def whole_servings(value, *, field: str, label: str | None = None, zero: bool = False) -> int:
    """`label` names the figure in an error, "the number of servings" by default."""
    return parse_whole(
        value,
        field=field,
        label=label or _("the number of servings"),
        ceiling=MAX_SERVINGS,
        zero_allowed=zero,
    )


def _ingredient_rows(lines: Sequence[IngredientLine]) -> list[RecipeIngredient]:
    if not lines:
        raise DomainError(_("A recipe needs at least one ingredient."), field="ingredients")
    errors: list[tuple[int, str | None, str]] = []
    rows: list[RecipeIngredient] = []
    seen: dict[int, int] = {}
    for i, line in enumerate(lines):
        if line.item.pk in seen:
            errors.append(
                (
                    i,
                    "item",
                    _("%(item)s is already ingredient %(number)s: put the whole quantity there.")
                    % {"item": line.item.name, "number": seen[line.item.pk] + 1},
                )
            )
            continue
        seen[line.item.pk] = i
        try:
            quantity = to_base(line.quantity, line.unit, line.item)
        except UnitError as e:
            errors.append((i, e.field, e.message))
            continue
        rows.append(
            RecipeIngredient(
                item=line.item,
                quantity_entered=Decimal(decimal_text(line.quantity)),
                unit_entered=line.unit.strip()[:20],
                quantity=quantity,
                note=line.note.strip()[:120],
                position=i,
            )
        )
    if errors:
        # Translators: followed by the line's number and what is wrong: "Ingredient 2: ...".
        raise LineErrors(errors, noun=_("Ingredient"))
    return rows


def _save_recipe(recipe: Recipe) -> Recipe:
    recipe.name = " ".join(recipe.name.split())
    if not recipe.name:
        raise DomainError(_("Give the recipe a name."), field="name")
    if len(recipe.name) > 120:
        raise DomainError(_("Keep the name under 120 characters."), field="name")
    clash = Recipe.objects.filter(site=recipe.site, name__iexact=recipe.name).exclude(pk=recipe.pk)
    if clash.exists():
        raise DomainError(_name_taken(recipe), field="name")
    try:
        # A savepoint: a lost race on the unique name leaves the caller's transaction usable.
        with transaction.atomic():
            recipe.save()
    except IntegrityError:
        raise DomainError(_name_taken(recipe), field="name") from None
    return recipe


def _name_taken(recipe: Recipe) -> str:
    return _("%(site)s already has a recipe called %(name)s.") % {
        "site": recipe.site.name,
        "name": repr(recipe.name),
    }


def _dietary(codes: Iterable[str]) -> int:
    try:
        return dietary_mask(codes)
    except ValidationError as e:
        raise DomainError(" ".join(e.messages), field="dietary") from None


@transaction.atomic
def create_recipe(
    *,
    site: Site,
    name: str,
    yield_servings: int,
    ingredients: Sequence[IngredientLine],
    by: User | None,
    method: str = "",
    dietary: Iterable[str] = (),
    token=None,
) -> Recipe:
    """Write a new recipe for `site`. The same token records once."""
    dietary = sorted(dietary)
    content = {
        "name": name,
        "yield_servings": yield_servings,
        "ingredients": ingredients,
        "method": method,
        "dietary": dietary,
    }
    if (earlier := already_recorded(Recipe, token, site, content=content)) is not None:
        return earlier
    recipe = Recipe(
        site=site,
        name=name,
        yield_servings=whole_servings(yield_servings, field="yield_servings"),
        method=method.strip(),
        dietary_mask=_dietary(dietary),
        created_by=by,
    )
    for field, value in tokened(token, content).items():
        setattr(recipe, field, value)
    rows = _ingredient_rows(ingredients)
    _save_recipe(recipe)
    for row in rows:
        row.recipe = recipe
    RecipeIngredient.objects.bulk_create(rows)
    return recipe


def _own_recipe(recipe: Recipe, site: Site) -> Recipe:
    locked = Recipe.objects.select_for_update().select_related("site").get(pk=recipe.pk)
    if locked.site_id != site.pk:
        raise DomainError(
            _("This recipe belongs to %(owner)s. Copy it to %(site)s to adapt it.")
            % {"owner": locked.site.name, "site": site.name}
        )
    return locked


@transaction.atomic
def update_recipe(
    recipe: Recipe,
    *,
    site: Site,
    name: str,
    yield_servings: int,
    ingredients: Sequence[IngredientLine],
    method: str = "",
    dietary: Iterable[str] = (),
) -> Recipe:
    """Change a recipe of `site`: its ingredients are replaced by the lines given.

    Meals already cooked keep what they used (the ledger and their label); planned
    meals follow the recipe as it now is.
    """
    recipe = _own_recipe(recipe, site)
    recipe.name = name
    recipe.yield_servings = whole_servings(yield_servings, field="yield_servings")
    recipe.method = method.strip()
    recipe.dietary_mask = _dietary(dietary)
    rows = _ingredient_rows(ingredients)
    _save_recipe(recipe)
    recipe.ingredients.all().delete()
    for row in rows:
        row.recipe = recipe
    RecipeIngredient.objects.bulk_create(rows)
    _rehold_planned(MealService.objects.planned().filter(recipes=recipe), by=None)
    return recipe


@transaction.atomic
def copy_recipe(recipe: Recipe, *, to: Site, by: User | None) -> Recipe:
    """Copy any recipe of the network to `to`, to adapt it there."""
    source = Recipe.objects.with_ingredients().get(pk=recipe.pk)
    name = source.name
    taken = {n.lower() for n in Recipe.objects.filter(site=to).values_list("name", flat=True)}
    if name.lower() in taken:
        base = f"{source.name} ({source.site.name})"[:110]
        name, n = base, 2
        while name.lower() in taken:
            name, n = f"{base} {n}", n + 1
    copy = _save_recipe(
        Recipe(
            site=to,
            name=name,
            yield_servings=source.yield_servings,
            method=source.method,
            dietary_mask=source.dietary_mask,
            copied_from=source,
            created_by=by,
        )
    )
    RecipeIngredient.objects.bulk_create(
        RecipeIngredient(
            recipe=copy,
            item=i.item,
            quantity_entered=i.quantity_entered,
            unit_entered=i.unit_entered,
            quantity=i.quantity,
            note=i.note,
            position=i.position,
        )
        for i in source.ingredients.all()
    )
    return copy


@transaction.atomic
def set_recipe_active(recipe: Recipe, *, site: Site, active: bool) -> Recipe:
    """Retire a recipe from the lists (meals that used it keep it), or bring it back."""
    recipe = _own_recipe(recipe, site)
    recipe.is_active = active
    recipe.save(update_fields=["is_active", "updated_at"])
    return recipe


# --- Planning meals -------------------------------------------------------


def _recipes(recipes: Iterable[Recipe]) -> list[Recipe]:
    unique = list({r.pk: r for r in recipes if r is not None}.values())
    if not unique:
        raise DomainError(_("Choose at least one recipe for the meal."), field="recipes")
    fresh = list(Recipe.objects.with_ingredients().filter(pk__in=[r.pk for r in unique]))
    for recipe in fresh:
        if not recipe.ingredients.all():
            raise DomainError(
                _("%(recipe)s has no ingredients yet: add them to the recipe first.")
                % {"recipe": recipe.name},
                field="recipes",
            )
    return fresh


def _check_kind(kind: str) -> None:
    if kind not in MealService.Kind.values:
        raise DomainError(_("Choose breakfast, lunch, dinner or other."), field="kind")


@transaction.atomic
def plan_meal(
    *,
    site: Site,
    date: date,
    kind: str,
    servings: int,
    recipes: Iterable[Recipe],
    by: User | None,
    name: str = "",
    notes: str = "",
    token=None,
) -> MealService:
    """Plan a meal at `site`. The same token records once."""
    check_day(date, "date")
    recipes = list(recipes)
    content = {
        "date": date,
        "kind": kind,
        "servings": servings,
        "recipes": sorted(r.pk for r in recipes if r is not None),
        "name": name,
        "notes": notes,
    }
    if (earlier := already_recorded(MealService, token, site, content=content)) is not None:
        return earlier
    _check_kind(kind)
    servings = whole_servings(servings, field="planned_servings")
    if date < site.today():
        raise DomainError(_("This date has passed: plan meals for today or later."), field="date")
    chosen = _recipes(recipes)
    fields = tokened(token, content)
    meal = MealService.objects.create(
        site=site,
        date=date,
        kind=kind,
        name=" ".join(name.split())[:120],
        planned_servings=servings,
        notes=notes.strip(),
        created_by=by,
        **fields,
    )
    meal.recipes.set(chosen)
    return meal


def lock_meal(meal: MealService | int, site: Site | None = None) -> MealService:
    pk = meal if isinstance(meal, int) else meal.pk
    try:
        locked = (
            MealService.objects.select_for_update(of=("self",)).select_related("site").get(pk=pk)
        )
    except MealService.DoesNotExist:
        raise DomainError(_("This meal no longer exists.")) from None
    if site is not None and locked.site_id != site.pk:
        raise DomainError(_("This meal is not at %(site)s.") % {"site": site.name})
    return locked


def _lock_plans(site_id: int) -> None:
    """Hold stock for one meal of a site at a time.

    A hold first works out what the site's earlier meals count on and then takes
    the rest; two holds at once at one site would each see the stock as it was
    before the other, and the second could take what an earlier meal counts on.
    The site's row is the lock (always taken before any meal's or lot's, so two
    holds never wait on each other in a circle); on SQLite, BEGIN IMMEDIATE
    already queues writers.
    """
    Site.objects.select_for_update().filter(pk=site_id).values_list("pk", flat=True).first()


def ensure_planned(meal: MealService) -> None:
    if meal.status == MealService.Status.COOKED:
        raise DomainError(
            _("This meal was already cooked on %(when)s; it cannot change now.")
            % {"when": day_time(meal.site.local(meal.cooked_at))}
        )
    if meal.status == MealService.Status.CANCELLED:
        raise DomainError(_("This meal was cancelled."))


@transaction.atomic
def change_meal(
    meal: MealService,
    *,
    date: date,
    kind: str,
    servings: int,
    recipes: Iterable[Recipe],
    by: User | None,
    name: str = "",
    notes: str = "",
    take: bool | None = None,
) -> HoldResult | None:
    """Change a planned meal. Stock held for it is released and held again for the
    new plan; returns what the new hold got (None when nothing was held).

    `take` as for hold_stock: when holding again would take what an earlier meal
    counts on, None refuses (TakesStock, nothing changed), False holds only what
    is left, True takes it."""
    _lock_plans(meal.site_id)
    meal = lock_meal(meal)
    ensure_planned(meal)
    _check_kind(kind)
    servings = whole_servings(servings, field="planned_servings")
    if date < meal.site.today() and date != meal.date:
        raise DomainError(_("This date has passed: plan meals for today or later."), field="date")
    chosen = _recipes(recipes)
    meal.date = date
    meal.kind = kind
    meal.planned_servings = servings
    meal.name = " ".join(name.split())[:120]
    meal.notes = notes.strip()
    meal.save(update_fields=["date", "kind", "planned_servings", "name", "notes"])
    meal.recipes.set(chosen)
    if not _has_holds(meal):
        return None
    pantry.release_reservations(meal.reference)
    return _hold(meal, by=by, take=take)


@transaction.atomic
def cancel_meal(meal: MealService, *, by: User | None) -> int:
    """Cancel a planned meal and let go of its stock; returns how many holds were released."""
    meal = lock_meal(meal)
    ensure_planned(meal)
    released = pantry.release_reservations(meal.reference)
    meal.status = MealService.Status.CANCELLED
    meal.cancelled_at = timezone.now()
    meal.save(update_fields=["status", "cancelled_at"])
    return released


# --- Holding stock ----------------------------------------------------------


@dataclass(frozen=True)
class Held:
    item: Item
    needed: Decimal
    held: Decimal
    # Left free because earlier planned meals count on it: (meal, quantity).
    left_for: tuple[tuple[MealService, Decimal], ...] = ()

    @property
    def short(self) -> Decimal:
        return self.needed - self.held

    def describe(self) -> str:
        # Translators: "Rice: 2 kg held of 5 kg".
        return _("%(item)s: %(held)s held of %(needed)s") % {
            "item": self.item.name,
            "held": display(self.held, self.item),
            "needed": display(self.needed, self.item),
        }


@dataclass(frozen=True)
class HoldResult:
    lines: list[Held]

    @property
    def short(self) -> list[Held]:
        return [line for line in self.lines if line.short > 0]

    @property
    def message(self) -> str:
        if not self.short:
            return _("All the stock for this meal is held.")
        short = "; ".join(h.describe() for h in self.short)
        message = _("Held what there is. Still short: %(short)s.") % {"short": short}
        left = " ".join(self.left_for)
        return f"{message} {left}" if left else message

    @property
    def left_for(self) -> list[str]:
        """What was left free for earlier meals, a sentence each."""
        return [
            # Translators: "Left 2 kg of Rice for Wed 10 Dec dinner, which comes first."
            _("Left %(quantity)s of %(item)s for %(meal)s, which comes first.")
            % {"quantity": display(quantity, h.item), "item": h.item.name, "meal": meal_name(meal)}
            for h in self.lines
            for meal, quantity in h.left_for
        ]


@dataclass(frozen=True)
class Taking:
    """Stock a hold would take that an earlier planned meal counts on."""

    meal: MealService
    item: Item
    quantity: Decimal

    @property
    def sentence(self) -> str:
        return _(
            "Holding stock for this meal takes %(quantity)s of %(item)s that %(meal)s counts on."
        ) % {
            "quantity": display(self.quantity, self.item),
            "item": self.item.name,
            "meal": meal_name(self.meal),
        }


class TakesStock(DomainError):
    """Holding would take what earlier planned meals count on; nothing was written.
    Ask the lead: take it anyway (take=True), or hold only what is left (take=False)."""

    def __init__(self, takings: list[Taking]):
        self.takings = takings
        super().__init__(" ".join(t.sentence for t in takings))


def _has_holds(meal: MealService) -> bool:
    return Reservation.objects.filter(
        reference=meal.reference, status=Reservation.Status.HELD
    ).exists()


def _free_by(site: Site, item: Item, on: date) -> Decimal:
    return Lot.objects.at(site).of(item).usable(DateRules.for_site(site, on)).total_available()


def _hold(meal: MealService, *, by: User | None, take: bool | None) -> HoldResult:
    """Hold, first expiring first among lots still good on the meal's day, as much
    of each ingredient as there is, up to what the meal needs.

    Planned meals before this one (kitchen.availability.meal_order) come first:
    what they count on of the free stock is taken only with `take=True`;
    `take=False` leaves it to them; `take=None` raises TakesStock when there is
    any, so nothing is taken without the lead saying so. Call it with the meal's
    own holds released.
    """
    meal = MealService.objects.with_dishes().get(pk=meal.pk)
    stock = meal_stock([meal])[meal.pk]
    plan = []
    takings = []
    for need in stock.needs:
        free = _free_by(meal.site, need.item, meal.date)
        everything = min(need.needed, free)
        left = min(everything, need.available)
        counted_on = []
        rest = everything - left
        for competing in need.competing:
            if competing.kind == "first" and rest > 0:
                part = min(rest, competing.quantity)
                counted_on.append((competing.meal, part))
                rest -= part
        if not counted_on:
            left = everything  # nobody before this meal counts on it
        elif rest > 0:
            other, part = counted_on[-1]
            counted_on[-1] = (other, part + rest)
        takings += [Taking(other, need.item, part) for other, part in counted_on]
        plan.append((need, everything if take else left, counted_on))
    if takings and take is None:
        raise TakesStock(takings)
    lines = []
    for need, want, counted_on in plan:
        item = need.item
        got = Decimal(0)
        while want > 0:
            try:
                held = pantry.reserve_stock(
                    site=meal.site,
                    item=item,
                    quantity=want,
                    reference=meal.reference,
                    by=by,
                    today=meal.date,
                )
            except NotEnoughStock as e:
                # Someone took some since we looked: hold what is left now.
                if e.available >= want:
                    raise
                want = e.available
                continue
            got = sum((r.quantity for r in held), Decimal(0))
            break
        lines.append(Held(item, need.needed, got, () if take else tuple(counted_on)))
    return HoldResult(lines)


@transaction.atomic
def hold_stock(meal: MealService, *, by: User | None, take: bool | None = None) -> HoldResult:
    """Hold the pantry's stock for a planned meal, so it is not given away twice.

    Holds made before are released first, so holding again follows the plan as it
    is now. What is short stays short: the result says what. What earlier planned
    meals count on is taken only when the lead says so (see _hold): with
    `take=None` such a hold raises TakesStock and writes nothing.
    """
    _lock_plans(meal.site_id)
    meal = lock_meal(meal)
    ensure_planned(meal)
    if meal.date < meal.site.today():
        raise DomainError(_("This meal's day has passed: there is nothing to hold stock for."))
    pantry.release_reservations(meal.reference)
    result = _hold(meal, by=by, take=take)
    if not any(line.held for line in result.lines):
        if any(line.left_for for line in result.lines):
            raise DomainError(" ".join([_("Nothing was held."), *result.left_for]))
        needs = "; ".join(
            # Translators: "Rice: need 5 kg".
            _("%(item)s: need %(quantity)s")
            % {"item": h.item.name, "quantity": display(h.needed, h.item)}
            for h in result.lines
        )
        raise DomainError(
            _("None of the ingredients is in stock, so nothing was held. %(needs)s.")
            % {"needs": needs}
        )
    return result


@transaction.atomic
def release_stock(meal: MealService) -> int:
    """Let go of every hold for a planned meal; returns how many there were."""
    meal = lock_meal(meal)
    ensure_planned(meal)
    released = pantry.release_reservations(meal.reference)
    if not released:
        raise DomainError(_("No stock is held for this meal."))
    return released


def _rehold_planned(meals, *, by: User | None) -> None:
    """After a recipe changed, meals that held stock hold for the new recipe."""
    for site_id in sorted(set(meals.values_list("site_id", flat=True))):
        _lock_plans(site_id)
    for meal in meals.order_by("pk"):
        if _has_holds(meal) and meal.date >= meal.site.today():
            locked = lock_meal(meal)
            pantry.release_reservations(locked.reference)
            # Nobody is asked here: a recipe change never takes what earlier meals count on.
            _hold(locked, by=by, take=False)
