"""Which language a person, a page or a printed sheet is in.

- A page is in its viewer's language: their profile's choice when logged in,
  else the language they picked in the footer (a cookie), else the first of their
  browser's (Accept-Language) that Commonpot speaks, else English
  (`commonpot.middleware.LanguageMiddleware`).
- What is sent to a person (emails, text messages, push, calendar feeds) is in
  their profile's language, whoever's request or job sends it: `in_language_of`.
- A sheet printed for a site (the day sheet, a shift's roster, labels) is in the
  site's language, as its walls and its volunteers read it: `in_site_language`.
"""

from __future__ import annotations

import unicodedata
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

if TYPE_CHECKING:
    from django.http import HttpRequest

    from commonpot.models import Site, User

CODES = frozenset(code for code, _name in settings.LANGUAGES)


def supported(code: str | None) -> str | None:
    """`code` as Commonpot spells it if Commonpot speaks it (`pt-BR` → `pt-br`,
    `es-MX` → `es`), else None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code.strip().lower())
    except LookupError:
        return None


def language_for(user: User | None) -> str:
    """The language to write to `user` in: their profile's, else the network's default."""
    return supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE


def site_language(site: Site | None) -> str:
    return supported(getattr(site, "language", "")) or settings.LANGUAGE_CODE


def in_language_of(user: User | None) -> AbstractContextManager:
    """`with in_language_of(user):` render what goes to `user` in their language."""
    return translation.override(language_for(user))


def in_site_language(site: Site | None) -> AbstractContextManager:
    return translation.override(site_language(site))


def from_request(request: HttpRequest) -> str:
    """The viewer's language: a link's `?lang=` (a page shared in a language), then
    the profile, then the footer's cookie, then the browser's. A code Commonpot does
    not speak, in any of them, is passed over."""
    if linked := supported(request.GET.get("lang")):
        return linked
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and (chosen := supported(user.language)):
        return chosen
    return translation.get_language_from_request(request)


def recipient_language(to: User | str | None, site: Site | None = None) -> str:
    """A person's language; for an address with no account behind it (a site's
    own), the site's."""
    if to is not None and not isinstance(to, str):
        return language_for(to)
    return site_language(site)


def fold(text: str) -> str:
    """A word as compared across languages: lower case, without accents
    ("Boîtes" is "boites", "Mié" is "mie")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def in_recipient_language(
    to: User | str | None, site: Site | None = None
) -> AbstractContextManager:
    """`with in_recipient_language(to, site):` write to `to` in `recipient_language`."""
    return translation.override(recipient_language(to, site))


def visitor_chose(request: HttpRequest) -> bool:
    """Whether the viewer said which language they read: on their profile, in the
    footer, or by a browser language Commonpot speaks. If not, a site's public page
    is shown in the site's language (`in_site_language`) rather than in English."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and supported(user.language):
        return True
    if supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)):
        return True
    accepted = parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    return any(code != "*" and supported(code) for code, _quality in accepted)
