"""Show every site page on the site's own clock.

The views of a site's pages (stock, lots, donations, shifts, meals) find the
site through commonpot.permissions, which activates its time zone; this
middleware makes sure the zone does not outlive the request. Pages about
several sites show each time with Site.local().
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class SiteTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
