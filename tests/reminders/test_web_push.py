"""Notifications by Web Push, sent to a local stand-in for a push service.

The stand-in checks what a real push service checks: a VAPID JWT signed with
the key whose public half is in the request (and is the key the profile page
gives browsers), for this endpoint's origin; and the test, holding the
"browser's" private key, decrypts the body (aes128gcm) to read the notification.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.urls import reverse

from commonpot import mail as outbox
from commonpot import push, services
from commonpot.models import Message, PushSubscription
from tests.conftest import client_for
from tests.reminders.conftest import claim

pytestmark = pytest.mark.django_db(transaction=True)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakePushService:
    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                service.received.append(
                    {"path": self.path, "headers": dict(self.headers), "body": body}
                )
                status = service.answers.pop(0) if service.answers else 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def push_service(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("VAPID_PRIVATE_KEY_FILE", str(tmp_path / "vapid.pem"))
    fake = FakePushService()
    yield fake
    fake.server.shutdown()


@pytest.fixture
def phone(push_service, volunteer):
    """The volunteer's phone, subscribed as a browser would: its own key pair and secret."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    secret = os.urandom(16)
    services.save_push_subscription(
        volunteer,
        endpoint=f"{push_service.origin}/push/abc123",
        p256dh=b64(public),
        auth=b64(secret),
        label="Test phone",
    )
    volunteer.refresh_from_db()
    return key, secret


def verify_vapid(request: dict, audience: str) -> dict:
    scheme, _, params = request["headers"]["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert fields["k"] == push.public_key()
    header, claims, signature = fields["t"].split(".")
    raw = unb64(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(fields["k"]))
    public.verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )  # raises if the signature is not ours
    payload = json.loads(unb64(claims))
    assert payload["aud"] == audience
    assert payload["exp"] > time.time()
    assert payload["sub"].startswith("mailto:")
    return payload


def read(request: dict, phone) -> dict:
    key, secret = phone
    assert request["headers"]["content-encoding"] == "aes128gcm"
    plain = http_ece.decrypt(
        request["body"], private_key=key, auth_secret=secret, version="aes128gcm"
    )
    return json.loads(plain)


def test_the_vapid_key_is_made_once_into_the_data_folder(settings, tmp_path, monkeypatch):
    monkeypatch.delenv("VAPID_PRIVATE_KEY_FILE", raising=False)
    settings.DATA_DIR = tmp_path
    first = push.public_key()
    assert (tmp_path / "vapid_private.pem").exists()
    assert oct((tmp_path / "vapid_private.pem").stat().st_mode & 0o777) == "0o600"
    push._keys.cache_clear()
    assert push.public_key() == first
    assert len(unb64(first)) == 65


def test_a_reminder_reaches_a_subscribed_phone_signed_and_encrypted(
    push_service, phone, volunteer, make_shift, run
):
    volunteer.remind_by_email = False
    volunteer.save()
    claim(make_shift(hours=20), volunteer)
    run()
    run()
    [request] = push_service.received
    assert request["path"] == "/push/abc123"
    verify_vapid(request, push_service.origin)
    notification = read(request, phone)
    assert notification["title"].startswith("Reminder: Cook at")
    assert "Reply YES" in notification["body"]
    message = Message.objects.get(channel="push")
    assert notification["tag"] == message.key and message.status == Message.Status.SENT


def test_a_phone_the_push_service_forgot_is_removed(push_service, phone, volunteer, site):
    push_service.answers = [410]
    message, _ = outbox.queue_email(
        key="k", kind="reminder", to=volunteer, site=site, subject="S", text="T", sms="short"
    )
    assert not PushSubscription.objects.exists()
    assert Message.objects.get(key="k:push").status == Message.Status.SKIPPED


def test_a_push_service_error_is_retried_later_and_sent_once(push_service, phone, volunteer, site):
    from datetime import timedelta

    from django.utils import timezone

    push_service.answers = [503]
    outbox.queue_email(
        key="k", kind="reminder", to=volunteer, site=site, subject="S", text="T", sms="x"
    )
    assert Message.objects.get(key="k:push").status == Message.Status.RETRYING
    outbox.retry_due(now=timezone.now() + timedelta(hours=1))
    outbox.retry_due(now=timezone.now() + timedelta(hours=2))
    assert Message.objects.get(key="k:push").status == Message.Status.SENT
    assert len(push_service.received) == 2


def test_a_person_removes_a_phone_but_not_someone_elses(phone, volunteer, outsider):
    sub = PushSubscription.objects.get()
    client_for(outsider).post(reverse("push_unsubscribe", args=[sub.pk]))
    assert PushSubscription.objects.filter(pk=sub.pk).exists()
    client_for(volunteer).post(reverse("push_unsubscribe", args=[sub.pk]))
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"endpoint": "https://push.example/x", "keys": {"p256dh": "short", "auth": "short"}},
        {
            "endpoint": "ftp://push.example/x",
            "keys": {"p256dh": b64(b"\4" * 65), "auth": b64(b"a" * 16)},
        },
        {"endpoint": ["not", "text"], "keys": {}},
    ],
)
def test_a_bad_subscription_is_refused_with_a_reason(volunteer, body):
    response = client_for(volunteer).post(
        reverse("push_subscribe"), json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert "error" in response.json()
    assert not PushSubscription.objects.exists()
