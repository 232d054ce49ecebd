"""The units the entry forms suggest, in the measures of the page's site."""

from django import template

from pantry.units import unit_words as _unit_words

register = template.Library()


@register.simple_tag
def unit_words() -> list[str]:
    return _unit_words()


@register.filter(is_safe=False)
def temperature(value_c) -> str:
    """`{{ reading.value_c|temperature }}`: "9.0 °C", or °F in US measures."""
    from pantry.temperatures import show

    return show(value_c)
