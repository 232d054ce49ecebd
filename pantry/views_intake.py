"""Food in and out: donations (and their receipts and spreadsheet import), donors,
distributions, and the network's item catalog."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from commonpot.errors import DomainError
from commonpot.forms import form_status, show_error, show_line_errors
from commonpot.htmx import render_page
from commonpot.i18n import in_site_language
from commonpot.models import Site
from commonpot.pagecache import cached_page
from commonpot.params import int_param
from commonpot.permissions import is_coordinator, is_lead, lead_required
from commonpot.tables import paginate
from pantry import catalog, csv_io, services
from pantry.barcodes import allow_barcode_decoder
from pantry.forms import (
    DistributionForm,
    DistributionLineForm,
    DistributionLineFormSet,
    DonationForm,
    DonationLineForm,
    DonationLineFormSet,
    DonorForm,
    ImportForm,
    ItemForm,
    count_unit,
    fill_distribution_from_barcode,
    fill_from_barcode,
)
from pantry.freshness import DateRules
from pantry.models import (
    Distribution,
    DistributionLine,
    Donation,
    DonationImport,
    DonationLine,
    Donor,
    Item,
    Lot,
    StockMove,
)
from pantry.services import donations
from pantry.tables import ItemTable
from pantry.units import display, display_weight, plain

LINES = "lines"
LINE_PREFIX = re.compile(rf"{LINES}-(\d{{1,2}})")
LIST_PAGE_SIZE = 50
CATALOG_PAGE_SIZE = 50


def lead_or_coordinator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The shared catalog: anyone who leads a site, and coordinators."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (is_coordinator(request.user) or is_lead(request.user)):
            raise PermissionDenied(_("Only site leads and coordinators can change the catalog."))
        return view(request, *args, **kwargs)

    return wrapper


def _with_one_more_line(data: QueryDict) -> QueryDict:
    """The same submission with one more blank line (the no-JavaScript "Add a line")."""
    data = data.copy()
    key = f"{LINES}-TOTAL_FORMS"
    data[key] = str(int_param(data, key, minimum=0, maximum=59, default=0, clamp=True) + 1)
    return data


def _new_line(request: HttpRequest, site: Site, formset_class, template: str) -> HttpResponse:
    """One more line for the form, for htmx: the line, and the new line count (out of band)."""
    index = int_param(
        request.GET, f"{LINES}-TOTAL_FORMS", minimum=0, maximum=59, default=1, clamp=True
    )
    formset = formset_class(prefix=LINES, site=site)
    form = formset.form(
        prefix=formset.add_prefix(index),
        empty_permitted=True,
        use_required_attribute=False,
        **formset.get_form_kwargs(index),
    )
    form.fields["item"].widget.attrs["autofocus"] = True
    return TemplateResponse(
        request, template, {"site": site, "form": form, "total": index + 1, "oob": True}
    )


def _per_record(model, parent: str, total, *, zero: bool = False):
    """A total over the rows pointing at each listed record, as a subquery rather
    than a join and GROUP BY: the paginator's count then stays a count of the
    records (a grouped join made it sum every line of every record), and the
    totals are worked out for the page's rows only."""
    totals = (
        model.objects.filter(**{parent: OuterRef("pk")})
        .order_by()
        .values(parent)
        .annotate(total=total)
        .values("total")
    )
    return Coalesce(Subquery(totals), 0) if zero else Subquery(totals)


def _page(request: HttpRequest, records: QuerySet) -> Page:
    """One page of a list, newest first: two queries (the count and the page),
    whatever the size. Past the last page shows the last; not a number, the first."""
    number = int_param(request.GET, "page", default=1)
    return Paginator(records, LIST_PAGE_SIZE).get_page(number)


# --- Donations ---------------------------------------------------------------------


