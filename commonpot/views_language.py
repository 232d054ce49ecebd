"""Choosing a language (the footer's switcher) and the JavaScript catalog.

The switcher posts here: the choice is kept in a cookie for anyone, and on the
profile of a person logged in (so their emails and texts follow it too).
The JavaScript catalog is served per language at its own address, so the
service worker can keep it beside the pages it keeps.
"""

from __future__ import annotations

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog

from commonpot import i18n
from commonpot.services import choose_language


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("language", "")
    if code not in i18n.CODES:
        return HttpResponseBadRequest(
            _("Commonpot does not speak that language yet: choose one from the list.")
        )
    if request.user.is_authenticated:
        choose_language(user=request.user, language=code)
    go_to = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        go_to, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        go_to = "/"
    # 303: see the page again, by GET, now in the new language.
    response = HttpResponseRedirect(go_to, status=303)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


_catalog = JavaScriptCatalog.as_view()


def javascript_catalog(request: HttpRequest, language: str) -> HttpResponse:
    """The scripts' strings in `language` (gettext, ngettext, interpolate)."""
    if language not in i18n.CODES:
        raise Http404(_("No such language."))
    with translation.override(language):
        response = _catalog(request)
    response["Cache-Control"] = "public, max-age=3600"
    return response
