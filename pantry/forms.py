from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.dates import DayField
from commonpot.forms import PhoneField, SettingsSectionForm, show_error
from commonpot.idempotency import TokenForm
from commonpot.models import Site
from commonpot.numbers import is_zero
from pantry.barcodes import MAX_LENGTH as MAX_BARCODE
from pantry.barcodes import BarcodeError, Scan, read_barcode
from pantry.catalog import ITEM_FIELDS
from pantry.codes import Allergen, Dietary
from pantry.models import (
    Distribution,
    Donor,
    Item,
    Lot,
    PantrySettings,
    StockMove,
    Storage,
    date_text,
)
from pantry.site_settings import DATE_SETTINGS_FIELDS, PANTRY_SETTINGS_FIELDS
from pantry.units import UnitError, fitting_units, to_base, weight_unit


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label, **kwargs) -> DayField:
    return DayField(
        label=label,
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Enter a date, such as 2026-03-31.")},
        **kwargs,
    )


class ItemField(forms.CharField):
    """An item typed by name or scanned by barcode; search-as-you-type with htmx.

    Without JavaScript the browser's own list (datalist) is empty and the name
    or barcode is typed in full; a near miss gets a "did you mean" message.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Item"))
        kwargs.setdefault("max_length", 120)
        kwargs.setdefault(
            "help_text", gettext_lazy("Type a few letters of the name, or scan the barcode.")
        )
        super().__init__(**kwargs)

    def clean(self, value) -> Item | None:
        text = super().clean(value)
        if not text:
            return None
        text = text.strip()
        # The picker's suggestions read "Rice · 5 kg here": the name is before the dot.
        name = text.split(" · ")[0].strip()
        item = Item.objects.active().filter(name__iexact=name).first()
        if item is None and text.isdigit() and len(text) <= 14:
            item = Item.objects.active().for_gtins(_gtins_typed(text))
        if item is None:
            near = list(Item.objects.active().search(name[:40]).values_list("name", flat=True)[:3])
            if not near:
                raise forms.ValidationError(
                    _("No item called %(name)r in the catalog. Add it to the catalog first.")
                    % {"name": text}
                )
            either = reduce(_either, near)
            raise forms.ValidationError(
                _("No item called %(name)r in the catalog. Did you mean %(names)s?")
                % {"name": text, "names": either}
            )
        return item


def _either(first: str, second: str) -> str:
    # Translators: "Rice or Brown rice", in a "did you mean" of two or three names.
    return _("%(first)s or %(second)s") % {"first": first, "second": second}


def _gtins_typed(text: str) -> tuple[str, ...]:
    """The barcodes typed digits may stand for (a UPC-E also as its UPC-A)."""
    try:
        return read_barcode(text).gtins
    except BarcodeError:
        return (text,)


def picker_attrs(site: Site, list_id: str) -> dict:
    return {
        "list": list_id,
        "autocomplete": "off",
        "hx-get": reverse("pantry:item_search", args=[site.slug]),
        "hx-trigger": "input changed delay:250ms, focus once",
        "hx-target": f"#{list_id}",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
    }


def use_measures(field: forms.Field, *, small: bool = False, help_text: bool = True) -> None:
    """A unit field that starts in the site's measures: kg or lb (g or oz for the
    small amounts of a recipe), with a hint in the same order."""
    us = weight_unit() == "lb"
    if small:
        field.initial = "oz" if us else "g"
    else:
        field.initial = weight_unit()
    if help_text:
        field.help_text = (
            _("lb, oz, gal, fl oz, kg, L, cans, pieces...")
            if us
            else _("kg, lb, g, oz, L, ml, cans, pieces...")
        )


# --- Lines ------------------------------------------------------------------------


class LineForm(forms.Form):
    item = ItemField()
    quantity = forms.CharField(
        label=gettext_lazy("Quantity"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=20,
        initial="kg",
        widget=forms.TextInput(attrs={"list": "pantry-units", "size": 6}),
        help_text=gettext_lazy("kg, lb, g, oz, L, ml, cans, pieces..."),
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        use_measures(self.fields["unit"])
        self.fields["item"].widget.attrs.update(picker_attrs(site, f"{self.prefix}-items"))

    def clean(self):
        data = super().clean()
        item, quantity, unit = data.get("item"), data.get("quantity"), data.get("unit")
        if item and quantity and unit:
            try:
                data["base_quantity"] = to_base(quantity, unit, item)
            except UnitError as e:
                show_error(self, e)
        return data


def barcode_field() -> forms.CharField:
    """A line's Barcode box. Not kept: "Fill from barcode" reads it into the line's
    other fields (fill_from_barcode, fill_distribution_from_barcode)."""
    return forms.CharField(
        label=gettext_lazy("Barcode"),
        max_length=MAX_BARCODE,
        required=False,
        help_text=gettext_lazy("Scan it, or type the digits under it, then Fill from barcode."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
                "enterkeyhint": "go",
                "data-scan-input": "",
            }
        ),
    )


class DonationLineForm(LineForm):
    field_order = ["barcode"]
    barcode_fill = "pantry:barcode_fill"  # the view that fills the line, for htmx

    barcode = barcode_field()
    best_before = date_field(gettext_lazy("Best before or use by"), required=False)
    date_kind = forms.ChoiceField(
        label=gettext_lazy("Kind of date"),
        choices=[("", gettext_lazy("Item's usual")), *Lot.DateKind.choices],
        required=False,
        help_text=gettext_lazy(
            "Best before: quality, can be given out a while after. Use by: safety."
        ),
    )
    storage = forms.ChoiceField(label=gettext_lazy("Storage area"), required=False)
    code = forms.CharField(
        label=gettext_lazy("Lot code"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("As printed on the pack (often after “L”): what a recall names."),
        widget=forms.TextInput(attrs={"size": 10, "autocapitalize": "characters"}),
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, site=site, **kwargs)
        self.fields["storage"].choices = [("", _("Item's usual"))] + [
            (area, Storage(area).label) for area in PantrySettings.for_site(site).storage_areas
        ]


@dataclass(frozen=True)
class BarcodeNote:
    """What "Fill from barcode" says on the line: what it filled, or why not."""

    message: str
    is_error: bool = False
    unknown_gtin: str = ""  # offer to add an item with this barcode to the catalog


def _scan_line(data: QueryDict, prefix: str) -> tuple[Scan | None, Item | None, BarcodeNote | None]:
    """What a line's Barcode box reads, and the catalog item it names. An empty box
    gives (None, None, None); a code that cannot be read, (None, None, why)."""
    text = data.get(f"{prefix}-barcode", "")
    if not text.strip():
        return None, None, None
    try:
        scan = read_barcode(text)
    except BarcodeError as e:
        return None, None, BarcodeNote(e.message, is_error=True)
    return scan, Item.objects.active().for_gtins(scan.gtins), None


def _keyed(prefix: str, values: dict[str, str]) -> dict[str, str]:
    return {f"{prefix}-{name}": value for name, value in values.items()}


def fill_from_barcode(data: QueryDict, prefix: str) -> tuple[dict[str, str], BarcodeNote | None]:
    """The values a donation line's barcode puts in its fields (as posted, keyed
    "<prefix>-<field>"), and the note for the line. A code that cannot be read
    changes nothing; an empty box neither, and has nothing to say."""
    scan, item, note = _scan_line(data, prefix)
    if scan is None:
        return {}, note
    values = {"item": item.name if item else ""}
    found = []
    if scan.lot_code:
        values["code"] = scan.lot_code
        found.append(_("lot %(code)s") % {"code": scan.lot_code})
    if scan.lot_date:
        values["best_before"] = scan.lot_date.isoformat()
        values["date_kind"] = scan.date_kind
        found.append(date_text(scan.date_kind, f"{scan.lot_date:%Y-%m-%d}"))
    if scan.net_weight is not None:
        values["quantity"] = format(scan.net_weight.normalize(), "f")
        values["unit"] = scan.weight_unit
        found.append(f"{values['quantity']} {scan.weight_unit}")
    if item is None:
        note = BarcodeNote(
            _("No item has barcode %(gtin)s") % {"gtin": scan.gtin}, unknown_gtin=scan.gtin
        )
    elif found:
        note = BarcodeNote(
            # Translators: "Filled from the barcode: Rice (lot L12, use by 2026-03-31)."
            _("Filled from the barcode: %(item)s (%(details)s).")
            % {"item": item.name, "details": _(", ").join(found)}
        )
    else:
        note = BarcodeNote(_("Filled from the barcode: %(item)s.") % {"item": item.name})
    return _keyed(prefix, values), note


def fill_distribution_from_barcode(
    data: QueryDict, prefix: str, site: Site
) -> tuple[dict[str, str], BarcodeNote | None]:
    """The item a distribution line's barcode names and, when the code carries a lot
    code (GS1 AI 10) that a lot of this site with food left has, that lot: the line
    then gives from it rather than from the first to expire."""
    scan, item, note = _scan_line(data, prefix)
    if scan is None:
        return {}, note
    if item is None:
        return {}, BarcodeNote(
            _("No item in the catalog has barcode %(gtin)s, so none is in stock here.")
            % {"gtin": scan.gtin},
            is_error=True,
        )
    values = {"item": item.name, "unit": count_unit(item), "lot": ""}
    if not scan.lot_code:
        return _keyed(prefix, values), BarcodeNote(
            _("Filled from the barcode: %(item)s.") % {"item": item.name}
        )
    lot = (
        Lot.objects.filter(site=site, item=item, code__iexact=scan.lot_code, on_hand__gt=0)
        .order_by("best_before", "pk")
        .first()
    )
    if lot is None:
        return _keyed(prefix, values), BarcodeNote(
            _(
                "Filled from the barcode: %(item)s. No lot %(code)s of it is here, "
                "so it is given from the first to expire."
            )
            % {"item": item.name, "code": scan.lot_code}
        )
    values["lot"] = str(lot.pk)
    return _keyed(prefix, values), BarcodeNote(
        _("Filled from the barcode: %(item)s, lot %(code)s (#%(number)s).")
        % {"item": item.name, "code": scan.lot_code, "number": lot.pk}
    )


class DistributionLineForm(LineForm):
    field_order = ["barcode"]
    barcode_fill = "pantry:distribution_barcode_fill"

    barcode = barcode_field()
    lot = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_lot(self) -> Lot | None:
        lot_id = self.cleaned_data.get("lot")
        if not lot_id:
            return None
        # Any site's lot is found here; the service refuses another site's with a reason.
        lot = Lot.objects.select_related("site", "item").filter(pk=lot_id).first()
        if lot is None:
            raise forms.ValidationError(_("This lot no longer exists."))
        return lot


class BaseLineFormSet(forms.BaseFormSet):
    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        super().__init__(*args, form_kwargs={"site": site}, **kwargs)

    def filled(self) -> list[forms.Form]:
        return [f for f in self.forms if f.has_changed() and f.cleaned_data.get("item")]

    def clean(self):
        if any(self.errors):
            return
        if not self.filled():
            raise forms.ValidationError(_("Add at least one line: what it is, and how much."))


DonationLineFormSet = forms.formset_factory(
    DonationLineForm, formset=BaseLineFormSet, extra=1, max_num=60, absolute_max=60
)
DistributionLineFormSet = forms.formset_factory(
    DistributionLineForm, formset=BaseLineFormSet, extra=1, max_num=60, absolute_max=60
)


# --- Donations, distributions ------------------------------------------------------


class DonationForm(TokenForm):
    donor = forms.ModelChoiceField(
        label=gettext_lazy("Donor"),
        queryset=Donor.objects.none(),
        required=False,
        empty_label=gettext_lazy("Anonymous"),
    )
    received_on = date_field(gettext_lazy("Date received"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = Donor.objects.filter(site=site)
        self.fields["received_on"].initial = site.today()


class DistributionForm(TokenForm):
    recipient = forms.ChoiceField(
        label=gettext_lazy("Given to"),
        choices=Distribution.Recipient.choices,
        widget=forms.RadioSelect,
        initial=Distribution.Recipient.HOUSEHOLDS,
    )
    households = forms.IntegerField(
        label=gettext_lazy("Households"),
        min_value=1,
        max_value=100000,
        required=False,
        help_text=gettext_lazy("No names needed."),
    )
    people = forms.IntegerField(
        label=gettext_lazy("People in those households"),
        min_value=1,
        max_value=1000000,
        required=False,
    )
    partner = forms.CharField(
        label=gettext_lazy("Partner organisation"), max_length=120, required=False
    )
    given_on = date_field(gettext_lazy("Date"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = site.today()
        self.fields["partner"].widget.attrs["list"] = "pantry-partners"


# --- Waste, counts, thresholds -------------------------------------------------------


class DiscardForm(forms.Form):
    # Not required: a discard posted without one (an older page) records as before.
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4, required=False)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"),
        choices=StockMove.WasteReason.choices,
        initial=StockMove.WasteReason.EXPIRED,
    )
    destination = forms.ChoiceField(
        label=gettext_lazy("Destination"),
        choices=StockMove.Destination.choices,
        initial=StockMove.Destination.COMPOST,
    )
    quantity = forms.CharField(
        label=gettext_lazy("Quantity"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Leave empty to discard all of the lot that is not held."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit"), max_length=20, required=False, widget=forms.TextInput()
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)
    happened_on = date_field(
        gettext_lazy("Day it was thrown out"),
        required=False,
        help_text=gettext_lazy("When it went, if not today: reports count it on that day."),
    )

    def __init__(self, *args, lot: Lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.lot = lot
        self.fields["unit"].widget.attrs["list"] = "pantry-units"
        self.fields["happened_on"].initial = lot.site.today()

    def clean(self):
        data = super().clean()
        data["base_quantity"] = None
        if data.get("quantity"):
            try:
                data["base_quantity"] = to_base(
                    data["quantity"], data.get("unit") or self.lot.item.piece_name, self.lot.item
                )
            except UnitError as e:
                show_error(self, e)
        return data


class CountForm(TokenForm):
    """One quantity field per lot in the area; an empty field means "not counted"."""

    happened_on = date_field(
        gettext_lazy("Day counted"),
        required=False,
        help_text=gettext_lazy(
            "For a count on paper typed up later. What moved since that day is "
            "carried into what is on hand now."
        ),
    )

    def __init__(self, *args, lots: list[Lot], site: Site | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = lots
        if site is not None:
            self.fields["happened_on"].initial = site.today()
        for lot in lots:
            self.fields[f"lot_{lot.pk}"] = forms.CharField(
                label=f"{lot.item.name}, {lot.date_label}",
                required=False,
                max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
            )
            self.fields[f"unit_{lot.pk}"] = forms.CharField(
                label=_("unit"),
                required=False,
                max_length=20,
                initial=count_unit(lot.item),
                widget=forms.TextInput(attrs={"list": "pantry-units", "size": 5}),
            )

    def rows(self):
        for lot in self.lots:
            yield lot, self[f"lot_{lot.pk}"], self[f"unit_{lot.pk}"]

    def clean(self):
        data = super().clean()
        counted: dict[int, Decimal] = {}
        for lot in self.lots:
            raw = (data.get(f"lot_{lot.pk}") or "").strip()
            if not raw:
                continue
            unit = data.get(f"unit_{lot.pk}") or count_unit(lot.item)
            if is_zero(raw):
                counted[lot.pk] = Decimal(0)
                continue
            try:
                counted[lot.pk] = to_base(raw, unit, lot.item)
            except UnitError as e:
                field = f"unit_{lot.pk}" if e.field == "unit" else f"lot_{lot.pk}"
                self.add_error(field, e.message)
        if not counted and not self.errors:
            raise forms.ValidationError(_("Enter what is on the shelf for at least one lot."))
        data["counted"] = counted
        return data


def count_unit(item: Item) -> str:
    """The unit a person would count this item in: kg, L, or its pieces ("eggs")."""
    return fitting_units(item)[0]


class ThresholdForm(forms.Form):
    item = ItemField()
    minimum = forms.CharField(
        label=gettext_lazy("Running low below"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("0 removes the level."),
    )
    unit = forms.CharField(
        label=gettext_lazy("Unit"),
        max_length=20,
        initial="kg",
        widget=forms.TextInput(attrs={"list": "pantry-units"}),
    )

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs.update(picker_attrs(site, "threshold-items"))
        use_measures(self.fields["unit"], help_text=False)

    def clean(self):
        data = super().clean()
        item, minimum, unit = data.get("item"), data.get("minimum"), data.get("unit")
        if item and minimum:
            if is_zero(minimum):
                data["base_minimum"] = None
                return data
            try:
                data["base_minimum"] = to_base(minimum, unit or "", item)
            except UnitError as e:
                self.add_error("minimum" if e.field == "quantity" else "unit", e.message)
        return data


# --- Donors, catalog, import -------------------------------------------------------


class DonorForm(forms.ModelForm):
    phone = PhoneField(label=gettext_lazy("Phone"))

    class Meta:
        model = Donor
        fields = ["name", "kind", "from_site", "email", "phone", "address"]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "name": gettext_lazy("Name"),
            "kind": gettext_lazy("Kind"),
            "email": gettext_lazy("Email"),
            "address": gettext_lazy("Address"),
        }

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_site"].queryset = Site.objects.exclude(pk=site.pk)
        self.fields["from_site"].label = _("Which site")


class ItemForm(forms.ModelForm):
    allergens = forms.MultipleChoiceField(
        label=gettext_lazy("Allergens"),
        choices=Allergen.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Wheat also marks the item as containing gluten."),
    )
    dietary = forms.MultipleChoiceField(
        label=gettext_lazy("Dietary tags"),
        choices=Dietary.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Item
        fields = [f for f in ITEM_FIELDS if f not in ("allergens", "dietary")]
        widgets = {"gtin": forms.TextInput(attrs={"inputmode": "numeric"})}
        labels = {
            "name": gettext_lazy("Name"),
            "category": gettext_lazy("Category"),
            "storage": gettext_lazy("Storage"),
            "is_active": gettext_lazy("Is active"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["allergens"] = self.instance.allergens
            self.initial["dietary"] = self.instance.dietary

    def clean_gtin(self) -> str:
        return "".join(self.cleaned_data["gtin"].split())

    def values(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in [*self.Meta.fields, "allergens", "dietary"]
        }


class ImportForm(TokenForm):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV)"),
        help_text=gettext_lazy(
            "Columns: received_on, donor, donor_kind, item, quantity, unit, best_before, "
            "date_kind, storage. Dates as YYYY-MM-DD. The Stock page's CSV is accepted as it is."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    again = forms.BooleanField(
        label=gettext_lazy("Import it again anyway"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self["again"].value() in (True, "on", "true", "True"):
            self.offer_again()

    def offer_again(self) -> None:
        """Show the confirmation: only once the file was found imported before, so
        that nobody ticks it out of habit."""
        self.fields["again"].widget = forms.CheckboxInput()


class ItemSearchForm(forms.Form):
    q = forms.CharField(max_length=60, required=False)


class PantrySettingsForm(SettingsSectionForm):
    """The site's stores, measures and paper, as a section of the site's Settings page."""

    class Meta:
        model = PantrySettings
        fields = PANTRY_SETTINGS_FIELDS
        labels = {"paper_size": gettext_lazy("Paper size")}


class DateSettingsForm(SettingsSectionForm):
    """How many days past best-before each kind of food may still be given out."""

    class Meta:
        model = PantrySettings
        fields = DATE_SETTINGS_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["inputmode"] = "numeric"
