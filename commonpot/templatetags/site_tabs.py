"""The tabs along the top of a site's pages, with their addresses worked out once.

Every lead page shows about twenty tabs; reversing each one's URL for every page
cost a millisecond a page. A tab's address differs between sites only in the
slug, so each goes through `quick_reverse`, which reverses a route once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from commonpot.quickurls import quick_reverse
from commonpot.registry import SITE_TAB_GROUP_LABELS, SITE_TAB_GROUPS, registry

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


@dataclass
class TabGroup:
    label: str
    url: str  # its first tab's
    current: bool = False
    tabs: list[tuple[str, str, bool]] = field(default_factory=list)
    key: str = ""  # the group's name in SITE_TAB_GROUPS (or its one tab's label)


@register.simple_tag(takes_context=True)
def site_tab_groups(context, site) -> list[TabGroup]:
    """`site`'s tabs under their group headings (SITE_TAB_GROUPS), a tab with no group
    as a heading of its own. The current group is the one holding the tab whose
    address is the longest start of this page's (a shift's roster sits under Shifts)."""
    request = context.get("request")
    here = request.path if request is not None else ""
    groups: dict[str, TabGroup] = {}
    best = ("", "")  # (address, group label)
    for tab in registry.site_tabs:
        url = quick_reverse(tab.url_name, site.slug)
        key = tab.group or tab.label
        group = groups.setdefault(key, TabGroup(SITE_TAB_GROUP_LABELS.get(key, key), url, key=key))
        group.tabs.append((tab.label, url, url == here))
        if here.startswith(url) and len(url) > len(best[0]):
            best = (url, key)
    if best[1]:
        groups[best[1]].current = True
    order = {name: i for i, name in enumerate(SITE_TAB_GROUPS)}
    return sorted(groups.values(), key=lambda g: order.get(g.key, -1))
