"""Emails the volunteers app sends: a place given from the waitlist, a stand-in
found, and a lead's message to everyone on a shift or a day.

Services queue them with `transaction.on_commit`, so nothing is sent for a
change that rolled back; django-q2 runs the sending functions below in the
worker, each taking ids and reading fresh rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django_q.tasks import async_task


def _queue(func: str, *args) -> None:
    transaction.on_commit(lambda: async_task(func, *args))


def queue_promotion_notice(sign_up_id: int) -> None:
    _queue("volunteers.notifications.send_promotion_notice", sign_up_id)


def queue_stand_in_found_notice(sign_up_id: int) -> None:
    _queue("volunteers.notifications.send_stand_in_found_notice", sign_up_id)


def queue_removal_notice(sign_up_id: int) -> None:
    _queue("volunteers.notifications.send_removal_notice", sign_up_id)


def queue_lead_message(message_id: int) -> None:
    _queue("volunteers.notifications.send_lead_message", message_id)


def _url(name: str) -> str:
    return settings.SITE_URL + reverse(name)


def _send(template: str, context: dict, to: str) -> int:
    if not to:
        return 0
    text = render_to_string(f"volunteers/email/{template}.txt", context)
    subject, _, body = text.partition("\n")
    return send_mail(subject.strip(), body.lstrip("\n"), None, [to])


def send_promotion_notice(sign_up_id: int) -> int:
    """ "You're in": a place came free and the volunteer moved up from the waitlist."""
    from volunteers.models import SignUp

    sign_up = (
        SignUp.objects.select_related("shift__site", "shift__role", "volunteer")
        .filter(pk=sign_up_id, status=SignUp.Status.CONFIRMED)
        .first()
    )
    if sign_up is None:  # declined or removed before the worker got to it
        return 0
    return _send(
        "promoted",
        {"sign_up": sign_up, "shift": sign_up.shift, "my_shifts_url": _url("volunteers_my_shifts")},
        sign_up.volunteer.email,
    )


def send_stand_in_found_notice(sign_up_id: int) -> int:
    from volunteers.models import SignUp

    sign_up = (
        SignUp.objects.select_related("shift__site", "shift__role", "volunteer")
        .filter(pk=sign_up_id)
        .first()
    )
    if sign_up is None:
        return 0
    return _send(
        "stand_in_found",
        {"sign_up": sign_up, "shift": sign_up.shift, "my_shifts_url": _url("volunteers_my_shifts")},
        sign_up.volunteer.email,
    )


def send_removal_notice(sign_up_id: int) -> int:
    """A lead took the volunteer off a shift (or its waitlist), with the reason."""
    from volunteers.models import SignUp

    sign_up = (
        SignUp.objects.select_related("shift__site", "shift__role", "volunteer", "cancelled_by")
        .filter(pk=sign_up_id, status=SignUp.Status.CANCELLED)
        .first()
    )
    if sign_up is None:
        return 0
    return _send(
        "removed",
        {"sign_up": sign_up, "shift": sign_up.shift, "my_shifts_url": _url("volunteers_my_shifts")},
        sign_up.volunteer.email,
    )


def send_lead_message(message_id: int) -> int:
    """One email per person, so nobody sees the others' addresses."""
    from volunteers.models import LeadMessage

    message = LeadMessage.objects.select_related("site", "sent_by").filter(pk=message_id).first()
    if message is None:
        return 0
    body = render_to_string(
        "volunteers/email/lead_message.txt",
        {"message": message, "my_shifts_url": _url("volunteers_my_shifts")},
    )
    subject = f"{message.site.name}: {message.subject}"
    sender = settings.DEFAULT_FROM_EMAIL
    emails = [
        (subject, body, sender, [person.email])
        for person in message.recipients.exclude(email="").order_by("pk")
    ]
    return send_mass_mail(emails) if emails else 0
