"""What makes Commonpot an app on a phone: its manifest and its service worker.

The service worker is served from the root (`/sw.js`) rather than from /static/
because a worker may only control pages under the folder it is served from,
and it must see every page to keep a copy for reading offline. Its source is
static/js/sw.js; this view fills in the static addresses it needs (which carry
a hash once collectstatic has run) and says not to keep it, so a phone checks
for a new worker on every visit instead of trusting an old one for a day.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe

THEME = "#1f5c3a"
PAPER = "#fffdf8"


def _static_source(path: str) -> str:
    """A static file's text: from static/ (tests, a first run) or collectstatic's copy."""
    found = finders.find(path)
    if found:
        with open(found, encoding="utf-8") as source:
            return source.read()
    with staticfiles_storage.open(path) as source:
        return source.read().decode()


@require_safe
def manifest(request: HttpRequest) -> JsonResponse:
    icon = {"type": "image/png"}
    data = {
        "name": "Commonpot",
        "short_name": "Commonpot",
        "description": _("Food, meals and volunteers for a network of kitchens."),
        "id": "/",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": PAPER,
        "theme_color": THEME,
        "icons": [
            {**icon, "src": static("icons/icon-192.png"), "sizes": "192x192", "purpose": "any"},
            {**icon, "src": static("icons/icon-512.png"), "sizes": "512x512", "purpose": "any"},
            {
                **icon,
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "purpose": "maskable",
            },
        ],
        "shortcuts": [
            {"name": _("My shifts"), "url": reverse("volunteers:my_shifts")},
            {"name": _("Open shifts"), "url": reverse("volunteers:board")},
        ],
    }
    return JsonResponse(data, content_type="application/manifest+json")


@require_safe
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    source = (
        _static_source("js/sw.js")
        .replace("__PUSH_SCRIPT__", static("js/sw-push.js"))
        .replace("__STATIC_URL__", static(""))
        .replace("__OFFLINE_URL__", reverse("offline"))
    )
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the phone shows for a page it never kept, with no connection: the
    service worker keeps this page when it starts, and offline.js lists the kept ones.

    The worker fetches it in the background, perhaps while the person logs in. Every
    page that shows a form sends the CSRF cookie back with it, and this answer, to a
    request that left before the login, would put back the token the login had just
    replaced: the next form the person sent would be refused (403). So this page never
    sends the cookie; its forms (the language and the logout) are not used offline."""
    response = TemplateResponse(request, "commonpot/offline.html")
    response.render()
    request.META.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
    return response
