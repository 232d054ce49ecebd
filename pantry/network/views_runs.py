"""Pickup runs: the day's runs, one run's stops (add, order, move), and the
driver's phone page (the next stop, what to load, a partial pickup in two taps)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import show_error
from commonpot.models import Site
from commonpot.numbers import is_zero
from commonpot.permissions import can_manage_site, is_coordinator, lead_site_ids
from pantry.network import cold
from pantry.network.access import network_required
from pantry.network.forms_runs import FinishStopForm, PickupForm, RunForm, StopForm
from pantry.network.models import Run, Stop, StopLine, Transfer
from pantry.network.services import runs as service
from pantry.units import display, to_base


def _day(request: HttpRequest, site: Site | None = None) -> date:
    raw = request.GET.get("day", "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return site.today() if site else date.today()


def _sites_for(user):
    if is_coordinator(user):
        return Site.objects.active().order_by("name")
    return Site.objects.active().filter(pk__in=lead_site_ids(user)).order_by("name")


def _at(run_or_site, day: date, moment) -> datetime:
    site = run_or_site.site if isinstance(run_or_site, Run) else run_or_site
    return datetime.combine(day, moment, tzinfo=site.tz)


def runs_of_the_day(user, day: date) -> list[Run]:
    """The day's runs this person may see, each with its stops (two queries)."""
    return list(
        Run.objects.visible_to(user)
        .on(day)
        .select_related("site")
        .prefetch_related("stops__site")
        .order_by("starts_at", "pk")
    )


