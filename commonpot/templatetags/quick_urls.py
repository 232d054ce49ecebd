"""`{% quick_url 'name' arg ... %}`: `{% url %}` for links repeated down a long
page (a card, a table row), through `commonpot.quickurls`; each route's builder
is made once per rendering."""

from django import template

from commonpot.quickurls import quick_route

register = template.Library()


@register.simple_tag(takes_context=True)
def quick_url(context, viewname: str, *args) -> str:
    routes = context.render_context.setdefault("quick_url_routes", {})
    route = routes.get(viewname)
    if route is None:
        route = routes[viewname] = quick_route(viewname)
    return route(*args)
