"""What a text message someone sends us does, and the gateways' delivery reports.

A reply is matched to the latest text we sent to that number (never to anything
else: not another person's sign-up, not an older message), and read by its
first word:

- STOP (or STOPALL, UNSUBSCRIBE, END, QUIT): the number gets no text again, from
  now on and before anything else is sent (`SmsOptOut`, checked when a text is
  decided and when it is sent); the people with that number stop choosing texts.
  Nothing is sent back.
- YES or 1, NO or 2: handed to what the app that sent the message registered
  for its kind (`registry.add_sms_reply_handler`): the volunteers app confirms
  or gives up the place a reminder was about.
- HELP: the site's contact, by text.
- Anything else, a number we never texted, or a reply about a shift that has
  started: one short help text, and nothing changed.

Each reply is recorded once (`InboundSms`, unique per provider's id), so a
gateway that delivers its webhook twice changes nothing twice, and the answer
goes through the outbox under a key naming the reply.
"""

from __future__ import annotations

import re
from datetime import datetime

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.errors import DomainError
from commonpot.mail import text_to_number
from commonpot.models import InboundSms, Message, SmsOptOut, User
from commonpot.registry import registry

REPLY_KIND = "sms-reply"
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT"}
YES_WORDS = {"YES", "Y", "1"}
NO_WORDS = {"NO", "N", "2"}
HELP_WORDS = {"HELP", "INFO"}
HELP_TEXT = gettext_lazy(
    # Translators: a text message. YES, NO, HELP and STOP are the words people reply
    # with, read in English whatever the language: keep them as they are.
    "Commonpot: reply YES if you are coming, NO to give up your place, "
    "HELP for the site's contact, STOP to end all texts."
)


def normalise_number(raw: str) -> str:
    """The sender's number in E.164 as we store phones (a gateway may drop the +)."""
    raw = (raw or "").strip()
    try:
        number = phonenumbers.parse(raw, settings.PHONE_REGION)
    except phonenumbers.NumberParseException:
        return raw[:32]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def first_word(body: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", body or "")
    return words[0].upper() if words else ""


def latest_text_to(phone: str) -> Message | None:
    """The last text that asked this number something (our own answers to
    replies do not count: NO after HELP still answers the reminder)."""
    return (
        Message.objects.filter(
            channel=Message.Channel.SMS, to_phone=phone, status=Message.Status.SENT
        )
        .exclude(kind=REPLY_KIND)
        .select_related("site", "to_user")
        .order_by("-sent_at", "-pk")
        .first()
    )


def _contact(message: Message | None) -> str:
    site = message.site if message else None
    if site is None:
        return str(HELP_TEXT)
    if site.contact_phone and site.contact_email:
        return _("%(site)s: contact %(phone)s or %(email)s.") % {
            "site": site.name,
            "phone": site.contact_phone,
            "email": site.contact_email,
        }
    if site.contact_phone or site.contact_email:
        return _("%(site)s: contact %(way)s.") % {
            "site": site.name,
            "way": site.contact_phone or site.contact_email,
        }
    return _("%(site)s: please ask your shift lead. %(help)s") % {
        "site": site.name,
        "help": HELP_TEXT,
    }


@transaction.atomic
def receive_text(
    *, provider: str, provider_id: str, from_phone: str, body: str, now: datetime | None = None
) -> InboundSms:
    """Record a text someone sent us and do what it asks (see the module doc)."""
    now = now or timezone.now()
    phone = normalise_number(from_phone)
    try:
        with transaction.atomic():
            inbound = InboundSms.objects.create(
                provider=provider,
                provider_id=provider_id[:80],
                from_phone=phone,
                body=(body or "")[:1600],
                received_at=now,
            )
    except IntegrityError:
        # The gateway delivered the same webhook again: done already.
        return InboundSms.objects.get(provider=provider, provider_id=provider_id[:80])

    word = first_word(body)
    if word in STOP_WORDS:
        SmsOptOut.objects.get_or_create(phone=phone, defaults={"created_at": now})
        User.objects.filter(phone=phone).update(remind_by_sms=False)
        return _done(inbound, _("Opted out of text messages"), None)

    latest = latest_text_to(phone)
    inbound.in_reply_to = latest
    inbound.site = latest.site if latest else None
    if latest is None:
        return _done(inbound, _("Unknown number: sent the help text"), str(HELP_TEXT))
    if word in HELP_WORDS:
        return _done(inbound, _("Asked for help: sent the site's contact"), _contact(latest))
    if word in YES_WORDS | NO_WORDS:
        handler = registry.sms_reply_handlers.get(latest.kind)
        answer = "yes" if word in YES_WORDS else "no"
        if handler is not None:
            try:
                reply = handler(latest, answer, now)
            except DomainError as e:
                outcome = _("Could not: %(reason)s") % {"reason": e.message}
                return _done(inbound, outcome[:200], e.message)
            if reply:
                return _done(inbound, _("Answered %(word)s") % {"word": answer.upper()}, reply)
        return _done(inbound, _("Nothing to answer: sent the help text"), str(HELP_TEXT))
    return _done(inbound, _("Not understood: sent the help text"), str(HELP_TEXT))


def _done(inbound: InboundSms, outcome: str, reply: str | None) -> InboundSms:
    inbound.outcome = outcome
    inbound.save(update_fields=["outcome", "in_reply_to", "site"])
    if reply:
        text_to_number(
            key=f"{REPLY_KIND}:{inbound.pk}",
            kind=REPLY_KIND,
            phone=inbound.from_phone,
            text=reply,
            site=inbound.site,
        )
    return inbound


def record_delivery(*, provider_id: str, status: str, now: datetime | None = None) -> int:
    """A gateway's delivery report for a text we sent ("delivered", "failed (30003)")."""
    if not provider_id:
        return 0
    return Message.objects.filter(channel=Message.Channel.SMS, provider_id=provider_id).update(
        delivery_status=status[:60], delivery_status_at=now or timezone.now()
    )