@lead_required
@require_GET
@cached_page
def donation_list(request: HttpRequest, site: Site) -> HttpResponse:
    # ?import=<id>: what one spreadsheet import recorded (linked from the import page
    # when the same file comes again).
    imported = None
    if (import_id := int_param(request.GET, "import")) is not None:
        imported = get_object_or_404(
            DonationImport.objects.select_related("by", "site"), site=site, pk=import_id
        )
    donations_here = (
        Donation.objects.filter(site=site, **({"imported_from": imported} if imported else {}))
        .select_related("donor", "site")
        .annotate(
            line_count=_per_record(DonationLine, "donation", Count("pk"), zero=True),
            weight=_per_record(DonationLine, "donation", Sum("weight_g")),
        )
        .order_by("-received_on", "-pk")
    )
    page = _page(request, donations_here)
    rows = [(d, display_weight(d.weight)) for d in page]
    return TemplateResponse(
        request,
        "pantry/donations.html",
        {
            "site": site,
            "rows": rows,
            "page": page,
            "imported": imported,
            "imported_at": site.local(imported.created_at) if imported else None,
            "query": f"import={imported.pk}" if imported else "",
        },
    )


@lead_required
@require_http_methods(["GET", "POST"])
def donation_new(request: HttpRequest, site: Site) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_line" in data:
        data = _with_one_more_line(data)
    # "Fill from barcode" without JavaScript: the same form back, that line filled in.
    filling = _line_prefix(data.get("fill", "")) if data is not None else None
    note = None
    if filling:
        values, note = fill_from_barcode(data, filling)
        data = data.copy()
        for key, value in values.items():
            data[key] = value
    form = DonationForm(data, site=site)
    formset = DonationLineFormSet(data, prefix=LINES, site=site)
    for line in formset:
        line.barcode_note = note if line.prefix == filling else None
    redisplay = data is None or "add_line" in data or "fill" in data
    if not redisplay and form.is_valid() and formset.is_valid():
        lines = [
            donations.LineInput(
                item=f.cleaned_data["item"],
                quantity=f.cleaned_data["quantity"],
                unit=f.cleaned_data["unit"],
                best_before=f.cleaned_data["best_before"],
                date_kind=f.cleaned_data["date_kind"],
                storage=f.cleaned_data["storage"],
                code=f.cleaned_data["code"],
            )
            for f in formset.filled()
        ]
        try:
            donation = donations.receive_donation(
                site=site,
                donor=form.cleaned_data["donor"],
                received_on=form.cleaned_data["received_on"],
                lines=lines,
                by=request.user,
                token=form.cleaned_data["token"],
                note=form.cleaned_data["note"],
            )
        except services.LineErrors as e:
            show_line_errors(formset.filled(), e.errors)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                ngettext(
                    "Donation logged: %(count)s line from %(donor)s.",
                    "Donation logged: %(count)s lines from %(donor)s.",
                    len(lines),
                )
                % {"count": len(lines), "donor": donation.donor_name},
            )
            return redirect(donation)
    response = TemplateResponse(
        request,
        "pantry/donation_form.html",
        {"site": site, "form": form, "formset": formset},
        status=200 if redisplay else form_status(form, formset),
    )
    return allow_barcode_decoder(response)


@lead_required
@require_GET
def donation_line(request: HttpRequest, site: Site) -> HttpResponse:
    return _new_line(request, site, DonationLineFormSet, "pantry/_donation_line.html")


def _line_prefix(text: str) -> str | None:
    """The prefix ("lines-3") when the text names a line of the form, else None."""
    match = LINE_PREFIX.fullmatch(text)
    return text if match and int(match[1]) < DonationLineFormSet.max_num else None


@lead_required
@require_GET
def barcode_fill(request: HttpRequest, site: Site) -> HttpResponse:
    """One donation line with its fields filled from its barcode, for htmx: the
    line as typed (its fields sent along), with what the code says put in. Nothing
    is saved; the form is saved as a whole by "Log the donation"."""
    return _barcode_fill(
        request, site, DonationLineForm, fill_from_barcode, "pantry/_donation_line.html"
    )


@lead_required
@require_GET
def distribution_barcode_fill(request: HttpRequest, site: Site) -> HttpResponse:
    """One distribution line with the item (and lot) its barcode names, for htmx."""
    return _barcode_fill(
        request,
        site,
        DistributionLineForm,
        lambda data, prefix: fill_distribution_from_barcode(data, prefix, site),
        "pantry/_distribution_line.html",
    )


