"""The cooking: recipes the network shares, and meal services (a planned meal at a
site on a date for N servings) that know the pantry.

Allergens are never stored on a recipe: they are read from the pantry items its
ingredients use, so a change in the catalog shows on every recipe at once. A
cooked meal keeps the allergens of what was actually used (substitutes included)
as it was cooked, because its label must not change after it was printed.

Stock is never written here: holds and takes go through pantry.services with the
reference "meal-service:<id>" (see MealService.reference).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Prefetch, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.dates import day
from commonpot.idempotency import Tokened
from commonpot.models import Site
from commonpot.numbers import MAX_INT, fits_columns
from commonpot.quickurls import quick_reverse
from pantry.codes import ALLERGEN_BITS, DIETARY_BITS, Allergen, Dietary, codes_in
from pantry.models import QTY, READING_MAX_C, READING_MIN_C, TEMP, Item, Lot

STEP = Decimal("0.001")


def scale(quantity: Decimal, item: Item, yield_servings: int, servings: int) -> Decimal:
    """A recipe quantity (base unit, for `yield_servings`) scaled to `servings`.

    Pieces round up to whole pieces (a cook opens a whole can); grams and
    millilitres keep the ledger's precision of 0.001.
    """
    exact = Decimal(quantity) * Decimal(servings) / Decimal(yield_servings)
    if item.base_unit == Item.Unit.PIECE:
        return exact.quantize(Decimal(1), rounding=ROUND_CEILING)
    return max(exact.quantize(STEP, rounding=ROUND_HALF_UP), STEP)


def allergen_labels(mask: int) -> list[str]:
    """Short names for a label: 'Milk', 'Cereals containing gluten' (the name in the
    person's language, before the examples in brackets)."""
    names = dict(Allergen.choices)
    return [str(names[code]).split(" (")[0] for code in codes_in(mask, ALLERGEN_BITS)]


def dietary_labels(mask: int) -> list[str]:
    names = dict(Dietary.choices)
    return [str(names[code]) for code in codes_in(mask, DIETARY_BITS)]


class Labelled:
    """Names for a label from `allergen_mask` and `dietary_mask`, however they are found."""

    allergen_mask: int
    dietary_mask: int

    @property
    def allergens(self) -> list[str]:
        return codes_in(self.allergen_mask, ALLERGEN_BITS)

    @property
    def allergen_labels(self) -> list[str]:
        return allergen_labels(self.allergen_mask)

    @property
    def dietary(self) -> list[str]:
        return codes_in(self.dietary_mask, DIETARY_BITS)

    @property
    def dietary_labels(self) -> list[str]:
        return dietary_labels(self.dietary_mask)


# --- Recipes --------------------------------------------------------------


class RecipeQuerySet(models.QuerySet):
    def active(self) -> RecipeQuerySet:
        return self.filter(is_active=True)

    def of_site(self, site: Site) -> RecipeQuerySet:
        return self.filter(site=site)

    def with_ingredients(self) -> RecipeQuerySet:
        """Ingredients and their items in two more queries, however many recipes."""
        return self.select_related("site").prefetch_related(
            Prefetch(
                "ingredients",
                queryset=RecipeIngredient.objects.select_related("item").order_by("position", "pk"),
            )
        )

    def for_site_first(self, site: Site) -> RecipeQuerySet:
        """This site's own recipes first, then the rest of the network's, by name."""
        here = models.Case(models.When(site=site, then=0), default=1)
        return self.annotate(_here=here).order_by("_here", Lower("name"), "pk")


class Recipe(Labelled, Tokened):
    """A dish, shared across the network. Its site wrote it (or copied it to adapt it)
    and is the only one that may change it; every site may cook it."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="recipes")
    name = models.CharField(max_length=120)
    yield_servings = models.PositiveIntegerField(
        gettext_lazy("makes (servings)"), validators=[MinValueValidator(1)]
    )
    method = models.TextField(blank=True)
    dietary_mask = models.PositiveIntegerField(default=0)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # One per form shown: a second submission of the same form finds the first.

    objects = RecipeQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name"), "pk"]
        constraints = [
            models.UniqueConstraint(
                "site",
                Lower("name"),
                name="recipe_name_unique_per_site",
                violation_error_message=gettext_lazy(
                    "This site already has a recipe with this name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(yield_servings__gte=1), name="recipe_yield_at_least_one"
            ),
            *fits_columns("recipe", "yield_servings", maximum=MAX_INT),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return quick_reverse("kitchen:recipe", self.site.slug, self.pk)

    @property
    def allergen_mask(self) -> int:
        """The union of its ingredients' items' allergens (prefetch ingredients)."""
        mask = 0
        for ingredient in self.ingredients.all():
            mask |= ingredient.item.allergen_mask
        return mask

    def scaled(self, servings: int) -> list[tuple[RecipeIngredient, Decimal]]:
        """Each ingredient with its quantity (base unit) for `servings`."""
        return [
            (i, scale(i.quantity, i.item, self.yield_servings, servings))
            for i in self.ingredients.all()
        ]


class RecipeIngredient(models.Model):
    """One item a recipe uses, as the cook wrote it and in the item's base unit."""

    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE, related_name="ingredients")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity_entered = models.DecimalField(**QTY)
    unit_entered = models.CharField(max_length=20)
    quantity = models.DecimalField(
        help_text=gettext_lazy("For the recipe's yield, in the item's base unit."), **QTY
    )
    note = models.CharField(
        max_length=120, blank=True, help_text=gettext_lazy("Such as 'diced' or 'rinsed'.")
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipe", "item"],
                name="ingredient_once_per_recipe",
                violation_error_message=gettext_lazy("This item is already in the recipe."),
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="ingredient_positive"),
            *fits_columns("ingredient", "quantity_entered", "quantity", **QTY),
        ]

    def __str__(self) -> str:
        return f"{self.entered} {self.item}"

    @property
    def entered(self) -> str:
        text = f"{self.quantity_entered:f}".rstrip("0").rstrip(".")
        return f"{text} {self.unit_entered}"


