"""Forms of a recall: start one, a site's answer, closing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.models import Site
from pantry.forms import ItemField, date_field
from pantry.models import RecallSite, StockMove
from pantry.services.recalls import Criteria

NETWORK = ""


class RecallForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("What is recalled"),
        max_length=200,
        help_text=gettext_lazy(
            "As the notice names it, for example “Chopped tomatoes 400 g, lot L2345”."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The supplier's or authority's notice, or what was found."),
    )
    where = forms.ChoiceField(label=gettext_lazy("Where"), required=False)
    item = ItemField(
        required=False, help_text=gettext_lazy("With its lot code or the dates on the pack.")
    )
    code = forms.CharField(label=gettext_lazy("Lot code"), max_length=60, required=False)
    dated_from = date_field(gettext_lazy("Date on the pack from"), required=False)
    dated_until = date_field(gettext_lazy("Date on the pack until"), required=False)
    donor_name = forms.CharField(
        label=gettext_lazy("Or a donor"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("Every site's donor of that name, with the days its food came in."),
    )
    received_from = date_field(gettext_lazy("Received from"), required=False)
    received_until = date_field(gettext_lazy("Received until"), required=False)

    def __init__(self, *args, sites: list[Site], network: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {site.slug: site for site in sites}
        choices = [(NETWORK, _("Every site in the network"))] if network else []
        choices += [(site.slug, site.name) for site in sites]
        self.fields["where"].choices = choices
        if not network:
            self.fields["where"].required = True

    def clean_where(self) -> Site | None:
        slug = self.cleaned_data.get("where") or NETWORK
        return None if slug == NETWORK else self.sites.get(slug)

    def criteria(self) -> Criteria:
        data = self.cleaned_data
        return Criteria(
            item=data.get("item"),
            code=data.get("code") or "",
            dated_from=data.get("dated_from"),
            dated_until=data.get("dated_until"),
            donor_name=data.get("donor_name") or "",
            received_from=data.get("received_from"),
            received_until=data.get("received_until"),
        )


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=gettext_lazy("What you found"),
        choices=[
            (
                RecallSite.Answer.DISCARDED,
                gettext_lazy("Found it: discard everything held here now"),
            ),
            (RecallSite.Answer.NONE_LEFT, gettext_lazy("None left here")),
        ],
        widget=forms.RadioSelect,
    )
    destination = forms.ChoiceField(
        label=gettext_lazy("Where the discarded food goes"),
        choices=StockMove.Destination.choices,
        initial=StockMove.Destination.LANDFILL,
        required=False,
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Closing note"), max_length=300, required=False)
