"""Temperature checks and holds: the readings page anyone on the site's team uses,
and the lead's pages for units and held lots."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error
from commonpot.htmx import render_fragment, wants_partial
from commonpot.models import Site
from commonpot.params import BadParam, require_day
from commonpot.permissions import can_manage_site, lead_required, member_required
from pantry import temperatures
from pantry.forms_temperatures import EquipmentForm, HoldDecisionForm, ReadingForm, StoreLotForm
from pantry.holds import cause_texts
from pantry.models import Equipment, Lot, LotHold
from pantry.pdf import site_paper_response
from pantry.services import equipment as units_service
from pantry.services import holds as holds_service
from pantry.temperature_log import temperature_log
from pantry.units import display

CLOSED_HOLDS_SHOWN = 20


# --- The weekly log ------------------------------------------------------------


@lead_required
@require_GET
def temperature_log_pdf(request: HttpRequest, site: Site) -> HttpResponse:
    """The week's log as an inspector reads it (?week=any day of it; default this week)."""
    raw = request.GET.get("week", "").strip()
    try:
        day = require_day(raw) if raw else site.today()
    except BadParam as e:
        return _readings_page(request, site, status=400, week_error=str(e))
    log = temperature_log(site, day)
    context = {"site": site, "log": log, "printed": timezone.now()}
    return site_paper_response(
        request,
        "pantry/pdf/temperature_log.html",
        context,
        filename=f"temperature-log-{site.slug}-{log.first:%Y-%m-%d}.pdf",
    )


# --- Readings -------------------------------------------------------------------


def _reading_form(unit: Equipment, data=None) -> ReadingForm:
    return ReadingForm(data, unit=unit, auto_id=f"unit-{unit.pk}-%s")


def _row(site: Site, unit: Equipment, form: ReadingForm | None = None, saved: str = "") -> dict:
    return {
        "unit": unit,
        "form": form or _reading_form(unit),
        "saved": saved,
        "last": temperatures.show(unit.last_value_c) if unit.last_value_c is not None else "",
        "last_at": site.local(unit.last_at) if unit.last_at else None,
        "limit": temperatures.show(unit.limit_c),
    }


def _readings_page(
    request, site, bound: tuple[int, ReadingForm] | None = None, status=200, week_error=""
):
    units = list(temperatures.units_with_checks(site))
    missed = {u.pk for u in temperatures.missed(units, site)}
    rows = []
    for unit in units:
        form = bound[1] if bound and bound[0] == unit.pk else None
        rows.append({**_row(site, unit, form), "missed": unit.pk in missed})
    return TemplateResponse(
        request,
        "pantry/temperatures.html",
        {
            "site": site,
            "rows": rows,
            "scale": temperatures.scale(),
            "can_manage": can_manage_site(request.user, site),
            "week": request.GET.get("week", "") if week_error else site.today().isoformat(),
            "week_error": week_error,
        },
        status=status,
    )


@member_required
@require_GET
def temperatures_page(request: HttpRequest, site: Site) -> HttpResponse:
    return _readings_page(request, site)


@member_required
@require_POST
def reading_new(request: HttpRequest, site: Site, unit_id: int) -> HttpResponse:
    # Another site's unit, or a retired one, is not found under this site's address.
    unit = get_object_or_404(Equipment.objects.at(site).in_use(), pk=unit_id)
    form = _reading_form(unit, request.POST)
    saved = ""
    if form.is_valid():
        try:
            logged = units_service.log_reading(
                unit,
                value_c=form.cleaned_data["value"],
                by=request.user,
                token=form.cleaned_data["token"],
                at=form.cleaned_data["taken_at"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            reading = logged.reading
            shown = temperatures.show(reading.value_c)
            saved = _("Saved: %(value)s") % {"value": shown}
            if not reading.passed:
                held = Lot.objects.filter(holds__reading=reading).count()
                values = {"value": shown, "count": held}
                if not unit.keeps_hot:
                    saved = (
                        ngettext(
                            "Saved: %(value)s, above the limit. %(count)s lot in it is on hold; "
                            "the leads are told.",
                            "Saved: %(value)s, above the limit. %(count)s lots in it are on hold; "
                            "the leads are told.",
                            held,
                        )
                        % values
                    )
                else:
                    saved = (
                        ngettext(
                            "Saved: %(value)s, below the limit. %(count)s lot on hold; "
                            "the leads are told.",
                            "Saved: %(value)s, below the limit. %(count)s lots on hold; "
                            "the leads are told.",
                            held,
                        )
                        % values
                    )
            if not wants_partial(request):
                (messages.success if reading.passed else messages.error)(
                    request, _("%(unit)s: %(saved)s") % {"unit": unit.name, "saved": saved}
                )
                return redirect("pantry:temperatures", slug=site.slug)
    if wants_partial(request):
        fresh = temperatures.units_with_checks(site).get(pk=unit.pk)
        row = _row(site, fresh, None if saved else form, saved)
        row["failed"] = bool(saved) and not logged.reading.passed
        row["missed"] = fresh in temperatures.missed([fresh], site)
        return render_fragment(
            request,
            "pantry/temperatures.html",
            "unit_row",
            {"site": site, "row": row, "scale": temperatures.scale()},
            status=form_status(form),
        )
    return _readings_page(request, site, bound=(unit.pk, form), status=form_status(form))


# --- Units ----------------------------------------------------------------------


@lead_required
@require_http_methods(["GET", "POST"])
def equipment_list(request: HttpRequest, site: Site) -> HttpResponse:
    form = EquipmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = units_service.add_equipment(
                site,
                name=data["name"],
                kind=data["kind"],
                limit_c=data["limit"],
                checks_per_day=data["checks_per_day"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                ngettext(
                    "%(unit)s added, limit %(limit)s, %(count)s check a day.",
                    "%(unit)s added, limit %(limit)s, %(count)s checks a day.",
                    unit.checks_per_day,
                )
                % {
                    "unit": unit.name,
                    "limit": temperatures.show(unit.limit_c),
                    "count": unit.checks_per_day,
                },
            )
            return redirect("pantry:equipment", slug=site.slug)
    units = list(Equipment.objects.at(site).order_by("retired_at", "name", "pk"))
    rows = [(u, temperatures.show(u.limit_c)) for u in units]
    return TemplateResponse(
        request,
        "pantry/equipment.html",
        {"site": site, "rows": rows, "form": form},
        status=form_status(form),
    )


@lead_required
@require_http_methods(["GET", "POST"])
def equipment_edit(request: HttpRequest, site: Site, unit_id: int) -> HttpResponse:
    unit = get_object_or_404(Equipment.objects.at(site), pk=unit_id)
    if request.method == "POST" and "retire" in request.POST:
        units_service.retire_equipment(unit, by=request.user)
        messages.success(
            request,
            _("%(unit)s is retired: no more checks are asked of it.") % {"unit": unit.name},
        )
        return redirect("pantry:equipment", slug=site.slug)
    form = EquipmentForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            units_service.change_equipment(
                unit,
                name=data["name"],
                limit_c=data["limit"],
                checks_per_day=data["checks_per_day"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("%(unit)s saved.") % {"unit": data["name"]})
            return redirect("pantry:equipment", slug=site.slug)
    return TemplateResponse(
        request,
        "pantry/equipment_form.html",
        {"site": site, "unit": unit, "form": form},
        status=form_status(form),
    )


@lead_required
@require_POST
def lot_store(request: HttpRequest, site: Site, lot_id: int) -> HttpResponse:
    lot = get_object_or_404(Lot.objects.select_related("item", "site"), pk=lot_id, site=site)
    units = list(Equipment.objects.at(site).in_use())
    form = StoreLotForm(request.POST, lot=lot, units=units)
    if form.is_valid():
        unit = form.cleaned_data["stored_in"]
        try:
            units_service.store_lot(lot, unit, by=request.user)
        except DomainError as e:
            messages.error(request, e.message)
        else:
            if unit:
                text = _("This lot of %(item)s is now kept in %(unit)s.") % {
                    "item": lot.item.name,
                    "unit": unit.name,
                }
            else:
                text = _("This lot of %(item)s is now kept not in a unit.") % {
                    "item": lot.item.name
                }
            messages.success(request, text)
    else:
        messages.error(request, _("Choose one of this site's units that fits this food."))
    return redirect(lot)


# --- Holds ----------------------------------------------------------------------


def _hold_rows(site: Site, holds: list[LotHold]) -> list[dict]:
    texts = cause_texts(holds)
    return [
        {
            "hold": hold,
            "cause": texts[hold.pk],
            "on_hand": display(hold.lot.on_hand, hold.lot.item),
            "started_at": site.local(hold.started_at),
            "released_at": site.local(hold.released_at) if hold.released_at else None,
        }
        for hold in holds
    ]


def _holds_page(request, site, bound: tuple[int, HoldDecisionForm] | None = None, status=200):
    related = ("lot__item", "lot__site", "lot__stored_in", "reading__equipment", "released_by")
    base = LotHold.objects.at(site).select_related(*related)
    open_ = list(base.open().order_by("started_at", "pk"))
    closed = list(
        base.filter(released_at__isnull=False).order_by("-released_at", "-pk")[:CLOSED_HOLDS_SHOWN]
    )
    rows = _hold_rows(site, open_)
    for row in rows:
        pk = row["hold"].pk
        row["form"] = (
            bound[1] if bound and bound[0] == pk else HoldDecisionForm(auto_id=f"hold-{pk}-%s")
        )
    return TemplateResponse(
        request,
        "pantry/holds.html",
        {"site": site, "rows": rows, "closed": _hold_rows(site, closed)},
        status=status,
    )


@lead_required
@require_GET
def holds(request: HttpRequest, site: Site) -> HttpResponse:
    return _holds_page(request, site)


@lead_required
@require_POST
def hold_decide(request: HttpRequest, site: Site, hold_id: int) -> HttpResponse:
    hold = get_object_or_404(
        LotHold.objects.select_related("lot__item"), pk=hold_id, lot__site=site
    )
    form = HoldDecisionForm(request.POST, auto_id=f"hold-{hold.pk}-%s")
    action = request.POST.get("action")
    if action not in ("release", "discard"):
        form.add_error(None, _("Choose to release the lot or to discard it."))
    if action in ("release", "discard") and form.is_valid():
        data = form.cleaned_data
        name = hold.lot.item.name
        try:
            if action == "release":
                holds_service.release_hold(hold, by=request.user, reason=data["reason"])
                text = _("Released: the lot of %(item)s may be used again.") % {"item": name}
            else:
                move = holds_service.discard_held(
                    hold, by=request.user, reason=data["reason"], destination=data["destination"]
                )
                gone = display(-move.quantity, hold.lot.item) if move else _("nothing left")
                text = _("Discarded: %(quantity)s of %(item)s, recorded as waste.") % {
                    "quantity": gone,
                    "item": name,
                }
        except DomainError as e:
            if e.field not in form.fields:
                # Decided already (another lead, another tab): nothing to fix on the form.
                messages.error(request, e.message)
                return redirect("pantry:holds", slug=site.slug)
            show_error(form, e)
        else:
            messages.success(request, text)
            return redirect("pantry:holds", slug=site.slug)
    return _holds_page(request, site, bound=(hold.pk, form), status=400)
