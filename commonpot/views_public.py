"""Public pages and open data: the map, HSDS 3.0 and Murmurations profiles.

Nothing here needs an account, and nothing here shows a person.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from commonpot import opendata
from commonpot.maps import allow_tiles, sites_in_view
from commonpot.models import Site
from commonpot.params import BadParam, require_int

MAX_PER_PAGE = 100


def _bad_request(reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=400)


@require_GET
def site_map(request: HttpRequest) -> HttpResponse:
    sites = Site.objects.public()
    page = TemplateResponse(
        request,
        "commonpot/site_map.html",
        {
            "sites": sites,
            "mapped": [s for s in sites if s.public_latitude is not None],
            "unmapped": [s for s in sites if s.public_latitude is None],
            "map_tiles_url": settings.MAP_TILES_URL,
        },
    )
    return allow_tiles(page)


@require_GET
@cache_control(max_age=300, public=True)
def sites_geojson(request: HttpRequest) -> JsonResponse:
    """Public sites with a publishable location, for the map: at most
    MAP_SITES_MAX, or those in `?bbox=` (400 with the reason for a bad box)."""
    located = Site.objects.public().filter(show_exact_location=True, latitude__isnull=False)
    try:
        sites, meta = sites_in_view(located, request.GET)
    except BadParam as e:
        return _bad_request(str(e))
    features = [
        opendata.site_map_feature(
            site,
            kind=site.get_kind_display(),
            url=site.get_absolute_url(),
            hours=[o.text for o in site.openings],
        )
        for site in sites
    ]
    return JsonResponse(opendata.site_map(features, meta))


@require_GET
def hsds_root(request: HttpRequest) -> JsonResponse:
    return JsonResponse(opendata.hsds_root())


@require_GET
def hsds_services(request: HttpRequest) -> JsonResponse:
    try:
        page = require_int(request.GET, "page", default=1)
        per_page = require_int(request.GET, "per_page", default=25, maximum=MAX_PER_PAGE)
    except BadParam as e:
        return _bad_request(str(e))
    sites = Site.objects.public().order_by("name", "pk")
    search = request.GET.get("search", "").strip()
    if search:
        sites = sites.filter(name__icontains=search) | sites.filter(city__icontains=search)
    total = sites.count()
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        return _bad_request(
            _("There are %(pages)s pages; page %(page)s is past the end.")
            % {"pages": pages, "page": page}
        )
    chunk = list(sites[(page - 1) * per_page : page * per_page])
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(chunk),
            "first_page": page == 1,
            "last_page": page == pages,
            "empty": not chunk,
            "contents": [opendata.hsds_service_summary(site) for site in chunk],
        }
    )


@require_GET
def hsds_service(request: HttpRequest, service_id: str) -> JsonResponse:
    site = opendata.site_for_service_id(service_id)
    if site is None:
        return JsonResponse({"error": _("No public service has this id.")}, status=404)
    return JsonResponse(opendata.hsds_service(site))


@require_GET
def murmurations_profile(request: HttpRequest, slug: str) -> JsonResponse:
    site = get_object_or_404(Site.objects.public(), slug=slug)
    return JsonResponse(opendata.murmurations_profile(site))


@require_GET
@cache_control(max_age=3600, public=True)
def site_hours_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """Opening hours and meal times as a calendar to subscribe to."""
    site = get_object_or_404(Site.objects.public(), slug=slug)
    response = HttpResponse(opendata.hours_calendar(site), content_type="text/calendar")
    response["Content-Disposition"] = f'inline; filename="{site.slug}-hours.ics"'
    return response
