from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from commonpot.permissions import is_coordinator, is_lead
from commonpot.registry import registry


def navigation(request: HttpRequest) -> dict:
    # A request refused before authentication ran (a bad Host header) has no user,
    # and its error page still renders this navigation.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "nav_links": [link for link in registry.nav if link.visible(user)],
        "site_tabs": registry.site_tabs,
        "user_is_coordinator": is_coordinator(user),
        "user_is_lead": is_lead(user),
    }
