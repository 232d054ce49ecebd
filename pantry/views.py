"""Stock pages: the stock table, an item's lots, a lot's history, waste, counts,
thresholds, exports and the item picker. Intake and distributions are in
views_intake.py."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.db.models import F, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonpot.errors import DomainError
from commonpot.forms import form_status, suggestions
from commonpot.htmx import render_fragment, render_page, wants_partial
from commonpot.i18n import in_site_language
from commonpot.models import Site
from commonpot.pagecache import cached_page
from commonpot.params import int_param, parse_day
from commonpot.permissions import lead_required
from commonpot.registry import registry
from commonpot.tables import cards_on_phones, paginate
from pantry import catalog, csv_io, services
from pantry.filters import StockFilter
from pantry.forms import CountForm, DiscardForm, ItemSearchForm, ThresholdForm
from pantry.forms_temperatures import StoreLotForm
from pantry.freshness import DateRules
from pantry.holds import cause_texts
from pantry.models import (
    Equipment,
    Item,
    Lot,
    PantrySettings,
    Recall,
    StockCount,
    StockMove,
    StockThreshold,
    Storage,
)
from pantry.pdf import lot_label_context, site_paper_response
from pantry.tables import LotTable, StockTable
from pantry.units import display, display_weight

STOCK_PAGE_SIZE = 25
LOTS_PAGE_SIZE = 50


def _lot(site: Site, lot_id: int) -> Lot:
    """A lot of this site; another site's lot is not found from here."""
    return get_object_or_404(
        Lot.objects.select_related("item", "site", "stored_in"), pk=lot_id, site=site
    )


def _storage(site: Site, storage: str) -> str:
    if storage not in PantrySettings.for_site(site).storage_areas:
        raise Http404(_("%(site)s has no such storage area.") % {"site": site.name})
    return storage


# --- Stock ---------------------------------------------------------------------


@lead_required
@require_GET
@cached_page
def stock(request: HttpRequest, site: Site) -> HttpResponse:
    today = site.today()
    filters = StockFilter(request.GET or None, site=site, today=today)
    table = cards_on_phones(StockTable(filters.qs, site=site, today=today))
    paginate(request, table, STOCK_PAGE_SIZE)
    context = {"site": site, "filters": filters, "table": table, "today": today}
    return render_page(
        request, "pantry/stock.html", context, partial="results", target="stock-results"
    )


@lead_required
@require_GET
def stock_item(request: HttpRequest, site: Site, item_id: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=item_id)
    today = site.today()
    lots = Lot.objects.at(site).of(item).in_stock().select_related("item", "site")
    table = LotTable(
        lots.first_expiring_first(), rules=DateRules.for_site(site, today), orderable=False
    )
    paginate(request, table, LOTS_PAGE_SIZE)
    threshold = StockThreshold.objects.filter(site=site, item=item).first()
    return TemplateResponse(
        request,
        "pantry/stock_item.html",
        {
            "site": site,
            "item": item,
            "table": table,
            "available": display(services.available(site, item, today), item),
            "threshold": display(threshold.minimum, item) if threshold else None,
        },
    )


