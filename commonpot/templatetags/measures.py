"""Weights worked out in kilograms, shown in the page's measures (commonpot.measures).

`{{ row.total_kg|from_kg|floatformat:1 }} {% weight_unit %}` reads "12.5 kg" on a
metric page and "27.6 lb" on a US one.
"""

from decimal import Decimal, InvalidOperation

from django import template

from commonpot.reports import weight_unit as _weight_unit

register = template.Library()


@register.filter
def from_kg(kilograms):
    """Kilograms in the page's unit of weight (kg, or lb in US measures)."""
    if kilograms in (None, ""):
        return kilograms
    try:
        grams = Decimal(kilograms) * 1000
    except (InvalidOperation, TypeError, ValueError):
        return kilograms
    # To the thousandth, so that 19.9999997 lb (10 lb twice, stored to the gram)
    # reads 20 under |floatformat:"-1", not 20.0.
    return (grams / _weight_unit().grams).quantize(Decimal("0.001"))


@register.simple_tag
def weight_unit() -> str:
    return _weight_unit().symbol
