"""Sending the outbox: each partner's messages in order, each until it is taken.

A message is sent again after a failure (the partner is down, slow, paused, or
answers 5xx), waiting longer each time, and nothing after it is sent first: a
partner always takes one install's messages in the order they were written. A
message the partner refuses for what it says (another 4xx) is kept with the
reason, for the coordinator to read, and the next one goes. Sending is at least
once; the partner's inbox applies each message once.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from pantry.federation.models import Outgoing, Partner
from pantry.federation.signing import signed_post

log = logging.getLogger(__name__)

FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# Answers after which the same message is sent again later.
RETRY = {408, 409, 423, 425, 429}
BATCH = 200  # messages to one partner in one run; the next run goes on
# A paused link sends nothing, an ended one only its last word: that it has ended.
LEAVE = Q(kind__startswith="Leave ")


def backoff(attempts: int) -> timedelta:
    return min(FIRST_WAIT * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _reason(response) -> str:
    try:
        body = response.json()
        reason = body.get("reason") if isinstance(body, dict) else None
    except ValueError:
        reason = None
    return f"{response.status_code}: {reason or response.reason or ''}"[:500]


def deliver(partner_id: int, now: datetime | None = None) -> dict[str, int]:
    """Send what waits for one partner, oldest first; stop at the first failure."""
    counts = {"sent": 0, "refused": 0, "failed": 0}
    partner = Partner.objects.filter(pk=partner_id).first()
    if partner is None or partner.status == Partner.Status.PAUSED:
        return counts
    waiting = Outgoing.objects.filter(partner=partner, state=Outgoing.State.WAITING)
    if partner.status == Partner.Status.ENDED:
        waiting = waiting.filter(LEAVE)
    for _ in range(BATCH):
        message = waiting.order_by("seq").first()
        moment = now or timezone.now()
        if message is None or message.next_attempt_at > moment:
            break
        body = json.dumps(message.activity, separators=(",", ":")).encode()
        try:
            response = signed_post(partner.inbox_url, body)
        except Exception as e:  # down, refused connection, timeout, bad TLS
            _later(message, f"{type(e).__name__}: {e}"[:500], moment)
            counts["failed"] += 1
            break
        if 200 <= response.status_code < 300:
            Outgoing.objects.filter(pk=message.pk).update(
                state=Outgoing.State.SENT,
                sent_at=timezone.now(),
                attempts=message.attempts + 1,
                last_error="",
            )
            counts["sent"] += 1
        elif response.status_code >= 500 or response.status_code in RETRY:
            _later(message, _reason(response), moment, response.headers.get("Retry-After"))
            counts["failed"] += 1
            break
        else:
            log.warning("%s refused message %s: %s", partner, message.seq, _reason(response))
            Outgoing.objects.filter(pk=message.pk).update(
                state=Outgoing.State.REFUSED,
                attempts=message.attempts + 1,
                last_error=_reason(response),
            )
            counts["refused"] += 1
    return counts


def _later(message: Outgoing, error: str, now: datetime, retry_after: str | None = None) -> None:
    attempts = message.attempts + 1
    wait = backoff(attempts)
    if retry_after and retry_after.isdigit():
        wait = max(min(timedelta(seconds=int(retry_after)), LONGEST_WAIT), FIRST_WAIT)
    Outgoing.objects.filter(pk=message.pk).update(
        attempts=attempts, next_attempt_at=now + wait, last_error=error
    )


def deliver_all(now: datetime | None = None) -> dict[str, int]:
    """Every active partner's outbox, and an ended one's last word (the schedule
    runs this every minute)."""
    totals = {"sent": 0, "refused": 0, "failed": 0}
    due = (
        Outgoing.objects.filter(
            Q(partner__status=Partner.Status.ACTIVE)
            | Q(LEAVE, partner__status=Partner.Status.ENDED),
            state=Outgoing.State.WAITING,
            next_attempt_at__lte=now or timezone.now(),
        )
        .values_list("partner_id", flat=True)
        .distinct()
    )
    for partner_id in sorted(set(due)):
        for key, value in deliver(partner_id, now).items():
            totals[key] += value
    return totals


def make_due(partner_id: int) -> int:
    """Every message waiting for this partner may go at once, its wait cut short."""
    return Outgoing.objects.filter(partner_id=partner_id, state=Outgoing.State.WAITING).update(
        next_attempt_at=timezone.now()
    )


def send_now(partner_id: int) -> dict[str, int]:
    """Make every waiting message due now and send, here and now."""
    make_due(partner_id)
    return deliver(partner_id)
