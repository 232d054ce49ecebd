"""The map's background tiles: where they come from, and the one page-level
exception the Content-Security-Policy makes for them."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse


def tiles_origin() -> str | None:
    """`scheme://host[:port]` of MAP_TILES_URL, or None when tiles are served here."""
    parts = urlsplit(settings.MAP_TILES_URL.replace("{", "").replace("}", ""))
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def allow_tiles(response: HttpResponse) -> HttpResponse:
    """Let a page with a map load its tiles; every other page loads images from here only."""
    origin = tiles_origin()
    if origin is not None:
        response._csp_update = {"img-src": [origin]}  # read by django-csp's middleware
    return response
