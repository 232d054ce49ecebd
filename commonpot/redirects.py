"""Where to send a person after a form: a `next` target, checked, never resolved.

A `next` parameter comes from the page the person was on, but anyone can write
one. It is used only when it is a path on this server ("/shifts/?page=2"):
not another host, not a scheme, and never a view name to reverse — Django's
`redirect("shifts")` would try that and fail after the form was saved.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest) -> str:
    """The request's `next` (form first, then query string) if it is a path here, else ""."""
    target = (request.POST.get("next") or request.GET.get("next") or "").strip()
    if not target.startswith("/") or target.startswith("//") or "\x00" in target:
        return ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return target


def redirect_next(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """To the checked `next`, or to `default` (a URL the view built, already reversed)."""
    return HttpResponseRedirect(next_url(request) or default)
