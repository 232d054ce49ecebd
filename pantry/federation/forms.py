"""Forms of the partner pages: pairing, what a partner shares, claims and arrivals."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from commonpot.errors import DomainError
from commonpot.forms import show_error
from commonpot.idempotency import TokenForm
from commonpot.models import Site
from pantry.federation.models import PartnerOffer
from pantry.models import Item
from pantry.network import cold
from pantry.network.forms import UNITS, natural, temperature_field, typed_quantity
from pantry.units import to_base


class InvitationForm(forms.Form):
    invitation = forms.CharField(
        label=gettext_lazy("Invitation from the other network"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "The text their coordinator made on their Partners page. It works once, "
            "within 48 hours."
        ),
    )


class ScopeForm(forms.Form):
    sites = forms.ModelMultipleChoiceField(
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Our sites that take part"),
        help_text=gettext_lazy(
            "Their offers and needs marked to share go to this partner, and they can "
            "claim the partner's offers."
        ),
    )
    categories = forms.MultipleChoiceField(
        choices=Item.Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Categories shared"),
        help_text=gettext_lazy("None ticked: every category."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = Site.objects.active().order_by("name")


class PartnerClaimForm(TokenForm):
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

    def __init__(self, *args, offer: PartnerOffer, sites: list[Site], **kwargs):
        self.offer = offer
        super().__init__(*args, **kwargs)
        self.fields["for_site"].queryset = Site.objects.filter(
            pk__in=[s.pk for s in sites]
        ).order_by("name")
        self.fields["unit"].initial = natural(offer.quantity, offer.item_like())[1]

    def clean(self):
        data = super().clean()
        data["base_quantity"] = typed_quantity(self, data, self.offer.item_like())
        return data


class ReceiveForm(forms.Form):
    received = forms.CharField(
        label=gettext_lazy("Arrived in good condition"),
        max_length=20,
        help_text=gettext_lazy("In the unit shown; 0 if nothing usable arrived."),
    )
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), choices=UNITS)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def __init__(self, *args, transfer, **kwargs):
        self.transfer = transfer
        super().__init__(*args, **kwargs)
        sent = transfer.in_transit or transfer.quantity
        amount, unit = natural(sent, transfer.item_like())
        self.fields["unit"].initial = unit
        self.fields["received"].initial = amount
        field = temperature_field(transfer.cold, cold.ARRIVAL)
        if field is not None:
            self.fields["temperature"] = field

    def clean(self):
        data = super().clean()
        if data.get("received") not in (None, ""):
            try:
                data["base_received"] = to_base(
                    data["received"], data.get("unit") or "kg", self.transfer.item_like()
                )
            except DomainError as e:
                if str(data["received"]).strip() in ("0", "0.0", "0,0"):
                    data["base_received"] = 0
                else:
                    show_error(self, e)
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why"), max_length=300)
