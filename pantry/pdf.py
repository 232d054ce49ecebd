"""Printable papers: the donor's receipt and the count sheet (WeasyPrint)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from commonpot import pdf
from pantry.models import PantrySettings


def site_paper_response(
    request: HttpRequest, template: str, context: dict, *, filename: str
) -> HttpResponse:
    """A paper for `context["site"]`, on the paper size the site prints on."""
    page_size = "letter" if PantrySettings.for_site(context["site"]).letter else "A4"
    context = {**context, "page_size": page_size}
    return pdf.serve_pdf(pdf.render_pdf(template, context, request), filename)
