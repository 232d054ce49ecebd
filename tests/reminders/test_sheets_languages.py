"""A site's sheets print in the site's language, whoever prints them; Arabic ones
right to left in a font with Arabic's letters."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.utils import translation
from pypdf import PdfReader

from tests.reminders.test_sheets import HEADINGS, get_pdf, text_of, three_days_ahead_at

pytestmark = pytest.mark.django_db


def said(language: str, english: str) -> str:
    with translation.override(language):
        text = translation.gettext(english)
    assert text != english, f"{english!r} is not translated into {language}"
    return text


def fonts_of(content: bytes) -> set[str]:
    names = set()
    for page in PdfReader(BytesIO(content)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_a_spanish_sites_day_sheet_is_in_spanish_for_an_english_lead(lead, site, make_shift):
    site.language = "es"
    site.save()
    make_shift(starts_at=three_days_ahead_at(site, 9))
    day = three_days_ahead_at(site, 9).date().isoformat()
    text = text_of(get_pdf(lead, "volunteers:day_sheet", site.slug, day, copy="wall").content)
    assert said("es", "Day sheet") in text
    for heading in ("Name", "First shift", "Guests"):
        assert said("es", heading) in text
    assert "First shift" not in text


def test_an_arabic_sites_sheet_prints_in_arabic_with_a_font_that_has_its_letters(
    lead, site, make_shift
):
    site.language = "ar"
    site.save()
    shift = make_shift(starts_at=three_days_ahead_at(site, 9))
    content = get_pdf(lead, "volunteers:shift_sheet", site.slug, shift.pk, copy="wall").content
    assert any("Amiri" in name for name in fonts_of(content)), fonts_of(content)
    text = text_of(content)
    # Arabic letters (or their joined forms), and no English headings left.
    assert re.search(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]", text)
    assert not [heading for heading in HEADINGS if heading in text]
