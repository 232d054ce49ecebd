"""The outbox: emails and text messages that go out exactly once per decision.

A decision that carries a short text (`sms=`) goes by the channels its
recipient chose on their profile (`User.remind_by_email`, `remind_by_sms`):
one row per channel, the text message's key being the decision's key with
":sms" after it. A number that replied STOP gets no text, checked when the
message is decided and again, under the row lock, when it is sent; a site's
monthly cap on texts (`SmsPolicy`) holds back what goes over it.

Deciding to send (`queue_email`) writes a Message row under a unique key in the
caller's transaction and, once that commits, queues a django-q2 task that sends
it (`deliver`). A retry schedule picks up what a dead worker or a down SMTP
server left behind. A message is claimed under a row lock before sending, so two
workers never send the same one; a message whose sender died mid-send is marked
failed for a person to look at rather than sent again, since SMTP cannot tell us
whether it went out — that is the one case we choose "at most once" over
"at least once", and the outbox shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot import jobs, sms
from commonpot.models import Message, Site, SmsOptOut, SmsPolicy, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=10)
# Messages per delivery task when a batch is decided at once (queue_emails).
DELIVERY_CHUNK = 20


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** min(attempts, 6))


def queue_email(
    *,
    key: str,
    kind: str,
    to: User | str,
    subject: str,
    text: str,
    html: str = "",
    site: Site | None = None,
    attachments: list[dict] | None = None,
    meta: dict | None = None,
    sms: str = "",
) -> tuple[Message, bool]:
    """Decide to send one email. Returns (message, created).

    Called a second time with the same key, it returns the first message and
    sends nothing. A recipient with no email address gives a "skipped" message
    with the reason, so the outbox shows why nobody was told. With `sms`, the
    recipient's channels decide (see the module doc); the email's row is
    returned, or the text's when they chose texts only.
    """
    if sms:
        keys = queue_emails(
            [
                {
                    "key": key,
                    "kind": kind,
                    "to": to,
                    "subject": subject,
                    "text": text,
                    "html": html,
                    "site": site,
                    "attachments": attachments,
                    "meta": meta,
                    "sms": sms,
                }
            ]
        )
        found = {m.key: m for m in Message.objects.filter(key__in=[key, sms_key(key)])}
        return found.get(key) or found[sms_key(key)], bool(keys)
    message = _new_message(
        key=key,
        kind=kind,
        to=to,
        subject=subject,
        text=text,
        html=html,
        site=site,
        attachments=attachments,
        meta=meta,
    )
    with transaction.atomic():
        existing = Message.objects.filter(key=key).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                message.save(force_insert=True)
        except IntegrityError:
            # Another process decided the same message a moment ago.
            return Message.objects.get(key=key), False
        if message.status == Message.Status.QUEUED:
            transaction.on_commit(lambda: _enqueue(message.pk))
    return message, True


def queue_emails(emails: Iterable[dict]) -> list[str]:
    """Decide many emails at once; each item takes queue_email's keyword arguments.

    The same promise as queue_email (one message per key, whoever else decides
    it, skipped with a reason when nobody can receive it), in a fixed number of
    queries whatever the batch size: one to see which keys are taken, one
    insert that ignores a key another process took in between, one to read
    back which rows are ours. Delivery of ours is queued after commit,
    DELIVERY_CHUNK messages per task. Returns the keys this call decided.
    """
    rows: dict[str, Message] = {}
    for email in emails:
        for message in _by_channel(**email):
            rows.setdefault(message.key, message)
    if not rows:
        return []
    _skip_opted_out([m for m in rows.values() if m.channel == Message.Channel.SMS])
    with transaction.atomic():
        taken = set(Message.objects.filter(key__in=list(rows)).values_list("key", flat=True))
        new = {key: m for key, m in rows.items() if key not in taken}
        # ignore_conflicts: a run that overlaps this one may have committed a key
        # since the look-up above; its row stands and ours is dropped. The
        # Message-ID, new for each row, tells which rows are ours.
        Message.objects.bulk_create(new.values(), ignore_conflicts=True)
        decided, ready = [], []
        for pk, key, status, headers in Message.objects.filter(key__in=list(new)).values_list(
            "pk", "key", "status", "headers"
        ):
            if headers.get("Message-ID") == new[key].headers["Message-ID"]:
                decided.append(key)
                if status == Message.Status.QUEUED:
                    ready.append(pk)
        if ready:
            transaction.on_commit(lambda: _enqueue_many(ready))
    return decided


def sms_key(key: str) -> str:
    """The text message's key of a decision whose email has `key`."""
    return f"{key}:sms"


