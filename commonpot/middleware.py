"""Show every site page on the site's own clock.

A page under /sites/<slug>/... (stock, lots, donations, shifts, meals) renders
its times in that site's time zone, whoever looks at it and wherever the
server is. Pages about several sites show each time with Site.local().
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from commonpot.models import Site

CACHE_SECONDS = 300


def cache_key(slug: str) -> str:
    return f"site-tz:{slug}"


def site_time_zone(slug: str) -> str | None:
    """The zone of the site with this slug (cached: it seldom changes)."""
    key = cache_key(slug)
    zone = cache.get(key)
    if zone is None:
        zone = Site.objects.filter(slug=slug).values_list("time_zone", flat=True).first() or ""
        cache.set(key, zone, CACHE_SECONDS)
    return zone or None


class SiteTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("slug")
        if isinstance(slug, str):
            zone = site_time_zone(slug)
            if zone:
                timezone.activate(zoneinfo.ZoneInfo(zone))
        return None
