"""Every URL of Commonpot is in an authorization matrix (tests/<app>/test_authz.py)."""

import importlib

from django.urls import URLPattern, URLResolver, get_resolver

MATRICES = [
    "tests.commonpot.test_authz",
    "tests.pantry.test_authz",
    "tests.network.test_authz",
    "tests.federation.test_authz",
    "tests.kitchen.test_authz",
    "tests.volunteers.test_authz",
    "tests.reminders.test_authz",
]

# Django's own account views whose access is Django's (reset confirmations need a
# token; logout is a POST that anyone may make).
EXEMPT = {
    "logout",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change_done",
}


def _names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or str(entry.pattern).startswith("admin/"):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name


def test_every_named_url_has_a_row_in_some_authorization_matrix():
    covered = set()
    for module in MATRICES:
        for row in importlib.import_module(module).ROWS:
            covered.add(row.name)
    missing = sorted(set(_names()) - covered - EXEMPT)
    assert not missing, f"URLs with no authorization matrix row: {missing}"
