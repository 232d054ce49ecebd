"""Forms for recipes, planned meals and cooking. They check what a form can check;
the services say the rest (and the views put their messages on the right field)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import formats
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from commonpot.dates import LocalDayTimeField, SiteClockForm, TakenAtField
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


def _about(message: str, label: str, lower: bool = False) -> str:
    """`message` in the person's language, naming the field by its `label`."""
    name = str(label).lower() if lower else str(label)
    most = formats.number_format(MAX_SERVINGS, force_grouping=True)
    return str(message) % {"label": name, "most": most}


# Worked out when shown, in the language of the page (fields are made at import).
about = lazy(_about, str)


def servings_field(label: str, *, minimum: int = 1, **kwargs) -> forms.IntegerField:
    if minimum == 1:
        # Translators: %(label)s is a field's name, such as "Servings made".
        below = gettext_lazy("%(label)s must be at least 1.")
    else:
        # Translators: %(label)s is a field's name, such as "People fed".
        below = gettext_lazy("%(label)s must be zero or more.")
    kwargs.setdefault("widget", forms.NumberInput(attrs={"inputmode": "numeric"}))
    return forms.IntegerField(
        label=label,
        min_value=minimum,
        max_value=MAX_SERVINGS,
        error_messages={
            "min_value": about(below, label),
            # Translators: %(label)s is a field's name; %(most)s a number, "100,000".
            "max_value": about(gettext_lazy("%(label)s must be at most %(most)s."), label),
            # Translators: %(label)s is a field's name in lower case, "people fed".
            "invalid": about(gettext_lazy("Give %(label)s as a whole number."), label, True),
            # Translators: %(label)s is a field's name in lower case, "people fed".
            "required": about(gettext_lazy("Give %(label)s."), label, True),
        },
        **kwargs,
    )


# --- Recipes --------------------------------------------------------------


class RecipeForm(TokenForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    yield_servings = servings_field(gettext_lazy("Makes (servings)"))
    method = forms.CharField(
        label=gettext_lazy("Method"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=gettext_lazy("The steps, for whoever cooks it."),
    )
    dietary = forms.MultipleChoiceField(
        label=gettext_lazy("Suitable for"),
        choices=Dietary.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Allergens are not typed here: they come from the ingredients' items."
        ),
    )


class IngredientForm(forms.Form):
    """One ingredient line. A line left empty (or emptied) is not part of the recipe."""

    item = ItemField(required=False, help_text=gettext_lazy("Type a few letters of the name."))
    quantity = forms.CharField(
        label=gettext_lazy("Quantity"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=20,
        initial="g",
        widget=forms.TextInput(attrs={"list": "pantry-units", "size": 6}),
        help_text=gettext_lazy("g, kg, lb, ml, L, cans, pieces..."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Such as 'diced' or 'to serve'."),
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
            self.add_error("item", _("Say which item this quantity is of."))
        elif not quantity:
            self.add_error("quantity", _("How much %(item)s?") % {"item": item.name})
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
        # Translators: a recipe another site of the network wrote.
        return _("%(recipe)s (from %(site)s)") % {"recipe": recipe.name, "site": recipe.site.name}


class MealForm(TokenForm):
    date = date_field(gettext_lazy("Date"))
    kind = forms.ChoiceField(label=gettext_lazy("Meal"), choices=MealService.Kind.choices)
    planned_servings = servings_field(gettext_lazy("Servings"))
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Optional, such as 'Harvest supper'."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        recipes = Recipe.objects.active().for_site_first(site).select_related("site")
        # Translators: the choice of no second or third dish for a meal.
        no_dish = pgettext("no dish", "None")
        for n in range(1, MAX_DISHES + 1):
            self.fields[f"dish_{n}"] = RecipeChoiceField(
                recipes,
                site=site,
                label=_("Dish %(number)s") % {"number": n},
                required=n == 1,
                empty_label=_("Choose a recipe") if n == 1 else no_dish,
            )
        self.order_fields(["date", "kind", "planned_servings", "dish_1", "dish_2", "dish_3"])

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        if day < self.site.today() and self.initial.get("date") != day:
            raise forms.ValidationError(_("This date has passed: plan meals for today or later."))
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
    servings_made = servings_field(gettext_lazy("Servings made"), widget=forms.HiddenInput)
    servings_served = servings_field(
        gettext_lazy("People fed"), minimum=0, help_text=gettext_lazy("Servings eaten here.")
    )
    leftover_servings = servings_field(
        gettext_lazy("Leftover servings to keep"),
        minimum=0,
        initial=0,
        # Translators: a "lot" is a batch of food with one date (here, the leftovers).
        help_text=gettext_lazy(
            "They become a lot of prepared meals in the pantry, to give out or offer."
        ),
    )
    use_by = date_field(gettext_lazy("Leftovers use by"), required=False)
    off_heat_at = LocalDayTimeField(
        label=gettext_lazy("Leftovers off the heat at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Leave empty for now. Their cooling record is timed from here."),
    )
    before_its_day = forms.BooleanField(
        label=gettext_lazy("Cook it now, before its day"),
        required=False,
        help_text=gettext_lazy(
            "This meal is planned for a later day: tick to record it as cooked today."
        ),
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
        label=gettext_lazy("Quantity used"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
        help_text=gettext_lazy("Leave empty or 0 if it was not used."),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"list": "pantry-units", "size": 6}),
    )
    # Translators: which lot (a batch of food with one date) an ingredient was taken from.
    lot = forms.ChoiceField(label=gettext_lazy("Take from"), required=False)
    substitute = ItemField(
        label=gettext_lazy("Used instead"),
        required=False,
        help_text=gettext_lazy("Another item, if this one was replaced."),
    )

    def __init__(self, *args, site: Site, item: Item, lots: list[Lot], **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.lots = {str(lot.pk): lot for lot in lots}
        self.fields["lot"].choices = [("", _("First expiring first"))] + [
            (
                str(lot.pk),
                # Translators: a lot to take from: "Best before Fri 4 Dec: 2 kg free".
                _("%(date)s: %(quantity)s free")
                % {"date": capfirst(lot.shown_date), "quantity": display(lot.available, item)},
            )
            for lot in lots
        ]
        self.fields["substitute"].widget.attrs.update(picker_attrs(site, f"{self.prefix}-items"))

    def clean(self):
        data = super().clean()
        substitute = data.get("substitute")
        if substitute and substitute.pk == self.item.pk:
            data["substitute"] = None
        if data.get("lot") and data.get("substitute"):
            self.add_error("lot", _("A lot of the item used instead cannot be picked here."))
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
    servings = servings_field(gettext_lazy("Servings"), required=False)


# --- Cooling --------------------------------------------------------------------


class CoolingReadingForm(SiteClockForm, TokenForm):
    """How cold the leftovers are now: a temperature, and the time only when it was
    read earlier (typed on the site's clock)."""

    local_times = ("at",)

    value = TemperatureField(
        label=gettext_lazy("Temperature of the leftovers"),
        error_messages={"required": gettext_lazy("Enter the temperature.")},
    )
    at = LocalDayTimeField(
        label=gettext_lazy("Read at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("Leave empty for now."),
    )
    # Stamped by the phone when the reading waited for a connection.
    taken_at = TakenAtField()

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["value"].label = _("Temperature of the leftovers (%(scale)s)") % {
            "scale": temperatures.scale()
        }