def channels_of(person: User | str) -> tuple[bool, bool]:
    """(by email, by text) for a decision that may go by either: email unless the
    person chose texts only, a text if they chose texts."""
    if not isinstance(person, User):
        return True, False
    by_sms = person.remind_by_sms
    return person.remind_by_email or not (by_sms or person.remind_by_push), by_sms


def push_key(key: str) -> str:
    """The notification's key of a decision whose email has `key`."""
    return f"{key}:push"


def _by_channel(*, sms: str = "", **email) -> list[Message]:
    if not sms:
        return [_new_message(**email)]
    by_email, by_sms = channels_of(email["to"])
    found = [_new_message(**email)] if by_email else []
    if by_sms:
        found.append(_new_text(**{**email, "key": sms_key(email["key"]), "text": sms}))
    if isinstance(email["to"], User) and email["to"].remind_by_push:
        found.append(_new_push(**{**email, "key": push_key(email["key"]), "text": sms}))
    return found


def _new_push(
    *,
    key: str,
    kind: str,
    to: User,
    subject: str,
    text: str,
    site: Site | None = None,
    meta: dict | None = None,
    **_email,
) -> Message:
    """A notification to each of the person's browsers: the subject as its title,
    the short text as its body. Sent to however many phones they have; a phone
    told twice (a resend) shows one, since the notification's tag is the key."""
    return Message(
        key=key,
        kind=kind,
        channel=Message.Channel.PUSH,
        site=site,
        to_user=to,
        subject=subject[:255],
        body_text=text,
        meta=meta or {},
        headers={"Message-ID": make_msgid(domain="commonpot")},
        status=Message.Status.QUEUED if to.is_active else Message.Status.SKIPPED,
        last_error="" if to.is_active else _("The account is closed."),
    )


def _new_text(
    *,
    key: str,
    kind: str,
    to: User,
    text: str,
    site: Site | None = None,
    meta: dict | None = None,
    **_email,
) -> Message:
    skip_reason = ""
    if not to.phone:
        skip_reason = _("No mobile number on record.")
    elif not to.is_active:
        skip_reason = _("The account is closed.")
    return Message(
        key=key,
        kind=kind,
        channel=Message.Channel.SMS,
        site=site,
        to_user=to,
        to_phone=to.phone,
        subject=text[:255],
        body_text=text,
        meta=meta or {},
        headers={"Message-ID": make_msgid(domain="commonpot")},
        status=Message.Status.SKIPPED if skip_reason else Message.Status.QUEUED,
        last_error=skip_reason,
    )


def text_to_number(*, key: str, kind: str, phone: str, text: str, site: Site | None) -> None:
    """Decide a text to a number rather than a person (an answer to a reply)."""
    queue_emails_rows(
        [
            Message(
                key=key,
                kind=kind,
                channel=Message.Channel.SMS,
                site=site,
                to_phone=phone,
                subject=text[:255],
                body_text=text,
                headers={"Message-ID": make_msgid(domain="commonpot")},
            )
        ]
    )


def queue_emails_rows(messages: list[Message]) -> None:
    _skip_opted_out([m for m in messages if m.channel == Message.Channel.SMS])
    with transaction.atomic():
        for message in messages:
            if Message.objects.filter(key=message.key).exists():
                continue
            with transaction.atomic():
                message.save(force_insert=True)
            if message.status == Message.Status.QUEUED:
                transaction.on_commit(lambda pk=message.pk: _enqueue(pk))


def _skip_opted_out(texts: list[Message]) -> None:
    """STOP is honoured before any other send: texts to such numbers are not sent."""
    if not texts:
        return
    stopped = set(
        SmsOptOut.objects.filter(phone__in={m.to_phone for m in texts}).values_list(
            "phone", flat=True
        )
    )
    for message in texts:
        if message.to_phone in stopped and message.status == Message.Status.QUEUED:
            message.status = Message.Status.SKIPPED
            message.last_error = _("This number replied STOP: no more text messages.")


