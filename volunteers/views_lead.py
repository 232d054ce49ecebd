"""Leads' pages for shifts: the week's staffing, a shift's roster, adding and
removing people, check-in, messages, copying a day and the site's rules.

Every view is `lead_required` (this site's leads and coordinators) and reaches
shifts through the site, so another site's shift is a 404 here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from commonpot.dates import long_day
from commonpot.errors import DomainError
from commonpot.forms import SUGGESTED, show_error, suggestions, typed
from commonpot.htmx import render_fragment, wants_partial
from commonpot.models import Site, User
from commonpot.pagecache import cached_page
from commonpot.params import day_or_404, int_param
from commonpot.permissions import can_manage_site, can_see_contact, lead_required
from commonpot.redirects import redirect_next
from commonpot.tables import cards_on_phones
from volunteers import planning, services
from volunteers.fill import who_could_fill
from volunteers.forms import (
    NAME_COLUMNS,
    AddVolunteerForm,
    CheckInForm,
    CopyDayForm,
    MessageForm,
    ReasonForm,
    ShiftForm,
    ShiftPolicyForm,
    WalkInForm,
    numbered,
    site_people,
    week_start,
)
from volunteers.links import meals_with_allergens
from volunteers.models import (
    AttendanceChange,
    Qualification,
    Shift,
    ShiftPolicy,
    ShiftRole,
    SignUp,
)
from volunteers.tables import DayTable, WeekTable


def _day(value: str) -> date:
    return day_or_404(value)


def _shift(site: Site, pk: int) -> Shift:
    return get_object_or_404(
        Shift.objects.select_related("site", "role").with_links(), pk=pk, site=site
    )


@lead_required
@require_GET
def week(request: HttpRequest, site: Site) -> HttpResponse:
    """The week's staffing: every shift, how many are coming, who is short."""
    monday = week_start(_day(request.GET["week"]) if request.GET.get("week") else site.today())
    table = cards_on_phones(WeekTable(_staffing(site, monday, 7)))
    RequestConfig(request, paginate=False).configure(table)
    days = [monday + timedelta(days=n) for n in range(7)]
    return TemplateResponse(
        request,
        "volunteers/week.html",
        {
            "site": site,
            "table": table,
            "monday": monday,
            "days": days,
            "previous": (monday - timedelta(days=7)).isoformat(),
            "next": (monday + timedelta(days=7)).isoformat(),
            "short": sum(1 for s in table.data if s.is_under_minimum),
        },
    )


LEAN_FIELDS = ("site_id", "role_id", "starts_at", "ends_at", "min_people", "max_people")
LEAN_FIELDS += ("places_taken", "is_published")
NAME_FIELDS = ("display_name", "first_name", "last_name", "username")


def _staffing(site: Site, first: date, days: int, *, with_people: bool = False) -> list[Shift]:
    """A site's shifts from `first` for `days` days, lean for a long table: only the
    columns shown and how many wait, the site and the roles loaded once rather than
    once a shift. `with_people` adds each one's active sign-ups as `listed`,
    those coming before those waiting."""
    start = planning.local_moment(site, first, time.min)
    end = planning.local_moment(site, first + timedelta(days=days), time.min)
    shifts = (
        Shift.objects.at(site)
        .between(start, end)
        .only(*LEAN_FIELDS)
        .annotate(waiting=Count("sign_ups", filter=Q(sign_ups__status=SignUp.Status.WAITLISTED)))
        .order_by("starts_at", "id")
    )
    shifts = list(shifts)
    roles = ShiftRole.objects.in_bulk({s.role_id for s in shifts})
    for shift in shifts:
        shift.site, shift.role = site, roles[shift.role_id]
    if with_people:
        _attach_listed(shifts)
    return shifts


@dataclass(frozen=True, slots=True)
class Listed:
    """Someone on a shift as a day's roster shows them: their name, coming or waiting."""

    name: str
    is_confirmed: bool