@lead_required
@require_GET
def lot(request: HttpRequest, site: Site, lot_id: int) -> HttpResponse:
    lot = _lot(site, lot_id)
    moves = list(
        lot.moves.select_related("by", "donation__donor", "distribution", "count", "reverses")
        .prefetch_related(Prefetch("reversed_by", queryset=StockMove.objects.only("pk")))
        .order_by("at", "pk")
    )
    undo_after = timezone.now() - services.UNDO_WINDOW
    # References ("transfer:4") in the words of the app that made them.
    held_for = registry.describe_holds(m.reference for m in moves if m.reference)
    rules = DateRules.for_site(site)
    rows = []
    for move in moves:
        reversed_by = getattr(move, "reversed_by", None)
        undoable = move.kind != StockMove.Kind.REVERSED and reversed_by is None
        rows.append(
            {
                "move": move,
                "at": site.local(move.at),
                "quantity": display(move.quantity, lot.item),
                "weight": display_weight(move.weight_g),
                "after": display(move.on_hand_after, lot.item),
                "reversed_by": reversed_by,
                "undoable": undoable and move.at >= undo_after,
                "reference": held_for.get(move.reference, ""),
            }
        )
    total = sum((m.quantity for m in moves), start=lot.on_hand * 0)
    return TemplateResponse(
        request,
        "pantry/lot.html",
        {
            "site": site,
            "lot": lot,
            "rows": rows,
            "adds_up": total == lot.on_hand,
            "sum_of_moves": display(total, lot.item),
            "on_hand": display(lot.on_hand, lot.item),
            "available": display(lot.available, lot.item),
            "reserved": display(lot.reserved, lot.item),
            "weight": display_weight(lot.item.weight_g(lot.on_hand)),
            "flag": rules.flag(lot),
            "usable": rules.may_use(lot),
            "refusal": rules.refusal(lot),
            "discard_form": DiscardForm(lot=lot),
            "store_form": StoreLotForm(lot=lot, units=list(Equipment.objects.at(site).in_use())),
            "holds": _lot_holds(site, lot),
            # Recalls that named this lot or hold it (its food came from a recalled lot).
            "recalls": Recall.objects.filter(Q(lots=lot) | Q(holds__lot=lot)).distinct(),
        },
    )


@lead_required
@require_GET
def lot_label(request: HttpRequest, site: Site, lot_id: int) -> HttpResponse:
    """A label to stick on a lot's box or shelf: what it is, its dates, and a QR code
    that opens the lot's page on a lead's phone."""
    lot = _lot(site, lot_id)
    return site_paper_response(
        request,
        "pantry/pdf/lot_label.html",
        lot_label_context(site, lot),
        filename=f"lot-{site.slug}-{lot.pk}.pdf",
    )


def _lot_holds(site: Site, lot: Lot) -> list[dict]:
    holds = list(
        lot.holds.select_related("reading__equipment", "lot__site", "released_by").order_by(
            "-started_at", "-pk"
        )
    )
    texts = cause_texts(holds)
    return [
        {
            "hold": h,
            "cause": texts[h.pk],
            "started_at": site.local(h.started_at),
            "released_at": site.local(h.released_at) if h.released_at else None,
        }
        for h in holds
    ]


@lead_required
@require_POST
def move_undo(request: HttpRequest, site: Site, move_id: int) -> HttpResponse:
    move = get_object_or_404(StockMove.objects.select_related("lot"), pk=move_id, lot__site=site)
    try:
        services.reverse_move(move, by=request.user)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("Undone: %(kind)s reversed.") % {"kind": move.get_kind_display().lower()},
        )
    return redirect("pantry:lot", slug=site.slug, lot_id=move.lot_id)


# --- Waste ----------------------------------------------------------------------


@lead_required
@require_http_methods(["GET", "POST"])
def lot_discard(request: HttpRequest, site: Site, lot_id: int) -> HttpResponse:
    lot = _lot(site, lot_id)
    form = DiscardForm(request.POST or None, lot=lot)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            move = services.discard(
                lot,
                reason=data["reason"],
                destination=data["destination"],
                quantity=data["base_quantity"],
                note=data["note"],
                on=data.get("happened_on"),
                by=request.user,
                token=data.get("token"),
            )
        except DomainError as e:
            field = e.field if e.field in ("quantity", "happened_on") else None
            form.add_error(field, e.message)
        else:
            text = _("Discarded %(quantity)s of %(item)s to %(destination)s.") % {
                "quantity": display(-move.quantity, lot.item),
                "item": lot.item.name,
                "destination": move.get_destination_display().lower(),
            }
            if wants_partial(request):
                return render_fragment(
                    request,
                    "pantry/waste.html",
                    "discarded",
                    {"site": site, "lot": lot, "text": text},
                )
            messages.success(request, text)
            if request.POST.get("next") == "waste":
                return redirect("pantry:waste", slug=site.slug)
            return redirect(lot)
    if wants_partial(request) and request.method == "POST":
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        return render_fragment(
            request,
            "pantry/waste.html",
            "discarded",
            {"site": site, "lot": lot, "text": errors, "failed": True},
            status=form_status(form),
        )
    return TemplateResponse(
        request,
        "pantry/discard.html",
        {"site": site, "lot": lot, "form": form},
        status=form_status(form),
    )


