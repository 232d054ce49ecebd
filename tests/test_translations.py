"""The translation catalogs: complete, exact and in step with the code.

A string marked for translation in the code but missing from a catalog, a
translation left empty or fuzzy, one whose placeholders differ from the English,
or a compiled catalog older than its source each fail here. `make messages`
gathers and compiles them (docs/translating.md).
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGE_DIRS = {"es": "es", "pt-br": "pt_BR", "fr": "fr", "ar": "ar", "uk": "uk"}
DOMAINS = ("django", "djangojs")
CATALOGS = [(code, domain) for code in LANGUAGE_DIRS for domain in DOMAINS]
# As `make messages` runs makemessages.
IGNORE = [
    ".venv",
    "var",
    "tests",
    "docs",
    "static/vendor",
    "staticfiles",
    "node_modules",
    "*/benchmark*",
    "*/demo*",
]


def po_path(code: str, domain: str) -> Path:
    return LOCALE / LANGUAGE_DIRS[code] / "LC_MESSAGES" / f"{domain}.po"


def key(entry: polib.POEntry) -> tuple[str | None, str, str | None]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def test_every_language_commonpot_offers_has_its_catalogs():
    offered = {code for code, _name in settings.LANGUAGES} - {"en"}
    assert offered == set(LANGUAGE_DIRS)
    for code, domain in CATALOGS:
        assert po_path(code, domain).exists(), po_path(code, domain)


@pytest.mark.parametrize(("code", "domain"), CATALOGS)
def test_a_catalog_has_every_string_translated_and_none_fuzzy(code, domain):
    catalog = polib.pofile(str(po_path(code, domain)))
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert not untranslated, f"{code} {domain}, untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{code} {domain}: {len(fuzzy)} fuzzy: {fuzzy[:10]}"
    assert catalog.metadata.get("Language") == LANGUAGE_DIRS[code]
    # A fuzzy header is left out of the compiled catalog, and its plural rule with it.
    assert not catalog.metadata_is_fuzzy


@pytest.mark.parametrize(
    ("code", "forms"),
    [("ar", 3), ("uk", 3), ("es", 2), ("fr", 2), ("pt-br", 2)],
)
def test_counts_take_each_languages_own_plural_forms(code, forms):
    from django.utils import translation

    with translation.override(code):
        written = {
            translation.ngettext(
                "%(count)s day past best before", "%(count)s days past best before", n
            )
            % {"count": n}
            for n in (0, 1, 2, 3, 5, 11, 21, 100, 1000000)
        }
    # At least as many ways of writing a count as shown (the compiled header's rule).
    assert len({re.sub(r"\d+", "N", text) for text in written}) >= forms, written


@pytest.mark.parametrize(("code", "domain"), CATALOGS)
def test_a_catalog_compiles_and_its_placeholders_match_the_english(code, domain, tmp_path):
    # msgfmt --check: the header, plural forms, and every python-format entry's
    # %(name)s placeholders the same as its msgid's.
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "out.mo"), str(po_path(code, domain))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("code", "domain"), CATALOGS)
def test_the_compiled_catalog_is_the_one_its_source_makes(code, domain, tmp_path):
    source = po_path(code, domain)
    compiled = source.with_suffix(".mo")
    assert compiled.exists(), f"{compiled} is missing: run make messages"
    fresh = tmp_path / "fresh.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(source)], check=True)
    with compiled.open("rb") as f:
        kept = gettext.GNUTranslations(f)._catalog
    with fresh.open("rb") as f:
        made = gettext.GNUTranslations(f)._catalog
    assert kept == made, f"{compiled} is older than {source.name}: run make messages"


@pytest.mark.slow
@pytest.mark.parametrize("domain", DOMAINS)
def test_every_string_marked_in_the_code_is_in_the_catalogs_and_nothing_else(
    domain, tmp_path, monkeypatch
):
    # makemessages as `make messages` runs it, on a copy of the code in a scratch
    # folder (run in the project, it would write into the project's catalogs).
    source = tmp_path / "source"
    shutil.copytree(
        settings.BASE_DIR,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "var", "locale", "tests", "docs", "node_modules", "*.pyc"
        ),
    )
    scratch = tmp_path / "locale"
    (scratch / "es").mkdir(parents=True)
    monkeypatch.chdir(source)
    with override_settings(LOCALE_PATHS=[scratch]):
        call_command(
            "makemessages",
            locale=["es"],
            domain=domain,
            ignore_patterns=IGNORE,
            no_obsolete=True,
            add_location="file",
            verbosity=0,
        )
    made = scratch / "es" / "LC_MESSAGES" / f"{domain}.po"
    assert made.exists(), "makemessages wrote no catalog"
    gathered = {key(e) for e in polib.pofile(str(made))}
    assert gathered, "makemessages found nothing"
    for code in LANGUAGE_DIRS:
        kept = {key(e) for e in polib.pofile(str(po_path(code, domain))) if not e.obsolete}
        missing = sorted(gathered - kept, key=str)
        extra = sorted(kept - gathered, key=str)
        assert not missing, f"{code} {domain}, not in the catalog (make messages): {missing[:10]}"
        assert not extra, f"{code} {domain}: no longer in the code: {extra[:10]}"