def _attach_listed(shifts: list[Shift]) -> None:
    """Each shift's active sign-ups as `listed`, those coming before those waiting,
    read as rows in one query: a day of 500 shifts has a thousand of them, and a
    sign-up and its volunteer made as model instances cost more than the page."""
    for shift in shifts:
        shift.listed = []
    by_pk = {shift.pk: shift for shift in shifts}
    rows = (
        SignUp.objects.active()
        .filter(shift__in=list(by_pk))
        .order_by("status", "pk")
        .values_list("shift_id", "status", *(f"volunteer__{f}" for f in NAME_FIELDS))
    )
    for shift_id, status, *names in rows:
        by_pk[shift_id].listed.append(
            Listed(User.name_of(*names), status == SignUp.Status.CONFIRMED)
        )


@lead_required
@require_GET
@cached_page
def day(request: HttpRequest, site: Site, day: str) -> HttpResponse:
    """Every shift of one day on one page, each with who is coming folded under it:
    a camp's or an event's day of hundreds of shifts, without paging."""
    shown = _day(day)
    table = cards_on_phones(DayTable(_staffing(site, shown, 1, with_people=True)))
    RequestConfig(request, paginate=False).configure(table)
    return TemplateResponse(
        request,
        "volunteers/day.html",
        {
            "site": site,
            "table": table,
            "day": shown,
            "monday": week_start(shown),
            "previous": (shown - timedelta(days=1)).isoformat(),
            "next": (shown + timedelta(days=1)).isoformat(),
            "short": sum(1 for s in table.data if s.is_under_minimum),
            "today": site.today(),
        },
    )


