from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot import i18n, invitations, measures, push, services
from commonpot.errors import DomainError
from commonpot.forms import (
    AcceptInvitationForm,
    DeleteAccountForm,
    InvitationForm,
    MemberRoleForm,
    ProfileForm,
    SignUpForm,
    SiteForm,
    SiteSettingsForm,
    form_status,
    show_error,
)
from commonpot.mail import outbox_texts_summary
from commonpot.models import Invitation, Membership, Message, Site, User, WorkerHeartbeat
from commonpot.pagecache import cached_page
from commonpot.permissions import (
    can_view_site,
    coordinator_required,
    is_coordinator,
    lead_required,
    lead_site_ids,
)
from commonpot.registry import SettingsSection, registry
from commonpot.tables import OutboxTable, cards_on_phones, paginate

WORKER_FRESH_FOR = timedelta(minutes=2)
SITES_PER_PAGE = 30


def _panels(request: HttpRequest, role: str, site: Site | None = None) -> list[str]:
    """Render the panels apps registered for this role (see commonpot.registry)."""
    html = []
    # A site's panels write quantities in its measures; the others in the viewer's.
    with measures.override_for_site(site):
        for _order, panel in registry.panels.get(role, []):
            result = panel(request, site)
            if result is not None:
                template, context = result
                html.append(mark_safe(render_to_string(template, context, request=request)))  # noqa: S308
    return html


