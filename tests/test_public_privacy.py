"""Walk every URL an anonymous visitor can open and look for people's details.

New public pages are covered as they are added: every URL pattern with no
arguments, or with only a site slug (tried with every public site), is fetched.
"""

import re

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver

from commonpot.models import Site, User

SKIP_PREFIXES = ("admin/",)


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def _concrete_urls(slugs):
    for route in _patterns():
        if route.startswith(SKIP_PREFIXES) or route.startswith("^"):
            continue
        params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
        if not params:
            yield "/" + route
        elif [name for _, name in params] == ["slug"]:
            for slug in slugs:
                yield "/" + re.sub(r"<(?:\w+:)?slug>", slug, route)


@pytest.mark.django_db
def test_no_public_page_or_feed_shows_a_persons_name_email_or_phone(client):
    call_command("seed_demo")
    people = User.objects.exclude(is_coordinator=True)
    secrets = set()
    for person in people:
        secrets |= {person.display_name, person.email, person.phone}
    secrets.discard("")
    slugs = list(Site.objects.public().values_list("slug", flat=True))
    private = list(Site.objects.filter(is_public=False).values_list("name", flat=True))

    checked = 0
    for url in _concrete_urls(slugs):
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if response.status_code != 200 or not hasattr(response, "content"):
            continue
        body = response.content.decode(errors="replace")
        leaked = [s for s in secrets if s in body] + [n for n in private if n in body]
        assert not leaked, f"{url} shows {leaked}"
        checked += 1
    assert checked >= 10  # the walk really reached the public pages