def _barcode_fill(request, site, form_class, fill, template) -> HttpResponse:
    prefix = _line_prefix(request.GET.get("line", ""))
    if prefix is None:
        return HttpResponseBadRequest(_("Which line? Send line=lines-<number>."))
    values, note = fill(request.GET, prefix)
    if note is None:
        return HttpResponse(status=204)  # an empty box: leave the line as it is
    posted = {**request.GET.dict(), **values}
    form = form_class(
        prefix=prefix,
        site=site,
        use_required_attribute=False,
        initial={
            name: posted[key]
            for name in form_class.base_fields
            if (key := f"{prefix}-{name}") in posted
        },
    )
    form.barcode_note = note
    index = int(prefix.rsplit("-", 1)[1])
    return TemplateResponse(request, template, {"site": site, "form": form, "number": index + 1})


def _donation_context(site: Site, donation_id: int) -> dict:
    donation = get_object_or_404(
        Donation.objects.select_related("donor", "received_by"), pk=donation_id, site=site
    )
    lines = list(donation.lines.select_related("item", "lot__site"))
    reversed_lots = set(
        donation.moves.filter(reversed_by__isnull=False).values_list("lot_id", flat=True)
    )
    weights = [line.weight_g for line in lines]
    total = sum((w for w in weights if w is not None), start=0)
    return {
        "site": site,
        "donation": donation,
        "lines": [
            {
                "line": line,
                "entered": f"{plain(line.quantity_entered)} {line.unit_entered}",
                "quantity": display(line.quantity, line.item),
                "weight": display_weight(line.weight_g),
                "undone": line.lot_id in reversed_lots,
            }
            for line in lines
        ],
        "total_weight": display_weight(total),
        "some_unweighed": any(w is None for w in weights),
    }


@lead_required
@require_GET
def donation_detail(request: HttpRequest, site: Site, donation_id: int) -> HttpResponse:
    return TemplateResponse(
        request, "pantry/donation_detail.html", _donation_context(site, donation_id)
    )


@lead_required
@require_GET
def donation_receipt(request: HttpRequest, site: Site, donation_id: int) -> HttpResponse:
    from pantry.pdf import site_paper_response

    with in_site_language(site):  # the receipt's language, as site_paper_response's
        context = _donation_context(site, donation_id)
    return site_paper_response(
        request,
        "pantry/pdf/receipt.html",
        context,
        filename=f"receipt-{site.slug}-{context['donation'].pk}.pdf",
    )


@lead_required
@require_http_methods(["GET", "POST"])
def donation_import(request: HttpRequest, site: Site) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    report: list[tuple[int, str]] = []
    refusal: donations.AlreadyImported | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        again, token = form.cleaned_data["again"], form.cleaned_data["token"]
        content_sha256 = csv_io.content_hash(data)
        # Before the rows are read: a file imported before is most likely a mistake,
        # whatever its rows now say (a use-by date may have passed since).
        if not again and (first := donations.earlier_import(site, content_sha256, token)):
            refusal = donations.AlreadyImported(first)
        if refusal is None:
            parsed, report = csv_io.parse_donations(data)
            rows = [row for _number, row in parsed]
            numbers = [n for n, _row in parsed]
            report += [(numbers[i], m) for i, _f, m in donations.check_import(site, rows)]
            report.sort()
            if not report and not rows:
                report = [(0, _("The file has no rows to import."))]
        if refusal is None and not report:
            try:
                created = donations.import_donations(
                    site=site,
                    rows=rows,
                    by=request.user,
                    token=token,
                    content_sha256=content_sha256,
                    file_name=upload.name or "",
                    again=again,
                )
            except donations.AlreadyImported as e:
                refusal = e
            except services.LineErrors as e:
                report = [(numbers[i], m) for i, _f, m in e.errors]
            except DomainError as e:
                report = [(0, e.message)]
            else:
                messages.success(
                    request,
                    ngettext(
                        # Translators: %(donations)s is "2 donations" (its own message).
                        "Imported %(count)s row as %(donations)s.",
                        "Imported %(count)s rows as %(donations)s.",
                        len(rows),
                    )
                    % {
                        "count": len(rows),
                        "donations": ngettext(
                            "%(count)s donation", "%(count)s donations", len(created)
                        )
                        % {"count": len(created)},
                    },
                )
                return redirect("pantry:donations", slug=site.slug)
        if refusal is not None:
            form.add_error(
                "file",
                _(
                    "Imported here before: to import it a second time, choose it again "
                    "and tick the box below."
                ),
            )
            form.offer_again()
    return TemplateResponse(
        request,
        "pantry/donation_import.html",
        {
            "site": site,
            "form": form,
            "report": report,
            "refusal": refusal,
            "columns": csv_io.IMPORT_COLUMNS,
        },
        status=409 if refusal else 400 if report else form_status(form),
    )


