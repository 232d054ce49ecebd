"""Forms for units, temperature readings and holds (views_temperatures.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.dates import TakenAtField
from commonpot.errors import DomainError
from commonpot.idempotency import TokenForm
from pantry import temperatures
from pantry.models import Equipment, Lot, StockMove
from pantry.services.equipment import fits


class TemperatureField(forms.CharField):
    """A temperature typed in the page's scale (°C, or °F in US measures), read as
    °C with one decimal; nonsense and impossible readings are field errors."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in (None, "") and not self.required:
            return None
        try:
            return temperatures.read(value)
        except DomainError as e:
            raise forms.ValidationError(e.message) from None


class ReadingForm(TokenForm):
    value = TemperatureField(label=gettext_lazy("Temperature"))
    # Stamped by the phone when the reading waited for a connection.
    taken_at = TakenAtField()

    def __init__(self, *args, unit: Equipment, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["value"].label = _("%(unit)s now (%(scale)s)") % {
            "unit": unit.name,
            "scale": temperatures.scale(),
        }


class EquipmentForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=60,
        help_text=gettext_lazy("As it is labelled: Fridge 1, Chest freezer."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Equipment.Kind.choices)
    limit = TemperatureField(
        label=gettext_lazy("Limit"),
        required=False,
        help_text=gettext_lazy(
            "Fridges and freezers: the warmest they may read. Hot holding: the coolest. "
            "Left empty: 5 °C (41 °F) for a fridge, −18 °C (0 °F) for a freezer, 63 °C for hot "
            "holding (60 °C, 140 °F, for sites in US measures)."
        ),
    )
    checks_per_day = forms.IntegerField(
        label=gettext_lazy("Checks a day"), min_value=1, max_value=24, initial=2
    )

    def __init__(self, *args, unit: Equipment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["limit"].label = _("Limit (%(scale)s)") % {"scale": temperatures.scale()}
        if unit is not None:
            # A unit keeps its kind: its readings were judged as one.
            del self.fields["kind"]
            self.fields["limit"].required = True
            self.initial.update(
                name=unit.name,
                limit=temperatures.in_scale(unit.limit_c),
                checks_per_day=unit.checks_per_day,
            )


class HoldDecisionForm(forms.Form):
    """Release or discard a held lot: the same reason box, two buttons."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy("For the record: what you checked, or why it goes."),
        widget=forms.TextInput(),
    )
    destination = forms.ChoiceField(
        label=gettext_lazy("If discarded, it goes to"),
        choices=StockMove.Destination.choices,
        initial=StockMove.Destination.LANDFILL,
    )


class StoreLotForm(forms.Form):
    stored_in = forms.ModelChoiceField(
        label=gettext_lazy("Kept in"),
        queryset=Equipment.objects.none(),
        required=False,
        empty_label=gettext_lazy("Not in a unit"),
    )

    def __init__(self, *args, lot: Lot, units: list[Equipment], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [u for u in units if fits(u, lot.storage, lot.item.category)]
        self.fields["stored_in"].queryset = Equipment.objects.filter(pk__in=[u.pk for u in choices])
        self.fields["stored_in"].initial = lot.stored_in_id
        self.has_choices = bool(choices)
