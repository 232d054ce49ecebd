"""Middleware of our own.

SiteTimezoneMiddleware: show every site page on the site's own clock.

The views of a site's pages (stock, lots, donations, shifts, meals) find the
site through commonpot.permissions, which activates its time zone; this
middleware makes sure the zone does not outlive the request. Pages about
several sites show each time with Site.local().
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from commonpot.idempotency import AlreadySent


class SiteTimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class AlreadySentMiddleware:
    """A form sent again with other content: say nothing was saved, show what was.

    The services raise `commonpot.idempotency.AlreadySent` when a token that made
    a record comes back with different figures (see that module). Answered here,
    once, so every tokened form behaves alike: a warning and the recorded record
    (htmx is told to go there too), or a 409 page when the record has no page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AlreadySent):
            return None
        url = getattr(exception.record, "get_absolute_url", None)
        url = url() if url is not None else ""
        if not url:
            return TemplateResponse(
                request, "409.html", {"message": exception.message}, status=409
            ).render()
        messages.warning(request, f"{exception.message} Below is what was recorded.")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
