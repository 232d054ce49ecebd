"""One way to answer a page that htmx also asks for in part.

The same URL serves the whole page and, to htmx, a named partial of the same
template (django-template-partials). Two things make that safe:

- A history restore is not a partial request. When the browser's history
  cache misses, htmx 2 fetches the page again with `HX-Request` *and*
  `HX-History-Restore-Request` set, and puts whatever comes back in place of
  the whole body: answering with a fragment leaves the person looking at a
  bare card after pressing Back.
- The answer varies on `HX-Request`, so a browser or proxy cache never hands
  the fragment to a full page load of the same URL (or the page to htmx).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers

VARY = ("HX-Request",)


def wants_partial(request: HttpRequest, target: str | None = None) -> bool:
    """Is this an htmx request for part of a page (optionally: aimed at `target`)?"""
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    return target is None or htmx.target == target


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, VARY)
    return response


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    target: str | None = None,
    status: int = 200,
) -> TemplateResponse:
    """`template`, or its `partial` for an htmx request (aimed at `target`, if given)."""
    name = template
    if partial is not None and wants_partial(request, target):
        name = f"{template}#{partial}"
    response = TemplateResponse(request, name, context, status=status)
    return vary_on_htmx(response)


def render_fragment(
    request: HttpRequest, template: str, partial: str, context: dict[str, Any], *, status: int = 200
) -> TemplateResponse:
    """Only the partial: for answers to an htmx action (a claim, a discard) whose
    caller has already checked `wants_partial`."""
    response = TemplateResponse(request, f"{template}#{partial}", context, status=status)
    return vary_on_htmx(response)