# --- Meal services --------------------------------------------------------


class MealServiceQuerySet(models.QuerySet):
    def at(self, site: Site) -> MealServiceQuerySet:
        return self.filter(site=site)

    def between(self, first: date, last: date) -> MealServiceQuerySet:
        """Meals dated from `first` to `last`, both included (dates are the site's)."""
        return self.filter(date__gte=first, date__lte=last)

    def planned(self) -> MealServiceQuerySet:
        return self.filter(status=MealService.Status.PLANNED)

    def cooked(self) -> MealServiceQuerySet:
        return self.filter(status=MealService.Status.COOKED)

    def in_order(self) -> MealServiceQuerySet:
        kind_order = models.Case(
            *(models.When(kind=kind, then=n) for n, kind in enumerate(MealService.Kind.values)),
            default=99,
        )
        return self.annotate(_kind_order=kind_order).order_by("date", "_kind_order", "pk")

    def with_dishes(self) -> MealServiceQuerySet:
        """Its recipes, their ingredients and items: a fixed number of queries."""
        return self.select_related("site", "leftover_lot").prefetch_related(
            Prefetch("recipes", queryset=Recipe.objects.with_ingredients().order_by("name"))
        )


class MealService(Labelled, Tokened):
    """A planned meal at a site: a date, which meal, how many servings, which dishes."""

    class Kind(models.TextChoices):
        BREAKFAST = "breakfast", gettext_lazy("Breakfast")
        LUNCH = "lunch", gettext_lazy("Lunch")
        DINNER = "dinner", gettext_lazy("Dinner")
        # Translators: a meal that is not breakfast, lunch or dinner.
        OTHER = "other", gettext_lazy("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", gettext_lazy("Planned")
        COOKED = "cooked", gettext_lazy("Cooked")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="meal_services")
    date = models.DateField()
    kind = models.CharField(gettext_lazy("meal"), max_length=10, choices=Kind.choices)
    name = models.CharField(
        max_length=120, blank=True, help_text=gettext_lazy("Optional, such as 'Harvest supper'.")
    )
    planned_servings = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    recipes = models.ManyToManyField(Recipe, related_name="meal_services")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # What happened, once cooked. `cooked_at` is when cooking was recorded;
    # `off_heat_at`, when the food came off the heat if the cook said so (it may be
    # earlier): a cooling record is timed from there (`cooling_from`).
    cooked_at = models.DateTimeField(null=True, blank=True)
    off_heat_at = models.DateTimeField(gettext_lazy("off the heat at"), null=True, blank=True)
    cooked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    servings_made = models.PositiveIntegerField(null=True, blank=True)
    servings_served = models.PositiveIntegerField(gettext_lazy("people fed"), null=True, blank=True)
    leftover_servings = models.PositiveIntegerField(null=True, blank=True)
    leftover_lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Of the items actually used, as cooked: the label must not change later.
    cooked_allergen_mask = models.PositiveIntegerField(default=0)
    cooked_dietary_mask = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = MealServiceQuerySet.as_manager()

    @property
    def cooling_from(self):
        """When the leftovers began to cool: off the heat, else when recorded cooked."""
        return self.off_heat_at or self.cooked_at

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_servings__gte=1), name="meal_planned_at_least_one"
            ),
            models.CheckConstraint(
                condition=~Q(status="cooked")
                | Q(
                    cooked_at__isnull=False,
                    servings_made__gte=1,
                    servings_served__isnull=False,
                    leftover_servings__isnull=False,
                ),
                name="meal_cooked_is_recorded",
            ),
            models.CheckConstraint(
                condition=Q(servings_made__isnull=True)
                | Q(servings_served__lte=F("servings_made")),
                name="meal_served_within_made",
            ),
            models.CheckConstraint(
                condition=Q(servings_made__isnull=True)
                | Q(leftover_servings__lte=F("servings_made") - F("servings_served")),
                name="meal_leftovers_within_made",
            ),
            *fits_columns(
                "meal",
                "planned_servings",
                "servings_made",
                "servings_served",
                "leftover_servings",
                maximum=MAX_INT,
            ),
        ]
        indexes = [models.Index(fields=["site", "date"], name="meal_site_date")]

    def __str__(self) -> str:
        # Translators: a meal: "Lentil stew, lunch Tue 1 Dec".
        return _("%(title)s, %(meal)s %(day)s") % {
            "title": self.title,
            "meal": self.get_kind_display().lower(),
            "day": day(self.date),
        }

    def get_absolute_url(self) -> str:
        return quick_reverse("kitchen:meal", self.site.slug, self.pk)

    @property
    def reference(self) -> str:
        """What the pantry's holds and moves for this meal are filed under."""
        return f"meal-service:{self.pk}"

    @classmethod
    def holds_in_words(cls, pks: list[int]) -> dict[int, str]:
        """What stock held under each meal's reference is held for: "the dinner on Wed 9 Dec"."""
        return {
            # Translators: what stock is held for: "the dinner on Wed 9 Dec".
            pk: _("the %(meal)s on %(day)s")
            % {"meal": cls.Kind(kind).label.lower(), "day": day(on)}
            for pk, kind, on in cls.objects.filter(pk__in=pks).values_list("pk", "kind", "date")
        }

    @property
    def title(self) -> str:
        if self.name:
            return self.name
        names = [r.name for r in self.recipes.all()]
        if not names:
            return str(self.get_kind_display())
        title = names[0]
        for name in names[1:]:
            # Translators: a meal named by its dishes: "Chilli and rice".
            title = _("%(dishes)s and %(dish)s") % {"dishes": title, "dish": name}
        return title

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_cooked(self) -> bool:
        return self.status == self.Status.COOKED

    @property
    def allergen_mask(self) -> int:
        """Cooked: of what was used. Planned: of its recipes' ingredients."""
        if self.is_cooked:
            return self.cooked_allergen_mask
        mask = 0
        for recipe in self.recipes.all():
            mask |= recipe.allergen_mask
        return mask

    @property
    def dietary_mask(self) -> int:
        """A meal is vegan (say) only when every one of its dishes is."""
        if self.is_cooked:
            return self.cooked_dietary_mask
        return planned_dietary_mask(self.recipes.all())


def planned_dietary_mask(recipes) -> int:
    recipes = list(recipes)
    if not recipes:
        return 0
    mask = ~0
    for recipe in recipes:
        mask &= recipe.dietary_mask
    return mask


# --- Cooling records ------------------------------------------------------


class CoolingReading(Tokened):
    """One temperature of a cooked meal's leftovers as they cool (kitchen.cooling):
    when it was read (typed on the site's clock, or the moment it was saved) and
    the value, in °C with one decimal like every temperature."""

    meal = models.ForeignKey(MealService, on_delete=models.PROTECT, related_name="cooling_readings")
    value_c = models.DecimalField(gettext_lazy("reading (°C)"), **TEMP)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_c__gte=READING_MIN_C) & Q(value_c__lte=READING_MAX_C),
                name="cooling_reading_value_in_range",
            ),
        ]
        indexes = [models.Index(fields=["meal", "at"], name="cooling_reading_meal_at")]

    def __str__(self) -> str:
        return _("%(meal)s cooled to %(value)s °C") % {"meal": self.meal, "value": self.value_c}
