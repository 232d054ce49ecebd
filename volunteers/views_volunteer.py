"""Pages for volunteers: My shifts, cancelling, stand-ins, qualifications, calendars."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import show_error
from commonpot.i18n import in_language_of, in_site_language
from commonpot.models import Site
from commonpot.pagecache import cached_page
from volunteers import calendar, fair_rules, people, services
from volunteers.forms import AvailabilityForm, DateOfBirthForm, QualificationForm
from volunteers.models import Qualification, SignUp, VolunteerProfile

PAST_SHOWN = 30
UPCOMING_PAGE = 20


@login_required
@require_GET
@cached_page
def my_shifts(request: HttpRequest) -> HttpResponse:
    user = request.user
    mine = SignUp.objects.of(user).select_related(
        "shift__site", "shift__site__shift_policy", "shift__role"
    )
    upcoming = (
        mine.standing()
        .upcoming()
        .with_waitlist_position()
        .select_related(
            "shift__meal",
            "shift__transfer__source",
            "shift__transfer__destination",
            "shift__transfer__item",
        )
        .prefetch_related("shift__meal__recipes")
        .order_by("shift__starts_at")
    )
    # Paged: someone signed up to a season of shifts still gets a short page.
    page = Paginator(upcoming, UPCOMING_PAGE).get_page(request.GET.get("page"))
    past = mine.confirmed().past().order_by("-shift__starts_at")[:PAST_SHOWN]
    profile = people.volunteer_profile(user)
    feed_url = settings.SITE_URL + reverse("volunteers:feed", args=[profile.calendar_token])
    return TemplateResponse(
        request,
        "volunteers/my_shifts.html",
        {
            "upcoming": page.object_list,
            "page": page,
            "past": past,
            "record": SignUp.objects.of(user).record(),
            "fair_rules": fair_rules.rules_for(user),
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[-1],
        },
    )


def _own_sign_up(request: HttpRequest, sign_up_id: int) -> SignUp:
    return get_object_or_404(
        SignUp.objects.select_related("shift__site", "shift__role"),
        pk=sign_up_id,
        volunteer=request.user,
    )


def _act(
    request: HttpRequest,
    sign_up_id: int,
    action,
    done: str,
    question: Callable[[SignUp], str] | None = None,
) -> HttpResponse:
    """Do what a My shifts button says (`done` says it is done, naming the shift as
    %(shift)s). A button that gives something up sends
    `confirm=ask` first: without JavaScript that shows a page asking "are you
    sure?" (nothing is written); with it, the page counts down with an Undo and
    sends `confirm=yes` (static/js/undo.js)."""
    sign_up = _own_sign_up(request, sign_up_id)
    if question and request.POST.get("confirm") == "ask":
        return TemplateResponse(
            request,
            "volunteers/confirm.html",
            {"question": question(sign_up), "sign_up": sign_up},
        )
    try:
        action(sign_up_id=sign_up.pk, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, done % {"shift": sign_up.shift})
    return redirect("volunteers:my_shifts")


@login_required
@require_POST
def cancel(request: HttpRequest, sign_up_id: int) -> HttpResponse:
    return _act(
        request,
        sign_up_id,
        services.cancel_sign_up,
        _("You are no longer down for %(shift)s. Thank you for letting us know."),
        _cancel_question,
    )


def _cancel_question(sign_up: SignUp) -> str:
    values = {"shift": sign_up.shift}
    if sign_up.is_waitlisted:
        return _("Leave the waitlist for %(shift)s?") % values
    if sign_up.is_pending:
        return _("Withdraw your claim for %(shift)s?") % values
    return (
        _("Give up your place on %(shift)s? Someone on the waitlist may take it at once.") % values
    )


@login_required
@require_POST
def request_stand_in(request: HttpRequest, sign_up_id: int) -> HttpResponse:
    return _act(
        request,
        sign_up_id,
        services.request_stand_in,
        _(
            "Your place on %(shift)s is offered on the board. You stay down for it until "
            "someone takes it over; we'll email you when they do."
        ),
        _stand_in_question,
    )


def _stand_in_question(sign_up: SignUp) -> str:
    return _("Offer your place on %(shift)s to a stand-in? Anyone may take it over at once.") % {
        "shift": sign_up.shift
    }


@login_required
@require_POST
def withdraw_stand_in(request: HttpRequest, sign_up_id: int) -> HttpResponse:
    return _act(
        request,
        sign_up_id,
        services.withdraw_stand_in_request,
        _("You are keeping your place on %(shift)s."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def qualifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = VolunteerProfile.objects.filter(user=user).first()
    form = QualificationForm(request.POST if "kind" in request.POST else None)
    birth_form = DateOfBirthForm(
        request.POST if "date_of_birth" in request.POST else None,
        initial={
            "date_of_birth": profile.date_of_birth if profile else None,
            "guardian_name": profile.guardian_name if profile else "",
            "guardian_phone": profile.guardian_phone if profile else "",
            "emergency_name": profile.emergency_name if profile else "",
            "emergency_phone": profile.emergency_phone if profile else "",
        },
    )
    availability_form = AvailabilityForm(
        request.POST if request.POST.get("form") == "availability" else None,
        user=user,
        initial={
            "weekdays": profile.weekdays if profile else [],
            "roles": list(profile.preferred_roles.all()) if profile else [],
        },
    )
    if request.method == "POST":
        if form.is_bound and form.is_valid():
            try:
                q = people.record_qualification(volunteer=user, **form.cleaned_data)
            except DomainError as e:
                show_error(form, e)
            else:
                messages.success(
                    request,
                    _("Your %(qualification)s is recorded. A lead will verify it when they see it.")
                    % {"qualification": q.kind},
                )
                return redirect("volunteers:qualifications")
        elif birth_form.is_bound and birth_form.is_valid():
            try:
                people.set_date_of_birth(user=user, **birth_form.cleaned_data)
            except DomainError as e:
                birth_form.add_error(e.field or "date_of_birth", e.message)
            else:
                messages.success(request, _("Your details are saved."))
                return redirect("volunteers:qualifications")
        elif availability_form.is_bound and availability_form.is_valid():
            data = availability_form.cleaned_data
            try:
                people.set_availability(
                    user=user, weekdays=data["weekdays"], roles=list(data["roles"])
                )
            except DomainError as e:
                show_error(availability_form, e)
            else:
                messages.success(request, _("When you can help is saved."))
                return redirect("volunteers:qualifications")
    held = Qualification.objects.filter(volunteer=user).select_related("kind", "verified_by")
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "volunteers/qualifications.html",
        {
            "held": held,
            "form": form,
            "birth_form": birth_form,
            "availability_form": availability_form,
        },
        status=status,
    )


@login_required
@require_POST
def qualification_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        people.remove_qualification(qualification_id=pk, by=request.user)
    except DomainError as e:
        raise Http404(e.message) from None
    messages.success(request, _("The qualification is removed."))
    return redirect("volunteers:qualifications")


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    people.reset_calendar_link(request.user)
    messages.success(
        request,
        _(
            "Your calendar has a new secret address. The old one no longer works: subscribe "
            "again with the new one."
        ),
    )
    return redirect("volunteers:my_shifts")


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@never_cache
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A volunteer's own shifts. The secret address is the only key: calendar apps
    cannot log in."""
    profile = (
        VolunteerProfile.objects.select_related("user")
        .filter(calendar_token=token, user__is_active=True)
        .first()
    )
    if profile is None:
        raise Http404(_("No such calendar."))
    user = profile.user
    # The calendar app asks without the person's cookie or browser: their profile's language.
    with in_language_of(user):
        body = calendar.volunteer_feed(user, calendar.volunteer_feed_sign_ups(user))
    return _ics(body, "my-shifts.ics")


@require_GET
def site_feed(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site.objects.public(), slug=slug)
    with in_site_language(site):
        body = calendar.site_feed(site)
    return _ics(body, f"{site.slug}-shifts.ics")
