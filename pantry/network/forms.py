"""Forms of the network pages. Quantities are typed in any unit that fits the food
and turned into the item's base unit with pantry.units; times are read on the
clock of the site they belong to."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django import forms
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.dates import DayField, LocalDayTimeField, SiteClockForm, day
from commonpot.errors import DomainError
from commonpot.forms import (
    SettingsSectionForm,
    SiteChoiceField,
    SuggestInput,
    first_sites,
    list_sites,
    show_error,
)
from commonpot.idempotency import TokenForm
from commonpot.models import Site
from commonpot.numbers import grouped, is_zero
from commonpot.permissions import is_coordinator, lead_site_ids
from pantry import temperatures
from pantry.forms import ItemField
from pantry.forms_temperatures import TemperatureField
from pantry.freshness import DateRules
from pantry.models import Item, Lot, StockMove
from pantry.network import cold
from pantry.network.models import (
    DEFAULT_MATCH_KM,
    MAX_MATCH_KM,
    ColdChain,
    Need,
    NetworkSettings,
    Offer,
    Transfer,
    TransferLine,
)
from pantry.network.site_settings import NETWORK_SETTINGS_FIELDS
from pantry.units import display, to_base, typed_back, weight_unit


def item_field(**kwargs) -> ItemField:
    """An item of the catalog, typed by name (or barcode) with the network's
    suggestions as one types: not a <select> of the whole catalog, which in a
    large network is thousands of items on every form that asks for one."""
    return ItemField(widget=SuggestInput(reverse_lazy("network:items_suggested")), **kwargs)


UNITS = [
    ("kg", "kg"),
    ("g", "g"),
    ("lb", "lb"),
    ("oz", "oz"),
    ("L", "L"),
    ("ml", "ml"),
    ("fl oz", "fl oz"),
    ("gal", "gal"),
    ("pieces", gettext_lazy("pieces (cans, loaves, portions...)")),
]
WEIGHT_UNITS = UNITS[:4]
LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def natural(quantity: Decimal, item: Item) -> tuple[str, str]:
    """A base quantity as a person would type it back, exactly: (value, unit)."""
    text, unit = typed_back(quantity, item)
    if item.base_unit == Item.Unit.PIECE:
        unit = "pieces"
    return text, unit


class LotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, lot: Lot) -> str:
        return _("%(item)s · %(date)s · %(amount)s free · %(source)s") % {
            "item": lot.item.name,
            "date": lot.date_label,
            "amount": display(lot.available, lot.item),
            "source": lot.source,
        }


class OfferForm(SiteClockForm, TokenForm):
    # Typed on the site's clock, wherever the server is.
    local_times = ("pickup_from", "pickup_until")

    lot = LotChoiceField(
        queryset=Lot.objects.none(),
        label=gettext_lazy("Food to offer"),
        # Translators: a lot is a batch of one food with one best-before date.
        empty_label=gettext_lazy("Choose a lot"),
        help_text=gettext_lazy(
            "Lots with food free to give. Leftovers from a meal are a prepared-meal lot."
        ),
    )
    quantity = forms.CharField(
        label=gettext_lazy("Quantity"),
        max_length=20,
        help_text=gettext_lazy("How much of the lot to offer."),
    )
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=UNITS, initial=weight_unit)
    pickup_from = LocalDayTimeField(
        label=gettext_lazy("Pickup from"),
        required=False,
        widget=LOCAL_DATETIME,
        help_text=gettext_lazy("Leave empty for now."),
    )
    pickup_until = LocalDayTimeField(label=gettext_lazy("Pickup until"), widget=LOCAL_DATETIME)
    cold_chain = forms.ChoiceField(
        label=gettext_lazy("Keep cold in transit"),
        choices=[
            ("auto", gettext_lazy("As the food is stored now")),
            *[(c or "none", label) for c, label in ColdChain.choices],
        ],
        initial="auto",
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Anything a driver or the other site should know: crates, access, allergens."
        ),
    )
    share_with_partners = forms.BooleanField(
        label=gettext_lazy("Share with partner networks"),
        required=False,
        help_text=gettext_lazy(
            "Partner networks this site takes part with see it on their board (food, "
            "amount and town only)."
        ),
    )

    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        kwargs.setdefault("initial", {})
        now = site.local(timezone.now()).replace(second=0, microsecond=0, tzinfo=None)
        kwargs["initial"].setdefault("pickup_until", now + timedelta(days=1))
        super().__init__(*args, **kwargs)
        if not shares_with_partners(site):
            del self.fields["share_with_partners"]
        self.fields["lot"].queryset = (
            Lot.objects.at(site)
            .usable(DateRules.for_site(site))
            .select_related("item")
            .first_expiring_first()
        )

    def clean(self):
        data = super().clean()
        lot = data.get("lot")
        if lot is not None and data.get("quantity") and data.get("unit"):
            try:
                data["base_quantity"] = to_base(data["quantity"], data["unit"], lot.item)
            except DomainError as e:
                show_error(self, e)
        chain = data.get("cold_chain")
        data["cold_chain_value"] = None if chain == "auto" else ("" if chain == "none" else chain)
        return data


class NeedForm(TokenForm):
    item = item_field(
        required=False,
        help_text=gettext_lazy(
            "Type a few letters of the item's name, or leave this empty and choose a category."
        ),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        choices=[("", gettext_lazy("Choose a category")), *Item.Category.choices],
        required=False,
    )
    quantity = forms.CharField(label=gettext_lazy("Quantity"), max_length=20)
    unit = forms.ChoiceField(
        label=gettext_lazy("Unit"),
        choices=UNITS,
        initial=weight_unit,
        help_text=gettext_lazy("A need for a whole category is given by weight."),
    )
    needed_by = DayField(label=gettext_lazy("Needed by"), widget=DATE)
    within_km = forms.IntegerField(
        label=gettext_lazy("Suggest offers within (km)"),
        required=False,
        min_value=1,
        max_value=MAX_MATCH_KM,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    share_with_partners = forms.BooleanField(
        label=gettext_lazy("Share with partner networks"),
        required=False,
        help_text=gettext_lazy(
            "Partner networks this site takes part with see it on their board (food, "
            "amount and town only)."
        ),
    )

    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("needed_by", site.today() + timedelta(days=3))
        super().__init__(*args, **kwargs)
        if not shares_with_partners(site):
            del self.fields["share_with_partners"]
        site_km = NetworkSettings.for_site(site).match_within_km
        self.fields["within_km"].help_text = _(
            "Leave empty for %(site)s's limit, %(km)s km. Offers further away "
            "are not suggested for this need."
        ) % {"site": site.name, "km": grouped(site_km)}

    def clean(self):
        data = super().clean()
        if data.get("item") is None and not data.get("category"):
            self.add_error("item", _("Say what is needed: one item, or a whole category."))
        if data.get("item") is not None:
            data["category"] = ""
        return data


class ClaimForm(TokenForm):
    """Claim an offer for one of the sites this person leads (any site, for coordinators)."""

    for_site = forms.ModelChoiceField(
        queryset=Site.objects.none(), label=gettext_lazy("For"), empty_label=None
    )
    quantity = forms.CharField(
        label=gettext_lazy("Quantity"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Leave empty to claim all that is on offer."),
    )
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=UNITS, required=False)
    need = forms.ModelChoiceField(
        queryset=Need.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, offer: Offer, sites: list[Site] | None = None, **kwargs):
        self.offer = offer
        super().__init__(*args, **kwargs)
        if sites is None:
            sites = claim_sites(user)
        ids = [s.pk for s in sites if s.pk != offer.site_id]
        self.fields["for_site"].queryset = Site.objects.filter(pk__in=ids).order_by("name")
        self.fields["need"].queryset = Need.objects.open().filter(site_id__in=ids)
        self.fields["unit"].initial = natural(offer.remaining, offer.item)[1]

    def clean(self):
        data = super().clean()
        data["base_quantity"] = typed_quantity(self, data, self.offer.item)
        return data


def typed_quantity(form: forms.Form, data: dict, item: Item) -> Decimal | None:
    """A claim form's quantity in the item's base unit: None (all) when left empty,
    else what was typed in the unit chosen; a bad one goes on the form."""
    if not data.get("quantity"):
        return None
    try:
        return to_base(data["quantity"], data.get("unit") or "kg", item)
    except DomainError as e:
        show_error(form, e)
        return None


def shares_with_partners(site: Site) -> bool:
    """Does the site take part with a partner network (pantry.federation)?"""
    from pantry.federation.models import Partner

    return Partner.objects.filter(sites=site).exclude(status=Partner.Status.ENDED).exists()


# More sites to claim for than this (a coordinator of a large network): a board card
# links to the offer's page, which lists them once, instead of a list on each card.
CLAIM_FOR_ON_CARD = 30


def claim_sites(user) -> list[Site]:
    """The sites a person may claim food for."""
    if is_coordinator(user):
        return list(Site.objects.active().order_by("name"))
    return list(Site.objects.active().filter(pk__in=lead_site_ids(user)).order_by("name"))


def lot_number_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Lot.objects.select_related("site", "item"),
        required=False,
        # Translators: a lot is a batch of one food with one best-before date.
        label=gettext_lazy("From lot no."),
        help_text=gettext_lazy("Empty: first expiring first."),
        widget=forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        error_messages={"invalid_choice": gettext_lazy("There is no lot with that number.")},
    )


class ShipmentItemForm(forms.Form):
    """One more item of a shipment: what, how much, and from which lot (optional)."""

    item = item_field(required=False)
    quantity = forms.CharField(label=gettext_lazy("Quantity"), max_length=20, required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=UNITS, initial=weight_unit)
    lot = lot_number_field()

    def clean(self):
        data = super().clean()
        item, quantity = data.get("item"), (data.get("quantity") or "").strip()
        if item is None and not quantity:
            return data  # a row left empty
        if item is None:
            self.add_error("item", _("Choose the item, or empty the quantity."))
        elif not quantity:
            self.add_error("quantity", _("Say how much %(item)s to send.") % {"item": item.name})
        elif data.get("unit"):
            try:
                data["base_quantity"] = to_base(quantity, data["unit"], item)
            except DomainError as e:
                show_error(self, e)
        return data


ShipmentItemFormSet = forms.formset_factory(ShipmentItemForm, extra=0, max_num=29)


class ProposeTransferForm(TokenForm):
    source = SiteChoiceField(queryset=Site.objects.active(), label=gettext_lazy("From"))
    destination = SiteChoiceField(queryset=Site.objects.active(), label=gettext_lazy("To"))
    item = item_field()
    quantity = forms.CharField(label=gettext_lazy("Quantity"), max_length=20)
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=UNITS, initial=weight_unit)
    lot = lot_number_field()
    note = forms.CharField(
        label=gettext_lazy("Note for the driver"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    need = forms.ModelChoiceField(
        queryset=Need.objects.open(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("That need is closed; propose without it.")},
    )
    offer = forms.ModelChoiceField(
        queryset=Offer.objects.open().select_related("site", "item"),
        required=False,
        widget=forms.HiddenInput,
        error_messages={
            "invalid_choice": gettext_lazy("That offer is no longer open; choose a source.")
        },
    )

    def __init__(self, *args, sources=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sources is not None:
            # A lead sends from their own sites only.
            self.fields["source"].queryset = sources
        # Past SITES_LISTED sites, a box to type a site's name in instead of a list.
        every = first_sites(Site.objects.active().order_by("name").values_list("pk", "name"))
        own = (
            every
            if sources is None
            else first_sites(sources.order_by("name").values_list("pk", "name"))
        )
        suggest = reverse("network:sites_suggested")
        list_sites(self.fields["source"], own, suggest)
        list_sites(self.fields["destination"], every, suggest)
        # Open as of this request, not as of when the module was loaded.
        self.fields["need"].queryset = Need.objects.open()
        self.fields["offer"].queryset = Offer.objects.open().select_related("site", "item")

    def clean(self):
        data = super().clean()
        for hidden in ("need", "offer"):
            # A hidden field's error has no place of its own on the page: say it above.
            for message in self._errors.pop(hidden, []):
                self.add_error(None, message)
        if data.get("source") and data.get("source") == data.get("destination"):
            self.add_error("destination", _("Choose two different sites."))
        need = data.get("need")
        if need is not None and data.get("destination") and data["destination"] != need.site:
            self.add_error(
                "destination",
                _("That need is %(site)s's: send the food there.") % {"site": need.site.name},
            )
        if data.get("item") is not None and data.get("quantity") and data.get("unit"):
            try:
                data["base_quantity"] = to_base(data["quantity"], data["unit"], data["item"])
            except DomainError as e:
                show_error(self, e)
        return data


def temperature_field(transfer: Transfer, when: str) -> TemperatureField | None:
    """The reading a chilled or frozen transfer asks for at pickup or on arrival
    (None for food not kept cold); in the scale of the measures active."""
    if cold.cold_kind(transfer) is None:
        return None
    scale = {"scale": temperatures.scale()}
    if when == cold.PICKUP:
        label = _("Temperature of the food at pickup (%(scale)s)") % scale
    else:
        label = _("Temperature of the food on arrival (%(scale)s)") % scale
    limit = {"limit": cold.limit_text(transfer)}
    if cold.cold_kind(transfer) == ColdChain.FROZEN:
        help_text = _("Frozen food travels at %(limit)s: read it with a probe thermometer.") % limit
    else:
        help_text = (
            _("Chilled food travels at %(limit)s: read it with a probe thermometer.") % limit
        )
    return TemperatureField(
        label=label,
        help_text=help_text,
        error_messages={"required": _("Take the food's temperature and enter it.")},
    )


class DispatchForm(forms.Form):
    """Dispatching: for chilled or frozen food, its temperature as it leaves."""

    def __init__(self, *args, transfer: Transfer, **kwargs):
        super().__init__(*args, **kwargs)
        field = temperature_field(transfer, cold.PICKUP)
        if field is not None:
            self.fields["temperature"] = field


class ReceiveForm(forms.Form):
    """What arrived in good condition, line by line; the rest needs a reason; for
    chilled or frozen food, its temperature on arrival."""

    reason = forms.ChoiceField(
        label=gettext_lazy("Why was some short or damaged?"),
        choices=[
            ("", gettext_lazy("Nothing was short or damaged")),
            *StockMove.WasteReason.choices,
        ],
        required=False,
    )
    destination = forms.ChoiceField(
        label=gettext_lazy("Where did the unusable food go?"),
        choices=[("", "—"), *StockMove.Destination.choices],
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, transfer: Transfer, lines: list[TransferLine], **kwargs):
        self.transfer = transfer
        self.lines = lines
        super().__init__(*args, **kwargs)
        fields = {}
        for line in lines:
            value, unit = natural(line.quantity, line.item)
            label = _("%(item)s, %(amount)s dispatched") % {
                "item": line.item.name,
                "amount": line.quantity_display,
            }
            if line.item.base_unit != Item.Unit.GRAM and line.weight_g is not None:
                label += f" ({line.weight_display})"
            if line.best_before:
                label += f" ({line.get_date_kind_display().lower()} {day(line.best_before)})"
            fields[f"line_{line.pk}"] = forms.CharField(
                label=_("%(line)s: arrived in good condition") % {"line": label},
                initial=value,
                max_length=20,
            )
            fields[f"line_{line.pk}_damaged"] = forms.CharField(
                label=_("Arrived damaged"),
                required=False,
                max_length=20,
                help_text=_("The rest of the line, neither good nor damaged, was short."),
            )
            fields[f"line_{line.pk}_unit"] = forms.ChoiceField(
                label=_("Unit"), choices=UNITS, initial=unit
            )
        if (field := temperature_field(transfer, cold.ARRIVAL)) is not None:
            fields["temperature"] = field
        self.fields = {**fields, **self.fields}

    def line_fields(self):
        return [
            (self[f"line_{line.pk}"], self[f"line_{line.pk}_unit"], self[f"line_{line.pk}_damaged"])
            for line in self.lines
        ]

    def clean(self):
        data = super().clean()
        received, damaged = {}, {}
        for line in self.lines:
            raw = (data.get(f"line_{line.pk}") or "").strip()
            unit = data.get(f"line_{line.pk}_unit") or "kg"
            broken = (data.get(f"line_{line.pk}_damaged") or "").strip()
            if broken and not is_zero(broken):
                try:
                    damaged[line.pk] = to_base(broken, unit, line.item)
                except DomainError as e:
                    self.add_error(f"line_{line.pk}_damaged", e.message)
            if is_zero(raw):
                received[line.pk] = Decimal(0)
                continue
            try:
                received[line.pk] = to_base(raw, unit, line.item)
            except DomainError as e:
                self.add_error(f"line_{line.pk}", e.message)
        data["received"] = received
        data["damaged"] = damaged
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it cancelled?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseNeedForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[
            (Need.Status.MET, gettext_lazy("Met")),
            (Need.Status.WITHDRAWN, gettext_lazy("Withdrawn")),
        ],
    )


def local_naive(moment: datetime, site: Site) -> datetime:
    return site.local(moment).replace(tzinfo=None)


class NetworkSettingsForm(SettingsSectionForm):
    """How far away an offer may be to be suggested for the site's needs."""

    class Meta:
        model = NetworkSettings
        fields = NETWORK_SETTINGS_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["match_within_km"]
        field.widget.attrs["inputmode"] = "numeric"
        # Empty means the default, so a settings form sent without it keeps working.
        field.required = False

    def clean_match_within_km(self) -> int:
        value = self.cleaned_data.get("match_within_km")
        return DEFAULT_MATCH_KM if value is None else value
