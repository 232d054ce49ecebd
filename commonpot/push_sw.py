"""A minimal service worker at /sw.js: Commonpot's push handlers and nothing else.

Served from the site's root so its scope is the whole site. The app's own
service worker (offline pages) replaces this view; it imports the same
static/js/sw-push.js, so notifications behave the same with either.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    body = f'importScripts("{static("js/sw-push.js")}");\n'
    response = HttpResponse(body, content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response
