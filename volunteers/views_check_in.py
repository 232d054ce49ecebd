"""Check-in by QR code: the code a lead shows (one shift, or the kiosk at the door
for the day's shifts) and the page a volunteer's phone opens to check in.

The code's address opens with any phone camera (the page asks for one tap, as an
address opened must not write); the page also reads a code with the phone's camera
(static/js/scan.js) or takes it typed. See volunteers/check_in_codes.py.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from commonpot.errors import DomainError
from commonpot.htmx import render_fragment, wants_partial
from commonpot.models import Site
from commonpot.permissions import lead_required
from volunteers import check_in_codes, services
from volunteers.models import Shift, SignUp
from volunteers.views_lead import _shift

# How often a screen showing a code fetches the next one (it changes every minute).
REFRESH_SECONDS = 20


def _qr(request: HttpRequest, code: str) -> dict:
    url = request.build_absolute_uri(f"{reverse('volunteers:self_check_in')}?code={code}")
    svg = segno.make(url, error="m", micro=False).svg_inline(scale=6, border=2, omitsize=True)
    return {"url": url, "svg": mark_safe(svg), "refresh": REFRESH_SECONDS}  # noqa: S308 — segno's own markup


@login_required
@require_http_methods(["GET", "POST"])
def self_check_in(request: HttpRequest) -> HttpResponse:
    text = (request.POST.get("code") or request.GET.get("code") or "").strip()[:300]
    context: dict = {"code": text}
    status = 200
    if text:
        try:
            code = check_in_codes.read(text)
            if request.method == "POST":
                sign_up, already = services.check_in_by_code(volunteer=request.user, code=code)
                what = check_in_codes.describe(sign_up)
                if already:
                    messages.info(
                        request, _("You were already checked in: %(shift)s.") % {"shift": what}
                    )
                else:
                    messages.success(
                        request, _("You are checked in: %(shift)s. Thank you!") % {"shift": what}
                    )
                return redirect("volunteers:my_shifts")
            context["sign_up"] = check_in_codes.sign_up_for(request.user, code)
            context["what"] = check_in_codes.describe(context["sign_up"])
        except DomainError as e:
            context["error"] = e.message
            status = 400
    elif request.method == "POST":
        context["error"] = _("Scan the code or type it in.")
        status = 400
    return TemplateResponse(request, "volunteers/check_in.html", context, status=status)


@lead_required
@require_GET
@never_cache
def roster_code(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    """The shift's check-in code, big, for a lead's phone held up at the door; the
    roster shows it small and fetches this one's `code` partial to keep it current."""
    shift = _shift(site, pk)
    context = {"site": site, "shift": shift, **_qr(request, check_in_codes.for_shift(shift))}
    if wants_partial(request):
        return render_fragment(request, "volunteers/check_in_code.html", "code", context)
    return TemplateResponse(request, "volunteers/check_in_code.html", context)


@lead_required
@require_GET
@never_cache
def kiosk(request: HttpRequest, site: Site) -> HttpResponse:
    """For a tablet at the door: one code for every shift of the day at the site, and
    how many are checked in on each (no names: anyone passing sees the screen)."""
    today = site.today()
    confirmed = Q(sign_ups__status=SignUp.Status.CONFIRMED)
    shifts = (
        Shift.objects.on_local_day(site, today)
        .select_related("site", "role")
        .annotate(
            people=Count("sign_ups", filter=confirmed),
            checked_in=Count(
                "sign_ups", filter=confirmed & Q(sign_ups__attendance=SignUp.Attendance.ATTENDED)
            ),
        )
        .order_by("starts_at", "pk")
    )
    context = {
        "site": site,
        "today": today,
        "shifts": shifts,
        **_qr(request, check_in_codes.for_kiosk(site)),
    }
    if wants_partial(request):
        return render_fragment(request, "volunteers/kiosk.html", "code", context)
    return TemplateResponse(request, "volunteers/kiosk.html", context)
