"""Printable papers: the donor's receipt, the count sheet and lot labels (WeasyPrint).

A site's papers are in the site's language (Site.language), whoever prints them:
they are read on its walls, shelves and boxes, and by its donors."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from commonpot import pdf
from commonpot.i18n import in_site_language
from pantry.models import Lot, PantrySettings


def site_paper_response(
    request: HttpRequest, template: str, context: dict, *, filename: str
) -> HttpResponse:
    """A paper for `context["site"]`, on the paper size the site prints on, in the
    site's language (what the view worked out for it beforehand is worked out in
    `in_site_language` too)."""
    site = context["site"]
    page_size = "letter" if PantrySettings.for_site(site).letter else "A4"
    context = {**context, "page_size": page_size}
    with in_site_language(site):
        return pdf.serve_pdf(pdf.render_pdf(template, context, request), filename)


# Module size of the label's QR code: a lot URL makes a code of 33 to 41 modules
# with its quiet zone, 26 to 33 mm across, which a phone reads from arm's length.
QR_MODULE_MM = 0.8


def lot_qr_svg(url: str) -> str:
    """An inline SVG QR code of `url` (segno: pure Python, no image files)."""
    import segno

    return segno.make(url, error="m", micro=False).svg_inline(scale=QR_MODULE_MM, unit="mm")


def lot_label_context(site, lot: Lot) -> dict:
    url = settings.SITE_URL + lot.get_absolute_url()
    return {"site": site, "lot": lot, "url": url, "qr": lot_qr_svg(url)}
