"""What partner installs call: pairing, the inbox, this install's card and the
JSON-LD context. Machines only: JSON in and out, every refusal a 4xx with its
reason in `{"reason": ...}`, and logged."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.db import DataError, IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from pantry.federation import services
from pantry.federation.activities import Malformed
from pantry.federation.models import Incoming, Partner
from pantry.federation.signing import (
    SignatureRefused,
    check_public_key,
    own_key_id,
    own_public_key,
    own_url,
    remember_nonce,
    verify,
)

log = logging.getLogger(__name__)

CONTEXT = Path(__file__).with_name("context.jsonld")
MAX_BODY = 256 * 1024
MAX_SEQ = 2**63 - 1  # what a PositiveBigIntegerField holds on every database
JSON_TYPES = ("application/activity+json", "application/ld+json", "application/json")


def refuse(reason: str, status: int, **headers) -> JsonResponse:
    response = JsonResponse({"reason": reason}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@require_GET
def actor(request):
    """This install as partners see it: its name, address and public key."""
    return JsonResponse(
        {
            "@context": ["https://www.w3.org/ns/activitystreams"],
            "type": "Organization",
            "id": f"{own_url()}/federation/actor",
            "name": services.network_name(),
            "inbox": f"{own_url()}/federation/inbox",
            "publicKey": {"id": own_key_id(), "publicKeyPem": own_public_key()},
        },
        content_type="application/activity+json",
    )


@require_GET
def context(request):
    return HttpResponse(CONTEXT.read_bytes(), content_type="application/ld+json")


def _json_body(request) -> dict:
    if request.content_type not in JSON_TYPES:
        raise Malformed("The body is not JSON (Content-Type application/activity+json).")
    if len(request.body) > MAX_BODY:
        raise Malformed("The body is too large.")
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as e:
        raise Malformed("The body is not JSON.") from e
    if not isinstance(data, dict):
        raise Malformed("The body is not a JSON object.")
    return data


@csrf_exempt
@require_POST
def pair(request):
    """Another install presents one of our invitations, signed with the key it sends."""
    try:
        card = _json_body(request)
        for key in ("code", "url", "name", "key_id", "public_key"):
            if not isinstance(card.get(key), str) or not card[key]:
                raise Malformed(f"{key} is missing.")
        if not card["url"].startswith(("http://", "https://")):
            raise Malformed("url is not an http(s) address.")
        check_public_key(card["public_key"])
        verify(request, {card["key_id"]: card["public_key"]})
        answer = services.pair_with(card)
    except Malformed as e:
        log.warning("Pairing request refused: %s", e)
        return refuse(str(e), 400)
    except SignatureRefused as e:
        log.warning("Pairing request refused: %s", e.reason)
        return refuse(e.reason, e.status)
    except services.PairingRefused as e:
        log.warning("Pairing request refused: %s", e.reason)
        return refuse(e.reason, e.status)
    log.info("Paired with %s (%s)", card["name"], card["url"])
    return JsonResponse(answer)


def _partner_keys() -> dict[str, str]:
    return dict(
        Partner.objects.exclude(status=Partner.Status.ENDED).values_list("key_id", "public_key_pem")
    )


@csrf_exempt
@require_POST
def inbox(request):
    """One message from a partner: checked, then applied once, in order."""
    try:
        verified = verify(request, _partner_keys())
    except SignatureRefused as e:
        log.warning("Inbox refused a request: %s", e.reason)
        return refuse(e.reason, e.status)
    partner = (
        Partner.objects.filter(key_id=verified.key_id).exclude(status=Partner.Status.ENDED).first()
    )
    if partner is None:  # ended between the two reads
        return refuse("This link has ended.", 410)
    if partner.status == Partner.Status.PAUSED:
        log.info("Inbox: %s is paused here; its message waits at its end.", partner)
        return refuse("The link is paused here; send again later.", 503, Retry_After="300")
    try:
        remember_nonce(partner, verified.nonce)
        activity = _json_body(request)
        activity_id = activity.get("id")
        seq = activity.get("sequence")
        if (
            not isinstance(activity_id, str)
            or not activity_id.startswith(partner.url + "/")
            or len(activity_id) > 300
        ):
            raise Malformed("id is missing, too long, or not the sender's own.")
        if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
            raise Malformed("sequence is missing.")
        if seq > MAX_SEQ:
            raise Malformed("sequence is out of range.")
        if activity.get("actor") != partner.actor:
            raise Malformed("The actor is not the signer.")
    except SignatureRefused as e:
        log.warning("Inbox refused a request from %s: %s", partner, e.reason)
        return refuse(e.reason, e.status)
    except Malformed as e:
        log.warning("Inbox refused a message from %s: %s", partner, e)
        return refuse(str(e), 400)
    try:
        outcome, reason = _take(partner, activity, activity_id, seq)
    except IntegrityError:
        # The same message arriving twice at once: the other copy was taken.
        return JsonResponse({"outcome": "seen before"}, status=200)
    status = 200 if outcome == "seen before" else 202
    if outcome == Incoming.Outcome.REFUSED:
        log.warning("Inbox refused message %s from %s: %s", seq, partner, reason)
    return JsonResponse({"outcome": outcome, "reason": reason}, status=status)


@transaction.atomic
def _take(partner: Partner, activity: dict, activity_id: str, seq: int) -> tuple[str, str]:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if (
        seq <= partner.last_in_seq
        or Incoming.objects.filter(partner=partner, activity_id=activity_id).exists()
    ):
        return "seen before", ""
    obj = activity.get("object")
    label = activity.get("step") or (obj.get("type") if isinstance(obj, dict) else "")
    kind = f"{activity.get('type')} {label}".strip()[:40]
    try:
        with transaction.atomic():
            outcome, reason = services.apply(partner, activity)
    except (Malformed, services.Refused) as e:
        outcome, reason = Incoming.Outcome.REFUSED, str(e)
    except services.DomainError as e:
        outcome, reason = Incoming.Outcome.REFUSED, e.message
    except (KeyError, TypeError, AttributeError, ArithmeticError, ValueError) as e:
        # A shape the readers did not foresee: refused and kept, never a 500 that
        # the sender would try again for ever.
        log.exception("Inbox could not read message %s from %s", seq, partner)
        outcome, reason = Incoming.Outcome.REFUSED, f"The message could not be read ({e!r})."
    except (IntegrityError, DataError):
        # Not this message arriving twice at once (the partner's row is locked
        # above, so its messages are taken one at a time): a value our tables
        # cannot keep. Answering "seen before" would drop it without a trace.
        log.exception("Inbox could not keep message %s from %s", seq, partner)
        outcome = Incoming.Outcome.REFUSED
        reason = "A value in the message does not fit what Commonpot keeps."
    Incoming.objects.create(
        partner=partner,
        activity_id=activity_id,
        seq=seq,
        kind=kind,
        outcome=outcome,
        reason=reason[:500],
        activity=activity,
    )
    partner.last_in_seq = seq
    partner.save(update_fields=["last_in_seq"])
    return outcome, reason
