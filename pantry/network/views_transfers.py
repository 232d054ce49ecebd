"""Transfers: the list, one transfer and its steps, the driver's manifest, proposals."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot import measures
from commonpot.errors import DomainError
from commonpot.forms import show_error
from commonpot.models import Site
from commonpot.params import int_param
from commonpot.pdf import serve_pdf
from commonpot.permissions import can_manage_site, is_coordinator, lead_site_ids
from commonpot.tables import paginate
from pantry import temperatures
from pantry.models import Reservation
from pantry.network import services
from pantry.network.access import network_required, transfer_for
from pantry.network.filters import TransferFilter
from pantry.network.forms import (
    CancelForm,
    DispatchForm,
    ProposeTransferForm,
    ReceiveForm,
    ShipmentItemFormSet,
    natural,
)
from pantry.network.matches import quantity_for
from pantry.network.models import Need, Offer, Transfer
from pantry.network.pdf import manifest_pdf
from pantry.network.progress import attach_on_the_way, open_needs_alike
from pantry.network.services.common import agreeing
from pantry.network.services.shipments import MAX_ITEMS, Line
from pantry.network.slots import transfer_panels
from pantry.network.stock import sites_holding
from pantry.network.tables import TransferTable
from pantry.network.views_runs import runs_of_the_day
from pantry.units import display, plain


@network_required
@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    transfers = Transfer.objects.visible_to(request.user).for_lists()
    filters = TransferFilter(request.GET, queryset=transfers, request=request)
    # django-filter leaves a refused field out of the filter: say so, list nothing.
    valid = filters.is_valid()
    table = TransferTable(filters.qs if valid else transfers.none())
    paginate(request, table, 30)
    today = timezone.localdate()
    return TemplateResponse(
        request,
        "network/transfers.html",
        {
            "filter": filters,
            "table": table,
            "runs": runs_of_the_day(request.user, today),
            "runs_day": today,
        },
        status=200 if valid else 400,
    )


def _transfer_page(
    request: HttpRequest,
    transfer: Transfer,
    *,
    error: str = "",
    cancel_form: CancelForm | None = None,
    dispatch_form: DispatchForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    at_source = can_manage_site(user, transfer.source)
    at_destination = can_manage_site(user, transfer.destination)
    lines = list(
        transfer.lines.select_related("item", "origin_lot", "received_lot", "returned_lot")
    )
    held = []
    if transfer.status in (Transfer.Status.PROPOSED, Transfer.Status.ACCEPTED):
        held = list(
            Reservation.objects.filter(reference=transfer.reference, status=Reservation.Status.HELD)
            .select_related("lot__item")
            .order_by("lot__best_before", "pk")
        )
    unusable = [line for line in lines if (line.shortfall or 0) + line.damaged > 0]
    shortfall = (
        ", ".join(
            _("%(amount)s of %(item)s")
            % {
                "amount": display((line.shortfall or 0) + line.damaged, line.item),
                "item": line.item.name,
            }
            for line in unusable
        )
        if transfer.is_shipment
        else display(sum((line.shortfall or 0) + line.damaged for line in lines), transfer.item)
    )
    pickup, arrival = transfer.pickup_reading, transfer.arrival_reading
    if dispatch_form is None and at_source and transfer.status == Transfer.Status.ACCEPTED:
        with measures.override_for_site(transfer.source):
            dispatch_form = DispatchForm(transfer=transfer, auto_id="dispatch-%s")
    return TemplateResponse(
        request,
        "network/transfer.html",
        {
            "transfer": transfer,
            "lines": lines,
            "held": [
                (
                    h,
                    _("%(amount)s of %(item)s")
                    % {"amount": display(h.quantity, h.lot.item), "item": h.lot.item.name},
                )
                for h in held
            ],
            "shortfall": shortfall if unusable else "",
            "shipment_items": list(transfer.items.select_related("item"))
            if transfer.is_shipment
            else [],
            "at_source": at_source,
            "at_destination": at_destination,
            "cancel_form": cancel_form or CancelForm(),
            "dispatch_form": dispatch_form,
            "pickup_temperature": temperatures.show(pickup.value_c) if pickup else "",
            "arrival_temperature": temperatures.show(arrival.value_c) if arrival else "",
            "cold_limit": temperatures.show(arrival.limit_c) if arrival else "",
            "error": error,
            "driver_panels": transfer_panels(request, transfer),
        },
        status=status,
    )


@network_required
@require_GET
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _transfer_page(request, transfer_for(request, pk))


def _step(
    request: HttpRequest, pk: int, side: str, step, done: Callable[[Transfer], str]
) -> HttpResponse:
    transfer = transfer_for(request, pk, side)
    try:
        transfer = step(transfer_id=transfer.pk, by=request.user)
    except DomainError as e:
        return _transfer_page(request, transfer, error=e.message, status=400)
    messages.success(request, done(transfer))
    return redirect(transfer)


@network_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "source",
        services.accept_transfer,
        lambda t: (
            ngettext(
                "Accepted: %(amount)s of %(item)s is held for %(site)s. "
                "Print the manifest for the driver.",
                "Accepted: %(amount)s of %(item)s are held for %(site)s. "
                "Print the manifest for the driver.",
                agreeing(t.quantity, t.item),
            )
            % {"amount": t.quantity_display, "item": t.item.name, "site": t.destination.name}
        ),
    )


@network_required
@require_POST
def dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """The food has left; chilled or frozen food with its temperature at pickup,
    typed in the source site's scale."""
    transfer = transfer_for(request, pk, "source")
    with measures.override_for_site(transfer.source):
        form = DispatchForm(request.POST, transfer=transfer, auto_id="dispatch-%s")
        valid = form.is_valid()
    if valid:
        try:
            transfer = services.dispatch_transfer(
                transfer_id=transfer.pk,
                by=request.user,
                temperature_c=form.cleaned_data.get("temperature"),
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _("Dispatched: the %(item)s has left %(site)s and is in transit.")
                % {"item": transfer.item.name, "site": transfer.source.name},
            )
            return redirect(transfer)
    error = "; ".join(e for errors in form.errors.values() for e in errors)
    return _transfer_page(request, transfer, error=error, dispatch_form=form, status=400)


