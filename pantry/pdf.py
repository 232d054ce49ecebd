"""Printable papers: the donor's receipt and the count sheet (WeasyPrint)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

# WeasyPrint reports each step of each document at INFO: not news in a server log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def pdf_response(
    request: HttpRequest, template: str, context: dict, *, filename: str
) -> HttpResponse:
    from weasyprint import HTML  # imported on first use: it loads fonts and styles

    html = render_to_string(template, context, request=request)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
