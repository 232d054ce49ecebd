"""A partner install played in-process: its own Ed25519 key, its own sequence of
messages, and requests signed as `pantry.federation.signing.signed_post` signs
them, sent to this install through Django's test client."""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings
from django.test import Client
from django.utils import timezone
from http_message_signatures import HTTPMessageSigner, HTTPSignatureKeyResolver, algorithms

from pantry.federation import activities
from pantry.federation.models import Outgoing, Partner
from pantry.federation.signing import CONTENT_TYPE, COVERED, LIFETIME

PARTNER_URL = "http://partner.example"
PARTNER_NAME = "Harbour Food Network"
INBOX = "/federation/inbox"
PAIR = "/federation/pair"


def new_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def public_pem(key: ed25519.Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, key: ed25519.Ed25519PrivateKey):
        self.key = key

    def resolve_private_key(self, key_id: str):
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def resolve_public_key(self, key_id: str):  # pragma: no cover - signing only
        return None


def signature_headers(
    body: bytes,
    *,
    key: ed25519.Ed25519PrivateKey,
    key_id: str,
    path: str = INBOX,
    nonce: str | None = None,
) -> dict[str, str]:
    """The headers `signed_post` would send with `body` to this install's `path`."""
    prepared = requests.Request(
        "POST", settings.SITE_URL + path, data=body, headers={"Content-Type": CONTENT_TYPE}
    ).prepare()
    now = datetime.now(UTC)
    HTTPMessageSigner(signature_algorithm=algorithms.ED25519, key_resolver=_OneKey(key)).sign(
        prepared,
        key_id=key_id,
        created=now,
        expires=now + LIFETIME,
        nonce=nonce or uuid.uuid4().hex,
        label="commonpot",
        covered_component_ids=COVERED,
        body=body,
    )
    return {
        name: prepared.headers[name] for name in ("Signature", "Signature-Input", "Content-Digest")
    }


def post_signed(client: Client, path: str, body: bytes, headers: dict[str, str]):
    return client.post(path, data=body, content_type=CONTENT_TYPE, headers=headers)


def encode(activity: dict) -> bytes:
    return json.dumps(activity, separators=(",", ":")).encode()


def measure(quantity, unit: str = "gram") -> dict:
    symbol = {"gram": "g", "millilitre": "ml", "piece": "piece"}[unit]
    return {"hasNumericalValue": float(quantity), "hasUnit": {"label": unit, "symbol": symbol}}


def iso(moment) -> str:
    return activities.iso(moment)