@network_required
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest) -> HttpResponse:
    """The runs of a day, and a form to plan one."""
    sites = _sites_for(request.user)
    form = RunForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        site, day = data["site"], data["day"]
        try:
            run = service.plan_run(
                site=site,
                by=request.user,
                day=day,
                starts_at=_at(site, day, data["starts"]),
                ends_at=_at(site, day, data["ends"]),
                capacity_kg=data["capacity_kg"],
                chilled_kg=data["chilled_kg"] or 0,
                note=data["note"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("Run planned. Add its stops, then order them."))
            return redirect(run)
    day = form.cleaned_data["day"] if form.is_bound and form.is_valid() else _day(request)
    return TemplateResponse(
        request,
        "network/runs.html",
        {"form": form, "day": day, "runs": runs_of_the_day(request.user, day)},
        status=400 if request.method == "POST" else 200,
    )


def _run_for_planner(request: HttpRequest, pk: int) -> Run:
    run = get_object_or_404(Run.objects.select_related("site"), pk=pk)
    if not can_manage_site(request.user, run.site):
        raise PermissionDenied(
            _("Only leads of %(site)s and coordinators plan this run.") % {"site": run.site.name}
        )
    return run


def _run_page(
    request: HttpRequest,
    run: Run,
    *,
    stop_form: StopForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    stops = service.stops_of(run)
    carried = _carried(stops)
    return TemplateResponse(
        request,
        "network/run.html",
        {
            "run": run,
            "stops": [(s, carried.get(s.pk, [])) for s in stops],
            "stop_form": stop_form or StopForm(run=run, user=request.user),
            "error": error,
            "drivers": _driver_names(run),
        },
        status=status,
    )


def _driver_names(run: Run) -> list[str]:
    from commonpot.models import User

    ids = service.drivers_of(run)
    return [u.name for u in User.objects.filter(pk__in=ids).order_by("pk")] if ids else []


def _carried(stops: list[Stop]) -> dict[int, list[str]]:
    """What each drop unloads: the run's pickup lines bound for that site."""
    bound: dict[int, list[str]] = {}
    for stop in stops:
        for line in stop.lines.all():
            qty = line.taken if line.taken is not None else line.planned
            if line.taken == 0:
                continue
            food = {"amount": display(qty, line.item), "item": line.item.name}
            if line.shipment_item_id:
                text = _("%(amount)s of %(item)s (transfer #%(number)s)") % {
                    **food,
                    "number": line.shipment_item.transfer_id,
                }
            else:
                text = _("%(amount)s of %(item)s (from %(donor)s, a donation)") % {
                    **food,
                    "donor": stop.donor.name,
                }
            bound.setdefault(line.bound_for_id, []).append(text)
    return {s.pk: bound.get(s.site_id, []) for s in stops if s.kind == Stop.Kind.DROP}


@network_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_page(request, _run_for_planner(request, pk))


@network_required
@require_POST
def run_stop_add(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for_planner(request, pk)
    form = StopForm(request.POST, run=run, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.add_stop(
                run_id=run.pk,
                by=request.user,
                kind=data["kind"],
                site=data["site"],
                transfers=list(data["transfers"]),
                donor=data["donor"],
                donated=form.donated(),
                address=data["address"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                households=data["households"],
                window_from=_at(run, run.day, data["window_from"]),
                window_until=_at(run, run.day, data["window_until"]),
                service_minutes=data["service_minutes"] or 10,
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("Stop added at the end. Order the run to place it."))
            return redirect(run)
    return _run_page(request, run, stop_form=form, status=400)


@network_required
@require_POST
def run_order(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run_for_planner(request, pk)
    try:
        plan = service.order_run(run_id=run.pk, by=request.user)
    except DomainError as e:
        return _run_page(request, run, error=e.message, status=400)
    run.refresh_from_db()
    numbers = {
        "seconds": f"{plan.solve_seconds:.2f}",
        "km": run.distance_km,
        "entered": run.entered_distance_km,
    }
    if run.entered_distance_km is not None:
        text = _("Ordered in %(seconds)s s: %(km)s km (as entered: %(entered)s km).") % numbers
    else:
        text = _("Ordered in %(seconds)s s: %(km)s km.") % numbers
    messages.success(request, text)
    if run.problem:
        messages.error(request, run.problem)
    return redirect(run)


@network_required
@require_POST
def run_stop_move(request: HttpRequest, pk: int) -> HttpResponse:
    stop = get_object_or_404(Stop.objects.select_related("run__site"), pk=pk)
    run = _run_for_planner(request, stop.run_id)
    up = request.POST.get("direction") != "down"
    try:
        service.move_stop(stop_id=stop.pk, by=request.user, up=up)
    except DomainError as e:
        return _run_page(request, run, error=e.message, status=400)
    run.refresh_from_db()
    if run.problem:
        messages.error(request, run.problem)
    return redirect(f"{run.get_absolute_url()}#stop-{stop.pk}")


# --- The driver's phone page ----------------------------------------------------


def _run_for_driver(request: HttpRequest, pk: int) -> Run:
    run = get_object_or_404(Run.objects.select_related("site"), pk=pk)
    if not service.may_drive(request.user, run):
        raise PermissionDenied(_("Only the run's driver, its site's leads and coordinators."))
    return run


def _drive_page(
    request: HttpRequest,
    run: Run,
    *,
    form: PickupForm | None = None,
    error: str = "",
    partial: int | None = None,
    status: int = 200,
) -> HttpResponse:
    stop = service.next_stop(run)
    stops = list(run.stops.select_related("site").order_by("position", "pk"))
    lines, unload, cold_food = [], [], False
    if stop is not None:
        for line in stop.lines.all():
            lines.append(line)
            if line.shipment_item_id:
                cold_food = cold_food or cold.cold_kind(line.shipment_item.transfer) is not None
        if stop.kind == Stop.Kind.DROP:
            unload = _carried(service.stops_of(run)).get(stop.pk, [])
    return TemplateResponse(
        request,
        "network/run_drive.html",
        {
            "run": run,
            "stop": stop,
            "stops": stops,
            "lines": lines,
            "unload": unload,
            "cold_food": cold_food,
            "partial": partial,
            "form": form,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def run_drive(request: HttpRequest, pk: int) -> HttpResponse:
    """The next stop, big and plain: where, a map link, what to load or unload.
    "Took part" (?part=<line>) opens the amount for one line: the second tap saves."""
    run = _run_for_driver(request, pk)
    part = request.GET.get("part", "")
    partial = int(part) if part.isdigit() else None
    return _drive_page(request, run, partial=partial)


@login_required
@require_POST
def run_line_pickup(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(StopLine.objects.select_related("stop__run__site", "item"), pk=pk)
    run = _run_for_driver(request, line.stop.run_id)
    form = PickupForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            taken = None
            if is_zero(data["taken"]):
                taken = Decimal(0)  # "took 0": nothing was there to take
            elif data["taken"]:
                taken = to_base(data["taken"], data["unit"] or "kg", line.item)
            saved = service.record_pickup(
                line_id=line.pk,
                by=request.user,
                taken=taken,
                temperature_c=data["temperature"],
                token=data["token"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _loaded_text(saved))
            return redirect("network:run_drive", run.pk)
    error = "; ".join(e for errors in form.errors.values() for e in errors)
    return _drive_page(request, run, form=form, error=error, partial=line.pk, status=400)


def _loaded_text(saved: StopLine) -> str:
    """ "Loaded 30 kg of Bread; 10 kg left behind is back on offer." """
    item = saved.item
    words = {
        "amount": display(saved.taken, item),
        "item": item.name,
        "left": display(saved.planned - saved.taken, item),
    }
    if saved.taken >= saved.planned:
        return _("Loaded %(amount)s of %(item)s.") % words
    if saved.shipment_item_id:
        if not saved.taken:
            return _("Loaded none of the %(item)s; %(left)s left behind is back on offer.") % words
        return _("Loaded %(amount)s of %(item)s; %(left)s left behind is back on offer.") % words
    if not saved.taken:
        return _("Loaded none of the %(item)s; %(left)s left behind stays with the donor.") % words
    return _("Loaded %(amount)s of %(item)s; %(left)s left behind stays with the donor.") % words


@login_required
@require_POST
def run_stop_finish(request: HttpRequest, pk: int) -> HttpResponse:
    stop = get_object_or_404(Stop.objects.select_related("run__site"), pk=pk)
    run = _run_for_driver(request, stop.run_id)
    form = FinishStopForm(request.POST)
    if not form.is_valid():
        return _drive_page(
            request, run, error=_("This form is damaged; reload the page."), status=400
        )
    try:
        service.finish_stop(
            stop_id=stop.pk,
            by=request.user,
            skipped=form.cleaned_data["skip"],
            token=form.cleaned_data["token"],
        )
    except DomainError as e:
        return _drive_page(request, run, error=e.message, status=400)
    return redirect("network:run_drive", run.pk)


def accepted_transfers_for(user):
    return Transfer.objects.visible_to(user).filter(status=Transfer.Status.ACCEPTED)
