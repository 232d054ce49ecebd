"""Emails the volunteers app decides: a place given from the waitlist (or passed
over, with the reason), a stand-in found, a removal from a shift, a claim approved
or declined, and a lead's message to everyone on a shift or a day.

They go through the network's outbox (`commonpot.mail`): each is written in the
caller's transaction under a key naming the decision, so it goes out once, and
only if that transaction commits; django-q2 then delivers it in the worker
(queued with `transaction.on_commit`), retrying if the mail server is down. The
text is written now, from the state the service has just saved.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.i18n import in_language_of
from commonpot.mail import queue_email, queue_emails

# What the outbox calls each kind (registered in apps.py).
MESSAGE_KINDS = {
    "volunteers.promoted": gettext_lazy("Place from the waitlist"),
    "volunteers.stand-in-found": gettext_lazy("Stand-in found"),
    "volunteers.removed": gettext_lazy("Taken off a shift"),
    "volunteers.lead-message": gettext_lazy("Message from a lead"),
    "volunteers.skipped": gettext_lazy("Passed over on the waitlist"),
    "volunteers.claim-decided": gettext_lazy("Claim approved or declined"),
    "volunteers.shift-cancelled": gettext_lazy("Shift cancelled"),
}


def _url(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"volunteers/email/{template}.txt", context)
    subject, _newline, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


# A short text for the notices that also go by text message to those who chose it
# (`what` names the shift, `url` is My shifts).
TEXTS = {
    "promoted": gettext_lazy("You're in: a place came free on %(what)s. See My shifts: %(url)s"),
    "shift-cancelled": gettext_lazy(
        "Cancelled: %(what)s. You do not need to come. My shifts: %(url)s"
    ),
}


def _about_sign_up(template: str, kind: str, sign_up_id: int) -> None:
    from volunteers.models import SignUp

    sign_up = SignUp.objects.select_related(
        "shift__site", "shift__role", "volunteer", "cancelled_by", "approved_by"
    ).get(pk=sign_up_id)
    with in_language_of(sign_up.volunteer):
        _queue_about_sign_up(template, kind, sign_up)


def _queue_about_sign_up(template: str, kind: str, sign_up) -> None:
    from volunteers.reminders import when

    subject, text = _render(
        template,
        {
            "sign_up": sign_up,
            "shift": sign_up.shift,
            "my_shifts_url": _url("volunteers:my_shifts"),
            "was_waiting": sign_up.confirmed_at is None,
        },
    )
    shift = sign_up.shift
    short = ""
    if kind in TEXTS:
        # Translators: a shift in a text message: "Cook at Riverside Kitchen, Tue 14 May, ...".
        what = _("%(role)s at %(site)s, %(when)s") % {
            "role": shift.role.name,
            "site": shift.site.name,
            "when": when(shift),
        }
        short = str(TEXTS[kind]) % {"what": what, "url": _url("volunteers:my_shifts")}
    queue_email(
        key=f"volunteers:{kind}:{sign_up.pk}",
        kind=f"volunteers.{kind}",
        to=sign_up.volunteer,
        subject=subject,
        text=text,
        site=shift.site,
        sms=short,
        meta={"sign_up": sign_up.pk, "shift": shift.pk},
    )


def queue_promotion_notice(sign_up_id: int) -> None:
    """ "You're in": a place came free and the volunteer moved up from the waitlist."""
    _about_sign_up("promoted", "promoted", sign_up_id)


def queue_stand_in_found_notice(sign_up_id: int) -> None:
    """To the volunteer whose place a stand-in took over (`sign_up_id` is theirs)."""
    _about_sign_up("stand_in_found", "stand-in-found", sign_up_id)


def queue_removal_notice(sign_up_id: int) -> None:
    """A lead took the volunteer off a shift (or its waitlist), with the reason."""
    _about_sign_up("removed", "removed", sign_up_id)


def queue_shift_cancelled_notice(sign_up_id: int) -> None:
    """The shift itself was cancelled: to everyone on it and on its waitlist, by the
    channels each chose (email, text)."""
    _about_sign_up("shift_cancelled", "shift-cancelled", sign_up_id)


def queue_skipped_notice(sign_up_id: int) -> None:
    """A place came free but the first in line could not take it (no longer
    eligible) or their claim now waits for a lead's approval; `approval_reason` says why."""
    _about_sign_up("skipped", "skipped", sign_up_id)


def queue_claim_decided_notice(sign_up_id: int) -> None:
    """A lead approved or declined a claim that waited for approval."""
    _about_sign_up("claim_decided", "claim-decided", sign_up_id)


def queue_lead_message(message_id: int) -> int:
    """One email per person, so nobody sees the others' addresses."""
    from volunteers.models import LeadMessage

    message = LeadMessage.objects.select_related(
        "site", "sent_by", "shift__site", "shift__role"
    ).get(pk=message_id)
    subject = f"{message.site.name}: {message.subject}"
    texts: dict[str, str] = {}  # the lead's words, in each reader's language's frame

    def text_for(person) -> str:
        with in_language_of(person):
            language = translation.get_language()
            if language not in texts:
                texts[language] = render_to_string(
                    "volunteers/email/lead_message.txt",
                    {"message": message, "my_shifts_url": _url("volunteers:my_shifts")},
                )
            return texts[language]

    return len(
        queue_emails(
            {
                "key": f"volunteers:lead-message:{message.pk}:{person.pk}",
                "kind": "volunteers.lead-message",
                "to": person,
                "subject": subject,
                "text": text_for(person),
                "site": message.site,
            }
            for person in message.recipients.order_by("pk")
        )
    )