def _new_message(
    *,
    key: str,
    kind: str,
    to: User | str,
    subject: str,
    text: str,
    html: str = "",
    site: Site | None = None,
    attachments: list[dict] | None = None,
    meta: dict | None = None,
) -> Message:
    user = to if isinstance(to, User) else None
    address = (user.email if user else to) or ""
    skip_reason = ""
    if not address:
        skip_reason = _("No email address on record.")
    elif user is not None and not user.is_active:
        skip_reason = _("The account is closed.")
    return Message(
        key=key,
        kind=kind,
        site=site,
        to_user=user,
        to_email=address,
        subject=subject[:255],
        body_text=text,
        body_html=html,
        attachments=attachments or [],
        meta=meta or {},
        headers={"Message-ID": make_msgid(domain="commonpot")},
        status=Message.Status.SKIPPED if skip_reason else Message.Status.QUEUED,
        last_error=skip_reason,
    )


def _enqueue_many(message_ids: list[int]) -> None:
    from django_q.tasks import async_task

    for start in range(0, len(message_ids), DELIVERY_CHUNK):
        chunk = message_ids[start : start + DELIVERY_CHUNK]
        async_task("commonpot.tasks.deliver_messages", chunk, task_name=f"messages-{chunk[0]}")


def _enqueue(message_id: int) -> None:
    from django_q.tasks import async_task

    async_task("commonpot.tasks.deliver_message", message_id, task_name=f"message-{message_id}")


def _claim(message_id: int) -> Message | None:
    """Take the message for sending, under a row lock; None if it is not ours to send."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status not in (
            Message.Status.QUEUED,
            Message.Status.RETRYING,
        ):
            return None
        if message.channel == Message.Channel.SMS and not _may_text(message):
            return None
        message.status = Message.Status.SENDING
        message.claimed_at = timezone.now()
        message.attempts += 1
        message.save(update_fields=["status", "claimed_at", "attempts"])
        return message


def _may_text(message: Message) -> bool:
    """Under the message's lock: not to a number that said STOP, and not over the
    site's monthly cap (the site's policy row is locked too, so two workers
    cannot both send the last text the cap allows). Otherwise the row is marked."""
    if SmsOptOut.objects.filter(phone=message.to_phone).exists():
        message.status = Message.Status.SKIPPED
        message.last_error = _("This number replied STOP: no more text messages.")
        message.save(update_fields=["status", "last_error"])
        return False
    if message.site_id is None:
        return True
    policy = SmsPolicy.objects.select_for_update().filter(site_id=message.site_id).first()
    if policy is None or policy.monthly_cap is None:
        return True
    if texts_this_month(message.site_id) < policy.monthly_cap:
        return True
    message.status = Message.Status.HELD
    message.last_error = ngettext(
        "Held back: the site's limit of %(cap)s text messages this month is reached.",
        "Held back: the site's limit of %(cap)s text messages this month is reached.",
        policy.monthly_cap,
    ) % {"cap": policy.monthly_cap}
    message.save(update_fields=["status", "last_error"])
    return False


def month_start(now=None):
    now = timezone.localtime(now or timezone.now())
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def texts_this_month(site_id: int, now=None) -> int:
    """Texts of the site sent (or being sent) since the first of this month."""
    return Message.objects.filter(
        site_id=site_id,
        channel=Message.Channel.SMS,
        status__in=[Message.Status.SENT, Message.Status.SENDING],
        claimed_at__gte=month_start(now),
    ).count()


def outbox_texts_summary(site: Site, now=None) -> dict:
    """For the site's outbox: texts sent this month against its cap, and how many
    were held back by it (two queries)."""
    start = month_start(now)
    counts = dict(
        Message.objects.filter(site=site, channel=Message.Channel.SMS, created_at__gte=start)
        .values_list("status")
        .annotate(n=models.Count("pk"))
        .values_list("status", "n")
    )
    return {
        "cap": SmsPolicy.for_site(site).monthly_cap,
        "sent": texts_this_month(site.pk, now),
        "held": counts.get(Message.Status.HELD, 0),
        "any": bool(counts),
    }


def deliver(message_id: int) -> str:
    """Send one queued message (the worker's task). Safe to call twice."""
    message = _claim(message_id)
    if message is None:
        return "not due"
    if message.channel == Message.Channel.SMS:
        return _deliver_text(message)
    if message.channel == Message.Channel.PUSH:
        return _deliver_push(message)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={**message.headers, "Auto-Submitted": "auto-generated"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for item in message.attachments:
        email.attach(item["filename"], item["content"], item.get("mimetype"))
    try:
        email.send(fail_silently=False)
    except Exception as e:  # noqa: BLE001 — any failure to hand over is retried
        log.warning("Could not send message %s: %s", message.pk, e)
        gave_up = message.attempts >= MAX_ATTEMPTS
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED if gave_up else Message.Status.RETRYING,
            last_error=f"{type(e).__name__}: {e}"[:2000],
            next_attempt_at=timezone.now() + _backoff(message.attempts),
        )
        return "failed"
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def _deliver_text(message: Message) -> str:
    outgoing = sms.Outgoing(
        ref=f"commonpot-{message.pk}", to=message.to_phone, text=message.body_text
    )
    try:
        provider_id = sms.backend().send(outgoing)
    except sms.SmsRetry as e:
        log.warning("Could not send text %s: %s", message.pk, e.reason)
        gave_up = message.attempts >= MAX_ATTEMPTS
        wait = _backoff(message.attempts)
        if e.retry_after:
            wait = max(wait, timedelta(seconds=e.retry_after))
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED if gave_up else Message.Status.RETRYING,
            last_error=e.reason[:2000],
            next_attempt_at=timezone.now() + wait,
        )
        return "failed"
    except Exception as e:  # noqa: BLE001 — refused, uncertain, or a bug: never twice
        reason = e.reason if isinstance(e, sms.SmsError) else f"{type(e).__name__}: {e}"
        log.warning("Text %s failed: %s", message.pk, reason)
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED, last_error=reason[:2000]
        )
        return "failed"
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider_id=provider_id[:64],
    )
    return "sent"


