from django.http import HttpRequest

from commonpot.permissions import is_coordinator, is_lead
from commonpot.registry import registry


def navigation(request: HttpRequest) -> dict:
    user = request.user
    return {
        "nav_links": [link for link in registry.nav if link.visible(user)],
        "site_tabs": registry.site_tabs,
        "user_is_coordinator": is_coordinator(user),
        "user_is_lead": is_lead(user),
    }
