"""Printable documents with WeasyPrint: one way to lay them out and serve them.

Shift sheets, receipts, manifests, labels and reports all come through here, so
they share the same rules: a document never fetches anything over the network
(its base URL is the project folder, never the request), WeasyPrint is loaded
only when something is printed, and a PDF is never kept in a shared cache
(most carry names, addresses or phone numbers).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

if TYPE_CHECKING:
    from weasyprint import Document

# WeasyPrint reports each step of each document at INFO: not news in a server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_document(template: str, context: dict, request: HttpRequest | None = None) -> Document:
    """Laid-out pages (`.pages`), ready for `.write_pdf()`."""
    from weasyprint import HTML  # loading fonts and styles takes a moment

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def render_pdf(template: str, context: dict, request: HttpRequest | None = None) -> bytes:
    return render_document(template, context, request).write_pdf()


def serve_pdf(body: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(attachment, filename)
    response["Cache-Control"] = "private, no-store"
    return response