@lead_required
@require_GET
def waste(request: HttpRequest, site: Site) -> HttpResponse:
    """Lots only fit for waste first (past use-by, or past best-before beyond the
    site's limit; each with a one-tap discard), then lots past best-before that can
    still be given out, then those whose date comes soon."""
    rules = DateRules.for_site(site)
    today = rules.today
    days = int_param(request.GET, "days", minimum=0, maximum=60, default=3, clamp=True)
    lots = (
        Lot.objects.at(site).in_stock().select_related("item", "site").order_by("best_before", "pk")
    )
    waste_only = list(lots.past_use(rules)[:200])
    past_best_before = list(lots.may_use(rules).filter(best_before__lt=today)[:200])
    expiring = list(lots.expiring_within(today, days)[:200])
    for lot_ in waste_only + past_best_before + expiring:
        lot_.shown_on_hand = display(lot_.on_hand, lot_.item)
        lot_.shown_weight = display_weight(lot_.item.weight_g(lot_.on_hand))
        lot_.flag = rules.flag(lot_)
    return TemplateResponse(
        request,
        "pantry/waste.html",
        {
            "site": site,
            "past_use_by": [lot_ for lot_ in waste_only if lot_.date_kind == Lot.DateKind.USE_BY],
            "past_limit": [lot_ for lot_ in waste_only if lot_.date_kind != Lot.DateKind.USE_BY],
            "past_best_before": past_best_before,
            "expiring": expiring,
            "days": days,
            "today": today,
        },
    )


# --- Counts ---------------------------------------------------------------------


def _count_lots(site: Site, storage: str) -> list[Lot]:
    return list(
        Lot.objects.at(site)
        .in_stock()
        .filter(storage=storage)
        .select_related("item", "site")
        .order_by("item__name", F("best_before").asc(nulls_last=True), "pk")
    )


@lead_required
@require_GET
def counts(request: HttpRequest, site: Site) -> HttpResponse:
    recent = StockCount.objects.filter(site=site).select_related("by")[:20]
    return TemplateResponse(
        request,
        "pantry/counts.html",
        {
            "site": site,
            "areas": [(a, Storage(a).label) for a in PantrySettings.for_site(site).storage_areas],
            "recent": [(c, site.local(c.at)) for c in recent],
        },
    )


@lead_required
@require_http_methods(["GET", "POST"])
def count_area(request: HttpRequest, site: Site, storage: str) -> HttpResponse:
    storage = _storage(site, storage)
    lots = _count_lots(site, storage)
    form = CountForm(request.POST or None, lots=lots, site=site)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            count = services.record_count(
                site=site,
                storage=storage,
                counted=form.cleaned_data["counted"],
                by=request.user,
                token=form.cleaned_data["token"],
                on=form.cleaned_data.get("happened_on"),
            )
        except DomainError as e:
            form.add_error("happened_on" if e.field == "happened_on" else None, e.message)
        else:
            changed = count.moves.count()
            lots_counted = count.lines.count()
            result = _(
                # Translators: %(counted)s is "3 lots" (its own message).
                "Count saved: %(counted)s counted, %(changed)s adjusted. "
                "Lots you left empty were not changed."
            ) % {
                "counted": ngettext("%(count)s lot", "%(count)s lots", lots_counted)
                % {"count": lots_counted},
                "changed": changed,
            }
            if not wants_partial(request):
                messages.success(request, result)
                return redirect("pantry:counts", slug=site.slug)
            lots = _count_lots(site, storage)
            form = CountForm(lots=lots, site=site)
    rules = DateRules.for_site(site)
    for lot_ in lots:
        lot_.shown_on_hand = display(lot_.on_hand, lot_.item)
        lot_.shown_date = rules.label(lot_)
    context = {
        "site": site,
        "storage": storage,
        "storage_label": Storage(storage).label,
        "form": form,
        "result": result,
    }
    return render_page(
        request, "pantry/count_area.html", context, partial="count-form", status=form_status(form)
    )


