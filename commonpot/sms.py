"""Text messages: one small interface, a backend per gateway, chosen by `SMS_URL`.

    SMS_URL=console://                                  (the default) print them
    SMS_URL=twilio://<account sid>:<auth token>@api.twilio.com/?from=+447700900123
    SMS_URL=smsgate+http://<user>:<password>@192.168.1.20:8080/?signing_key=<key>

`twilio` speaks Twilio's Programmable Messaging API (POST .../Messages.json, basic
auth with the account SID and auth token, a StatusCallback for delivery reports);
`from` may be a Messaging Service instead (`messaging_service=MG...`).
`smsgate` speaks "SMS Gateway for Android" (an open-source app that turns an
Android phone into a gateway): POST <path>/message with basic auth and
`{"id", "textMessage": {"text"}, "phoneNumbers"}`; its path defaults to the
app's local server (`/message`) and can name its cloud or private server
instead (`/3rdparty/v1/messages`). `+http` after either scheme speaks plain
HTTP (a phone on the local network; tests); otherwise HTTPS.

A backend's `send` returns the provider's id for the message or raises:

- `SmsRetry`: not accepted, safe to try again later (a 5xx, 429 rate limit,
  no connection, or a timeout where the provider recognises a resend);
- `SmsRefused`: not accepted and never will be (a 4xx: a bad number, bad
  credentials); the outbox marks it failed with the provider's reason;
- `SmsUncertain`: the request may have reached the provider (a read timeout
  with a provider that cannot recognise a resend); the outbox marks it failed
  rather than risk sending it twice.

The stdlib's urllib does the HTTP: two JSON/form POSTs need no client library.
"""

from __future__ import annotations

import base64
import json
import logging
import socket
from dataclasses import dataclass
from functools import cache
from urllib import error, parse, request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

TIMEOUT = 15  # seconds to wait for a gateway's answer


class SmsError(Exception):
    def __init__(self, reason: str, *, retry_after: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class SmsRetry(SmsError):
    """Not sent; try again later."""


class SmsRefused(SmsError):
    """Not sent, and trying again will not help."""


class SmsUncertain(SmsError):
    """It may or may not have gone out: do not send it again."""


@dataclass(frozen=True)
class Outgoing:
    """What a backend needs to send one text: our id for it, the number, the words."""

    ref: str
    to: str
    text: str


class Backend:
    name = "console"

    def send(self, sms: Outgoing) -> str:
        raise NotImplementedError

    def webhook_url(self, name: str) -> str:
        return settings.SITE_URL + reverse(name)


class ConsoleBackend(Backend):
    """Prints each text to the log and standard output (development, the demo)."""

    name = "console"

    def send(self, sms: Outgoing) -> str:
        print(f"SMS to {sms.to} [{sms.ref}]: {sms.text}", flush=True)  # noqa: T201
        return f"console-{sms.ref}"


def _post(url: str, *, auth: tuple[str, str], body: bytes, content_type: str) -> dict:
    """POST and return the JSON answer, or raise SmsRetry / SmsRefused / socket.timeout."""
    token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    # The scheme is always http or https: the backends build the URL from SMS_URL.
    req = request.Request(  # noqa: S310
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Basic {token}",
            "Content-Type": content_type,
            "Accept": "application/json",
            "User-Agent": "Commonpot",
        },
    )
    try:
        with request.urlopen(req, timeout=TIMEOUT) as answer:  # noqa: S310
            raw = answer.read()
    except error.HTTPError as e:
        detail = _error_detail(e)
        if e.code == 429:
            retry_after = e.headers.get("Retry-After", "")
            raise SmsRetry(
                _("Rate limited (429): %(detail)s") % {"detail": detail},
                retry_after=int(retry_after) if retry_after.isdigit() else None,
            ) from None
        if e.code >= 500:
            raise SmsRetry(
                _("The gateway had a problem (%(code)s): %(detail)s")
                % {"code": e.code, "detail": detail}
            ) from None
        raise SmsRefused(
            _("Refused (%(code)s): %(detail)s") % {"code": e.code, "detail": detail}
        ) from None
    except error.URLError as e:
        if isinstance(e.reason, TimeoutError | socket.timeout):
            raise TimeoutError(str(e.reason)) from None
        # Refused or unreachable: nothing reached the gateway.
        raise SmsRetry(
            _("Could not reach the gateway: %(reason)s") % {"reason": e.reason}
        ) from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


def _error_detail(e: error.HTTPError) -> str:
    try:
        body = json.loads(e.read() or b"{}")
    except (ValueError, OSError):
        return e.reason or ""
    if isinstance(body, dict):
        # Twilio: {"code": 21211, "message": ...}; the gateway: {"message": ...}
        code = body.get("code")
        message = body.get("message") or body.get("error") or e.reason
        return f"{message} ({code})" if code else str(message)
    return str(e.reason)


