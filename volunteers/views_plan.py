"""Leads' planning pages: shift roles (and the qualifications they need) and rotas."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from commonpot import dates
from commonpot.errors import DomainError
from commonpot.forms import show_error
from commonpot.models import Site
from commonpot.permissions import lead_required
from volunteers import planning, regulars
from volunteers.forms import (
    QualificationKindForm,
    RegularForm,
    RoleForm,
    RotaExceptionForm,
    RotaForm,
    TakeOffDateForm,
)
from volunteers.models import (
    QualificationKind,
    RegularSkip,
    Rota,
    RotaException,
    RotaRegular,
    ShiftRole,
)


def _status(*forms) -> int:
    return 400 if any(f.is_bound and f.errors for f in forms) else 200


@lead_required
@require_http_methods(["GET", "POST"])
def roles(request: HttpRequest, site: Site) -> HttpResponse:
    which = request.POST.get("form")
    form = RoleForm(request.POST if which == "role" else None, prefix="role")
    kind_form = QualificationKindForm(request.POST if which == "kind" else None, prefix="kind")
    if which == "role" and form.is_valid():
        try:
            role = planning.save_role(site=site, by=request.user, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _("%(role)s is a role at %(site)s.") % {"role": role.name, "site": site.name},
            )
            return redirect("volunteers:roles", slug=site.slug)
    if which == "kind" and kind_form.is_valid():
        try:
            kind = planning.add_qualification_kind(by=request.user, **kind_form.cleaned_data)
        except DomainError as e:
            show_error(kind_form, e)
        else:
            messages.success(
                request,
                _("%(qualification)s can now be required by a role.")
                % {"qualification": kind.name},
            )
            return redirect("volunteers:roles", slug=site.slug)
    site_roles = (
        ShiftRole.objects.filter(site=site)
        .prefetch_related("required_qualifications")
        .annotate(shift_count=Count("shifts"))
    )
    return TemplateResponse(
        request,
        "volunteers/roles.html",
        {
            "site": site,
            "roles": site_roles,
            "form": form,
            "kind_form": kind_form,
            "kinds": QualificationKind.objects.all(),
        },
        status=_status(form, kind_form),
    )


@lead_required
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    role = get_object_or_404(ShiftRole, pk=pk, site=site)
    form = RoleForm(request.POST or None, instance=role)
    if request.method == "POST" and form.is_valid():
        try:
            planning.save_role(
                site=site,
                by=request.user,
                role=ShiftRole.objects.get(pk=role.pk),
                **form.cleaned_data,
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("The role is saved."))
            return redirect("volunteers:roles", slug=site.slug)
    return TemplateResponse(
        request,
        "volunteers/role_form.html",
        {"site": site, "form": form, "role": role},
        status=_status(form),
    )


@lead_required
@require_http_methods(["GET", "POST"])
def rotas(request: HttpRequest, site: Site) -> HttpResponse:
    form = RotaForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            run = planning.save_rota(site=site, by=request.user, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            level = messages.WARNING if run.needs_attention else messages.SUCCESS
            messages.add_message(
                request,
                level,
                _("Rota added: %(rota)s. %(summary)s")
                % {"rota": run.rota, "summary": run.summary()},
            )
            return redirect("volunteers:rota", slug=site.slug, pk=run.rota.pk)
    site_rotas = Rota.objects.filter(site=site).select_related("role")
    return TemplateResponse(
        request,
        "volunteers/rotas.html",
        {"site": site, "rotas": site_rotas, "form": form},
        status=_status(form),
    )


@lead_required
@require_http_methods(["GET", "POST"])
def rota(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    the_rota = get_object_or_404(Rota.objects.select_related("role"), pk=pk, site=site)
    form = RotaForm(request.POST or None, instance=the_rota, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            run = planning.save_rota(
                site=site,
                by=request.user,
                rota=Rota.objects.get(pk=the_rota.pk),
                **form.cleaned_data,
            )
        except DomainError as e:
            show_error(form, e)
        else:
            level = messages.WARNING if run.needs_attention else messages.SUCCESS
            messages.add_message(
                request, level, _("Rota saved. %(summary)s") % {"summary": run.summary()}
            )
            return redirect("volunteers:rota", slug=site.slug, pk=the_rota.pk)
    return _rota_page(
        request, site, the_rota, form=form, exception_form=RotaExceptionForm(rota=the_rota)
    )


def _rota_page(
    request, site, the_rota, *, form, exception_form, regular_form=None, take_off_form=None
) -> HttpResponse:
    today = site.today()
    shifts = (
        the_rota.shifts.filter(rota_date__gte=today).select_related("site").order_by("starts_at")
    )
    the_regulars = (
        the_rota.regulars.filter(removed_at__isnull=True)
        .select_related("volunteer", "rota")
        .order_by("volunteer__display_name", "pk")
    )
    skips = (
        RegularSkip.objects.filter(
            regular__rota=the_rota, regular__removed_at__isnull=True, date__gte=today
        )
        .select_related("regular__volunteer")
        .order_by("date", "regular__volunteer__display_name")
    )
    regular_form = regular_form or RegularForm(rota=the_rota, prefix="regular")
    take_off_form = take_off_form or TakeOffDateForm(rota=the_rota, prefix="off")
    return TemplateResponse(
        request,
        "volunteers/rota.html",
        {
            "site": site,
            "rota": the_rota,
            "form": form,
            "exception_form": exception_form,
            "exceptions": the_rota.exceptions.all(),
            "clock_changes": planning.clock_changes_ahead(the_rota, today),
            "shifts": shifts,
            "regulars": the_regulars,
            "skips": skips,
            "regular_form": regular_form,
            "take_off_form": take_off_form,
        },
        status=_status(form, exception_form, regular_form, take_off_form),
    )


@lead_required
@require_POST
def rota_regular_add(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    the_rota = get_object_or_404(Rota.objects.select_related("role", "site"), pk=pk, site=site)
    form = RegularForm(request.POST, rota=the_rota, prefix="regular")
    if form.is_valid():
        data = form.cleaned_data
        try:
            regular, run = regulars.attach_regular(
                rota_id=the_rota.pk,
                by=request.user,
                volunteer=data["volunteer"],
                weekdays=data["weekdays"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            level = messages.WARNING if run.skipped else messages.SUCCESS
            messages.add_message(
                request,
                level,
                _("%(person)s is a regular on this rota. %(summary)s")
                % {"person": regular.volunteer.name, "summary": run.summary()},
            )
            return redirect("volunteers:rota", slug=site.slug, pk=the_rota.pk)
    return _rota_page(
        request,
        site,
        the_rota,
        form=RotaForm(instance=the_rota, site=site),
        exception_form=RotaExceptionForm(rota=the_rota),
        regular_form=form,
    )


def _regular_of(site: Site, pk: int, regular_id: int) -> RotaRegular:
    return get_object_or_404(
        RotaRegular.objects.select_related("volunteer"),
        pk=regular_id,
        rota__pk=pk,
        rota__site=site,
        removed_at__isnull=True,
    )


@lead_required
@require_POST
def rota_regular_remove(request: HttpRequest, site: Site, pk: int, regular_id: int) -> HttpResponse:
    regular = _regular_of(site, pk, regular_id)
    try:
        cancelled = regulars.remove_regular(regular_id=regular.pk, by=request.user)
    except DomainError as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request,
            ngettext(
                "%(person)s is no longer a regular on this rota; %(n)s coming sign-up the rota "
                "made for them was cancelled.",
                "%(person)s is no longer a regular on this rota; %(n)s coming sign-ups the rota "
                "made for them were cancelled.",
                cancelled,
            )
            % {"person": regular.volunteer.name, "n": cancelled},
        )
    return redirect("volunteers:rota", slug=site.slug, pk=pk)


@lead_required
@require_POST
def rota_regular_take_off(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    the_rota = get_object_or_404(Rota.objects.select_related("role", "site"), pk=pk, site=site)
    form = TakeOffDateForm(request.POST, rota=the_rota, prefix="off")
    if form.is_valid():
        regular, day = form.cleaned_data["regular"], form.cleaned_data["date"]
        try:
            sign_up = regulars.take_regular_off_date(
                regular_id=regular.pk,
                by=request.user,
                day=day,
                reason=form.cleaned_data["reason"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            values = {"person": regular.volunteer.name, "day": dates.long_day(day)}
            messages.success(
                request,
                _("%(person)s is off this rota on %(day)s; their sign-up is cancelled.") % values
                if sign_up
                else _("%(person)s is off this rota on %(day)s.") % values,
            )
            return redirect("volunteers:rota", slug=site.slug, pk=pk)
    return _rota_page(
        request,
        site,
        the_rota,
        form=RotaForm(instance=the_rota, site=site),
        exception_form=RotaExceptionForm(rota=the_rota),
        take_off_form=form,
    )


@lead_required
@require_POST
def rota_exception_add(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    the_rota = get_object_or_404(Rota.objects.select_related("role", "site"), pk=pk, site=site)
    form = RotaExceptionForm(request.POST, rota=the_rota)
    if form.is_valid():
        data = form.cleaned_data
        try:
            planning.add_rota_exception(
                rota=the_rota,
                by=request.user,
                day=data["date"],
                reason=data["reason"],
                skip=data["skip"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                max_people=data["max_people"],
                start_fold=data.get("start_fold"),
                end_fold=data.get("end_fold"),
            )
            run = planning.generate_rota_shifts(rota_id=the_rota.pk, by=request.user)
        except DomainError as e:
            show_error(form, e)
        else:
            level = messages.WARNING if run.needs_attention else messages.SUCCESS
            messages.add_message(
                request, level, _("Exception added. %(summary)s") % {"summary": run.summary()}
            )
            return redirect("volunteers:rota", slug=site.slug, pk=the_rota.pk)
    return _rota_page(
        request, site, the_rota, form=RotaForm(instance=the_rota, site=site), exception_form=form
    )


@lead_required
@require_POST
def rota_exception_remove(
    request: HttpRequest, site: Site, pk: int, exception_id: int
) -> HttpResponse:
    exception = get_object_or_404(
        RotaException.objects.select_related("rota__site"),
        pk=exception_id,
        rota__pk=pk,
        rota__site=site,
    )
    planning.remove_rota_exception(exception=exception, by=request.user)
    try:
        run = planning.generate_rota_shifts(rota_id=pk, by=request.user)
    except DomainError as e:
        messages.error(
            request,
            _("Exception removed, but the shifts were not made: %(reason)s") % {"reason": e},
        )
    else:
        level = messages.WARNING if run.needs_attention else messages.SUCCESS
        messages.add_message(
            request, level, _("Exception removed. %(summary)s") % {"summary": run.summary()}
        )
    return redirect("volunteers:rota", slug=site.slug, pk=pk)


@lead_required
@require_POST
def rota_generate(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    the_rota = get_object_or_404(Rota, pk=pk, site=site)
    try:
        run = planning.generate_rota_shifts(rota_id=the_rota.pk, by=request.user)
    except DomainError as e:
        messages.error(request, str(e))
    else:
        level = messages.WARNING if run.needs_attention else messages.SUCCESS
        messages.add_message(request, level, run.summary())
    return redirect("volunteers:rota", slug=site.slug, pk=the_rota.pk)
