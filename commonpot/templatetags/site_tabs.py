"""The tabs along the top of a site's pages, with their addresses worked out once.

Every lead page shows about twenty tabs; reversing each one's URL for every page
cost a millisecond a page. A tab's address differs between sites only in the
slug, so each goes through `quick_reverse`, which reverses a route once.
"""

from __future__ import annotations

from django import template

from commonpot.quickurls import quick_reverse
from commonpot.registry import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def site_tab_links(context, site) -> list[tuple[str, str, bool]]:
    """(label, address, is this page) for each of `site`'s tabs."""
    request = context.get("request")
    here = request.path if request is not None else ""
    links = []
    for tab in registry.site_tabs:
        url = quick_reverse(tab.url_name, site.slug)
        links.append((tab.label, url, url == here))
    return links