class TwilioBackend(Backend):
    """Twilio's Messages resource. A resend cannot be recognised by Twilio, so a
    read timeout is uncertain (see the module doc)."""

    name = "twilio"

    def __init__(self, url: parse.SplitResult):
        self.account = parse.unquote(url.username or "")
        self.token = parse.unquote(url.password or "")
        if not self.account or not self.token:
            raise ImproperlyConfigured(
                "SMS_URL for Twilio needs the account SID and auth token: "
                "twilio://<account sid>:<auth token>@api.twilio.com/?from=+447700900123"
            )
        query = dict(parse.parse_qsl(url.query))
        self.sender = query.get("from", "")
        self.service = query.get("messaging_service", "")
        if not (self.sender or self.service):
            raise ImproperlyConfigured(
                "SMS_URL for Twilio needs ?from=<your Twilio number> or ?messaging_service=<MG...>."
            )
        scheme = "http" if url.scheme.endswith("+http") else "https"
        host = url.hostname or "api.twilio.com"
        port = f":{url.port}" if url.port else ""
        self.endpoint = f"{scheme}://{host}{port}/2010-04-01/Accounts/{self.account}/Messages.json"

    @property
    def auth_token(self) -> str:
        return self.token

    def send(self, sms: Outgoing) -> str:
        fields = {
            "To": sms.to,
            "Body": sms.text,
            "StatusCallback": self.webhook_url("sms_twilio_status"),
        }
        if self.service:
            fields["MessagingServiceSid"] = self.service
        else:
            fields["From"] = self.sender
        try:
            answer = _post(
                self.endpoint,
                auth=(self.account, self.token),
                body=parse.urlencode(fields).encode(),
                content_type="application/x-www-form-urlencoded",
            )
        except TimeoutError as e:
            raise SmsUncertain(
                _("Twilio did not answer in time (%(error)s); it may or may not have gone out.")
                % {"error": e}
            ) from None
        sid = answer.get("sid", "")
        if not sid:
            raise SmsUncertain(_("Twilio answered without a message id."))
        return sid


class SmsGateBackend(Backend):
    """SMS Gateway for Android. We choose the message's id ourselves, so a resend
    after a timeout is the same message to the gateway (its documented way to make
    sending idempotent): a timeout is retried, not given up."""

    name = "smsgate"

    def __init__(self, url: parse.SplitResult):
        self.user = parse.unquote(url.username or "")
        self.password = parse.unquote(url.password or "")
        if not self.user or not self.password:
            raise ImproperlyConfigured(
                "SMS_URL for SMS Gateway for Android needs the user and password the app "
                "shows: smsgate+http://<user>:<password>@<phone's address>:8080/"
            )
        query = dict(parse.parse_qsl(url.query))
        self.signing_key = query.get("signing_key", "")
        scheme = "http" if url.scheme.endswith("+http") else "https"
        port = f":{url.port}" if url.port else ""
        path = url.path.rstrip("/") or "/message"
        self.endpoint = f"{scheme}://{url.hostname}{port}{path}"

    def send(self, sms: Outgoing) -> str:
        body = {
            "id": sms.ref,
            "textMessage": {"text": sms.text},
            "phoneNumbers": [sms.to],
            "withDeliveryReport": True,
        }
        try:
            answer = _post(
                self.endpoint,
                auth=(self.user, self.password),
                body=json.dumps(body).encode(),
                content_type="application/json",
            )
        except TimeoutError as e:
            raise SmsRetry(
                _("The gateway did not answer in time (%(error)s).") % {"error": e}
            ) from None
        return answer.get("id") or sms.ref


BACKENDS = {"console": ConsoleBackend, "twilio": TwilioBackend, "smsgate": SmsGateBackend}
SCHEMES = ("console", "twilio", "twilio+http", "smsgate", "smsgate+http")


def backend_from_url(raw: str) -> Backend:
    if not raw:
        return ConsoleBackend()
    url = parse.urlsplit(raw)
    kind = url.scheme.split("+")[0]
    if kind not in BACKENDS:
        raise ImproperlyConfigured(f"SMS_URL must start with one of {', '.join(SCHEMES)}.")
    if kind == "console":
        return ConsoleBackend()
    return BACKENDS[kind](url)


@cache
def _backend_for(raw: str) -> Backend:
    return backend_from_url(raw)


def backend() -> Backend:
    """The backend SMS_URL names (made once per value, so tests may change the setting)."""
    return _backend_for(settings.SMS_URL)
