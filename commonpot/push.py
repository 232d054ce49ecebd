"""Web Push: notifications to phones that said yes, signed with this install's VAPID key.

The key pair is made once, into the data folder beside the secret key
(`DATA_DIR/vapid_private.pem`), unless `VAPID_PRIVATE_KEY_FILE` names one (every
web node and worker of a shared install must use the same file, or browsers
refuse the pushes of the others). The public half is the
`applicationServerKey` the profile page hands the browser when it subscribes.

Sending is pywebpush: the payload is encrypted to the subscription's keys
(aes128gcm, RFC 8291) and the request carries a VAPID JWT signed with our key
(RFC 8292). A push service that answers 404 or 410 has forgotten the browser:
its subscription is deleted. 429 and 5xx are retried by the outbox.
"""

from __future__ import annotations

import base64
import json
import os
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone

TTL = 12 * 3600  # seconds a push service keeps a notification for an offline phone
TIMEOUT = 15


class PushRetry(Exception):
    pass


def key_path() -> Path:
    configured = os.environ.get("VAPID_PRIVATE_KEY_FILE", "")
    return Path(configured) if configured else Path(settings.DATA_DIR) / "vapid_private.pem"


def _make_key(path: Path) -> None:
    """Write a new P-256 private key to `path` unless one is there (O_EXCL: two
    processes starting at once keep one key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path.parent.mkdir(parents=True, exist_ok=True)
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


@cache
def _keys(path: str) -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization

    p = Path(path)
    if not p.exists():
        _make_key(p)
    private = serialization.load_pem_private_key(p.read_bytes(), password=None)
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return path, base64.urlsafe_b64encode(public).rstrip(b"=").decode()


def private_key_file() -> str:
    return _keys(str(key_path()))[0]


def public_key() -> str:
    """The applicationServerKey, base64url without padding."""
    return _keys(str(key_path()))[1]


def _claims() -> dict:
    sender = settings.DEFAULT_FROM_EMAIL
    address = sender[sender.find("<") + 1 : sender.rfind(">")] if "<" in sender else sender
    return {"sub": f"mailto:{address}"}


def send_to(user_id: int, payload: dict) -> int:
    """Push `payload` to each browser of the person; returns how many took it.

    Raises PushRetry when none took it and at least one may later (429, 5xx,
    unreachable); a browser the push service no longer knows is forgotten.
    """
    from pywebpush import WebPushException, webpush

    from commonpot.models import PushSubscription

    data = json.dumps(payload)
    accepted, retry = 0, []
    for sub in PushSubscription.objects.filter(user_id=user_id):
        try:
            webpush(
                subscription_info=sub.as_info(),
                data=data,
                vapid_private_key=private_key_file(),
                vapid_claims=_claims(),
                ttl=TTL,
                timeout=TIMEOUT,
            )
        except WebPushException as e:
            status = getattr(e.response, "status_code", None)
            if status in (404, 410):
                sub.delete()
                continue
            if status is None or status == 429 or status >= 500:
                retry.append(f"{status or 'no answer'}: {e.message[:200]}")
                continue
            raise
        except OSError as e:  # unreachable; requests' errors are OSErrors
            retry.append(f"unreachable: {e}"[:200])
            continue
        accepted += 1
        PushSubscription.objects.filter(pk=sub.pk).update(last_sent_at=timezone.now())
    if not accepted and retry:
        raise PushRetry("; ".join(retry))
    return accepted
