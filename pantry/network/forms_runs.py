"""Forms of pickup runs: plan a run, add a stop, record a pickup. Times are on the
clock of the run's site, on the run's day."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.forms import ModelMultipleIdsField, SiteChoiceField, first_sites, list_sites
from commonpot.models import Site
from commonpot.permissions import is_coordinator, lead_site_ids
from pantry.forms_temperatures import TemperatureField
from pantry.models import Donor, Item
from pantry.network.forms import UNITS, item_field
from pantry.network.models import Run, Stop, Transfer
from pantry.units import UnitError, to_base

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RunForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), label=gettext_lazy("From (the van's site)")
    )
    day = forms.DateField(label=gettext_lazy("Day"), widget=DAY)
    starts = forms.TimeField(label=gettext_lazy("Leaves at"), widget=TIME)
    ends = forms.TimeField(label=gettext_lazy("Back by"), widget=TIME)
    capacity_kg = forms.DecimalField(
        label=gettext_lazy("Van capacity (kg)"), min_value=1, max_value=99999, decimal_places=1
    )
    chilled_kg = forms.DecimalField(
        label=gettext_lazy("Of it chilled (kg)"),
        required=False,
        min_value=0,
        max_value=99999,
        decimal_places=1,
    )
    note = forms.CharField(
        label=gettext_lazy("Note for the driver"), required=False, max_length=300
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class StopForm(forms.Form):
    kind = forms.ChoiceField(choices=Stop.Kind.choices, label=gettext_lazy("What"))
    site = SiteChoiceField(
        queryset=Site.objects.none(),
        required=False,
        label=gettext_lazy("Site"),
        help_text=gettext_lazy("Where to pick up or drop (not for households)."),
    )
    transfers = ModelMultipleIdsField(
        queryset=Transfer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Transfers to pick up here"),
        help_text=gettext_lazy(
            "Accepted transfers: their food is held. Each goes to its own site."
        ),
    )
    donor = forms.ModelChoiceField(
        queryset=Donor.objects.none(),
        required=False,
        label=gettext_lazy("Or a donor (pick up, not a site)"),
        help_text=gettext_lazy(
            "A donor of one of your sites: what is picked up is received there as a "
            "donation when the van drops it. Give the stop's latitude and longitude below."
        ),
    )
    households = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=999,
        label=gettext_lazy("Households (a count, no names)"),
    )
    address = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("Address (households, or a donor's if it has none kept)"),
    )
    latitude = forms.DecimalField(
        label=gettext_lazy("Latitude"), required=False, max_digits=8, decimal_places=5
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Longitude"), required=False, max_digits=8, decimal_places=5
    )
    window_from = forms.TimeField(label=gettext_lazy("Window from"), widget=TIME)
    window_until = forms.TimeField(label=gettext_lazy("Window until"), widget=TIME)
    service_minutes = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=240,
        initial=10,
        label=gettext_lazy("Minutes at the stop"),
    )

    # What to pick up from a donor: a few rows of item, amount and unit.
    DONATED_ROWS = 3

    def __init__(self, *args, run: Run, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.active().order_by("name")
        # Past SITES_LISTED sites, a box to type a site's name in instead of a list.
        sites = first_sites(self.fields["site"].queryset.values_list("pk", "name"))
        list_sites(self.fields["site"], sites, reverse("network:sites_suggested"))
        donors = Donor.objects.select_related("site").order_by("site__name", "name")
        if not is_coordinator(user):
            donors = donors.filter(site_id__in=lead_site_ids(user))
        self.fields["donor"].queryset = donors
        self.fields["donor"].label_from_instance = lambda d: (
            _("%(donor)s (for %(site)s)")
            % {
                "donor": d.name,
                "site": d.site.name,
            }
        )
        for n in range(1, self.DONATED_ROWS + 1):
            self.fields[f"donated_item_{n}"] = item_field(
                required=False, label=_("From the donor, food %(n)s") % {"n": n}, help_text=""
            )
            self.fields[f"donated_quantity_{n}"] = forms.CharField(
                required=False, max_length=20, label=_("Amount %(n)s") % {"n": n}
            )
            self.fields[f"donated_unit_{n}"] = forms.ChoiceField(
                choices=UNITS, required=False, initial="kg", label=_("Unit %(n)s") % {"n": n}
            )
        transfers = Transfer.objects.filter(status=Transfer.Status.ACCEPTED)
        if not is_coordinator(user):
            transfers = transfers.involving(lead_site_ids(user))
        self.fields["transfers"].queryset = (
            transfers.select_related("source", "destination", "item")
            .with_contents()
            .order_by("source__name", "pk")
        )
        self.fields["transfers"].label_from_instance = lambda t: (
            f"#{t.pk} {t.contents_short} · {t.source.name} → {t.destination.name}"
        )

    def donated(self) -> list[tuple[Item, object]]:
        """The donor rows filled in, each amount in its item's base unit."""
        rows = []
        for n in range(1, self.DONATED_ROWS + 1):
            item = self.cleaned_data.get(f"donated_item_{n}")
            quantity = (self.cleaned_data.get(f"donated_quantity_{n}") or "").strip()
            if item is None and not quantity:
                continue
            if item is None or not quantity:
                raise UnitError(
                    _("Food %(n)s from the donor: give both the food and its amount.") % {"n": n},
                    field=f"donated_quantity_{n}",
                )
            unit = self.cleaned_data.get(f"donated_unit_{n}") or "kg"
            try:
                rows.append((item, to_base(quantity, unit, item)))
            except UnitError as e:
                raise UnitError(
                    _("Food %(n)s from the donor: %(problem)s") % {"n": n, "problem": e.message},
                    field=e.field,
                ) from None
        return rows


# Not required: a form posted without one (an older page) records as before.
def _token_field() -> forms.UUIDField:
    return forms.UUIDField(widget=forms.HiddenInput, required=False)


class PickupForm(forms.Form):
    """Empty `taken`: all of the line. Else what was taken, in a unit (0: none).
    Its token makes a phone's offline queue sending it twice record once."""

    token = _token_field()

    taken = forms.CharField(required=False, max_length=20, label=gettext_lazy("Took"))
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"), choices=UNITS, required=False, initial="kg"
    )
    temperature = TemperatureField(
        required=False,
        label=gettext_lazy("Temperature of the food at pickup (°C)"),
        help_text=gettext_lazy(
            "Chilled food travels at 5 °C or colder, frozen at −15 °C or colder."
        ),
    )


class FinishStopForm(forms.Form):
    """The driver leaves a stop: done, or skipped (`skip`)."""

    token = _token_field()
    skip = forms.BooleanField(required=False)
