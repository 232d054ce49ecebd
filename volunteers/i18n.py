"""Translated text that is made at import time but holds a value: a field's label,
help text or error message naming a constant ("At most %(days)s days.")."""

from __future__ import annotations

from django.utils.functional import lazy


def _interpolate(text, values: dict) -> str:
    return str(text) % values


# A module-level function (not a lambda), so a label made with it can be pickled
# and copied like any gettext_lazy string.
_lazy_interpolate = lazy(_interpolate, str)


def lazy_format(text, **values):
    """`text % values`, worked out when the text is shown, in the language of that
    moment: `text` is a gettext_lazy (or ngettext_lazy) string with named
    placeholders. `gettext_lazy(...) % values` would translate it at once."""
    return _lazy_interpolate(text, values)
