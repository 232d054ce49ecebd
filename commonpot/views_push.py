"""Turning notifications on and off for a phone (Web Push subscriptions)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonpot import services
from commonpot.errors import DomainError


@login_required
@require_POST
def push_subscribe(request: HttpRequest) -> HttpResponse:
    """The browser's PushSubscription (its toJSON()), posted by static/js/push.js."""
    if request.content_type != "application/json":
        return JsonResponse({"error": _("Send the browser's subscription as JSON.")}, status=400)
    try:
        data = json.loads(request.body or b"{}")
        keys = data.get("keys") or {}
        endpoint, p256dh, auth = data["endpoint"], keys["p256dh"], keys["auth"]
        if not all(isinstance(v, str) for v in (endpoint, p256dh, auth)):
            raise TypeError
    except (ValueError, KeyError, TypeError, AttributeError):
        return JsonResponse({"error": _("Send the browser's subscription as JSON.")}, status=400)
    label = str(data.get("label") or request.headers.get("User-Agent", ""))[:120]
    try:
        sub = services.save_push_subscription(
            request.user, endpoint=endpoint, p256dh=p256dh, auth=auth, label=label
        )
    except DomainError as e:
        return JsonResponse({"error": e.message}, status=400)
    return JsonResponse({"id": sub.pk}, status=201)


@login_required
@require_POST
def push_unsubscribe(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        services.remove_push_subscription(request.user, subscription_id)
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Notifications are off on that phone."))
    return redirect("profile")
