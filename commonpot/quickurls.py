"""`quick_reverse`: Django's `reverse` for pages that link to hundreds of objects.

`reverse` matches the URL patterns afresh on every call, about 50 µs; a page
listing 300 sites, offers or shifts spent a sixth of its time there. Addresses of
one route differ only in their arguments, so each route is reversed once (per URL
configuration, script prefix and kinds of argument) with stand-in arguments, cut
into its fixed pieces, and then joined with the real arguments. The result is
the same string `reverse` gives.

`quick_route(name)` gives a builder for one route, for a loop: it reads the URL
configuration and script prefix (thread-local, some microseconds each) once.

Arguments are positional: whole numbers, or text of ASCII letters, digits, `-`
and `_` (slugs, tokens), which no route quotes. Anything else (a negative number,
a space, a slash) goes to `reverse` itself, which checks it against the route.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# Stand-ins that fit the `int`, `slug` and `str` converters and that no route
# spells out: a route is cut where they stand.
_INT = "9081726354{}"
_TEXT = "0-stand-in-{}-0"


@lru_cache(maxsize=512)
def _pieces(urlconf, prefix: str, viewname: str, kinds: tuple[bool, ...]) -> tuple[str, ...] | None:
    stand_ins = [(_INT if is_int else _TEXT).format(i) for i, is_int in enumerate(kinds)]
    try:
        url = reverse(viewname, args=stand_ins, urlconf=urlconf)
    except (NoReverseMatch, AttributeError, TypeError, ValueError):
        # Such arguments do not fit the route (or its converter's to_url):
        # `reverse` will say so.
        return None
    pieces, rest = [], url
    for stand_in in stand_ins:
        before, found, rest = rest.partition(stand_in)
        if not found:
            return None  # the route does not show this argument as given
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


def quick_reverse(viewname: str, *args: int | str) -> str:
    """The address `reverse(viewname, args=args)` gives, reversed once per route."""
    return quick_route(viewname)(*args)


def quick_route(viewname: str) -> Callable[..., str]:
    """`quick_reverse` for one route, for a loop: the URL configuration and script
    prefix (thread-local look-ups, some microseconds each) are read once here."""
    urlconf, prefix = get_urlconf(), get_script_prefix()

    def address(*args: int | str) -> str:
        kinds = []
        for arg in args:
            if (
                isinstance(arg, bool)
                or not isinstance(arg, int | str)
                or (isinstance(arg, int) and arg < 0)
            ):
                return reverse(viewname, args=args, urlconf=urlconf)
            kinds.append(isinstance(arg, int))
        pieces = _pieces(urlconf, prefix, viewname, tuple(kinds))
        if pieces is None:
            return reverse(viewname, args=args, urlconf=urlconf)
        out = [pieces[0]]
        for arg, piece in zip(args, pieces[1:], strict=True):
            text = str(arg)
            if not _FITS(text):
                return reverse(viewname, args=args, urlconf=urlconf)  # it checks it
            out.append(text)
            out.append(piece)
        return "".join(out)

    return address


# What fits wherever a stand-in did: ASCII letters, digits, `-` and `_` (slugs,
# whole numbers, tokens), which need no quoting. Anything else (a negative number,
# a space, a slash) goes through `reverse`, which checks it against the route.
_FITS = re.compile(r"[A-Za-z0-9_-]+").fullmatch
