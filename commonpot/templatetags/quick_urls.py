"""`{% quick_url 'name' arg ... %}`: `{% url %}` for links repeated down a long
page (a card, a table row), through `commonpot.quickurls.quick_reverse`."""

from django import template

from commonpot.quickurls import quick_reverse

register = template.Library()


@register.simple_tag
def quick_url(viewname: str, *args) -> str:
    return quick_reverse(viewname, *args)
