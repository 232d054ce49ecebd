"""The board, offers and needs, and a site's Surplus tab."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import SUGGESTED, show_error, site_suggestions, suggestions, typed
from commonpot.htmx import render_fragment, render_page, wants_partial
from commonpot.models import Site
from commonpot.pagecache import cached_page
from commonpot.paging import EitherEndPaginator
from commonpot.params import int_param
from commonpot.permissions import can_manage_site, is_coordinator, lead_required, lead_site_ids
from pantry.federation import board as federation_board
from pantry.federation.models import PartnerTransfer
from pantry.freshness import DateRules
from pantry.models import Item, Lot
from pantry.network import services
from pantry.network.access import network_required
from pantry.network.filters import NeedFilter, OfferFilter, default_near
from pantry.network.forms import (
    CLAIM_FOR_ON_CARD,
    ClaimForm,
    CloseNeedForm,
    NeedForm,
    OfferForm,
    claim_sites,
    natural,
)
from pantry.network.matches import (
    Distances,
    distance_label,
    near_filter,
    needs_for_offer,
    offers_for_need,
    quantity_for,
)
from pantry.network.models import Need, Offer, Transfer, TransferLine
from pantry.network.progress import attach_on_the_way, open_needs_alike
from pantry.network.services.common import agreeing
from pantry.network.stock import stock_table

PAGE_SIZE = 30


# --- The board ------------------------------------------------------------------------


@network_required
@require_GET
@cached_page
def board(request: HttpRequest) -> HttpResponse:
    """Every open offer (or need) in the network, soonest expiring first."""
    show = "needs" if request.GET.get("show") == "needs" else "offers"
    now = timezone.now()
    querysets = {
        "offers": Offer.objects.open(now).filter(site__is_active=True),
        "needs": Need.objects.open(now).filter(site__is_active=True),
    }
    sites, listed = _board_sites(request, querysets, show)
    near = default_near(request.user, sites)
    filters = {
        "offers": OfferFilter(
            request.GET,
            queryset=querysets["offers"],
            request=request,
            sites=sites,
            near=near,
            listed=listed,
        ),
        "needs": NeedFilter(
            request.GET,
            queryset=querysets["needs"],
            request=request,
            sites=sites,
            near=near,
            listed=listed,
        ),
    }
    active = filters[show]
    # A filter refused (a site nobody is called) is said on the page, with no
    # cards, rather than dropped and every card shown.
    valid = active.form.is_valid()
    found = active.qs if valid else querysets[show].none()
    page = EitherEndPaginator(found.for_cards(), PAGE_SIZE).get_page(request.GET.get("page"))
    other = "needs" if show == "offers" else "offers"
    counts = {show: page.paginator.count, other: filters[other].qs.count() if valid else 0}
    origin = active.origin
    claimers = _claimers(request.user, sites)
    cards = list(page.object_list)
    _decorate(cards, origin, claimers)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("show", None)
    data = active.form.cleaned_data if valid else {}
    partner_cards = []
    if valid and not data.get("site") and page.number == 1:
        partner_cards = federation_board.partner_cards(
            request.user, show, origin, category=data.get("category") or ""
        )
        within = float(data.get("within") or 0)
        if within and origin:
            partner_cards = [c for c in partner_cards if c.distance is None or c.distance <= within]
    context = {
        "partner_cards": partner_cards,
        "filter": active,
        "show": show,
        "page": page,
        "cards": cards,
        "counts": counts,
        "origin": origin,
        "query": query.urlencode(),
    }
    return render_page(
        request, "network/board.html", context, partial="results", status=200 if valid else 400
    )


@network_required
@require_GET
def sites_suggested(request: HttpRequest) -> HttpResponse:
    """Suggestions for the network's site boxes in a network of many sites (the
    board's "Site" and "Distance from", a transfer's "From" and "To",
    commonpot.forms.SiteSearchInput): any active site. The box sends its value
    alone, under its own name."""
    return site_suggestions(request, Site.objects.active())


@network_required
@require_GET
def items_suggested(request: HttpRequest) -> HttpResponse:
    """Suggestions for the network's item boxes (a need, a transfer and its other
    items, what a run picks up from a donor): the first few active items of the
    catalog whose name holds what is typed, or whose barcode it is. The box sends
    its value alone, under its own name."""
    items = Item.objects.active().search(typed(request)).order_by("name")
    return suggestions(
        request, [(name, "") for name in items.values_list("name", flat=True)[:SUGGESTED]]
    )


def _board_sites(request: HttpRequest, querysets: dict, show: str):
    """The sites the board needs, and the sites each of its lists shows.

    A lead's board loads only the sites a choice or a distance there can be about:
    those with an open offer or need (so "Within" finds every site that matters to
    either count), the lead's own, and any chosen in the address; not every site of
    a network of hundreds. "Site" lists the sites with something open of what is
    shown (and the one chosen); "Distance from", the lead's own sites (and the one
    chosen). A coordinator's board may measure from, and claim for, any site: it
    loads them all, and lists them all under "Distance from".
    """
    fields = ("slug", "name", "latitude", "longitude")
    chosen = request.GET.get("site"), request.GET.get("near")
    holding: dict[str, set[int]] = {"offers": set(), "needs": set()}
    rows = (
        querysets["offers"]
        .order_by()
        .values_list("site_id", Value("offers"))
        .union(querysets["needs"].order_by().values_list("site_id", Value("needs")))
    )
    for site_id, kind in rows:
        holding[kind].add(site_id)
    if is_coordinator(request.user):
        sites = list(Site.objects.active().only(*fields).order_by("name"))
        led = None
    else:
        led = lead_site_ids(request.user)
        sites = list(
            Site.objects.active()
            .filter(
                Q(pk__in=holding["offers"] | holding["needs"] | led)
                | Q(slug__in=[c for c in chosen if c])
            )
            .only(*fields)
            .order_by("name")
        )
    listed = {"site": [s for s in sites if s.pk in holding[show] or s.slug == chosen[0]]}
    if led is not None:
        listed["near"] = [s for s in sites if s.pk in led or s.slug == chosen[1]]
    return sites, listed


def _claimers(user, sites: list[Site]) -> list[Site]:
    if is_coordinator(user):
        return sites
    led = lead_site_ids(user)
    return [s for s in sites if s.pk in led]


def _decorate(cards: list, origin: Site | None, claimers: list[Site]) -> None:
    """Distance from the chosen site, and a claim token and targets for each offer card."""
    distances = Distances()
    on_card = len(claimers) <= CLAIM_FOR_ON_CARD
    for card in cards:
        card.distance = distances(origin, card.site) if origin else None
        card.distance_label = distance_label(card.distance) if origin else ""
        if isinstance(card, Offer):
            card.claim_for = [s for s in claimers if s.pk != card.site_id] if on_card else []
            card.claim_on_page = bool(claimers) and not on_card
            card.claim_token = uuid.uuid4()


# --- Offers ------------------------------------------------------------------------


@network_required
@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.select_related("site", "item", "posted_by"), pk=pk)
    return _offer_page(request, offer)


def _offer_page(
    request: HttpRequest,
    offer: Offer,
    *,
    form: ClaimForm | None = None,
    error: str = "",
    status=200,
) -> HttpResponse:
    is_open = offer.is_open()
    matches = []
    if is_open:
        needs = list(
            Need.objects.open()
            .exclude(site=offer.site)
            .filter(category=offer.item.category)
            .with_limits()
        )
        attach_on_the_way(needs)
        matches = needs_for_offer(offer, needs)
    claimers = [s for s in claim_sites(request.user) if s.pk != offer.site_id]
    if form is None and is_open and claimers:
        form = ClaimForm(user=request.user, offer=offer, sites=claimers)
    can_manage = can_manage_site(request.user, offer.site)
    transfers = (
        offer.transfers.select_related("destination").order_by("-proposed_at")
        if can_manage
        else Transfer.objects.none()
    )
    return TemplateResponse(
        request,
        "network/offer.html",
        {
            "offer": offer,
            "is_open": is_open,
            "matches": matches,
            "form": form if is_open else None,
            "error": error,
            "can_manage": can_manage,
            "transfers": transfers,
        },
        status=status,
    )


@network_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Claim an offer: from a board card (HTMX swaps the card) or the offer's page."""
    offer = get_object_or_404(Offer.objects.select_related("site", "item"), pk=pk)
    form = ClaimForm(request.POST, user=request.user, offer=offer)
    transfer, error = None, ""
    if not form.fields["for_site"].queryset.exists():
        error = _("You lead no other site to claim this food for.")
    elif form.is_valid():
        data = form.cleaned_data
        try:
            transfer = services.claim_offer(
                offer_id=offer.pk,
                site=data["for_site"],
                by=request.user,
                quantity=data["base_quantity"],
                need=data["need"],
                token=data["token"],
            )
        except DomainError as e:
            show_error(form, e)
            error = e.message
    else:
        error = " ".join(m for errors in form.errors.values() for m in errors)
    if wants_partial(request):
        # Answered with the card itself, saying what happened (htmx swaps a 400 too).
        fresh = Offer.objects.for_cards().get(pk=offer.pk)
        origin = transfer.destination if transfer else None
        _decorate([fresh], origin, claim_sites(request.user))
        return render_fragment(
            request,
            "network/board.html",
            "offer-card",
            {"offer": fresh, "claimed": transfer, "error": error},
            status=400 if error else 200,
        )
    if transfer is not None:
        messages.success(
            request,
            _(
                "Claimed %(amount)s of %(item)s for %(destination)s. "
                "%(source)s is asked to accept it."
            )
            % {
                "amount": transfer.quantity_display,
                "item": transfer.item.name,
                "destination": transfer.destination.name,
                "source": transfer.source.name,
            },
        )
        return redirect(transfer)
    return _offer_page(request, offer, form=form, error=error, status=400)


