"""Replies texted back to a reminder, and the gateways' delivery reports, at their
signed webhooks: YES, NO, STOP, HELP and anything else, through each gateway."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commonpot import mail as outbox
from commonpot import sms
from commonpot.models import InboundSms, Message, SmsOptOut
from commonpot.views_sms import twilio_signature
from tests.conftest import client_for
from tests.reminders.conftest import claim
from tests.sms_gateways import FakeSmsGate, FakeTwilio
from volunteers.models import SignUp

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+447700900123"
SITE_URL = "https://commonpot.example.org"
SIGNING_KEY = "gateway-signing-key"


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.SITE_URL = SITE_URL


@pytest.fixture
def smsgate(settings, monkeypatch):
    fake = FakeSmsGate().start()
    settings.SMS_URL = fake.sms_url + f"?signing_key={SIGNING_KEY}"
    monkeypatch.setattr(sms, "TIMEOUT", 0.5)
    yield fake
    fake.stop()


@pytest.fixture
def texter(make_volunteer):
    return make_volunteer("Tariq Texter", phone=PHONE, remind_by_email=False, remind_by_sms=True)


@pytest.fixture
def full_shift(make_shift, texter, make_volunteer, run):
    """A shift for one, held by the texter (reminded by text), with someone waiting."""
    shift = make_shift(hours=40, max_people=1)
    place = claim(shift, texter)
    waiting = make_volunteer("Wanda Waiting", email="wanda@example.org")
    line = claim(shift, waiting)
    assert line.status == SignUp.Status.WAITLISTED
    run(now=shift.starts_at - timezone.timedelta(hours=23))
    return shift, place, line


def twilio_post(client, body, *, sid="SM1", sign=True, token=None, phone=PHONE):
    url = reverse("sms_twilio_inbound")
    params = {"MessageSid": sid, "From": phone, "To": "+447700900001", "Body": body}
    headers = {}
    if sign:
        signature = twilio_signature(
            token or FakeTwilio.password, SITE_URL + url, {k: [v] for k, v in params.items()}
        )
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    return client.post(url, params, **headers)


def smsgate_post(client, event: dict, *, key=SIGNING_KEY, timestamp=None):
    body = json.dumps(event).encode()
    stamp = str(int(timestamp if timestamp is not None else time.time()))
    signature = hmac.new(key.encode(), body + stamp.encode(), hashlib.sha256).hexdigest()
    return client.post(
        reverse("sms_smsgate_webhook"),
        body,
        content_type="application/json",
        HTTP_X_SIGNATURE=signature,
        HTTP_X_TIMESTAMP=stamp,
    )


def received(text, *, event_id="ev1", phone=PHONE):
    return {
        "deviceId": "ffffffffceb0b1db0000018e937c815b",
        "event": "sms:received",
        "id": event_id,
        "payload": {
            "messageId": "abc123",
            "message": text,
            "phoneNumber": phone,
            "simNumber": 1,
            "receivedAt": "2026-12-03T15:46:11.000+00:00",
        },
        "webhookId": "wh1",
    }


def texts_to(fake, phone=PHONE) -> list[str]:
    if isinstance(fake, FakeTwilio):
        return [h["Body"] for h in fake.handed if h["To"] == phone]
    return [h["textMessage"]["text"] for h in fake.handed if phone in h["phoneNumbers"]]


def test_replying_no_frees_the_place_and_the_first_waiting_is_told(
    client, twilio, full_shift, django_capture_on_commit_callbacks
):
    shift, place, line = full_shift
    assert len(texts_to(twilio)) == 1  # the reminder
    with django_capture_on_commit_callbacks(execute=True):
        response = twilio_post(client, "No")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    place.refresh_from_db()
    line.refresh_from_db()
    assert place.status == SignUp.Status.CANCELLED
    assert line.status == SignUp.Status.CONFIRMED
    assert [m.to for m in mail.outbox if "wanda@example.org" in m.to]  # told by email
    answer = texts_to(twilio)[-1]
    assert "given up" in answer


def test_replying_yes_says_they_are_coming(client, twilio, full_shift, lead):
    shift, place, line = full_shift
    roster = reverse("volunteers:roster", args=[shift.site.slug, shift.pk])
    assert "Said they're coming" not in client_for(lead).get(roster).content.decode()
    twilio_post(client, "yes!")
    place.refresh_from_db()
    assert place.coming_confirmed_at is not None
    assert place.status == SignUp.Status.CONFIRMED
    assert texts_to(twilio)[-1].startswith("Thank you: see you at Cook")
    # The lead sees it on the roster.
    assert "Said they're coming" in client_for(lead).get(roster).content.decode()


def test_one_answers_like_yes_and_two_like_no(client, twilio, full_shift):
    shift, place, line = full_shift
    twilio_post(client, "1", sid="SM1")
    place.refresh_from_db()
    assert place.coming_confirmed_at is not None
    twilio_post(client, "2", sid="SM2")
    place.refresh_from_db()
    assert place.status == SignUp.Status.CANCELLED


@pytest.mark.parametrize(
    ("yes", "no"), [("Sí", "no"), ("oui", "Non"), ("Sim", "não"), ("Так", "Ні"), ("نعم", "لا")]
)
def test_yes_and_no_are_understood_in_each_language_commonpot_speaks(
    client, twilio, full_shift, yes, no
):
    shift, place, line = full_shift
    twilio_post(client, yes, sid="SM1")
    place.refresh_from_db()
    assert place.coming_confirmed_at is not None
    twilio_post(client, no, sid="SM2")
    place.refresh_from_db()
    assert place.status == SignUp.Status.CANCELLED


@pytest.mark.parametrize("signature", [None, "bm90IHRoZSBzaWduYXR1cmU=", "wrong-token"])
def test_a_wrong_or_missing_twilio_signature_is_refused_and_changes_nothing(
    client, twilio, full_shift, signature
):
    shift, place, line = full_shift
    if signature == "wrong-token":
        response = twilio_post(client, "NO", token="not-the-auth-token")
    elif signature is None:
        response = twilio_post(client, "NO", sign=False)
    else:
        response = client.post(
            reverse("sms_twilio_inbound"),
            {"MessageSid": "SM1", "From": PHONE, "Body": "NO"},
            HTTP_X_TWILIO_SIGNATURE=signature,
        )
    assert response.status_code == 403
    place.refresh_from_db()
    assert place.status == SignUp.Status.CONFIRMED
    assert not InboundSms.objects.exists()
    assert len(texts_to(twilio)) == 1


def test_the_signature_matches_twilios_published_example():
    params = {
        "CallSid": ["CA1234567890ABCDE"],
        "Digits": ["1234"],
        "From": ["+14158675309"],
        "To": ["+18005551212"],
        "Caller": ["+14158675309"],
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_stop_ends_every_text_to_that_number(client, twilio, full_shift, make_shift, run):
    shift, place, line = full_shift
    twilio_post(client, "STOP")
    assert SmsOptOut.objects.filter(phone=PHONE).exists()
    assert len(texts_to(twilio)) == 1  # no answer to STOP
    place.volunteer.refresh_from_db()
    assert place.volunteer.remind_by_sms is False
    # Even someone who ticks texts again with that number gets none.
    place.volunteer.remind_by_sms = True
    place.volunteer.save()
    other = make_shift(hours=20)
    claim(other, place.volunteer)
    run()
    assert len(texts_to(twilio)) == 1
    assert Message.objects.filter(
        channel="sms", status=Message.Status.SKIPPED, last_error__contains="STOP"
    ).exists()


def test_help_answers_with_the_sites_contact(client, twilio, full_shift, site):
    site.contact_phone = "+441632960000"
    site.save()
    twilio_post(client, "HELP")
    assert texts_to(twilio)[-1] == f"{site.name}: contact +441632960000."


def test_anything_else_gets_the_short_help_text_and_changes_nothing(client, twilio, full_shift):
    shift, place, line = full_shift
    twilio_post(client, "running late, sorry")
    place.refresh_from_db()
    assert place.status == SignUp.Status.CONFIRMED and place.coming_confirmed_at is None
    assert texts_to(twilio)[-1].startswith("Commonpot: reply YES")


def test_an_unknown_number_gets_the_help_text_and_changes_nothing(client, twilio, full_shift):
    shift, place, line = full_shift
    twilio_post(client, "NO", phone="+447700900999")
    place.refresh_from_db()
    assert place.status == SignUp.Status.CONFIRMED
    assert texts_to(twilio, "+447700900999") == [
        "Commonpot: reply YES if you are coming, NO to give up your place, "
        "HELP for the site's contact, STOP to end all texts."
    ]


def test_a_reply_about_a_shift_that_has_started_changes_nothing(
    client, twilio, full_shift, time_machine
):
    shift, place, line = full_shift
    time_machine.move_to(shift.starts_at + timezone.timedelta(minutes=5))
    twilio_post(client, "NO")
    place.refresh_from_db()
    assert place.status == SignUp.Status.CONFIRMED
    assert texts_to(twilio)[-1].startswith("Commonpot: reply YES")


def test_the_same_webhook_twice_is_handled_once(client, twilio, full_shift):
    shift, place, line = full_shift
    twilio_post(client, "YES", sid="SM42")
    twilio_post(client, "YES", sid="SM42")
    assert InboundSms.objects.count() == 1
    assert len(texts_to(twilio)) == 2  # the reminder, one answer


def test_a_reply_answers_the_latest_text_to_that_number_only(
    client, twilio, make_shift, make_volunteer, run, texter
):
    """Two people share a phone: the reply is about the one texted last."""
    sharer = make_volunteer("Sam Sharer", phone=PHONE, remind_by_email=False, remind_by_sms=True)
    early, late = make_shift(hours=20), make_shift(hours=40)
    texter_place = claim(early, texter)
    run()
    sharer_place = claim(late, sharer)
    run(now=late.starts_at - timezone.timedelta(hours=23))
    assert len(texts_to(twilio)) == 2
    twilio_post(client, "NO")
    texter_place.refresh_from_db()
    sharer_place.refresh_from_db()
    assert sharer_place.status == SignUp.Status.CANCELLED
    assert texter_place.status == SignUp.Status.CONFIRMED


def test_no_after_the_cancellation_cutoff_says_to_find_a_stand_in(
    client, twilio, make_shift, texter, run
):
    shift = make_shift(hours=3)
    place = claim(shift, texter)
    run()
    twilio_post(client, "NO")
    place.refresh_from_db()
    assert place.status == SignUp.Status.CONFIRMED
    assert "Cannot come?" in texts_to(twilio)[0]
    assert "stand-in" in texts_to(twilio)[-1]


def test_twilios_delivery_report_is_recorded(client, twilio, full_shift):
    message = Message.objects.get(channel="sms")
    url = reverse("sms_twilio_status")
    params = {
        "MessageSid": message.provider_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    signature = twilio_signature(
        FakeTwilio.password, SITE_URL + url, {k: [v] for k, v in params.items()}
    )
    assert client.post(url, params, HTTP_X_TWILIO_SIGNATURE=signature).status_code == 204
    message.refresh_from_db()
    assert message.delivery_status == "undelivered (30003)"


# --- SMS Gateway for Android --------------------------------------------------


def test_no_through_the_android_gateway_frees_the_place(
    client, smsgate, full_shift, django_capture_on_commit_callbacks
):
    shift, place, line = full_shift
    with django_capture_on_commit_callbacks(execute=True):
        response = smsgate_post(client, received("no"))
    assert response.status_code == 200
    place.refresh_from_db()
    line.refresh_from_db()
    assert (place.status, line.status) == (SignUp.Status.CANCELLED, SignUp.Status.CONFIRMED)
    assert "given up" in texts_to(smsgate)[-1]


@pytest.mark.parametrize("problem", ["wrong key", "no signature", "an hour old"])
def test_the_android_gateways_signature_is_checked(client, smsgate, full_shift, problem):
    shift, place, line = full_shift
    if problem == "wrong key":
        response = smsgate_post(client, received("NO"), key="someone-else")
    elif problem == "an hour old":
        response = smsgate_post(client, received("NO"), timestamp=time.time() - 3600)
    else:
        response = client.post(
            reverse("sms_smsgate_webhook"),
            json.dumps(received("NO")),
            content_type="application/json",
        )
    assert response.status_code == 403
    place.refresh_from_db()
    assert place.status == SignUp.Status.CONFIRMED
    assert not InboundSms.objects.exists()


def test_the_android_gateways_delivery_report_is_recorded(client, smsgate, full_shift):
    message = Message.objects.get(channel="sms")
    event = {
        "event": "sms:delivered",
        "id": "ev9",
        "payload": {"messageId": message.provider_id, "phoneNumber": PHONE},
    }
    assert smsgate_post(client, event).status_code == 200
    message.refresh_from_db()
    assert message.delivery_status == "delivered"


def test_a_webhook_for_a_gateway_not_in_use_is_not_found(client, settings, full_shift):
    settings.SMS_URL = ""
    assert twilio_post(client, "NO").status_code == 404
    assert smsgate_post(client, received("NO")).status_code == 404


def test_answers_are_never_sent_twice_by_two_retry_runs(client, twilio, full_shift):
    twilio_post(client, "YES")
    outbox.retry_due()
    outbox.retry_due()
    assert len(texts_to(twilio)) == 2