def _deliver_push(message: Message) -> str:
    from commonpot import push

    payload = {
        "title": message.subject,
        "body": message.body_text,
        "tag": message.key,
        "url": settings.SITE_URL + "/",
    }
    try:
        accepted = push.send_to(message.to_user_id, payload)
    except push.PushRetry as e:
        gave_up = message.attempts >= MAX_ATTEMPTS
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED if gave_up else Message.Status.RETRYING,
            last_error=str(e)[:2000],
            next_attempt_at=timezone.now() + _backoff(message.attempts),
        )
        return "failed"
    except Exception as e:  # noqa: BLE001 — refused by the push service, or a bug
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED, last_error=f"{type(e).__name__}: {e}"[:2000]
        )
        return "failed"
    if not accepted:
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.SKIPPED, last_error=_("No phone has notifications turned on.")
        )
        return "skipped"
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def retry_due(now=None) -> dict[str, int]:
    """Resend what is due; mark messages stuck mid-send as failed (see module doc)."""
    now = now or timezone.now()
    stuck = Message.objects.filter(status=Message.Status.SENDING, claimed_at__lt=now - STUCK_AFTER)
    stuck_count = stuck.update(
        status=Message.Status.FAILED,
        last_error=_("The worker stopped while sending; it may or may not have gone out."),
    )
    ids = list(Message.objects.due_for_retry(now).values_list("pk", flat=True)[:500])
    run = deliver_each(ids)
    counts = {
        "sent": run.results.count("sent"),
        "failed": run.results.count("failed"),
        "stuck": stuck_count,
    }
    if run.failed:
        counts["errors"] = run.failed
    return counts


def deliver_each(message_ids: list[int]) -> jobs.JobResult[str]:
    """Deliver each message in turn; one that breaks the sender is logged and skipped.

    Not in a transaction per message: `deliver` commits its claim before it
    talks to the mail server, so a worker that dies mid-send leaves the message
    marked as sending (and then failed), never sent twice.
    """
    return jobs.run_each(
        "deliver messages",
        message_ids,
        deliver,
        describe=lambda pk: f"message {pk}",
        in_transaction=False,
    )
