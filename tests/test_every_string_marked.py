"""No English left on a page shown in another language.

The demo network is seeded and every page its people reach by following links is
rendered in a pseudo-translation: each string of the catalogs comes out as
⟦its English⟧. What is left after taking away the marked strings and the data the
database holds (names, notes, addresses) must carry no English words: any that do
come from a string nobody marked for translation.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client, override_settings

from commonpot.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

OPEN, CLOSE = "⟦", "⟧"
SOURCE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
# Words of a sentence or a button, not of a name: a page text outside every marked
# string with any of these was written in English and not marked.
ENGLISH = frozenset(
    re.findall(
        r"[a-z]+",
        """the and of to for with your you this that is are was were has have not yet none all
    any add save edit delete remove show hide cancel back next previous change download print
    open close log sign here there what when where who how per from until today tomorrow
    yesterday please only more less left been will would can cannot could should must need
    needs nothing something every each other others them they their our we us it its
    shifts lots meals sites items stock held waiting sent send claim claimed""",
    )
)
SKIP_PATHS = ("/admin/", "/static/", "/accounts/logout/", "/jsi18n/", "/sw.js", "/language/")
SKIP_ENDINGS = (".pdf", ".csv", ".ics", ".json", ".geojson", ".webmanifest", ".js", ".xlsx")
PAGES_PER_SHAPE = 2
PAGES_PER_PERSON = 400


def pseudo_catalog(folder: Path) -> None:
    """Every string of the Spanish catalog as ⟦its English⟧, in `folder`."""
    source = polib.pofile(str(SOURCE))
    nplurals = int(re.search(r"nplurals=\s*(\d+)", source.metadata["Plural-Forms"])[1])
    pseudo = polib.POFile()
    pseudo.metadata = dict(source.metadata)
    for entry in source:
        if entry.obsolete:
            continue
        made = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, flags=entry.flags)
        if entry.msgid_plural:
            made.msgid_plural = entry.msgid_plural
            forms = [entry.msgid] + [entry.msgid_plural] * (nplurals - 1)
            made.msgstr_plural = {i: f"{OPEN}{form}{CLOSE}" for i, form in enumerate(forms)}
        else:
            made.msgstr = f"{OPEN}{entry.msgid}{CLOSE}"
        pseudo.append(made)
    target = folder / "es" / "LC_MESSAGES"
    target.mkdir(parents=True)
    pseudo.save_as_mofile(str(target / "django.mo"))


class PageText(HTMLParser):
    """The text a person reads or hears on a page, and the links on it."""

    SPOKEN = ("placeholder", "aria-label", "title", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in self.SPOKEN:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data)


def without_marked(text: str) -> str:
    """`text` with every ⟦…⟧ (nested or not) taken out."""
    kept, depth = [], 0
    for char in text:
        if char == OPEN:
            depth += 1
        elif char == CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


def data_texts() -> list[str]:
    """Every text the database holds (names, notes, addresses), longest first."""
    found: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                for line in str(value or "").splitlines():
                    # The line, and its words between figures and marks (an opening
                    # hours line "Mon-Fri 10:00-12:00 Pantry open" shows as its parts).
                    for part in [line, *re.split(r"[\d:.,;–/-]+", line)]:
                        if len(part.strip()) > 2:
                            found.add(part.strip())
    return sorted(found, key=len, reverse=True)


# Not words of a sentence: time zone names (Europe/Isle_of_Man), file names.
NAMES = re.compile(r"\b[A-Za-z_]+/[A-Za-z_/+-]+\b|\S+\.(?:ics|csv|pdf|json)\b")


def english_words(line: str) -> set[str]:
    return ENGLISH & {w.lower() for w in re.findall(r"[A-Za-z']+", NAMES.sub(" ", line))}


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(client: Client, data: list[str]) -> dict[str, list[str]]:
    """Unmarked English on each page reached from the home page."""
    seen: set[str] = set()
    shapes: defaultdict[str, int] = defaultdict(int)
    queue = ["/"]
    found: dict[str, list[str]] = {}
    while queue and len(seen) < PAGES_PER_PERSON:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = PageText()
        page.feed(response.content.decode())
        english = []
        for line in without_marked("\n".join(page.parts)).splitlines():
            if not english_words(line):
                continue
            for value in data:
                if value in line:
                    line = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", " ", line)
            if english_words(line):
                english.append(line.strip())
        if english:
            found[url] = english
        for href in page.links:
            href = urldefrag(href)[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIP_PATHS) or parts.path.endswith(SKIP_ENDINGS):
                continue
            key = shape(parts.path)
            if href in seen or shapes[key] >= PAGES_PER_SHAPE:
                continue
            shapes[key] += 1
            queue.append(href)
    return found


def test_no_page_of_the_demo_network_shows_unmarked_english(tmp_path):
    call_command("seed_demo")
    pseudo_catalog(tmp_path)
    data = data_texts()
    problems: dict[str, list[str]] = {}
    with override_settings(LOCALE_PATHS=[tmp_path]):
        for username in (None, "coordinator", "lead", "camp-lead", "pantry-lead", "volunteer"):
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
            if username:
                client.force_login(
                    User.objects.get(username=username),
                    backend="commonpot.auth.UsernameOrEmailBackend",
                )
            for url, lines in crawl(client, data).items():
                problems[f"{username or 'visitor'} {url}"] = lines
    report = "\n".join(f"{where}: {lines[:3]}" for where, lines in sorted(problems.items()))
    assert not problems, f"Unmarked English on {len(problems)} pages:\n{report}"
