"""Printed sheets: the leads' page of coming days, the shift and day sheets as
PDFs, and a volunteer's own schedule.

Sheets are reached through the site (`lead_required`), so another site's
shift is a 404 here and another site's lead gets a 403. The leads' copy has
phone numbers; `?copy=wall` prints the same sheet without them, to pin up.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from commonpot.models import Site
from commonpot.params import require_day
from commonpot.pdf import serve_pdf
from commonpot.permissions import lead_required
from volunteers import pdf
from volunteers.models import Shift, SignUp

if TYPE_CHECKING:
    from weasyprint import Document

DAYS_LISTED = 14
COPIES = {"lead": True, "wall": False}  # ?copy= -> with phone numbers
# Dates a sheet may be printed for; anything else is a mistyped address.


def _bad_request(request: HttpRequest, reason: str) -> HttpResponse:
    return TemplateResponse(request, "400.html", {"exception": reason}, status=400)


def _pdf_response(document: Document, filename: str) -> HttpResponse:
    # Sheets carry names and phone numbers: commonpot.pdf never lets them be cached.
    return serve_pdf(document.write_pdf(), filename)


def _with_phones(request: HttpRequest) -> bool | None:
    return COPIES.get(request.GET.get("copy", "lead"))


@lead_required
@require_GET
def sheets(request: HttpRequest, site: Site) -> HttpResponse:
    """The coming days with a link to each day's sheet and each shift's sheet.

    `?day=` (the "another day" form) goes straight to that day's sheet.
    """
    today = site.today()
    day_error = ""
    if "day" in request.GET:
        try:
            wanted = require_day(request.GET["day"])
        except ValueError as e:
            day_error = str(e)
        else:
            return redirect("volunteers:day_sheet", slug=site.slug, day=wanted.isoformat())
    start = datetime.combine(today, time.min, tzinfo=site.tz)
    shifts = (
        Shift.objects.at(site)
        .between(start, start + timedelta(days=DAYS_LISTED))
        .select_related("site", "role")
        .order_by("starts_at", "pk")
    )
    days: dict[date, list[Shift]] = defaultdict(list)
    for shift in shifts:
        days[shift.local_date].append(shift)
    return TemplateResponse(
        request,
        "volunteers/sheets/index.html",
        {
            "site": site,
            "days": sorted(days.items()),
            "today": today,
            "listed": DAYS_LISTED,
            "day_error": day_error,
        },
        status=400 if day_error else 200,
    )


@lead_required
@require_GET
def shift_sheet(request: HttpRequest, site: Site, shift_id: int) -> HttpResponse:
    phones = _with_phones(request)
    if phones is None:
        return _bad_request(request, _("Choose copy=lead or copy=wall."))
    shift = get_object_or_404(Shift.objects.select_related("site", "role"), pk=shift_id, site=site)
    stamp = f"{shift.local_start:%Y-%m-%d-%H%M}"
    return _pdf_response(
        pdf.shift_sheet(shift, phones=phones), f"{site.slug}-{stamp}-{slugify(shift.role.name)}.pdf"
    )


@lead_required
@require_GET
def day_sheet(request: HttpRequest, site: Site, day: str) -> HttpResponse:
    phones = _with_phones(request)
    if phones is None:
        return _bad_request(request, _("Choose copy=lead or copy=wall."))
    try:
        when = require_day(day)
    except ValueError as e:
        return _bad_request(request, str(e))
    return _pdf_response(pdf.day_sheet(site, when, phones=phones), f"{site.slug}-{when}.pdf")


@login_required
@require_GET
def my_schedule(request: HttpRequest) -> HttpResponse:
    """The person's own coming shifts, to print or keep on a phone."""
    return _pdf_response(pdf.schedule(request.user), "my-shifts.pdf")


def schedule_panel(request: HttpRequest, site: Site | None):
    """Home page panel: a link to print one's schedule, once there is one."""
    if not SignUp.objects.of(request.user).active().upcoming().exists():
        return None
    return "volunteers/sheets/_schedule_panel.html", {}