# --- Donors ----------------------------------------------------------------------


@lead_required
@require_http_methods(["GET", "POST"])
def donors(request: HttpRequest, site: Site) -> HttpResponse:
    form = DonorForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            donor = donations.add_donor(site=site, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("%(donor)s added to your donors.") % {"donor": donor.name})
            return redirect("pantry:donors", slug=site.slug)
    rows = Donor.objects.filter(site=site).annotate(gifts=Count("donations")).order_by("name")
    return TemplateResponse(
        request,
        "pantry/donors.html",
        {"site": site, "form": form, "rows": rows},
        status=form_status(form),
    )


@lead_required
@require_http_methods(["GET", "POST"])
def donor_edit(request: HttpRequest, site: Site, donor_id: int) -> HttpResponse:
    donor = get_object_or_404(Donor, pk=donor_id, site=site)
    form = DonorForm(request.POST or None, instance=donor, site=site)
    if request.method == "POST" and form.is_valid():
        try:
            donations.update_donor(donor, **form.cleaned_data)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("Donor saved."))
            return redirect("pantry:donors", slug=site.slug)
    return TemplateResponse(
        request,
        "pantry/donor_form.html",
        {"site": site, "form": form, "donor": donor},
        status=form_status(form),
    )


# --- Distributions ------------------------------------------------------------------


@lead_required
@require_GET
@cached_page
def distribution_list(request: HttpRequest, site: Site) -> HttpResponse:
    given_here = (
        Distribution.objects.filter(site=site)
        .select_related("site")
        .annotate(
            line_count=_per_record(DistributionLine, "distribution", Count("pk"), zero=True),
            weight=_per_record(StockMove, "distribution", Sum("weight_g")),
        )
        .order_by("-given_on", "-pk")
    )
    page = _page(request, given_here)
    rows = [(d, display_weight(-d.weight if d.weight is not None else None)) for d in page]
    return TemplateResponse(
        request, "pantry/distributions.html", {"site": site, "rows": rows, "page": page}
    )


