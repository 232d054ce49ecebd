"""The tabs along the top of a site's pages, with their addresses worked out once.

Every lead page shows about twenty tabs; reversing each one's URL for every page
cost a millisecond a page. A tab's address differs between sites only in the
slug, so each is reversed once (per URL configuration) with a stand-in slug.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import get_urlconf, reverse

from commonpot.registry import registry

register = template.Library()

# A slug no route spells out: it stands only where the site's slug goes (and
# only its first occurrence is replaced, so a site of that very slug is fine).
STAND_IN = "0-stand-in-slug-0"


@lru_cache(maxsize=256)
def _pattern(urlconf: str | None, url_name: str) -> str:
    return reverse(url_name, args=[STAND_IN], urlconf=urlconf)


@register.simple_tag(takes_context=True)
def site_tab_links(context, site) -> list[tuple[str, str, bool]]:
    """(label, address, is this page) for each of `site`'s tabs."""
    request = context.get("request")
    here = request.path if request is not None else ""
    urlconf = get_urlconf()
    links = []
    for tab in registry.site_tabs:
        url = _pattern(urlconf, tab.url_name).replace(STAND_IN, site.slug, 1)
        links.append((tab.label, url, url == here))
    return links
