"""HTTP Message Signatures (RFC 9421) between partner installs.

Every request one install makes to another is signed with the sender's Ed25519
key: the method, the target URI, the content type and the body's digest
(Content-Digest, RFC 9530), with the time it was made, when it expires (five
minutes later) and a nonce. The receiver checks all of it against the key the
partner gave when the two paired, and refuses a nonce it has seen before.

The signing itself is the `http-message-signatures` library's; this module
keeps the install's key and says what is covered.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.db import IntegrityError, transaction
from http_message_signatures import (
    HTTPMessageSignaturesException,
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    algorithms,
)

# What every signature covers; the body is covered through its digest.
COVERED = ("@method", "@target-uri", "content-type")
REQUIRED = (*COVERED, "content-digest")
LIFETIME = timedelta(minutes=5)
CONTENT_TYPE = "application/activity+json"
TIMEOUT = 15  # seconds, for one request to a partner


class SignatureRefused(Exception):
    """A request whose signature does not hold; the text says why."""

    def __init__(self, reason: str, status: int = 401):
        super().__init__(reason)
        self.reason = reason
        self.status = status


def own_url() -> str:
    return settings.SITE_URL


def own_key_id() -> str:
    return f"{own_url()}/federation/actor#key"


def _install_key():
    from pantry.federation.models import InstallKey

    key = InstallKey.objects.order_by("pk").first()
    if key is not None:
        return key
    private = ed25519.Ed25519PrivateKey.generate()
    with transaction.atomic():
        InstallKey.objects.create(
            private_key_pem=private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ).decode(),
            public_key_pem=private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode(),
        )
    # Two processes making the first key at once: the first row wins for both.
    return InstallKey.objects.order_by("pk").first()


def own_public_key() -> str:
    return _install_key().public_key_pem


def check_public_key(pem: str) -> str:
    """The PEM of an Ed25519 public key, or SignatureRefused (400) with why."""
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError, AttributeError) as e:
        raise SignatureRefused("The public key is not a PEM public key.", 400) from e
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise SignatureRefused("The public key is not an Ed25519 key.", 400)
    return pem


class _Keys(HTTPSignatureKeyResolver):
    def __init__(self, public: dict[str, str] | None = None):
        self.public = public or {}

    def resolve_private_key(self, key_id: str):
        if key_id != own_key_id():
            raise HTTPMessageSignaturesException("Not this install's key")
        return _install_key().private_key_pem.encode()

    def resolve_public_key(self, key_id: str):
        pem = self.public.get(key_id)
        return pem.encode() if pem else None


def signed_post(url: str, body: bytes, *, timeout: float = TIMEOUT) -> requests.Response:
    """POST `body` (JSON) to `url`, signed with this install's key."""
    prepared = requests.Request(
        "POST", url, data=body, headers={"Content-Type": CONTENT_TYPE}
    ).prepare()
    now = datetime.now(UTC)
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_Keys()).sign(
        prepared,
        key_id=own_key_id(),
        created=now,
        expires=now + LIFETIME,
        nonce=uuid.uuid4().hex,
        label="commonpot",
        covered_component_ids=COVERED,
        body=body,
    )
    with requests.Session() as session:
        return session.send(prepared, timeout=timeout, allow_redirects=False)


@dataclass
class Verified:
    key_id: str
    nonce: str
    created: datetime


def verify(request, keys: dict[str, str]) -> Verified:
    """Check the signature of a Django request against `keys` (key id to PEM).

    The target URI is this install's own address and the request's path: the
    sender signed the address it was given when the two paired, which a proxy
    in front of this install may have rewritten on the way."""
    if "signature" not in request.headers or "signature-input" not in request.headers:
        raise SignatureRefused("The request is not signed.")
    message = SimpleNamespace(
        method=request.method,
        url=own_url() + request.get_full_path(),
        headers={name: value for name, value in request.headers.items()},
    )
    verifier = HTTPMessageVerifier(signature_algorithm=algorithms.ED25519, key_resolver=_Keys(keys))
    try:
        results = verifier.verify(
            message, max_age=LIFETIME, require_components=REQUIRED, body=request.body
        )
    except HTTPMessageSignaturesException as e:
        raise SignatureRefused(f"The signature does not hold: {e}") from e
    except Exception as e:  # a malformed header the library did not expect
        raise SignatureRefused(f"The signature cannot be read: {e}") from e
    if not results:
        raise SignatureRefused("The signature does not hold.")
    params = results[0].parameters
    if "expires" not in params:
        raise SignatureRefused("The signature has no expiry.")
    nonce = params.get("nonce")
    if not nonce:
        raise SignatureRefused("The signature has no nonce.")
    return Verified(
        key_id=params["keyid"],
        nonce=str(nonce),
        created=datetime.fromtimestamp(params["created"], UTC),
    )


def remember_nonce(partner, nonce: str) -> None:
    """Refuse (409) a nonce this partner has used before: the request is a replay."""
    from pantry.federation.models import SeenNonce

    try:
        with transaction.atomic():
            SeenNonce.objects.create(partner=partner, nonce=nonce[:100])
    except IntegrityError as e:
        raise SignatureRefused("This request was seen before (a replay).", 409) from e


def forget_old_nonces(now: datetime | None = None) -> int:
    from pantry.federation.models import SeenNonce

    cutoff = (now or datetime.now(UTC)) - 2 * LIFETIME
    return SeenNonce.objects.filter(seen_at__lt=cutoff).delete()[0]