@lead_required
@require_http_methods(["GET", "POST"])
def distribution_new(request: HttpRequest, site: Site) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    if data is not None and "add_line" in data:
        data = _with_one_more_line(data)
    # "Fill from barcode" without JavaScript: the same form back, that line filled in.
    filling = _line_prefix(data.get("fill", "")) if data is not None else None
    note = None
    if filling:
        values, note = fill_distribution_from_barcode(data, filling, site)
        data = data.copy()
        for key, value in values.items():
            data[key] = value
    initial = []
    picked = int_param(request.GET, "lot")
    if data is None and picked is not None:
        lot = Lot.objects.select_related("item").filter(pk=picked, site=site).first()
        if lot is not None:
            initial = [{"item": lot.item.name, "lot": lot.pk, "unit": count_unit(lot.item)}]
    form = DistributionForm(data, site=site)
    formset = DistributionLineFormSet(data, prefix=LINES, site=site, initial=initial or None)
    for line in formset:
        line.barcode_note = note if line.prefix == filling else None
    redisplay = data is None or "add_line" in data or "fill" in data
    if not redisplay and form.is_valid() and formset.is_valid():
        lines = [
            services.OutLine(
                item=f.cleaned_data["item"],
                quantity=f.cleaned_data["quantity"],
                unit=f.cleaned_data["unit"],
                lot=f.cleaned_data.get("lot"),
            )
            for f in formset.filled()
        ]
        c = form.cleaned_data
        try:
            distribution = services.distribute(
                site=site,
                recipient=c["recipient"],
                households=c["households"],
                people=c["people"],
                partner=c["partner"],
                given_on=c["given_on"],
                lines=lines,
                by=request.user,
                note=c["note"],
                token=c["token"],
            )
        except services.LineErrors as e:
            show_line_errors(formset.filled(), e.errors)
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(
                request,
                _("Given out to %(recipient)s.") % {"recipient": distribution.recipient_label},
            )
            return redirect(distribution)
    partners = (
        Distribution.objects.filter(site=site, recipient=Distribution.Recipient.PARTNER)
        .values_list("partner", flat=True)
        .distinct()
        .order_by("partner")[:50]
    )
    response = TemplateResponse(
        request,
        "pantry/distribution_form.html",
        {"site": site, "form": form, "formset": formset, "partners": partners},
        status=200 if redisplay else form_status(form, formset),
    )
    return allow_barcode_decoder(response)


@lead_required
@require_GET
def distribution_line(request: HttpRequest, site: Site) -> HttpResponse:
    return _new_line(request, site, DistributionLineFormSet, "pantry/_distribution_line.html")


@lead_required
@require_GET
def distribution_detail(request: HttpRequest, site: Site, distribution_id: int) -> HttpResponse:
    distribution = get_object_or_404(
        Distribution.objects.select_related("by"), pk=distribution_id, site=site
    )
    moves = distribution.moves.select_related("lot__item").order_by("pk")
    # Flagged as the food was on the day it was given out.
    rules = DateRules.for_site(site, distribution.given_on)
    rows = [
        {
            "move": m,
            "date": rules.label(m.lot),
            "quantity": display(-m.quantity, m.lot.item),
            "weight": display_weight(-m.weight_g if m.weight_g is not None else None),
        }
        for m in moves
    ]
    return TemplateResponse(
        request,
        "pantry/distribution_detail.html",
        {"site": site, "distribution": distribution, "rows": rows},
    )


# --- Catalog -----------------------------------------------------------------------


@lead_or_coordinator_required
@require_GET
@cached_page
def item_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:60]
    items = Item.objects.all()
    if text:
        items = items.filter(name__icontains=text) | items.filter(gtin=text)
    category = request.GET.get("category", "")
    if category in Item.Category.values:
        items = items.filter(category=category)
    table = ItemTable(items)
    paginate(request, table, CATALOG_PAGE_SIZE)
    context = {"table": table, "q": text, "category": category, "categories": Item.Category.choices}
    return render_page(
        request, "pantry/items.html", context, partial="results", target="item-results"
    )


@lead_or_coordinator_required
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest) -> HttpResponse:
    # ?gtin=: from a donation line whose barcode is not in the catalog yet.
    gtin = request.GET.get("gtin", "")
    initial = {"gtin": gtin} if gtin.isdigit() and len(gtin) <= 14 else {}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = catalog.add_item(**form.values())
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("%(item)s added to the catalog.") % {"item": item.name})
            return redirect("pantry:items")
    return TemplateResponse(
        request, "pantry/item_form.html", {"form": form, "item": None}, status=form_status(form)
    )


@lead_or_coordinator_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=item_id)
    form = ItemForm(request.POST or None, instance=Item.objects.get(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        try:
            catalog.update_item(item, **form.values())
        except DomainError as e:
            show_error(form, e)
        else:
            messages.success(request, _("%(item)s saved.") % {"item": item.name})
            return redirect("pantry:items")
    return TemplateResponse(
        request, "pantry/item_form.html", {"form": form, "item": item}, status=form_status(form)
    )