@network_required
@require_http_methods(["GET", "POST"])
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = transfer_for(request, pk, "destination")
    # The destination's page: its measures, for the temperature as for the quantities.
    measures.activate(lambda: measures.site_measures(transfer.destination))
    lines = list(transfer.lines.select_related("item"))
    form = ReceiveForm(request.POST or None, transfer=transfer, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.receive_transfer(
                transfer_id=transfer.pk,
                by=request.user,
                received=data["received"],
                damaged=data["damaged"],
                reason=data["reason"],
                destination=data["destination"],
                note=data["note"],
                temperature_c=data.get("temperature"),
            )
        except DomainError as e:
            show_error(form, e)
        else:
            text = _received_text(transfer, lines, data["received"], data["damaged"])
            messages.success(request, text)
            reading = Transfer.objects.get(pk=transfer.pk).arrival_reading
            if reading is not None and not reading.passed:
                messages.error(
                    request,
                    _(
                        "It arrived at %(reading)s, warmer than %(limit)s: what arrived is on "
                        "hold, and the leads of %(site)s are told. Check it, then release or "
                        "discard it on the Holds page."
                    )
                    % {
                        "reading": temperatures.show(reading.value_c),
                        "limit": temperatures.show(reading.limit_c),
                        "site": transfer.destination.name,
                    },
                )
            return redirect(transfer)
    status = 400 if request.method == "POST" else 200
    if transfer.status != Transfer.Status.DISPATCHED and request.method == "GET":
        return _transfer_page(
            request, transfer, error=_("Only food in transit can be received."), status=400
        )
    return TemplateResponse(
        request, "network/receive.html", {"transfer": transfer, "form": form}, status=status
    )


def _received_text(transfer: Transfer, lines, received: dict, damaged: dict) -> str:
    """ "Received 38 kg of Bread; 2 kg recorded as short or damaged.", item by item."""
    parts, lost = [], []
    for item in dict.fromkeys(line.item for line in lines):
        mine = [line for line in lines if line.item_id == item.pk]
        arrived = sum((received[line.pk] for line in mine), 0)
        parts.append(
            _("%(amount)s of %(item)s") % {"amount": display(arrived, item), "item": item.name}
        )
        if short := sum(line.quantity for line in mine) - arrived:
            lost.append(
                _("%(amount)s of %(item)s") % {"amount": display(short, item), "item": item.name}
                if transfer.is_shipment
                else display(short, item)
            )
    if lost:
        return _("Received %(food)s; %(lost)s recorded as short or damaged.") % {
            "food": ", ".join(parts),
            "lost": ", ".join(lost),
        }
    return _("Received %(food)s.") % {"food": ", ".join(parts)}


@network_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = transfer_for(request, pk, "either")
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _transfer_page(request, transfer, cancel_form=form, status=400)
    try:
        transfer = services.cancel_transfer(
            transfer_id=transfer.pk, by=request.user, reason=form.cleaned_data["reason"]
        )
    except DomainError as e:
        show_error(form, e)
        return _transfer_page(request, transfer, error=e.message, cancel_form=form, status=400)
    messages.success(request, _("Transfer #%(number)s is cancelled.") % {"number": transfer.pk})
    return redirect(transfer)


@network_required
@require_GET
def manifest(request: HttpRequest, pk: int) -> HttpResponse:
    """The driver's manifest: a PDF to print and sign."""
    transfer = transfer_for(request, pk)
    return serve_pdf(manifest_pdf(transfer), f"transfer-{transfer.pk}-manifest.pdf")


@network_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """Propose a transfer (a coordinator) or send one (a lead, from their own site):
    blank, or filled in from a need (`?need=`), a match of an offer to it
    (`?need=&offer=`), or a site chosen from those holding the food (`&source=`).
    "Add another item" makes it a shipment of several items (a plain submit that
    writes nothing and shows one more row). The page lists the sites holding the
    item, nearest first."""
    coordinator = is_coordinator(request.user)
    query = request.POST if request.method == "POST" else request.GET
    need = _open_need(int_param(query, "need"))
    offer = _open_offer(int_param(query, "offer")) if coordinator else None
    initial = _filled_in(need, offer, int_param(request.GET, "source"))
    sources = (
        None if coordinator else Site.objects.active().filter(pk__in=lead_site_ids(request.user))
    )
    adding = request.method == "POST" and "add_item" in request.POST
    data = request.POST or None
    if data is not None:
        data = request.POST.copy()
        # A form without the rows' counts (an older page, a script) has no more items.
        data.setdefault("more-TOTAL_FORMS", "0")
        data.setdefault("more-INITIAL_FORMS", "0")
        if adding:
            rows = int_param(data, "more-TOTAL_FORMS") or 0
            data["more-TOTAL_FORMS"] = str(min(rows + 1, MAX_ITEMS - 1))
    form = ProposeTransferForm(data, initial=initial, sources=sources)
    more = ShipmentItemFormSet(data, prefix="more")
    if (
        request.method == "POST"
        and not adding
        and form.is_valid()
        and more.is_valid()
        and "base_quantity" in form.cleaned_data
    ):
        data = form.cleaned_data
        extra = [
            Line(item=f["item"], quantity=f["base_quantity"], lot=f.get("lot"))
            for f in more.cleaned_data
            if f.get("base_quantity") is not None
        ]
        try:
            if data["offer"] is not None and not extra and data["lot"] is None:
                transfer = services.propose_transfer(
                    source=data["source"],
                    destination=data["destination"],
                    item=data["item"],
                    quantity=data["base_quantity"],
                    by=request.user,
                    note=data["note"],
                    need=data["need"],
                    offer=data["offer"],
                    token=data["token"],
                )
            elif data["offer"] is not None:
                raise DomainError(
                    _(
                        "A proposal from an offer carries that offer's food only: propose the "
                        "other items as a transfer of their own, or leave the offer out."
                    )
                )
            else:
                first = Line(item=data["item"], quantity=data["base_quantity"], lot=data["lot"])
                transfer = services.propose_shipment(
                    source=data["source"],
                    destination=data["destination"],
                    lines=[first, *extra],
                    by=request.user,
                    note=data["note"],
                    need=data["need"],
                    token=data["token"],
                )
        except DomainError as e:
            show_error(form, e)
        else:
            if transfer.status == Transfer.Status.ACCEPTED and not coordinator:
                text = _("Sent: the food is held for it. Print the manifest for the driver.")
            else:
                text = _("Proposed. %(site)s's leads are asked to accept it.") % {
                    "site": transfer.source.name
                }
            messages.success(request, text)
            return redirect(transfer)
    status = 400 if request.method == "POST" and not adding else 200
    item = offer.item if offer is not None else (need.item if need is not None else None)
    holders, holders_more = (
        sites_holding(item, towards=need.site if need else None) if item else ([], 0)
    )
    return TemplateResponse(
        request,
        "network/propose.html",
        {
            "form": form,
            "more": more,
            "max_items": MAX_ITEMS,
            "coordinator": coordinator,
            "need": need,
            "offer": offer,
            "item": item,
            "holders": holders,
            "holders_more": holders_more,
        },
        status=status,
    )


def _open_need(pk: int | None) -> Need | None:
    if pk is None:
        return None
    need = Need.objects.open().with_limits().filter(pk=pk).first()
    if need is not None:
        attach_on_the_way([need, *open_needs_alike(need).select_related("item")])
    return need


def _open_offer(pk: int | None) -> Offer | None:
    if pk is None:
        return None
    return Offer.objects.open().select_related("site", "item").filter(pk=pk).first()


def _filled_in(need: Need | None, offer: Offer | None, source_id: int | None) -> dict:
    """The form's first values: where to, what, how much (what is left to find, or
    what the offer has), and from where."""
    initial: dict = {}
    if need is not None:
        initial.update(destination=need.site, need=need, item=need.item)
        if need.item_id:
            initial["quantity"], initial["unit"] = natural(need.left_to_find, need.item)
        else:
            initial["quantity"], initial["unit"] = plain(need.left_to_find / 1000), "kg"
    if offer is not None:
        quantity = quantity_for(offer, need) if need is not None else offer.remaining
        initial.update(source=offer.site, item=offer.item, offer=offer)
        initial["quantity"], initial["unit"] = natural(quantity, offer.item)
    elif source_id is not None:
        initial["source"] = Site.objects.active().filter(pk=source_id).first()
    return initial
