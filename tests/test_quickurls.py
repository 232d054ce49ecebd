"""quick_reverse gives exactly what Django's reverse gives, for every route."""

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter

from commonpot.quickurls import quick_reverse


def _routes(patterns=None, namespace=""):
    """(name, converters in order) of every named route without a regex."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            if not getattr(p.pattern, "converters", {}) and not p.pattern.regex.groups:
                yield from _routes(p.url_patterns, ns)
        elif (
            isinstance(p, URLPattern)
            and p.name
            and hasattr(p.pattern, "converters")
            and p.pattern.regex.groups == len(p.pattern.converters)
        ):
            yield f"{namespace}{p.name}", list(p.pattern.converters.values())


ROUTES = sorted(set((name, tuple(type(c) for c in convs)) for name, convs in _routes()))


def test_the_routes_are_found():
    names = {name for name, _ in ROUTES}
    assert {"site_detail", "network:offer", "volunteers:day", "pantry:lot"} <= names


@pytest.mark.parametrize(("name", "kinds"), ROUTES, ids=[n for n, _ in ROUTES])
def test_every_route_reverses_the_same(name, kinds):
    samples = [
        [7 if k is IntConverter else "riverside-kitchen" for k in kinds],
        [1234567 if k is IntConverter else "a_b-9" for k in kinds],
    ]
    for args in samples:
        try:
            expected = reverse(name, args=args)
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                quick_reverse(name, *args)
            continue
        assert quick_reverse(name, *args) == expected
        assert quick_reverse(name, *args) == expected  # and again, from what it kept


@pytest.mark.parametrize(
    "args",
    [(-1,), ("two words",), ("café",), ("a/b",), ("",), (True,), (None,), ("7",)],
)
def test_arguments_that_need_a_check_or_quoting_go_through_reverse(args):
    for name in ("site_detail", "network:offer"):
        try:
            expected = reverse(name, args=args)
        except NoReverseMatch:
            with pytest.raises(NoReverseMatch):
                quick_reverse(name, *args)
        else:
            assert quick_reverse(name, *args) == expected


def test_a_slug_that_spells_a_stand_in_is_kept_as_it_is():
    slug = "0-stand-in-0-0"
    assert quick_reverse("site_detail", slug) == reverse("site_detail", args=[slug])
    assert quick_reverse("volunteers:day", slug, "2026-12-03") == reverse(
        "volunteers:day", args=[slug, "2026-12-03"]
    )
