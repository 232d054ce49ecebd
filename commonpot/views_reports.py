"""Report pages, PDFs and CSV downloads, per site and for the network."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from commonpot import measures, reports
from commonpot.models import Site
from commonpot.pdf import render_pdf, serve_pdf
from commonpot.permissions import coordinator_required, lead_required


def _bad(reason: str) -> HttpResponse:
    return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")


def _render(request: HttpRequest, period: reports.Period, *, site: Site | None) -> HttpResponse:
    sections = reports.build_sections(period)
    what = request.GET.get("download", "")
    name = slugify(site.name if site else "network") + f"-{period.start}-{period.end}"
    if what == "pdf":
        body = render_pdf(
            "commonpot/report_pdf.html",
            {"period": period, "sections": sections, "site": site, "generated": timezone.now()},
            request,
        )
        return serve_pdf(body, f"report-{name}.pdf", attachment=True)
    if what:
        table = reports.find_table(sections, what)
        if table is None:
            return _bad(_("This report has no table called '%(name)s'.") % {"name": what})
        response = HttpResponse(reports.table_csv(table), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{table.key}-{name}.csv"'
        return response
    return TemplateResponse(
        request,
        "commonpot/report.html",
        {
            "period": period,
            "sections": sections,
            "site": site,
            "sites": Site.objects.all() if site is None else None,
            "query": request.GET.copy(),
        },
    )


@coordinator_required
@require_GET
def network_report(request: HttpRequest) -> HttpResponse:
    slug = request.GET.get("site", "")
    sites = list(Site.objects.all())
    chosen = None
    if slug:
        chosen = next((s for s in sites if s.slug == slug), None)
        if chosen is None:
            return _bad(_("There is no site called '%(name)s'.") % {"name": slug})
        # One site's report reads in its own measures; the network's in the viewer's.
        measures.activate_for_site(chosen)
    try:
        period = reports.parse_period(
            request.GET,
            sites=[chosen] if chosen else sites,
            network=chosen is None,
            today=timezone.localdate(),
        )
    except reports.BadPeriod as e:
        return _bad(str(e))
    return _render(request, period, site=chosen)


@lead_required
@require_GET
def site_report(request: HttpRequest, site: Site) -> HttpResponse:
    try:
        period = reports.parse_period(request.GET, sites=[site], network=False, today=site.today())
    except reports.BadPeriod as e:
        return _bad(str(e))
    return _render(request, period, site=site)