@network_required
@require_POST
def withdraw_offer(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(Offer.objects.select_related("site", "item"), pk=pk)
    if not can_manage_site(request.user, offer.site):
        raise PermissionDenied(
            _("Only leads of %(site)s can withdraw this offer.") % {"site": offer.site.name}
        )
    try:
        services.withdraw_offer(offer_id=offer.pk, by=request.user)
    except DomainError as e:
        return _offer_page(request, offer, error=e.message, status=400)
    messages.success(
        request,
        _("The offer of %(item)s is withdrawn; the food is free again.")
        % {"item": offer.item.name},
    )
    return redirect("network:site_surplus", slug=offer.site.slug)


@lead_required
@require_http_methods(["GET", "POST"])
def offer_new(request: HttpRequest, site: Site) -> HttpResponse:
    initial = {}
    if (lot := int_param(request.GET, "lot")) is not None:
        initial["lot"] = lot
    form = OfferForm(request.POST or None, site=site, initial=initial)
    if request.method == "POST" and form.is_valid() and "base_quantity" in form.cleaned_data:
        data = form.cleaned_data
        try:
            offer = services.post_offer(
                site=site,
                by=request.user,
                lot=data["lot"],
                quantity=data["base_quantity"],
                pickup_from=data["pickup_from"],
                pickup_until=data["pickup_until"],
                cold_chain=data["cold_chain_value"],
                notes=data["notes"],
                share_with_partners=data.get("share_with_partners", False),
                token=data["token"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                ngettext(
                    "%(amount)s of %(item)s is on offer to the network. "
                    "Sites whose needs it fits are told by email.",
                    "%(amount)s of %(item)s are on offer to the network. "
                    "Sites whose needs it fits are told by email.",
                    agreeing(offer.remaining, offer.item),
                )
                % {"amount": offer.remaining_display, "item": offer.item.name},
            )
            return redirect(offer)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "network/offer_form.html", {"site": site, "form": form}, status=status
    )


# --- Needs -------------------------------------------------------------------------


@network_required
@require_GET
def need_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A need, what is on its way to it, what is left to find, and the offers that fit."""
    need = get_object_or_404(Need.objects.with_limits().select_related("posted_by"), pk=pk)
    is_open = need.status == Need.Status.OPEN and need.closes_at > timezone.now()
    # The site's other needs of the same food, so a transfer made for no need is
    # counted towards the same one whichever need's page shows it.
    alike = list(open_needs_alike(need).select_related("item")) if is_open else []
    attach_on_the_way([need, *alike], with_transfers=True)
    matches = []
    if is_open:
        offers = Offer.objects.open().exclude(site=need.site).select_related("site", "item")
        offers = (
            offers.filter(item=need.item)
            if need.item_id
            else offers.filter(item__category=need.category)
        )
        if (near := near_filter(need.site, need.limit_km)) is not None:
            offers = offers.filter(near)
        matches = offers_for_need(need, offers)
    can_claim = can_manage_site(request.user, need.site)
    for m in matches:
        m.offer.claim_value, m.offer.claim_unit = natural(quantity_for(m.offer, need), m.offer.item)
        m.offer.claim_token = uuid.uuid4()
    return TemplateResponse(
        request,
        "network/need.html",
        {
            "need": need,
            "is_open": is_open,
            "matches": matches,
            "can_claim": can_claim,
            "can_propose": is_coordinator(request.user),
            "close_form": CloseNeedForm() if can_claim and is_open else None,
            "on_the_way": need.transfers_on_the_way,
            # Transfers made for this need that are done with (received or cancelled).
            "earlier": need.transfers.exclude(status__in=Transfer.IN_FLIGHT)
            .select_related("source", "item")
            .order_by("-proposed_at"),
        },
    )


@network_required
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(Need.objects.select_related("site"), pk=pk)
    if not can_manage_site(request.user, need.site):
        raise PermissionDenied(
            _("Only leads of %(site)s can close this need.") % {"site": need.site.name}
        )
    form = CloseNeedForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Say whether the need is met or withdrawn."), status=400)
    try:
        services.close_need(need_id=need.pk, by=request.user, status=form.cleaned_data["status"])
    except DomainError as e:
        return HttpResponse(e.message, status=400)
    messages.success(request, _("The need for %(what)s is closed.") % {"what": need.what})
    return redirect("network:site_surplus", slug=need.site.slug)


@lead_required
@require_http_methods(["GET", "POST"])
def need_new(request: HttpRequest, site: Site) -> HttpResponse:
    form = NeedForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            need = services.post_need(
                site=site,
                by=request.user,
                item=data["item"],
                category=data["category"],
                quantity=data["quantity"],
                unit=data["unit"],
                needed_by=data["needed_by"],
                note=data["note"],
                within_km=data["within_km"],
                share_with_partners=data.get("share_with_partners", False),
                token=data["token"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _("%(site)s's need for %(what)s is on the board.")
                % {"site": site.name, "what": need.what},
            )
            return redirect(need)
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request, "network/need_form.html", {"site": site, "form": form}, status=status
    )


# --- A site's Surplus tab ------------------------------------------------------------


@lead_required
@require_GET
def site_surplus(request: HttpRequest, site: Site) -> HttpResponse:
    """What this site offers and needs, its transfers, and its food on the road."""
    involved = Q(transfer__source=site) | Q(transfer__destination=site)
    in_transit = (
        TransferLine.objects.filter(involved, transfer__status=Transfer.Status.DISPATCHED)
        .select_related("item", "transfer__source", "transfer__destination")
        .order_by("transfer__dispatched_at", "pk")
    )
    (stock,) = stock_table([site]).rows
    return TemplateResponse(
        request,
        "network/site_surplus.html",
        {
            "site": site,
            "stock": stock,
            "offers": Offer.objects.at(site)
            .select_related("item", "site")
            .order_by("-posted_at")[:30],
            "needs": Need.objects.at(site)
            .select_related("item", "site")
            .order_by("-posted_at")[:30],
            "transfers": Transfer.objects.involving([site.pk]).for_lists()[:30],
            "partner_transfers": PartnerTransfer.objects.filter(site=site)
            .select_related("partner")
            .order_by("-created_at")[:30],
            "in_transit": in_transit,
            "usable_lots": Lot.objects.at(site).usable(DateRules.for_site(site)).exists(),
        },
    )
