"""Printable papers: the donor's receipt and the count sheet (WeasyPrint)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from commonpot import pdf


def pdf_response(
    request: HttpRequest, template: str, context: dict, *, filename: str
) -> HttpResponse:
    return pdf.pdf_response(pdf.render_pdf(template, context, request), filename)
