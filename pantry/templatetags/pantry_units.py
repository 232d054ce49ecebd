"""The units the entry forms suggest, in the measures of the page's site."""

from django import template

from pantry.units import unit_words as _unit_words

register = template.Library()


@register.simple_tag
def unit_words() -> list[str]:
    return _unit_words()
