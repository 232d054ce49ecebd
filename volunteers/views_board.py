"""The open shifts board, a shift's public page, claiming and taking over a place."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import site_suggestions
from commonpot.htmx import render_fragment, render_page, wants_partial
from commonpot.models import User
from commonpot.pagecache import cached_page
from commonpot.paging import EitherEndPaginator
from commonpot.permissions import can_manage_site
from commonpot.redirects import redirect_next
from volunteers import claim_links, services
from volunteers.eligibility import with_requirements
from volunteers.filters import BoardFilter, board_params, board_sites, sites_with_shifts
from volunteers.forms import ClaimForm
from volunteers.models import MAX_GUESTS, Shift, SignUp

PAGE_SIZE = 30


@require_GET
def board_sites_suggested(request: HttpRequest) -> HttpResponse:
    """Suggestions for the board's site box in a large network: the sites of this
    person's board with shifts coming whose name holds what is typed."""
    return site_suggestions(request, sites_with_shifts(request.user))


def _card_shift(request: HttpRequest, pk: int) -> Shift:
    shift = Shift.objects.filter(pk=pk).for_cards(request.user).get()
    return with_requirements([shift], request.user)[0]


@require_GET
@cached_page
def board(request: HttpRequest) -> HttpResponse:
    """Published shifts that have not started, at sites this person may see."""
    params = board_params(request.GET)
    shifts = (
        Shift.objects.published()
        .upcoming()
        .filter(site__in=board_sites(request.user))
        .order_by("starts_at", "id")
    )
    filters = BoardFilter(params, queryset=shifts, request=request)
    # A filter refused (a day out of range, fifty years at once) is said on the
    # form, with no shifts, rather than dropped and every shift shown.
    valid = filters.is_valid()
    found = filters.qs.for_cards(request.user) if valid else Shift.objects.none()
    page = EitherEndPaginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = params.copy()
    query.pop("page", None)
    context = {
        "filter": filters,
        "page": page,
        "shifts": with_requirements(list(page.object_list), request.user),
        "query": query.urlencode(),
        "claim_form": ClaimForm(),
    }
    return render_page(
        request, "volunteers/board.html", context, partial="results", status=200 if valid else 400
    )


def _visible_shift(request: HttpRequest, pk: int) -> Shift:
    shift = get_object_or_404(Shift.objects.select_related("site", "role"), pk=pk)
    visible = board_sites(request.user).filter(pk=shift.site_id).exists()
    if not visible and not can_manage_site(request.user, shift.site):
        raise Http404(_("No such shift."))
    return shift


@require_GET
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _visible_shift(request, pk)
    if not shift.is_published and not can_manage_site(request.user, shift.site):
        raise Http404(_("No such shift."))
    return TemplateResponse(
        request,
        "volunteers/shift.html",
        {
            "shift": _card_shift(request, pk),
            "claim_form": ClaimForm(),
            "can_manage": can_manage_site(request.user, shift.site),
        },
    )


def _respond(
    request: HttpRequest, shift: Shift, *, error: str = "", form: ClaimForm | None = None
) -> HttpResponse:
    """The card again for HTMX (swapped in place); for a plain form post, back to
    where the person was, or the shift's page with the reason and status 400."""
    if wants_partial(request):
        return render_fragment(
            request,
            "volunteers/board.html",
            "card",
            {
                "shift": _card_shift(request, shift.pk),
                "error": error,
                "claim_form": form or ClaimForm(),
                # As the list around it shows it: with its zone when the list
                # spans zones (the card's form says so).
                "show_zone": request.POST.get("show_zone") == "1",
            },
            status=400 if error else 200,
        )
    if not error:
        return redirect_next(request, reverse("volunteers:my_shifts"))
    show = shift.is_published or can_manage_site(request.user, shift.site)
    return TemplateResponse(
        request,
        "volunteers/shift.html",
        {
            "shift": _card_shift(request, shift.pk) if show else None,
            "error": error,
            "claim_form": form or ClaimForm(),
        },
        status=400,
    )


@login_required
@require_POST
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    shift = _visible_shift(request, pk)
    form = ClaimForm(request.POST)
    if not form.is_valid():
        return _respond(
            request,
            shift,
            error=_("Choose who is coming: just you, or you and up to %(n)s guests.")
            % {"n": MAX_GUESTS},
            form=form,
        )
    try:
        sign_up = services.claim_shift(
            shift_id=shift.pk, volunteer=request.user, guests=form.cleaned_data["guests"]
        )
    except DomainError as e:
        return _respond(request, shift, error=e.message, form=form)
    if not wants_partial(request):
        if sign_up.status == SignUp.Status.CONFIRMED:
            messages.success(request, _("You're in: %(shift)s.") % {"shift": shift})
        elif sign_up.is_pending:
            messages.warning(
                request,
                # Translators: %(reason)s says why the person's claims wait for a lead.
                _(
                    "%(reason)s Your claim for %(shift)s waits for that and holds no place "
                    "until then; you are told by email either way."
                )
                % {"reason": sign_up.approval_reason, "shift": shift},
            )
        else:
            position = SignUp.objects.filter(pk=sign_up.pk).with_waitlist_position().get()
            messages.success(
                request,
                _(
                    "The shift is full: you're number %(position)s on the waitlist. "
                    "We'll email you if a place comes free."
                )
                % {"position": position.waitlist_position},
            )
    return _respond(request, shift)


@require_http_methods(["GET", "POST"])
def claim_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """A one-tap claim link from a "short of people" message (volunteers.claim_links):
    the shift and one button; the POST claims the place for the person it was sent to."""
    found = claim_links.read_token(token)
    if found is None:
        raise Http404(_("This link is not valid or has expired."))
    shift_id, user_id = found
    shift = get_object_or_404(Shift.objects.select_related("site", "role"), pk=shift_id)
    person = get_object_or_404(User.objects.filter(is_active=True), pk=user_id)
    error, sign_up = "", None
    if request.method == "POST":
        try:
            sign_up = services.claim_shift(shift_id=shift.pk, volunteer=person)
        except DomainError as e:
            error = e.message
    return TemplateResponse(
        request,
        "volunteers/claim_link.html",
        {"shift": shift, "person": person, "sign_up": sign_up, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_POST
def take_over(request: HttpRequest, sign_up_id: int) -> HttpResponse:
    offer = get_object_or_404(SignUp.objects.select_related("shift"), pk=sign_up_id)
    shift = _visible_shift(request, offer.shift_id)
    try:
        services.take_over_sign_up(sign_up_id=offer.pk, volunteer=request.user)
    except DomainError as e:
        return _respond(request, shift, error=e.message)
    if not wants_partial(request):
        messages.success(request, _("Thank you! The place is yours: %(shift)s.") % {"shift": shift})
    return _respond(request, shift)
