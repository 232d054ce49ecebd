"""Middleware of our own.

SiteTimezoneMiddleware: show every site page on the site's own clock.
SiteMeasuresMiddleware: and in the site's own measures (commonpot.measures).
LanguageMiddleware: every page in its viewer's language (commonpot.i18n).
SentFromThePhoneMiddleware: a saved form sent by the offline queue's fetch says
where to go next instead of being redirected (static/js/offline.js).

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
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from commonpot import i18n, measures
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


class LanguageMiddleware:
    """Each request in its viewer's language (commonpot.i18n.from_request): their
    profile's, else the footer's choice, else their browser's. Used instead of
    Django's LocaleMiddleware, which knows nothing of the profile."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = i18n.from_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
            # The page's own language: a site's public page may be in the site's.
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class SiteMeasuresMiddleware:
    """Each request starts in the viewer's own measures, which a site's page
    replaces with its site's (commonpot.permissions.site_for_lead); neither
    outlives the request. Looked up only if the page writes a quantity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        measures.activate(lambda: measures.viewer_measures(user))
        try:
            return self.get_response(request)
        finally:
            measures.deactivate()


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
        below = _("Below is what was recorded.")
        messages.warning(request, f"{exception.message} {below}")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)


NUL = "\x00"


class RefuseNulMiddleware:
    """A NUL character in the address, the query string or form data is refused with 400.

    No text a person types contains one, and PostgreSQL cannot store or even
    compare it (a query with one fails), so `/calendar/a%00b.ics` or
    `?q=a%00b` would otherwise reach the database and answer 500. Checked once
    here rather than in every view; form data is read only where Django's CSRF
    check reads it anyway (a form post).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if where := self._nul_in(request):
            refusals = {
                "address": _("The address holds a NUL character (%00), which is never valid."),
                "query string": _(
                    "The query string holds a NUL character (%00), which is never valid."
                ),
                "form": _("The form holds a NUL character (%00), which is never valid."),
            }
            return TemplateResponse(
                request, "400.html", {"exception": refusals[where]}, status=400
            ).render()
        return self.get_response(request)

    @staticmethod
    def _nul_in(request: HttpRequest) -> str:
        if NUL in request.path:
            return "address"
        if NUL in request.META.get("QUERY_STRING", "") or _holds_nul(request.GET):
            return "query string"
        if request.method == "POST" and _holds_nul(request.POST):
            return "form"
        return ""


def _holds_nul(data) -> bool:
    return any(NUL in key or any(NUL in v for v in data.getlist(key)) for key in data)


class SentFromThePhoneMiddleware:
    """A form the offline queue sends by fetch while the phone is online
    (static/js/offline.js, header X-Commonpot-Send): a saved form's redirect is
    answered as 204 with the address in X-Commonpot-Location, for the page to go
    there itself. Followed by fetch, the redirect's page would be fetched and
    thrown away, and with it the "saved" message it shows once."""

    HEADER = "X-Commonpot-Send"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        moved = 300 <= response.status_code < 400 and response.has_header("Location")
        if moved and request.headers.get(self.HEADER) == "1":
            answer = HttpResponse(status=204)
            answer["X-Commonpot-Location"] = response["Location"]
            for cookie in response.cookies.values():
                answer.cookies[cookie.key] = cookie
            return answer
        return response
