"""Forms for recipes, planned meals and cooking. They check what a form can check;
the services say the rest (and the views put their messages on the right field)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.text import capfirst

from commonpot.dates import LocalDayTimeField, SiteClockForm
from commonpot.forms import show_error
from commonpot.idempotency import TokenForm
from commonpot.models import Site
from kitchen.cooking import CookLine
from kitchen.models import MealService, Recipe
from kitchen.services import MAX_SERVINGS
from pantry import temperatures
from pantry.codes import Dietary
from pantry.forms import ItemField, date_field, picker_attrs, use_measures
from pantry.forms_temperatures import TemperatureField
from pantry.models import Item, Lot
from pantry.units import UnitError, display, to_base

MAX_DISHES = 3


def servings_field(label: str, *, minimum: int = 1, **kwargs) -> forms.IntegerField:
    below = "at least 1" if minimum == 1 else "zero or more"
    kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=MAX_SERVINGS,
        error_messages={
            "min_value": f"{label} must be {below}.",
            "max_value": f"{label} must be at most {MAX_SERVINGS:,}.",
            "invalid": f"Give {label.lower()} as a whole number.",
            "required": f"Give {label.lower()}.",
        },
        **kwargs,
    )


# --- Recipes --------------------------------------------------------------


class RecipeForm(TokenForm):
    name = forms.CharField(max_length=120)
    yield_servings = servings_field("Makes (servings)")
    method = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="The steps, for whoever cooks it.",
    )
    dietary = forms.MultipleChoiceField(
        label="Suitable for",
        choices=Dietary.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Allergens are not typed here: they come from the ingredients' items.",
    )


class IngredientForm(forms.Form):
    """One ingredient line. A line left empty (or emptied) is not part of the recipe."""

    item = ItemField(required=False, help_text="Type a few letters of the name.")
    quantity = forms.CharField(
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    unit = forms.CharField(
        max_length=20,
        initial="g",
        widget=forms.TextInput(attrs={"list": "pantry-units", "size": 6}),
        help_text="g, kg, lb, ml, L, cans, pieces...",
    )
    note = forms.CharField(
        max_length=120, required=False, help_text="Such as 'diced' or 'to serve'."
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs.update(picker_attrs(site, f"{self.prefix}-items"))
        use_measures(self.fields["unit"], small=True)

    def clean(self):
        data = super().clean()
        item, quantity = data.get("item"), (data.get("quantity") or "").strip()
        if "item" in self.errors:
            return data
        if item is None and not quantity:
            data["item"] = None  # an empty line
        elif item is None:
            self.add_error("item", "Say which item this quantity is of.")
        elif not quantity:
            self.add_error("quantity", f"How much {item.name}?")
        elif data.get("unit"):
            try:
                to_base(quantity, data["unit"], item)
            except UnitError as e:
                show_error(self, e)
        return data

    @property
    def is_filled(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data.get("item"))


# absolute_max: a line count past 60 is refused, not 1,060 empty lines built and shown.
IngredientFormSet = forms.formset_factory(IngredientForm, extra=0, max_num=60, absolute_max=60)


def ingredient_initial(recipe: Recipe) -> list[dict]:
    return [
        {
            "item": i.item.name,
            "quantity": f"{i.quantity_entered:f}".rstrip("0").rstrip("."),
            "unit": i.unit_entered,
            "note": i.note,
        }
        for i in recipe.ingredients.all()
    ]


# --- Meals ----------------------------------------------------------------


class RecipeChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        super().__init__(*args, **kwargs)

    def label_from_instance(self, recipe: Recipe) -> str:
        if recipe.site_id == self.site.pk:
            return recipe.name
        return f"{recipe.name} (from {recipe.site.name})"


class MealForm(TokenForm):
    date = date_field("Date")
    kind = forms.ChoiceField(label="Meal", choices=MealService.Kind.choices)
    planned_servings = servings_field("Servings")
    name = forms.CharField(
        max_length=120, required=False, help_text="Optional, such as 'Harvest supper'."
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        recipes = Recipe.objects.active().for_site_first(site).select_related("site")
        for n in range(1, MAX_DISHES + 1):
            self.fields[f"dish_{n}"] = RecipeChoiceField(
                recipes,
                site=site,
                label=f"Dish {n}",
                required=n == 1,
                empty_label="Choose a recipe" if n == 1 else "None",
            )
        self.order_fields(["date", "kind", "planned_servings", "dish_1", "dish_2", "dish_3"])

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        if day < self.site.today() and self.initial.get("date") != day:
            raise forms.ValidationError("This date has passed: plan meals for today or later.")
        return day

    @property
    def recipes(self) -> list[Recipe]:
        return [
            self.cleaned_data[f"dish_{n}"]
            for n in range(1, MAX_DISHES + 1)
            if self.cleaned_data.get(f"dish_{n}")
        ]

    def meal_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "date": data["date"],
            "kind": data["kind"],
            "servings": data["planned_servings"],
            "recipes": self.recipes,
            "name": data["name"],
            "notes": data["notes"],
        }


def meal_initial(meal: MealService) -> dict:
    initial = {
        "date": meal.date,
        "kind": meal.kind,
        "planned_servings": meal.planned_servings,
        "name": meal.name,
        "notes": meal.notes,
    }
    for n, recipe in enumerate(meal.recipes.all()[:MAX_DISHES], start=1):
        initial[f"dish_{n}"] = recipe.pk
    return initial


# --- Cooking --------------------------------------------------------------


class CookForm(SiteClockForm, forms.Form):
    local_times = ("off_heat_at",)

    # Set by "Servings you made" above the form, which scales the quantities.
    servings_made = servings_field("Servings made", widget=forms.HiddenInput)
    servings_served = servings_field("People fed", minimum=0, help_text="Servings eaten here.")
    leftover_servings = servings_field(
        "Leftover servings to keep",
        minimum=0,
        initial=0,
        help_text="They become a lot of prepared meals in the pantry, to give out or offer.",
    )
    use_by = date_field("Leftovers use by", required=False)
    off_heat_at = LocalDayTimeField(
        label="Leftovers off the heat at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty for now. Their cooling record is timed from here.",
    )
    before_its_day = forms.BooleanField(
        label="Cook it now, before its day",
        required=False,
        help_text="This meal is planned for a later day: tick to record it as cooked today.",
    )

    def __init__(self, *args, site: Site, early: bool = False, keeps: bool = True, **kwargs):
        """`early`: the meal's day is after today, so the lead must confirm.
        `keeps`: the site can keep leftovers (else no use-by or cooling to ask)."""
        super().__init__(*args, **kwargs)
        self.site = site
        if not early:
            del self.fields["before_its_day"]
        if not keeps:
            del self.fields["off_heat_at"]


class CookLineForm(forms.Form):
    """One ingredient as cooked: how much, from which lot, or what instead."""

    quantity = forms.CharField(
        label="Quantity used",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
        help_text="Leave empty or 0 if it was not used.",
    )
    unit = forms.CharField(
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"list": "pantry-units", "size": 6}),
    )
    lot = forms.ChoiceField(label="Take from", required=False)
    substitute = ItemField(
        label="Used instead",
        required=False,
        help_text="Another item, if this one was replaced.",
    )

    def __init__(self, *args, site: Site, item: Item, lots: list[Lot], **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.lots = {str(lot.pk): lot for lot in lots}
        self.fields["lot"].choices = [("", "First expiring first")] + [
            (str(lot.pk), f"{capfirst(lot.shown_date)}: {display(lot.available, item)} free")
            for lot in lots
        ]
        self.fields["substitute"].widget.attrs.update(picker_attrs(site, f"{self.prefix}-items"))

    def clean(self):
        data = super().clean()
        substitute = data.get("substitute")
        if substitute and substitute.pk == self.item.pk:
            data["substitute"] = None
        if data.get("lot") and data.get("substitute"):
            self.add_error("lot", "A lot of the item used instead cannot be picked here.")
        return data

    def cook_line(self) -> CookLine:
        data = self.cleaned_data
        return CookLine(
            item=self.item,
            quantity=data.get("quantity"),
            unit=data.get("unit", ""),
            lot=self.lots.get(data.get("lot") or ""),
            substitute=data.get("substitute"),
        )


class SuggestForm(forms.Form):
    servings = servings_field("Servings", required=False)


# --- Cooling --------------------------------------------------------------------


class CoolingReadingForm(SiteClockForm, TokenForm):
    """How cold the leftovers are now: a temperature, and the time only when it was
    read earlier (typed on the site's clock)."""

    local_times = ("at",)

    value = TemperatureField(
        label="Temperature of the leftovers",
        error_messages={"required": "Enter the temperature."},
    )
    at = LocalDayTimeField(
        label="Read at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave empty for now.",
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["value"].label = f"Temperature of the leftovers ({temperatures.scale()})"