@require_GET
@cached_page
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.is_authenticated:
        sites = Site.objects.public().order_by("name")[:6]
        return TemplateResponse(request, "commonpot/home_public.html", {"sites": sites})
    if is_coordinator(user):
        sites = Site.objects.annotate(
            lead_count=Count("memberships", filter=Q(memberships__role=Membership.Role.LEAD)),
            volunteer_count=Count(
                "memberships", filter=Q(memberships__role=Membership.Role.VOLUNTEER)
            ),
        ).order_by("name")
        return TemplateResponse(
            request,
            "commonpot/home_coordinator.html",
            {"sites": sites, "panels": _panels(request, "coordinator")},
        )
    led = list(Site.objects.filter(pk__in=lead_site_ids(user)).order_by("name"))
    if led:
        return TemplateResponse(
            request,
            "commonpot/home_lead.html",
            {"sites": [(site, _panels(request, "lead", site)) for site in led]},
        )
    memberships = Membership.objects.filter(user=user).select_related("site")
    return TemplateResponse(
        request,
        "commonpot/home_volunteer.html",
        {"memberships": memberships, "panels": _panels(request, "volunteer")},
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: is the database up, is the worker alive?"""
    body: dict[str, object] = {"database": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception as e:  # noqa: BLE001 — any database failure is an outage here
        return JsonResponse({"database": "error", "error": type(e).__name__}, status=503)
    if beat is None:
        body.update(worker="stale", worker_last_seen=None)
    else:
        fresh = timezone.now() - beat.last_seen <= WORKER_FRESH_FOR
        body.update(worker="ok" if fresh else "stale", worker_last_seen=beat.last_seen)
    return JsonResponse(body)


# --- Public ---------------------------------------------------------------


@require_GET
@cached_page
def site_directory(request: HttpRequest) -> HttpResponse:
    # A coordinator sees every active site, camps and unlisted ones too (the
    # dashboard's list of sites is this page).
    everyone = Site.objects.active() if is_coordinator(request.user) else Site.objects.public()
    sites = everyone.order_by("name", "pk")
    kind = request.GET.get("kind", "")
    if kind in Site.Kind.values:
        sites = sites.filter(kind=kind)
    # Paged: a network of hundreds of sites still opens quickly on a phone.
    page = Paginator(sites, SITES_PER_PAGE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "commonpot/site_directory.html",
        {
            "sites": page.object_list,
            "page": page,
            "kinds": Site.Kind.choices,
            "kind": kind,
            "query": urlencode({"kind": kind}) if kind else "",
        },
    )


@require_GET
def site_detail(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=slug)
    if not can_view_site(request.user, site):
        raise Http404(_("No such site."))
    measures.activate_for_site(site)
    if not i18n.visitor_chose(request):
        translation.activate(i18n.site_language(site))
    membership = None
    if request.user.is_authenticated:
        membership = Membership.objects.filter(user=request.user, site=site).first()
    return TemplateResponse(
        request,
        "commonpot/site_detail.html",
        {"site": site, "membership": membership, "panels": _panels(request, "public", site)},
    )


# --- Accounts -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def _joining(request: HttpRequest) -> Site | None:
    """The site a person signs up from (`?site=` on its page's link), if any: a public,
    active site, or 404 rather than an account that silently joins nothing."""
    slug = request.POST.get("site") or request.GET.get("site")
    if not slug:
        return None
    try:
        return Site.objects.get(slug=slug, is_public=True, is_active=True)
    except Site.DoesNotExist:
        raise Http404(_("No such site to join.")) from None


def signup(request: HttpRequest) -> HttpResponse:
    joining = _joining(request)
    if request.user.is_authenticated:
        return redirect(joining or "home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.sign_up_volunteer(
                name=data["name"],
                email=data["email"],
                password=data["password1"],
                phone=data["phone"],
                site=joining,
                language=translation.get_language(),
            )
        except DomainError as e:
            show_error(form, e)
        else:
            login(request, user, backend="commonpot.auth.UsernameOrEmailBackend")
            if joining:
                welcome = _(
                    "Welcome, %(name)s! You volunteer at %(site)s now. Here is where your "
                    "shifts will be."
                ) % {"name": user.name, "site": joining.name}
            else:
                welcome = _("Welcome, %(name)s! Here is where your shifts will be.") % {
                    "name": user.name
                }
            messages.success(request, welcome)
            return redirect("home")
    return TemplateResponse(
        request,
        "registration/signup.html",
        {"form": form, "joining": joining},
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(
                request.user, **{f: form.cleaned_data[f] for f in ProfileForm.Meta.fields}
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("profile")
    memberships = Membership.objects.filter(user=request.user).select_related("site")
    return TemplateResponse(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "memberships": memberships,
            "push_subscriptions": request.user.push_subscriptions.all(),
            "push_key": push.public_key(),
        },
        status=form_status(form),
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.erase_account(request.user)
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            logout(request)
            messages.success(
                request, _("Your account and personal details are deleted. Thank you for helping.")
            )
            return redirect("home")
    return TemplateResponse(
        request, "accounts/delete.html", {"form": form}, status=form_status(form)
    )


def _invitation_refused(
    request: HttpRequest, refused: invitations.InvitationRefused
) -> TemplateResponse:
    return TemplateResponse(
        request,
        "accounts/invitation_refused.html",
        {"message": refused.message},
        status=refused.status,
    )


def _welcome(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    site = invitation.site
    if invitation.role == Membership.Role.LEAD:
        messages.success(request, _("Welcome! You now lead %(site)s.") % {"site": site.name})
        return redirect("site_manage", slug=site.slug)
    messages.success(request, _("Welcome! You now volunteer at %(site)s.") % {"site": site.name})
    return redirect("home")


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation's link lands. A new person gets a short account form (the
    email is the invited one); someone with an account logs in and joins."""
    try:
        found = invitations.find_invitation(token)
    except invitations.InvitationRefused as refused:
        return _invitation_refused(request, refused)
    user = request.user
    context = {"invitation": found, "site": found.site}
    if user.is_authenticated:
        if (user.email or "").lower() != found.email:
            return _invitation_refused(
                request,
                invitations.InvitationRefused(
                    _(
                        "This invitation was sent to another email address than the one on "
                        "your account (%(name)s). Log out, then open the link again."
                    )
                    % {"name": user.name},
                    status=403,
                ),
            )
        if request.method == "POST":
            try:
                accepted, _user = invitations.accept_invitation(token=token, user=user)
            except invitations.InvitationRefused as refused:
                return _invitation_refused(request, refused)
            return _welcome(request, accepted)
        return TemplateResponse(request, "accounts/invitation.html", {**context, "join": True})
    if invitations.account_for(found) is not None:
        # They accept by logging in; the login page brings them back here.
        return TemplateResponse(
            request,
            "accounts/invitation.html",
            {**context, "log_in": True},
            status=409 if request.method == "POST" else 200,
        )
    form = AcceptInvitationForm(
        request.POST or None, email=found.email, initial={"name": found.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            accepted, user = invitations.accept_invitation(
                token=token, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
        except invitations.InvitationRefused as refused:
            return _invitation_refused(request, refused)
        except DomainError as e:
            show_error(form, e)
        else:
            login(request, user, backend="commonpot.auth.UsernameOrEmailBackend")
            return _welcome(request, accepted)
    return TemplateResponse(
        request, "accounts/invitation.html", {**context, "form": form}, status=form_status(form)
    )


@login_required
@require_POST
def join_site(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site.objects.public(), slug=slug)
    services.join_site(request.user, site)
    messages.success(request, _("You now volunteer at %(site)s.") % {"site": site.name})
    return redirect(site)


@login_required
@require_POST
def leave_site(request: HttpRequest, slug: str) -> HttpResponse:
    site = get_object_or_404(Site, slug=slug)
    try:
        services.leave_site(request.user, site)
    except DomainError as e:
        return TemplateResponse(
            request, "commonpot/leave_refused.html", {"site": site, "reason": e.message}, status=409
        )
    messages.success(request, _("You no longer belong to %(site)s.") % {"site": site.name})
    return redirect("profile")


# --- Managing sites -------------------------------------------------------


def _settings_sections(data, site: Site | None) -> list[tuple[SettingsSection, BaseForm]]:
    """Each app's section of the site's Settings page, with its form."""
    return [(s, s.form_class(data, site=site)) for s in registry.settings_sections]


def _all_valid(form: BaseForm, sections: list[tuple[SettingsSection, BaseForm]]) -> bool:
    # Every form is validated (no short-circuit), so each shows its own errors.
    return all([form.is_valid(), *(f.is_valid() for _section, f in sections)])


def _site_form_page(
    request: HttpRequest, form: BaseForm, sections: list, site: Site | None, *, status: int = 200
) -> TemplateResponse:
    return TemplateResponse(
        request,
        "commonpot/site_form.html",
        {"form": form, "sections": sections, "site": site},
        status=status,
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    form = SiteForm(request.POST or None)
    sections = _settings_sections(request.POST or None, None)
    if request.method == "POST" and _all_valid(form, sections):
        try:
            site = services.create_site(
                by=request.user,
                sections=[(s, f.cleaned_data) for s, f in sections],
                **form.cleaned_data,
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(
                request, _("%(site)s is now part of the network.") % {"site": site.name}
            )
            return redirect("site_manage", slug=site.slug)
    return _site_form_page(
        request, form, sections, None, status=form_status(form, *(f for _s, f in sections))
    )


@lead_required
@require_GET
def site_manage(request: HttpRequest, site: Site) -> HttpResponse:
    return TemplateResponse(
        request,
        "commonpot/site_manage.html",
        {"site": site, "panels": _panels(request, "lead", site)},
    )


@lead_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, site: Site) -> HttpResponse:
    form = SiteSettingsForm(request.POST or None, instance=site)
    sections = _settings_sections(request.POST or None, site)
    if request.method == "POST" and _all_valid(form, sections):
        try:
            services.update_site(
                Site.objects.get(pk=site.pk),
                sections=[(s, f.cleaned_data) for s, f in sections],
                **{f: form.cleaned_data[f] for f in SiteSettingsForm.Meta.fields},
            )
        except DomainError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("The site's details are saved."))
            return redirect("site_manage", slug=site.slug)
    return _site_form_page(
        request, form, sections, site, status=form_status(form, *(f for _s, f in sections))
    )


def _people_page(
    request: HttpRequest,
    site: Site,
    form: MemberRoleForm | None = None,
    invite_form: InvitationForm | None = None,
) -> TemplateResponse:
    memberships = (
        Membership.objects.filter(site=site)
        .select_related("user")
        .order_by("role", "user__display_name")
    )
    pending = Invitation.objects.filter(site=site).pending().select_related("invited_by")
    form = form or MemberRoleForm()
    invite_form = invite_form or InvitationForm(may_invite_leads=is_coordinator(request.user))
    return TemplateResponse(
        request,
        "commonpot/site_people.html",
        {
            "site": site,
            "memberships": memberships,
            "form": form,
            "invite_form": invite_form,
            "invitations": pending,
        },
        status=form_status(form, invite_form),
    )


@lead_required
@require_http_methods(["GET", "POST"])
def site_people(request: HttpRequest, site: Site) -> HttpResponse:
    form = MemberRoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.set_role(
                by=request.user,
                site=site,
                user=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except DomainError as e:
            form.add_error("role", e.message)
        else:
            if membership.role == Membership.Role.LEAD:
                now_is = _("%(person)s is now a lead at %(site)s.")
            else:
                now_is = _("%(person)s is now a volunteer at %(site)s.")
            messages.success(request, now_is % {"person": membership.user.name, "site": site.name})
            return redirect("site_people", slug=site.slug)
    return _people_page(request, site, form=form)


@lead_required
@require_POST
def site_invite(request: HttpRequest, site: Site) -> HttpResponse:
    """Invite someone by email: a lead as volunteer, a coordinator as volunteer or lead."""
    form = InvitationForm(request.POST, may_invite_leads=is_coordinator(request.user))
    if form.is_valid():
        try:
            invitation = invitations.invite_to_site(by=request.user, site=site, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s: the link works once, for 7 days.")
                % {"email": invitation.email},
            )
            return redirect("site_people", slug=site.slug)
    return _people_page(request, site, invite_form=form)


@lead_required
@require_POST
def invitation_withdraw(request: HttpRequest, site: Site, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id, site=site)
    try:
        invitations.withdraw_invitation(invitation_id=invitation.pk, by=request.user, site=site)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email},
        )
    return redirect("site_people", slug=site.slug)


@lead_required
@require_GET
def site_outbox(request: HttpRequest, site: Site) -> HttpResponse:
    """What Commonpot sent on the site's behalf, to whom and when, and what failed."""
    messages_ = Message.objects.for_site(site).select_related("to_user")
    status = request.GET.get("status", "")
    if status in Message.Status.values:
        messages_ = messages_.filter(status=status)
    channel = request.GET.get("channel", "")
    if channel in Message.Channel.values:
        messages_ = messages_.filter(channel=channel)
    table = cards_on_phones(OutboxTable(messages_))
    paginate(request, table, 50)
    return TemplateResponse(
        request,
        "commonpot/site_outbox.html",
        {
            "site": site,
            "table": table,
            "statuses": Message.Status.choices,
            "status": status,
            "channels": Message.Channel.choices,
            "channel": channel,
            "texts": outbox_texts_summary(site),
        },
    )


@lead_required
@require_POST
def site_people_remove(request: HttpRequest, site: Site, user_id: int) -> HttpResponse:
    person = get_object_or_404(User, pk=user_id, memberships__site=site)
    try:
        services.remove_member(by=request.user, site=site, user=person)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("%(person)s no longer belongs to %(site)s.")
            % {"person": person.name, "site": site.name},
        )
    return redirect("site_people", slug=site.slug)
