"""Leads' planning pages: shift roles (and the qualifications they need) and rotas."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import show_error
from commonpot.models import Site
from commonpot.permissions import lead_required
from volunteers import planning
from volunteers.forms import (
    QualificationKindForm,
    RoleForm,
    RotaExceptionForm,
    RotaForm,
)
from volunteers.models import QualificationKind, Rota, RotaException, ShiftRole


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
            messages.success(request, f"{role.name} is a role at {site.name}.")
            return redirect("volunteers:roles", slug=site.slug)
    if which == "kind" and kind_form.is_valid():
        try:
            kind = planning.add_qualification_kind(by=request.user, **kind_form.cleaned_data)
        except DomainError as e:
            show_error(kind_form, e)
        else:
            messages.success(request, f"{kind.name} can now be required by a role.")
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
            messages.success(request, "The role is saved.")
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
            level = messages.WARNING if run.kept or run.not_made else messages.SUCCESS
            messages.add_message(request, level, f"Rota added: {run.rota}. {run.summary()}")
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
            level = messages.WARNING if run.kept or run.not_made else messages.SUCCESS
            messages.add_message(request, level, f"Rota saved. {run.summary()}")
            return redirect("volunteers:rota", slug=site.slug, pk=the_rota.pk)
    return _rota_page(
        request, site, the_rota, form=form, exception_form=RotaExceptionForm(rota=the_rota)
    )


def _rota_page(request, site, the_rota, *, form, exception_form) -> HttpResponse:
    shifts = (
        the_rota.shifts.filter(rota_date__gte=site.today())
        .select_related("site")
        .order_by("starts_at")
    )
    return TemplateResponse(
        request,
        "volunteers/rota.html",
        {
            "site": site,
            "rota": the_rota,
            "form": form,
            "exception_form": exception_form,
            "exceptions": the_rota.exceptions.all(),
            "clock_changes": planning.clock_changes_ahead(the_rota, site.today()),
            "shifts": shifts,
        },
        status=_status(form, exception_form),
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
            level = messages.WARNING if run.kept or run.not_made else messages.SUCCESS
            messages.add_message(request, level, f"Exception added. {run.summary()}")
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
        messages.error(request, f"Exception removed, but the shifts were not made: {e}")
    else:
        level = messages.WARNING if run.kept or run.not_made else messages.SUCCESS
        messages.add_message(request, level, f"Exception removed. {run.summary()}")
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
        level = messages.WARNING if run.kept or run.not_made else messages.SUCCESS
        messages.add_message(request, level, run.summary())
    return redirect("volunteers:rota", slug=site.slug, pk=the_rota.pk)