@lead_required
@require_http_methods(["GET", "POST"])
def shift_create(request: HttpRequest, site: Site) -> HttpResponse:
    initial = {}
    if request.GET.get("date"):
        initial["date"] = _day(request.GET["date"])
    # "Add a shift for this meal" on the kitchen's meal page starts here.
    for link in ("meal", "transfer", "run"):
        if (pk := int_param(request.GET, link)) is not None:
            initial[link] = pk
    form = ShiftForm(request.POST or None, site=site, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            shift = planning.create_shift(site=site, by=request.user, **form.shift_fields())
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("Shift added: %(shift)s.") % {"shift": shift})
            return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)
    return TemplateResponse(
        request,
        "volunteers/shift_form.html",
        {"site": site, "form": form, "shift": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@lead_required
@require_http_methods(["GET", "POST"])
def shift_edit(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    shift = _shift(site, pk)
    form = ShiftForm(request.POST or None, site=site, instance=shift)
    if request.method == "POST" and form.is_valid():
        try:
            shift = planning.update_shift(shift_id=shift.pk, by=request.user, **form.shift_fields())
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("The shift is saved."))
            return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)
    return TemplateResponse(
        request,
        "volunteers/shift_form.html",
        {"site": site, "form": form, "shift": shift},
        status=400 if form.is_bound and form.errors else 200,
    )


@lead_required
@require_POST
def shift_delete(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    shift = _shift(site, pk)
    try:
        planning.delete_shift(shift_id=shift.pk, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
        return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)
    messages.success(request, _("The shift is deleted."))
    return redirect(
        reverse("volunteers:site_shifts", args=[site.slug]) + f"?week={shift.local_date}"
    )


@lead_required
@require_POST
def shift_cancel(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """Call off a shift people are on: each is told by email or text, as they chose."""
    shift = _shift(site, pk)
    try:
        planning.cancel_shift(
            shift_id=shift.pk, by=request.user, reason=request.POST.get("reason", "")[:150]
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The shift is cancelled and everyone on it is told."))
    return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)


def _roster_context(request: HttpRequest, site: Site, shift: Shift) -> dict:
    sign_ups = list(
        shift.sign_ups.standing()
        .select_related("volunteer", "added_by", "checked_in_by", "volunteer__walk_in__site")
        .with_first_shift_flag()
        .with_waitlist_position()
        .prefetch_related(
            Prefetch(
                "volunteer__qualifications",
                queryset=Qualification.objects.select_related("kind"),
            ),
            Prefetch(
                "attendance_changes",
                queryset=AttendanceChange.objects.select_related("changed_by"),
            ),
        )
        .order_by("created_at", "id")
    )
    for s in sign_ups:
        s.show_contact = can_see_contact(
            request.user, s.volunteer, signed_up_site_ids={shift.site_id}
        )
        s.walk_in = getattr(s.volunteer, "walk_in", None)
        # A walk-in's own phone and email: this site's leads and coordinators only.
        s.show_walk_in_contact = s.walk_in is not None and can_manage_site(
            request.user, s.walk_in.site
        )
    today = site.today()
    has_ended = shift.ends_at <= timezone.now()
    return {
        "site": site,
        "shift": shift,
        "roster": [s for s in sign_ups if s.is_confirmed],
        "waitlist": [s for s in sign_ups if s.is_waitlisted],
        "pending": [s for s in sign_ups if s.is_pending],
        "add_form": AddVolunteerForm(site=site),
        # Who said they are free that weekday or like the role, for a shift with room.
        "could_fill": who_could_fill(shift)
        if not has_ended and shift.places_taken < shift.max_people
        else [],
        "walk_in_form": WalkInForm(),
        "waiting_check_in": sum(1 for s in sign_ups if s.is_confirmed and not s.attendance),
        "check_in_open": shift.attendance_open_on(today),
        "check_in_not_yet": shift.local_date > today,
        # A check-in code is taken on the shift's day only (volunteers.check_in_codes).
        "check_in_by_code": shift.local_date == today,
        "attendance_last_day": shift.attendance_last_day,
        "attendance_closed": today > shift.attendance_last_day,
        "has_ended": has_ended,
        "today": today,
        "meal_allergens": (
            meals_with_allergens([shift.meal_id])[shift.meal_id].allergen_labels
            if shift.meal_id
            else None
        ),
    }


@lead_required
@require_GET
@cached_page
def roster(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    shift = _shift(site, pk)
    return TemplateResponse(
        request, "volunteers/roster.html", _roster_context(request, site, shift)
    )


@lead_required
@require_GET
def people_suggested(request: HttpRequest, site: Site) -> HttpResponse:
    """Suggestions for a person box of a site with many people (the roster's "Add
    someone by hand", a rota's regulars): the first few of the site's active
    people whose name holds what is typed, each as "Name #number". Names only:
    no contact details. The box sends its value alone, under its own name."""
    text = typed(request)
    people = site_people(site.pk)
    if text:
        # Names only, never the username: it is often an email address, which a
        # lead sees only once the person signs up for one of the site's shifts.
        people = people.filter(
            Q(display_name__icontains=text)
            | Q(first_name__icontains=text)
            | Q(last_name__icontains=text)
        )
    rows = people.values_list("pk", *NAME_COLUMNS)[:SUGGESTED]
    return suggestions(request, [(numbered(pk, User.name_of(*names)), "") for pk, *names in rows])


@lead_required
@require_POST
def roster_add(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    shift = _shift(site, pk)
    form = AddVolunteerForm(request.POST, site=site)
    if form.is_valid():
        try:
            sign_up = services.add_to_shift(
                shift_id=shift.pk,
                volunteer=form.cleaned_data["volunteer"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                guests=form.cleaned_data["guests"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request, _("%(person)s is on the shift.") % {"person": sign_up.volunteer.name}
            )
            return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)
    context = _roster_context(request, site, shift)
    context["add_form"] = form
    return TemplateResponse(request, "volunteers/roster.html", context, status=400)


@lead_required
@require_POST
def walk_in_add(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """Record someone who came without signing up, by name (late paperwork too)."""
    shift = _shift(site, pk)
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            sign_up = services.record_walk_in(
                shift_id=shift.pk, by=request.user, **form.cleaned_data
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _("%(person)s is on the shift as a walk-in, checked in.")
                % {"person": sign_up.volunteer.name},
            )
            return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)
    context = _roster_context(request, site, shift)
    context["walk_in_form"] = form
    return TemplateResponse(request, "volunteers/roster.html", context, status=400)


def _pending_claim(site: Site, pk: int, sign_up_id: int) -> SignUp:
    return get_object_or_404(
        SignUp.objects.select_related("volunteer", "shift"),
        pk=sign_up_id,
        shift_id=pk,
        shift__site=site,
    )


@lead_required
@require_POST
def approve_claim(request: HttpRequest, site: Site, pk: int, sign_up_id: int) -> HttpResponse:
    """Let a claim that waited for approval go ahead (a place, or the waitlist if full)."""
    sign_up = _pending_claim(site, pk, sign_up_id)
    try:
        sign_up = services.approve_claim(sign_up_id=sign_up.pk, by=request.user)
    except DomainError as e:
        messages.error(
            request,
            _("%(person)s's claim was not approved: %(reason)s")
            % {"person": sign_up.volunteer.name, "reason": e.message},
        )
    else:
        values = {"person": sign_up.volunteer.name}
        messages.success(
            request,
            _("Approved: %(person)s is on the shift. They are told.") % values
            if sign_up.is_confirmed
            else _("Approved: %(person)s is on the waitlist (the shift is full). They are told.")
            % values,
        )
    return redirect_next(request, reverse("volunteers:roster", args=[site.slug, pk]))


@lead_required
@require_POST
def decline_claim(request: HttpRequest, site: Site, pk: int, sign_up_id: int) -> HttpResponse:
    sign_up = _pending_claim(site, pk, sign_up_id)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.decline_claim(sign_up_id=sign_up.pk, by=request.user, reason=reason)
    except DomainError as e:
        messages.error(
            request,
            _("%(person)s's claim was not declined: %(reason)s")
            % {"person": sign_up.volunteer.name, "reason": e.message},
        )
    else:
        messages.success(
            request, _("Declined: %(person)s is told.") % {"person": sign_up.volunteer.name}
        )
    return redirect_next(request, reverse("volunteers:roster", args=[site.slug, pk]))


@lead_required
@require_POST
def roster_remove(request: HttpRequest, site: Site, pk: int, sign_up_id: int) -> HttpResponse:
    shift = _shift(site, pk)
    sign_up = get_object_or_404(
        SignUp.objects.select_related("volunteer"), pk=sign_up_id, shift=shift
    )
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.remove_from_shift(sign_up_id=sign_up.pk, by=request.user, reason=reason)
    except DomainError as e:
        messages.error(
            request,
            _("%(person)s was not removed: %(reason)s")
            % {"person": sign_up.volunteer.name, "reason": e.message},
        )
    else:
        messages.success(
            request, _("%(person)s is off the shift.") % {"person": sign_up.volunteer.name}
        )
    return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)


@lead_required
@require_POST
def everyone_attended(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    shift = _shift(site, pk)
    try:
        marked = services.record_everyone_attended(shift_id=shift.pk, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            ngettext(
                "%(n)s person checked in as attended.",
                "%(n)s people checked in as attended.",
                len(marked),
            )
            % {"n": len(marked)},
        )
    return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)


@lead_required
@require_POST
def check_in(request: HttpRequest, site: Site, pk: int, sign_up_id: int) -> HttpResponse:
    shift = _shift(site, pk)
    sign_up = get_object_or_404(SignUp, pk=sign_up_id, shift=shift)
    form = CheckInForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
    else:
        try:
            services.record_attendance(
                sign_up_id=sign_up.pk,
                by=request.user,
                attendance=form.cleaned_data["attendance"],
                hours=form.cleaned_data["hours"],
                token=form.cleaned_data["token"],
            )
        except DomainError as e:
            error = e.message
    if wants_partial(request):
        context = _roster_context(request, site, shift)
        row = next((s for s in context["roster"] if s.pk == sign_up.pk), None)
        if row is None:
            raise Http404(_("Not on the roster."))
        context.update({"s": row, "error": error})
        return render_fragment(
            request, "volunteers/roster.html", "row", context, status=400 if error else 200
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Check-in saved."))
    return redirect("volunteers:roster", slug=site.slug, pk=shift.pk)


def _send_message(request, site, form, send, done_url, context) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            message = send(**form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            count = message.recipients.count()
            messages.success(
                request,
                ngettext(
                    "Your message to %(n)s person is on its way.",
                    "Your message to %(n)s people is on its way.",
                    count,
                )
                % {"n": count},
            )
            return redirect(done_url)
    return TemplateResponse(
        request,
        "volunteers/message.html",
        {"site": site, "form": form, **context},
        status=400 if form.is_bound and form.errors else 200,
    )


@lead_required
@require_http_methods(["GET", "POST"])
def message_shift(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    shift = _shift(site, pk)
    form = MessageForm(request.POST or None)
    people = shift.sign_ups.confirmed().count()
    return _send_message(
        request,
        site,
        form,
        lambda **data: services.message_shift(shift=shift, by=request.user, **data),
        reverse("volunteers:roster", args=[site.slug, shift.pk]),
        {
            "about": str(shift),
            "people": people,
            "back": reverse("volunteers:roster", args=[site.slug, shift.pk]),
        },
    )


@lead_required
@require_http_methods(["GET", "POST"])
def message_day(request: HttpRequest, site: Site, day: str) -> HttpResponse:
    the_day = _day(day)
    form = MessageForm(request.POST or None)
    people = (
        SignUp.objects.confirmed()
        .filter(shift__in=Shift.objects.on_local_day(site, the_day))
        .values("volunteer")
        .distinct()
        .count()
    )
    back = reverse("volunteers:site_shifts", args=[site.slug]) + f"?week={the_day}"
    return _send_message(
        request,
        site,
        form,
        lambda **data: services.message_day(site=site, day=the_day, by=request.user, **data),
        back,
        {
            # Translators: whom a lead's message goes to: "everyone on Tuesday 14 May".
            "about": _("everyone on %(day)s") % {"day": long_day(the_day)},
            "people": people,
            "back": back,
        },
    )


@lead_required
@require_http_methods(["GET", "POST"])
def copy_day(request: HttpRequest, site: Site, day: str) -> HttpResponse:
    the_day = _day(day)
    form = CopyDayForm(
        request.POST or None,
        initial={"from_day": the_day, "to_day": the_day + timedelta(days=7)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = planning.copy_day(site=site, by=request.user, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            to_day = form.cleaned_data["to_day"]
            made = len(result.created)
            text = ngettext(
                "%(n)s shift copied to %(day)s.", "%(n)s shifts copied to %(day)s.", made
            ) % {"n": made, "day": long_day(to_day)}
            if result.skipped:
                text += " " + ngettext(
                    "%(n)s were there already.", "%(n)s were there already.", result.skipped
                ) % {"n": result.skipped}
            if result.not_copied:
                text += " " + _("Not copied: %(shifts)s") % {"shifts": " ".join(result.not_copied)}
            level = messages.WARNING if result.not_copied else messages.SUCCESS
            messages.add_message(request, level, text)
            return redirect(reverse("volunteers:site_shifts", args=[site.slug]) + f"?week={to_day}")
    return TemplateResponse(
        request,
        "volunteers/copy_day.html",
        {"site": site, "form": form, "day": the_day},
        status=400 if form.is_bound and form.errors else 200,
    )


@lead_required
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, site: Site) -> HttpResponse:
    form = ShiftPolicyForm(request.POST or None, instance=ShiftPolicy.for_site(site))
    if request.method == "POST" and form.is_valid():
        try:
            planning.update_shift_policy(site=site, by=request.user, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("The sign-up rules are saved."))
            return redirect("volunteers:site_shifts", slug=site.slug)
    return TemplateResponse(
        request,
        "volunteers/policy.html",
        {"site": site, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )
