"""Leads' pages for meals: the week, a meal, planning, holding stock, cooking, labels.

Every view is `lead_required` (this site's leads and coordinators) and reaches
meals through the site, so another site's meal is a 404 here. Views call one
service or read; they never write a model.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_tables2 import RequestConfig

from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error, show_line_errors
from commonpot.htmx import render_fragment, render_page, wants_partial
from commonpot.models import Site
from commonpot.pagecache import cached_page
from commonpot.params import day_or_404, int_param
from commonpot.pdf import serve_pdf
from commonpot.permissions import lead_required
from commonpot.tables import cards_on_phones
from kitchen import cooking, services
from kitchen.availability import meal_needs, meal_stock, used_for
from kitchen.cooling import Cooling, log_cooling_reading
from kitchen.forms import (
    CookForm,
    CookLineForm,
    CoolingReadingForm,
    MealForm,
    meal_initial,
)
from kitchen.models import MealService, Recipe
from kitchen.pdf import LabelOptions, LabelTooSmall, labels_pdf
from kitchen.slots import MealWeek, has_week_panels, meal_panels, week_cells
from kitchen.tables import WeekTable
from pantry import temperatures
from pantry.freshness import DateRules
from pantry.label_sheets import SHEETS
from pantry.models import Lot, Reservation
from pantry.services import LineErrors
from pantry.units import display, typed_back


def _day(value: str) -> date:
    return day_or_404(value)


def _meal(site: Site, pk: int) -> MealService:
    return get_object_or_404(MealService.objects.with_dishes(), pk=pk, site=site)


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _take(request: HttpRequest) -> bool | None:
    """The lead's answer to "this takes what an earlier meal counts on":
    take it anyway (True), leave it to the earlier meal (False), or not asked yet."""
    return {"yes": True, "no": False}.get(request.POST.get("take", ""))


# --- The week ----------------------------------------------------------------


@lead_required
@require_GET
@cached_page
def week(request: HttpRequest, site: Site) -> HttpResponse:
    """The week's meals: dishes, servings, what is short and, when linked, staffing."""
    day = _day(request.GET["week"]) if request.GET.get("week") else site.today()
    monday = day - timedelta(days=day.weekday())
    meals = list(
        MealService.objects.at(site)
        .between(monday, monday + timedelta(days=6))
        .with_dishes()
        .in_order()
    )
    stock = meal_stock(meals)
    for meal in meals:
        meal.stock = stock[meal.pk]
    cells = week_cells(request, MealWeek(site, monday, meals)) if has_week_panels() else None
    table = cards_on_phones(WeekTable(meals, site=site, cells=cells))
    RequestConfig(request, paginate=False).configure(table)
    context = {
        "site": site,
        "table": table,
        "monday": monday,
        "days": [monday + timedelta(days=n) for n in range(7)],
        "plan_url": reverse("kitchen:meal_create", args=[site.slug]),
        "today": site.today(),
        "previous": (monday - timedelta(days=7)).isoformat(),
        "next": (monday + timedelta(days=7)).isoformat(),
        "short": sum(1 for m in meals if m.is_planned and m.stock.short),
    }
    return render_page(request, "kitchen/week.html", context, partial="week")


# --- Planning ------------------------------------------------------------------


@lead_required
@require_http_methods(["GET", "POST"])
def meal_create(request: HttpRequest, site: Site) -> HttpResponse:
    initial: dict = {"date": site.today(), "kind": MealService.Kind.LUNCH}
    if request.GET.get("date"):
        initial["date"] = _day(request.GET["date"])
    if (recipe := int_param(request.GET, "recipe")) is not None:
        initial["dish_1"] = recipe
    if (servings := int_param(request.GET, "servings", maximum=100_000)) is not None:
        initial["planned_servings"] = servings
    form = MealForm(request.POST or None, site=site, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meal = services.plan_meal(
                site=site, by=request.user, token=form.cleaned_data["token"], **form.meal_fields()
            )
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("Planned: %(meal)s.") % {"meal": meal})
            return redirect("kitchen:meal", slug=site.slug, pk=meal.pk)
    return TemplateResponse(
        request,
        "kitchen/meal_form.html",
        {"site": site, "form": form, "meal": None, "has_recipes": Recipe.objects.exists()},
        status=_status(form),
    )


@lead_required
@require_http_methods(["GET", "POST"])
def meal_edit(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    meal = _meal(site, pk)
    if not meal.is_planned:
        messages.error(request, _("Only a planned meal can be changed."))
        return redirect(meal)
    takes = None
    form = MealForm(request.POST or None, site=site, initial=meal_initial(meal))
    if request.method == "POST" and form.is_valid():
        try:
            held = services.change_meal(
                meal, by=request.user, take=_take(request), **form.meal_fields()
            )
        except services.TakesStock as e:
            takes = e
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("The meal is changed."))
            if held is not None:
                (messages.warning if held.short else messages.info)(request, held.message)
            return redirect("kitchen:meal", slug=site.slug, pk=meal.pk)
    return TemplateResponse(
        request,
        "kitchen/meal_form.html",
        {"site": site, "form": form, "meal": meal, "has_recipes": True, "takes": takes},
        # 409: nothing was changed; the lead chooses what the earlier meals keep.
        status=409 if takes is not None else _status(form),
    )


# --- A meal ----------------------------------------------------------------------


def _meal_context(request: HttpRequest, site: Site, meal: MealService) -> dict:
    context = {
        "site": site,
        "meal": meal,
        "today": site.today(),
        "staffing": meal_panels(request, meal),
    }
    if meal.is_planned:
        context["stock"] = meal_stock([meal])[meal.pk]
    if meal.is_cooked:
        moves = [m for m in used_for(meal) if m.quantity < 0]
        context["used"] = [{"move": m, "quantity": display(-m.quantity, m.lot.item)} for m in moves]
        if meal.leftover_lot_id:
            context.update(_cooling_context(site, meal))
        context["labels"] = LabelOptions.from_query({}, meal)
        context["label_sheets"] = SHEETS.values()
    return context


def _cooling_context(
    site: Site, meal: MealService, form: CoolingReadingForm | None = None, saved: str = ""
) -> dict:
    """The meal's cooling record: its readings, where it stands, and the form."""
    readings = list(meal.cooling_readings.select_related("by").order_by("at", "pk"))
    cooling = Cooling.of(meal, readings)
    return {
        "cooling": cooling,
        "cooling_summary": cooling.summary(),
        "cooling_readings": [
            {"reading": r, "value": temperatures.show(r.value_c), "at": site.local(r.at)}
            for r in readings
        ],
        "cooling_form": form or CoolingReadingForm(site=site, auto_id="cooling-%s"),
        "cooling_saved": saved,
        # Fresh: the reading just saved may have released it.
        "leftovers_held": Lot.objects.filter(pk=meal.leftover_lot_id, on_hold=True).exists(),
    }


@lead_required
@require_GET
def meal_detail(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    meal = _meal(site, pk)
    return TemplateResponse(request, "kitchen/meal.html", _meal_context(request, site, meal))


def _after_stock_action(
    request: HttpRequest, site: Site, pk: int, takes: services.TakesStock | None = None
) -> HttpResponse:
    """HTMX gets the meal's stock section again; a plain form goes back to the page.
    A hold that would take what an earlier meal counts on shows the page (or the
    section) asking the lead what to do, as a 409: nothing was held."""
    if wants_partial(request) or takes is not None:
        meal = _meal(site, pk)
        context = {**_meal_context(request, site, meal), "takes": takes}
        status = 409 if takes is not None else 200
        if wants_partial(request):
            return render_fragment(request, "kitchen/meal.html", "stock", context, status=status)
        return TemplateResponse(request, "kitchen/meal.html", context, status=status)
    return redirect("kitchen:meal", slug=site.slug, pk=pk)


@lead_required
@require_POST
def meal_hold(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    meal = _meal(site, pk)
    try:
        result = services.hold_stock(meal, by=request.user, take=_take(request))
    except services.TakesStock as e:
        return _after_stock_action(request, site, pk, takes=e)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        (messages.warning if result.short else messages.success)(request, result.message)
    return _after_stock_action(request, site, pk)


@lead_required
@require_POST
def meal_release(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    meal = _meal(site, pk)
    try:
        services.release_stock(meal)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The stock held for this meal is free again."))
    return _after_stock_action(request, site, pk)


@lead_required
@require_POST
def meal_cancel(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    meal = _meal(site, pk)
    try:
        released = services.cancel_meal(meal, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("The meal is cancelled. Its stock is free again.")
            if released
            else _("The meal is cancelled."),
        )
    return redirect("kitchen:meal", slug=site.slug, pk=pk)


# --- Cooking -----------------------------------------------------------------------


def _cook_lots(site: Site, meal: MealService, items, today: date) -> dict[int, list[Lot]]:
    """Lots a cook may pick, per item: usable today, or held for this meal; each with
    its date as shown (`shown_date`, flagged when past best-before)."""
    held: dict[int, Decimal] = defaultdict(Decimal)
    for lot_id, quantity in Reservation.objects.filter(
        reference=meal.reference, status=Reservation.Status.HELD
    ).values_list("lot_id", "quantity"):
        held[lot_id] += quantity
    lots: dict[int, list[Lot]] = {item.pk: [] for item in items}
    rules = DateRules.for_site(site, today)
    rows = (
        Lot.objects.at(site)
        .filter(item__in=list(items))
        .may_use(rules)
        .in_stock()
        .select_related("item")
        .first_expiring_first()
    )
    for lot in rows:
        lot.reserved -= held.get(lot.pk, 0)  # what this meal holds is free to this meal
        lot.shown_date = rules.label(lot)
        if lot.available > 0:
            lots[lot.item_id].append(lot)
    return lots


def _cook_forms(request: HttpRequest, site: Site, meal: MealService, servings: int, data=None):
    today = site.today()
    needs = meal_needs(meal, servings)
    lots = _cook_lots(site, meal, [item for item, _quantity in needs], today)
    lines = []
    for n, (item, quantity) in enumerate(needs):
        amount, unit = typed_back(quantity, item)
        lines.append(
            CookLineForm(
                data,
                prefix=f"line-{n}",
                site=site,
                item=item,
                lots=lots[item.pk],
                initial={"quantity": amount, "unit": unit},
            )
        )
    return lines


@lead_required
@require_http_methods(["GET", "POST"])
def meal_cook(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """Record a meal as cooked: servings, people fed, leftovers, and what was used."""
    meal = _meal(site, pk)
    if not meal.is_planned:
        messages.error(
            request,
            _("This meal was already cooked.") if meal.is_cooked else _("This meal was cancelled."),
        )
        return redirect(meal)
    servings = meal.planned_servings
    if (asked := int_param(request.GET, "servings", maximum=100_000)) is not None:
        servings = asked
    data = request.POST if request.method == "POST" else None
    can_keep = cooking.leftover_storage(site) is not None
    form = CookForm(
        data,
        site=site,
        early=meal.date > site.today(),
        keeps=can_keep,
        initial={
            "servings_made": servings,
            "servings_served": servings,
            "leftover_servings": 0,
            "use_by": cooking.default_use_by(site),
        },
    )
    lines = _cook_forms(request, site, meal, servings, data)
    if data is not None and form.is_valid() and all(line.is_valid() for line in lines):
        try:
            cooking.cook_meal(
                meal,
                by=request.user,
                lines=[line.cook_line() for line in lines],
                **{k: v for k, v in form.cleaned_data.items() if k != "off_heat_at_which"},
            )
        except LineErrors as e:
            show_line_errors(lines, e.errors)
        except cooking.ShortOfStock as e:
            form.add_error(None, e.message)
            for line in lines:
                for short in e.short:
                    if line.cook_line().used_item.pk == short.item.pk:
                        line.add_error("quantity", short.describe())
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _("Cooked: %(meal)s. The pantry shows what was used.") % {"meal": meal.title},
            )
            return redirect("kitchen:meal", slug=site.slug, pk=meal.pk)
    context = {
        "site": site,
        "meal": meal,
        "form": form,
        "lines": lines,
        "servings": servings,
        "stock": meal_stock([meal])[meal.pk],
        "can_keep": can_keep,
    }
    return render_page(
        request, "kitchen/cook.html", context, partial="cook-form", status=form_status(form, *lines)
    )


# --- Cooling ------------------------------------------------------------------------


@lead_required
@require_POST
def meal_cooling(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """Log how cold the leftovers are; the reading that passes the record frees them."""
    meal = _meal(site, pk)
    if not (meal.is_cooked and meal.leftover_lot_id):
        messages.error(request, _("Only the leftovers of a cooked meal have a cooling record."))
        context = _meal_context(request, site, meal)
        return TemplateResponse(request, "kitchen/meal.html", context, status=400)
    form = CoolingReadingForm(request.POST, site=site, auto_id="cooling-%s")
    saved = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            logged = log_cooling_reading(
                meal,
                value_c=data["value"],
                at=data["at"] or data["taken_at"],
                by=request.user,
                site=site,
                token=data["token"],
            )
        except DomainError as e:
            show_error(form, e)
        else:
            saved = _("Saved: %(temperature)s.") % {
                "temperature": temperatures.show(logged.reading.value_c)
            }
            if logged.released:
                saved += " " + _("The cooling record passed: the leftovers may be used.")
            elif logged.cooling.failed:
                saved += " " + _("The cooling record failed: the leftovers stay on hold.")
            if not wants_partial(request):
                messages.success(request, saved)
                return redirect("kitchen:meal", slug=site.slug, pk=meal.pk)
            form = None
    meal = _meal(site, pk)
    status = form_status(form) if form is not None else 200
    if wants_partial(request):
        context = {"site": site, "meal": meal, **_cooling_context(site, meal, form, saved)}
        return render_fragment(request, "kitchen/meal.html", "cooling", context, status=status)
    context = {**_meal_context(request, site, meal), **_cooling_context(site, meal, form)}
    return TemplateResponse(request, "kitchen/meal.html", context, status=status)


# --- Labels ------------------------------------------------------------------------


@lead_required
@require_GET
def meal_labels(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """Labels for a cooked meal and its leftovers, on the site's (or the asked) label sheet."""
    meal = _meal(site, pk)
    if not meal.is_cooked:
        messages.error(request, _("Labels are printed once the meal is cooked."))
        return redirect(meal)
    options = LabelOptions.from_query(request.GET, meal)
    try:
        pdf = labels_pdf(meal, options)
    except LabelTooSmall as error:
        messages.error(request, str(error))
        return redirect(meal)
    filename = f"labels-{site.slug}-{meal.date:%Y-%m-%d}-{meal.pk}.pdf"
    return serve_pdf(pdf, filename)