@lead_required
@require_GET
def count_sheet(request: HttpRequest, site: Site, storage: str) -> HttpResponse:
    storage = _storage(site, storage)
    lots = _count_lots(site, storage)
    rules = DateRules.for_site(site)
    with in_site_language(site):  # the sheet's language, as site_paper_response's
        for lot_ in lots:
            lot_.shown_on_hand = display(lot_.on_hand, lot_.item)
            lot_.shown_date = rules.label(lot_)
    return site_paper_response(
        request,
        "pantry/pdf/count_sheet.html",
        {
            "site": site,
            "storage_label": Storage(storage).label,
            "lots": lots,
            "printed": site.local(timezone.now()),
        },
        filename=f"count-{site.slug}-{storage}-{site.today()}.pdf",
    )


# --- Thresholds ------------------------------------------------------------------


@lead_required
@require_http_methods(["GET", "POST"])
def thresholds(request: HttpRequest, site: Site) -> HttpResponse:
    form = ThresholdForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        item = form.cleaned_data["item"]
        try:
            catalog.set_threshold(site=site, item=item, minimum=form.cleaned_data["base_minimum"])
        except DomainError as e:
            form.add_error("minimum", e.message)
        else:
            messages.success(
                request, _("Low-stock level for %(item)s saved.") % {"item": item.name}
            )
            return redirect("pantry:thresholds", slug=site.slug)
    rows = Item.objects.stock_at(site).filter(threshold__isnull=False).order_by("name")
    shown = [
        {
            "item": item,
            "minimum": display(item.threshold, item),
            "available": display(item.available_total, item),
            "low": item.available_total < item.threshold,
        }
        for item in rows
    ]
    return TemplateResponse(
        request,
        "pantry/thresholds.html",
        {"site": site, "form": form, "rows": shown},
        status=form_status(form),
    )


# --- Exports and the item picker ---------------------------------------------------


def _csv(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@lead_required
@require_GET
def stock_csv(request: HttpRequest, site: Site) -> StreamingHttpResponse:
    return _csv(csv_io.stock_rows(site), f"stock-{site.slug}-{site.today()}.csv")


def _date_param(request: HttpRequest, name: str) -> date | None:
    return parse_day(request.GET.get(name))


@lead_required
@require_GET
def moves_csv(request: HttpRequest, site: Site) -> StreamingHttpResponse:
    since, until = _date_param(request, "from"), _date_param(request, "to")
    return _csv(csv_io.move_rows(site, since, until), f"moves-{site.slug}-{site.today()}.csv")


@lead_required
@require_GET
def item_search(request: HttpRequest, site: Site) -> HttpResponse:
    """Suggestions for the item picker: <option>s for a <datalist>, with stock here."""
    form = ItemSearchForm(request.GET)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    if not text:
        # The picker sends the whole line's fields; the item field's name ends in "item".
        text = next((v for k, v in request.GET.items() if k.endswith("item")), "")[:60]
    items = list(Item.objects.active().search(text)[:12])
    here = Item.objects.free_at(site, [i.pk for i in items])
    options = [
        (
            item.name,
            _("%(quantity)s here") % {"quantity": display(here[item.pk], item)}
            if item.pk in here
            else "",
        )
        for item in items
    ]
    return suggestions(request, options)
