from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def hours(value) -> str:
    """3.00 -> "3", 2.50 -> "2.5", 2.25 -> "2.25"."""
    if value in (None, ""):
        return ""
    text = f"{Decimal(value):.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
