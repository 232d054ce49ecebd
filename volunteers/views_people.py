"""Leads' pages about people: the site's volunteers, one volunteer's record, verifying
qualifications. Contact details follow `commonpot.permissions.can_see_contact`."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from commonpot.errors import DomainError
from commonpot.forms import show_error
from commonpot.models import Site, User
from commonpot.permissions import can_manage_site, can_see_contact, lead_required
from commonpot.tables import paginate
from volunteers import people, walk_ins
from volunteers.forms import InviteWalkInForm, LeadNoteForm
from volunteers.models import LeadNote, Qualification, SignUp, VolunteerProfile, WalkIn
from volunteers.tables import VolunteerTable


def _count(site: Site, **filters):
    return Coalesce(
        Subquery(
            SignUp.objects.confirmed()
            .filter(volunteer=OuterRef("pk"), shift__site=site, **filters)
            .order_by()
            .values("volunteer")
            .annotate(n=Count("id"))
            .values("n")
        ),
        0,
    )


def namesakes(site: Site) -> frozenset[str]:
    """The names (lower case) that two or more of the site's people share, so that
    the lead's lists can tell them apart. One query over the names alone."""
    ids = SignUp.objects.filter(shift__site=site).values("volunteer")
    people = (
        User.objects.filter(Q(memberships__site=site) | Q(pk__in=ids), is_active=True)
        .distinct()
        .only("display_name", "first_name", "last_name", "username")
    )
    names = Counter(person.name.lower() for person in people)
    return frozenset(name for name, times in names.items() if times > 1)


def site_people(site: Site):
    """Members of the site and anyone who has signed up there, with their record here."""
    hours = Subquery(
        SignUp.objects.confirmed()
        .filter(volunteer=OuterRef("pk"), shift__site=site)
        .order_by()
        .values("volunteer")
        .annotate(h=Sum("hours_credited"))
        .values("h"),
        output_field=DecimalField(max_digits=8, decimal_places=2),
    )
    to_verify = Coalesce(
        Subquery(
            Qualification.objects.filter(volunteer=OuterRef("pk"), verified_at__isnull=True)
            .order_by()
            .values("volunteer")
            .annotate(n=Count("id"))
            .values("n")
        ),
        0,
    )
    ids = SignUp.objects.filter(shift__site=site).values("volunteer")
    return (
        User.objects.filter(Q(memberships__site=site) | Q(pk__in=ids), is_active=True)
        .distinct()
        .annotate(
            attended=_count(site, attendance=SignUp.Attendance.ATTENDED),
            missed=_count(site, attendance=SignUp.Attendance.MISSED),
            hours=Coalesce(
                hours, Value(0), output_field=DecimalField(max_digits=8, decimal_places=2)
            ),
            to_verify=to_verify,
        )
        .order_by("display_name", "username")
    )


@lead_required
@require_GET
def volunteers(request: HttpRequest, site: Site) -> HttpResponse:
    table = VolunteerTable(site_people(site), site=site, namesakes=namesakes(site))
    paginate(request, table, 50)
    return TemplateResponse(request, "volunteers/people.html", {"site": site, "table": table})


def _person(site: Site, user_id: int) -> User:
    person = get_object_or_404(User, pk=user_id)
    if not people.belongs_to_site(person, site):
        raise Http404(_("This person does not volunteer here."))
    return person


def _walk_in(person: User) -> WalkIn | None:
    return (
        WalkIn.objects.select_related("site", "recorded_by", "invitation", "account")
        .filter(person=person)
        .first()
    )


def _record_page(
    request: HttpRequest,
    site: Site,
    person: User,
    invite_form: InviteWalkInForm | None = None,
    note_form: LeadNoteForm | None = None,
) -> TemplateResponse:
    here = SignUp.objects.of(person).filter(shift__site=site)
    signed_up_at = set(
        SignUp.objects.of(person).values_list("shift__site_id", flat=True).distinct()
    )
    walk_in = _walk_in(person)
    note = _note(site, person)
    if walk_in is not None and invite_form is None:
        invite_form = InviteWalkInForm(
            initial={"email": walk_in.email, "agreed": walk_in.may_contact}
        )
    return TemplateResponse(
        request,
        "volunteers/record.html",
        {
            "walk_in": walk_in,
            # The phone and email a walk-in gave: the site's leads and coordinators only.
            "show_walk_in_contact": walk_in is not None
            and can_manage_site(request.user, walk_in.site),
            "invite_form": invite_form,
            "site": site,
            "person": person,
            "record": here.record(),
            "network_record": SignUp.objects.of(person).record(),
            "sign_ups": here.exclude(status=SignUp.Status.CANCELLED)
            .select_related("shift__site", "shift__role")
            .order_by("-shift__starts_at")[:50],
            "qualifications": Qualification.objects.filter(volunteer=person).select_related(
                "kind", "verified_by"
            ),
            "show_contact": can_see_contact(request.user, person, signed_up_site_ids=signed_up_at),
            # Whom to call in an emergency, and a minor's guardian: for this site's
            # leads (the page is theirs only) once the person belongs here or signed up.
            "profile": VolunteerProfile.objects.filter(user=person).first(),
            "note_form": note_form or LeadNoteForm(initial={"text": note.text if note else ""}),
            "note": note,
        },
        status=400 if any(f is not None and f.errors for f in (invite_form, note_form)) else 200,
    )


def _note(site: Site, person: User) -> LeadNote | None:
    return LeadNote.objects.filter(site=site, volunteer=person).select_related("updated_by").first()


@lead_required
@require_POST
def record_note(request: HttpRequest, site: Site, user_id: int) -> HttpResponse:
    person = _person(site, user_id)
    form = LeadNoteForm(request.POST)
    if form.is_valid():
        try:
            people.save_lead_note(
                site=site, volunteer=person, text=form.cleaned_data["text"], by=request.user
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request, _("The note on %(person)s is saved.") % {"person": person.name}
            )
            return redirect("volunteers:record", slug=site.slug, user_id=person.pk)
    return _record_page(request, site, person, note_form=form)


@lead_required
@require_GET
def record(request: HttpRequest, site: Site, user_id: int) -> HttpResponse:
    return _record_page(request, site, _person(site, user_id))


@lead_required
@require_POST
def walk_in_invite(request: HttpRequest, site: Site, user_id: int) -> HttpResponse:
    """Invite a walk-in to an account of their own, which takes over their hours."""
    person = _person(site, user_id)
    walk_in = get_object_or_404(WalkIn, person=person, site=site)
    form = InviteWalkInForm(request.POST)
    if form.is_valid():
        try:
            walk_ins.invite_walk_in(walk_in_id=walk_in.pk, by=request.user, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _(
                    "Invitation sent to %(email)s. When %(name)s accepts, the hours recorded "
                    "here become theirs."
                )
                % {"email": form.cleaned_data["email"], "name": walk_in.name},
            )
            return redirect("volunteers:record", slug=site.slug, user_id=person.pk)
    return _record_page(request, site, person, invite_form=form)


@lead_required
@require_POST
def verify(request: HttpRequest, site: Site, user_id: int, qualification_id: int) -> HttpResponse:
    person = _person(site, user_id)
    q = get_object_or_404(Qualification, pk=qualification_id, volunteer=person)
    try:
        people.verify_qualification(qualification_id=q.pk, by=request.user, site=site)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("%(person)s's %(qualification)s is verified.")
            % {"person": person.name, "qualification": q.kind},
        )
    return redirect("volunteers:record", slug=site.slug, user_id=person.pk)
