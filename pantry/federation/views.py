"""The pages of partner networks: pairing and what is shared (coordinators), a
partner's offer and its claim, and transfers across the link (the two sites' leads)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot import measures
from commonpot.errors import DomainError
from commonpot.forms import show_error
from commonpot.permissions import can_manage_site, coordinator_required, is_coordinator
from pantry import temperatures
from pantry.federation import services
from pantry.federation.forms import (
    CancelForm,
    InvitationForm,
    PartnerClaimForm,
    ReceiveForm,
    ScopeForm,
)
from pantry.federation.models import (
    Incoming,
    Outgoing,
    Partner,
    PartnerOffer,
    PartnerTransfer,
)
from pantry.network.access import network_required
from pantry.network.forms import DispatchForm
from pantry.units import display

# --- Pairing (coordinators) -----------------------------------------------------------


def _partners_page(request, *, form=None, invitation="", status=200) -> HttpResponse:
    partners = Partner.objects.annotate(
        waiting=Count("outbox", filter=Q(outbox__state=Outgoing.State.WAITING)),
        refused=Count("outbox", filter=Q(outbox__state=Outgoing.State.REFUSED)),
        n_sites=Count("sites", distinct=True),
    ).order_by("name")
    return TemplateResponse(
        request,
        "federation/partners.html",
        {
            "partners": partners,
            "form": form or InvitationForm(),
            "invitation": invitation,
            "network_name": services.network_name(),
        },
        status=status,
    )


@coordinator_required
@require_GET
def partners(request: HttpRequest) -> HttpResponse:
    return _partners_page(request)


@coordinator_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    text = services.make_invitation(by=request.user)
    return _partners_page(request, invitation=text)


@coordinator_required
@require_POST
def accept(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            partner = services.accept_invitation(
                text=form.cleaned_data["invitation"], by=request.user
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _(
                    "Paired with %(partner)s. Choose which of your sites take part with it "
                    "and what they share."
                )
                % {"partner": partner.name},
            )
            return redirect("federation:partner", partner.pk)
    return _partners_page(request, form=form, status=400)


@coordinator_required
@require_http_methods(["GET", "POST"])
def partner_detail(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    status = 200
    if request.method == "POST":
        form = ScopeForm(request.POST)
        if form.is_valid():
            try:
                services.set_scope(
                    partner_id=partner.pk,
                    sites=list(form.cleaned_data["sites"]),
                    categories=form.cleaned_data["categories"],
                    by=request.user,
                )
            except DomainError as e:
                show_error(form, e)
            else:
                messages.success(
                    request, _("Saved what is shared with %(partner)s.") % {"partner": partner.name}
                )
                return redirect("federation:partner", partner.pk)
        status = 400
    else:
        form = ScopeForm(
            initial={"sites": list(partner.sites.all()), "categories": partner.categories}
        )
    context = {
        "partner": partner,
        "form": form,
        "waiting": partner.outbox.filter(state=Outgoing.State.WAITING).order_by("seq")[:20],
        "waiting_count": partner.outbox.filter(state=Outgoing.State.WAITING).count(),
        "refused": partner.outbox.filter(state=Outgoing.State.REFUSED).order_by("-seq")[:20],
        "incoming": partner.inbox.order_by("-received_at", "-pk")[:20],
        "incoming_refused": partner.inbox.filter(outcome=Incoming.Outcome.REFUSED).count(),
        "transfers": partner.transfers.select_related("site").order_by("-created_at")[:20],
    }
    return TemplateResponse(request, "federation/partner.html", context, status=status)


@coordinator_required
@require_POST
def partner_status(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    status = request.POST.get("status", "")
    if status == Partner.Status.ENDED and request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to say you mean to end the link."))
        return redirect("federation:partner", partner.pk)
    try:
        services.set_status(partner_id=partner.pk, status=status, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("federation:partner", partner.pk)
    words = {
        Partner.Status.ACTIVE: _("The link with %(partner)s is active again."),
        Partner.Status.PAUSED: _(
            "The link with %(partner)s is paused: nothing is sent or taken until you resume it."
        ),
        Partner.Status.ENDED: _("The link with %(partner)s has ended."),
    }
    messages.success(request, words[status] % {"partner": partner.name})
    return redirect("federation:partner", partner.pk)


@coordinator_required
@require_POST
def partner_send(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    services.send_soon(partner_id=partner.pk)
    messages.success(request, _("Sending what waits for %(partner)s.") % {"partner": partner.name})
    return redirect("federation:partner", partner.pk)


# --- A partner's offer -------------------------------------------------------------------


def _offer_page(request, offer: PartnerOffer, form=None, status=200) -> HttpResponse:
    sites = services.sites_taking_part(request.user, offer.partner)
    if form is None and sites:
        form = PartnerClaimForm(offer=offer, sites=sites)
    item = offer.item_like()
    return TemplateResponse(
        request,
        "federation/partner_offer.html",
        {
            "offer": offer,
            "form": form,
            "amount": display(offer.quantity, item),
            "claims": offer.transfers.filter(site__in=sites).order_by("-created_at"),
        },
        status=status,
    )


@network_required
@require_GET
def partner_offer(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(PartnerOffer.objects.select_related("partner"), pk=pk)
    return _offer_page(request, offer)


@network_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(PartnerOffer.objects.select_related("partner"), pk=pk)
    sites = services.sites_taking_part(request.user, offer.partner)
    form = PartnerClaimForm(request.POST, offer=offer, sites=sites)
    if not sites:
        raise PermissionDenied(
            _("None of the sites you lead take part with %(partner)s.")
            % {"partner": offer.partner.name}
        )
    if form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.claim_partner_offer(
                partner_offer_id=offer.pk,
                site=data["for_site"],
                by=request.user,
                quantity=data["base_quantity"],
                token=data["token"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _(
                    "Claimed %(amount)s of %(item)s for %(site)s. %(partner)s holds the food "
                    "and accepts, or says why not; this page shows which."
                )
                % {
                    "amount": display(transfer.quantity, transfer.item_like()),
                    "item": transfer.item_name,
                    "site": transfer.site.name,
                    "partner": offer.partner.name,
                },
            )
            return redirect(transfer)
    return _offer_page(request, offer, form=form, status=400)


# --- Transfers across the link -------------------------------------------------------------


def _transfer_for(request, pk: int) -> PartnerTransfer:
    transfer = get_object_or_404(
        PartnerTransfer.objects.select_related("partner", "site", "item", "partner_offer"), pk=pk
    )
    if not can_manage_site(request.user, transfer.site):
        raise PermissionDenied(
            _("Only leads of %(site)s and coordinators can see or do this.")
            % {"site": transfer.site.name}
        )
    return transfer


def _transfer_page(
    request, transfer, *, receive_form=None, cancel_form=None, dispatch_form=None, status=200
):
    item = transfer.item_like()
    lines = list(transfer.lines.all())
    for line in lines:
        line.quantity_display = display(line.quantity, item)
        line.received_display = display(line.received, item) if line.received is not None else ""
    return TemplateResponse(
        request,
        "federation/transfer.html",
        {
            "transfer": transfer,
            "amount": display(transfer.quantity, item),
            "received": display(transfer.received_quantity, item)
            if transfer.received_quantity is not None
            else "",
            "lines": lines,
            "pickup_temperature": _shown(transfer.pickup_c, transfer.site),
            "arrival_temperature": _shown(transfer.arrival_c, transfer.site),
            "receive_form": receive_form
            or (
                ReceiveForm(transfer=transfer)
                if transfer.direction == PartnerTransfer.Direction.IN
                and transfer.status == PartnerTransfer.Status.DISPATCHED
                else None
            ),
            "cancel_form": cancel_form or CancelForm(),
            "dispatch_form": dispatch_form or _dispatch_form(transfer),
            "can_cancel": transfer.status
            in (PartnerTransfer.Status.REQUESTED, PartnerTransfer.Status.ACCEPTED),
        },
        status=status,
    )


@network_required
@require_GET
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_page(request, _transfer_for(request, pk))


def _shown(value_c, site) -> str:
    if value_c is None:
        return ""
    with measures.override_for_site(site):
        return temperatures.show(value_c)


def _dispatch_form(transfer, data=None):
    """For chilled or frozen food, its temperature as it leaves, in the site's scale."""
    with measures.override_for_site(transfer.site):
        return DispatchForm(data, transfer=transfer.cold, auto_id="dispatch-%s")


@network_required
@require_POST
def dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer_for(request, pk)
    form = _dispatch_form(transfer, request.POST)
    with measures.override_for_site(transfer.site):
        valid = form.is_valid()
    if not valid:
        return _transfer_page(request, transfer, dispatch_form=form, status=400)
    try:
        services.dispatch(
            transfer_id=transfer.pk,
            by=request.user,
            temperature_c=form.cleaned_data.get("temperature"),
        )
    except DomainError as e:
        show_error(form, e)
        return _transfer_page(request, transfer, dispatch_form=form, status=400)
    messages.success(
        request,
        _("Dispatched: the food is in transit to %(site)s (%(partner)s).")
        % {"site": transfer.partner_site_name, "partner": transfer.partner.name},
    )
    return redirect(transfer)


@network_required
@require_POST
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer_for(request, pk)
    with measures.override_for_site(transfer.site):
        form = ReceiveForm(request.POST, transfer=transfer)
        valid = form.is_valid()
    if valid and "base_received" in form.cleaned_data:
        try:
            services.receive(
                transfer_id=transfer.pk,
                by=request.user,
                received=form.cleaned_data["base_received"],
                note=form.cleaned_data["note"],
                temperature_c=form.cleaned_data.get("temperature"),
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _("Received at %(site)s; %(partner)s is told.")
                % {"site": transfer.site.name, "partner": transfer.partner.name},
            )
            return redirect(transfer)
    return _transfer_page(request, transfer, receive_form=form, status=400)


@network_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _transfer_for(request, pk)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel(
                transfer_id=transfer.pk, by=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request, _("Cancelled; %(partner)s is told.") % {"partner": transfer.partner.name}
            )
            return redirect(transfer)
    return _transfer_page(request, transfer, cancel_form=form, status=400)


def is_partner_page_visible(user) -> bool:
    return is_coordinator(user)
