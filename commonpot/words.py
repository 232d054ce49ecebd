"""Counting in words: "1 lot", "2 lots" (templates use `|pluralize` the same way)."""

from __future__ import annotations

from django.utils.translation import ngettext


def counted(number: int, singular: str, plural: str) -> str:
    """`number` and the noun that agrees with it: counted(1, "lot", "lots") == "1 lot"."""
    return f"{number} {ngettext(singular, plural, number)}"
