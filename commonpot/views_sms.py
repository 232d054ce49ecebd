"""The SMS gateways' webhooks: replies people text us, and delivery reports.

Nobody logs in here: each request proves it comes from the gateway with the
gateway's own signature, and one without a right signature is refused (403)
before anything is read or changed.

- Twilio signs with X-Twilio-Signature: base64 of HMAC-SHA1, keyed with the
  account's auth token, of the URL Twilio called followed by each POST
  parameter's name and value, sorted by name. The URL is SITE_URL and the
  path, so SITE_URL must be the address Twilio is given (behind a proxy too).
- SMS Gateway for Android signs with X-Signature: hex of HMAC-SHA256, keyed
  with the app's webhook signing key (SMS_URL's `signing_key`), of the raw
  body followed by X-Timestamp (Unix seconds); a timestamp more than five
  minutes off is refused too, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commonpot import sms, sms_replies

TIMESTAMP_SLACK = 300  # seconds


def twilio_signature(auth_token: str, url: str, params: dict[str, list[str]]) -> str:
    """Each name once, in order, followed by each of its values in order (a
    name sent twice signs both values, as Twilio's own libraries do)."""
    data = url + "".join(
        f"{name}{value}" for name in sorted(params) for value in sorted(set(params[name]))
    )
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def smsgate_signature(key: str, body: bytes, timestamp: str) -> str:
    return hmac.new(key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def _twilio_checked(request: HttpRequest) -> dict[str, str] | HttpResponse:
    backend = sms.backend()
    if not isinstance(backend, sms.TwilioBackend):
        return HttpResponse("Twilio is not this site's SMS gateway.", status=404)
    url = settings.SITE_URL + request.get_full_path()
    expected = twilio_signature(backend.auth_token, url, dict(request.POST.lists()))
    given = request.headers.get("X-Twilio-Signature", "")
    if not given or not hmac.compare_digest(expected, given):
        return HttpResponseForbidden("The signature does not match.")
    return {name: request.POST.get(name, "") for name in request.POST}


def _twiml() -> HttpResponse:
    # Answers go through the outbox, so Twilio is told to send nothing itself.
    return HttpResponse("<Response></Response>", content_type="text/xml")


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    params = _twilio_checked(request)
    if isinstance(params, HttpResponse):
        return params
    if not params.get("MessageSid") or not params.get("From"):
        return HttpResponse("MessageSid and From are required.", status=400)
    sms_replies.receive_text(
        provider="twilio",
        provider_id=params["MessageSid"],
        from_phone=params["From"],
        body=params.get("Body", ""),
    )
    return _twiml()


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest) -> HttpResponse:
    params = _twilio_checked(request)
    if isinstance(params, HttpResponse):
        return params
    status = params.get("MessageStatus", "")
    if params.get("ErrorCode"):
        status = f"{status} ({params['ErrorCode']})"
    sms_replies.record_delivery(provider_id=params.get("MessageSid", ""), status=status)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def smsgate_webhook(request: HttpRequest) -> HttpResponse:
    backend = sms.backend()
    if not isinstance(backend, sms.SmsGateBackend):
        return HttpResponse("SMS Gateway for Android is not this site's SMS gateway.", status=404)
    given = request.headers.get("X-Signature", "")
    timestamp = request.headers.get("X-Timestamp", "")
    if not backend.signing_key or not given or not timestamp.isdigit():
        return HttpResponseForbidden("A signed request is required.")
    expected = smsgate_signature(backend.signing_key, request.body, timestamp)
    if not hmac.compare_digest(expected, given.lower()):
        return HttpResponseForbidden("The signature does not match.")
    if abs(time.time() - int(timestamp)) > TIMESTAMP_SLACK:
        return HttpResponseForbidden("The timestamp is too far from now.")
    try:
        event = json.loads(request.body)
        payload = event["payload"]
        kind = event["event"]
    except (ValueError, KeyError, TypeError):
        return HttpResponse("Not a webhook event.", status=400)
    if not isinstance(payload, dict):
        return HttpResponse("Not a webhook event.", status=400)
    if kind == "sms:received":
        if not event.get("id") or not payload.get("phoneNumber"):
            return HttpResponse("The event's id and phoneNumber are required.", status=400)
        # The event's own id: the payload's messageId is made from the content
        # and may repeat (the gateway's documentation says so).
        sms_replies.receive_text(
            provider="smsgate",
            provider_id=str(event["id"]),
            from_phone=str(payload["phoneNumber"]),
            body=str(payload.get("message", "")),
        )
    elif kind in ("sms:sent", "sms:delivered", "sms:failed"):
        status = kind.split(":")[1]
        if payload.get("reason"):
            status = f"{status} ({payload['reason']})"
        sms_replies.record_delivery(provider_id=str(payload.get("messageId", "")), status=status)
    return JsonResponse({"ok": True})