@dataclass
class FakePartner:
    """The partner install: a `Partner` row here, and the key it signs with there."""

    row: Partner
    key: ed25519.Ed25519PrivateKey
    client: Client = field(default_factory=Client)
    seq: int = 0

    @property
    def url(self) -> str:
        return self.row.url

    @property
    def key_id(self) -> str:
        return self.row.key_id

    def refresh(self) -> Partner:
        self.row.refresh_from_db()
        return self.row

    # --- Messages, as the partner's `activities.envelope` makes them ----------------

    def activity(self, kind: str, obj, *, seq: int | None = None, **extra) -> dict:
        if seq is None:
            self.seq += 1
            seq = self.seq
        else:
            self.seq = max(self.seq, seq)
        return {
            "@context": [activities.AS, f"{self.url}/federation/context.jsonld"],
            "id": f"{self.url}/federation/activities/{uuid.uuid4()}",
            "type": kind,
            "actor": f"{self.url}/federation/actor",
            "to": [activities.actor()],
            "published": iso(timezone.now()),
            "sequence": seq,
            "object": obj,
            **extra,
        }

    def headers(self, body: bytes, **options) -> dict[str, str]:
        options.setdefault("key", self.key)
        options.setdefault("key_id", self.key_id)
        return signature_headers(body, **options)

    def post(self, activity: dict | bytes, **options):
        """Sign and send one message to our inbox, as the partner's delivery would."""
        body = activity if isinstance(activity, bytes) else encode(activity)
        return post_signed(self.client, INBOX, body, self.headers(body, **options))

    def send(self, kind: str, obj, **extra):
        return self.post(self.activity(kind, obj, **extra))

    # --- What the partner shares and does ---------------------------------------------

    def offer_uri(self, number: int) -> str:
        return f"{self.url}/federation/offers/{number}"

    def proposal(
        self,
        number: int = 1,
        *,
        version: int = 1,
        quantity: Decimal | str = "20000",
        best_before=None,
        status: str = "open",
        category: str = "grains_bread",
        item: str = "Rye bread",
    ) -> dict:
        """The partner's offer of `quantity` grams of `item`, as a Proposal."""
        now = timezone.now()
        best_before = best_before or (now + timedelta(days=3)).date()
        spec = {
            "type": "ResourceSpecification",
            "name": item,
            "category": category,
            "defaultUnitOfResource": {"label": "gram", "symbol": "g"},
            "storage": "dry",
        }
        return {
            "type": "Proposal",
            "id": self.offer_uri(number),
            "version": version,
            "purpose": "offer",
            "name": f"{item} at Harbour Pantry",
            "note": "",
            "created": iso(now),
            "hasBeginning": iso(now),
            "hasEnd": iso(now + timedelta(hours=48)),
            "eligibleLocation": {"type": "SpatialThing", "name": "Portishead"},
            "status": status,
            "publishes": [
                {
                    "type": "Intent",
                    "action": "transfer",
                    "provider": {
                        "type": "Agent",
                        "name": "Harbour Pantry",
                        "primaryLocation": {"type": "SpatialThing", "name": "Portishead"},
                    },
                    "resourceConformsTo": spec,
                    "availableQuantity": measure(quantity),
                    "resourceQuantity": measure(quantity),
                    "hasBeginning": iso(now),
                    "hasEnd": iso(now + timedelta(hours=24)),
                    "finished": status != "open",
                    "coldChain": "",
                    "resourceInventoriedAs": {
                        "type": "EconomicResource",
                        "resourceConformsTo": spec,
                        "lot": {
                            "type": "BatchLotRecord",
                            "batchLotCode": "",
                            "expirationDate": best_before.isoformat(),
                            "dateKind": "best_before",
                        },
                    },
                }
            ],
        }

    def claim(self, offer, quantity, *, uid: uuid.UUID | None = None, unit: str = "gram") -> dict:
        """A claim of our `offer` (its pk or the offer) for the partner's Harbour Pantry."""
        uid = uid or uuid.uuid4()
        pk = getattr(offer, "pk", offer)
        return self.activity(
            "Offer",
            {
                "type": "Commitment",
                "id": f"{self.url}/federation/transfers/{uid}",
                "uid": str(uid),
                "version": 1,
                "action": "transfer",
                "resourceQuantity": measure(quantity, unit),
                "receiver": {
                    "type": "Agent",
                    "name": "Harbour Pantry",
                    "primaryLocation": {"type": "SpatialThing", "name": "Portishead"},
                },
                "satisfies": {
                    "type": "Intent",
                    "id": f"{settings.SITE_URL}/federation/offers/{pk}#intent",
                    "action": "transfer",
                },
                "created": iso(timezone.now()),
            },
        )

    def reply(self, kind: str, transfer, *, version: int, **extra) -> dict:
        """Accept or Reject of a claim we sent, as the offering partner answers."""
        commitment = f"{settings.SITE_URL}/federation/transfers/{transfer.uid}"
        return self.activity(
            kind,
            {"type": "Commitment", "id": commitment},
            transferId=str(transfer.uid),
            version=version,
            inReplyTo=commitment,
            **extra,
        )

    def pickup(self, transfer, lines: list[tuple[str, object]], *, version: int) -> dict:
        """The partner's dispatch: one pickup event per (grams, best-before) line."""
        events = [
            {
                "type": "EconomicEvent",
                "action": "pickup",
                "resourceQuantity": measure(quantity),
                "resourceInventoriedAs": {
                    "type": "EconomicResource",
                    "resourceConformsTo": {"type": "ResourceSpecification", "name": "Rye bread"},
                    "lot": {
                        "type": "BatchLotRecord",
                        "batchLotCode": f"RYE-{n}",
                        "expirationDate": best_before.isoformat() if best_before else None,
                        "dateKind": "best_before",
                    },
                },
                "provider": {"type": "Agent", "name": "Harbour Pantry"},
                "hasPointInTime": iso(timezone.now()),
            }
            for n, (quantity, best_before) in enumerate(lines, start=1)
        ]
        return self.activity(
            "Create", events, transferId=str(transfer.uid), version=version, step="pickup"
        )

    def receipt(self, transfer, received, *, version: int) -> dict:
        """The partner says what arrived of what we dispatched."""
        events = [
            {
                "type": "EconomicEvent",
                "action": action,
                "resourceQuantity": measure(received),
                "receiver": {"type": "Agent", "name": "Harbour Pantry"},
                "hasPointInTime": iso(timezone.now()),
            }
            for action in ("dropoff", "transfer")
        ]
        return self.activity(
            "Create", events, transferId=str(transfer.uid), version=version, step="receipt"
        )


def make_fake_partner(url: str = PARTNER_URL, name: str = PARTNER_NAME, **fields) -> FakePartner:
    key = new_key()
    row = Partner.objects.create(
        name=name,
        url=url,
        key_id=f"{url}/federation/actor#key",
        public_key_pem=public_pem(key),
        **fields,
    )
    return FakePartner(row=row, key=key)


def outbox(partner: Partner | FakePartner, kind: str = "") -> list[dict]:
    """What waits in our outbox for the partner, oldest first (of one kind: "Accept")."""
    row = partner.row if isinstance(partner, FakePartner) else partner
    messages = Outgoing.objects.filter(partner=row).order_by("seq")
    return [m.activity for m in messages if m.kind.startswith(kind)]


def invitation_code(text: str) -> str:
    """The secret inside an invitation's text (what the other network sends back)."""
    body = text.removeprefix("commonpot-pair:")
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["code"]


def invitation_text(url: str = PARTNER_URL, code: str = "a-secret", name: str = PARTNER_NAME):
    """An invitation as another network's Partners page would give it."""
    payload = json.dumps({"url": url, "code": code, "name": name}).encode()
    return "commonpot-pair:" + base64.urlsafe_b64encode(payload).decode().rstrip("=")


def post_forms(html: str) -> dict[str, str]:
    """Each form of a page that posts, by its action: what a person can send."""
    forms = re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I)
    posting = [f for f in forms if re.search(r'method="post"', f, flags=re.I)]
    return {(re.search(r'action="([^"]*)"', f) or [None, ""])[1]: f for f in posting}
