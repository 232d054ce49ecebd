"""A site's tab bar: the groups, and the tabs of the group of the page shown."""

import pytest
from django.urls import reverse

from commonpot.registry import SITE_TAB_GROUPS, registry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_every_tab_but_the_overview_sits_in_a_named_group():
    assert {t.group for t in registry.site_tabs} == {"", *SITE_TAB_GROUPS}
    assert [t.label for t in registry.site_tabs if not t.group] == ["Overview"]


def test_a_page_below_a_tab_opens_that_tabs_group(lead, site):
    html = client_for(lead).get(reverse("volunteers:site_shifts", args=[site.slug])).content
    html = html.decode()
    groups = html.split('class="site-tabs__groups"')[1].split("</ul>")[0]
    for name in ("Overview", "Food", "Meals", "People", "Network", "Settings"):
        assert f">{name}</a>" in groups
    assert 'class="is-current" aria-current="true">People<' in groups
    tabs = html.split('class="site-tabs__tabs"')[1].split("</ul>")[0]
    assert 'aria-current="page">Shifts<' in tabs and ">Rotas<" in tabs and ">Stock<" not in tabs
