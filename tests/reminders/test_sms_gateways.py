"""Text messages through each real gateway's API, spoken by a local server.

Every backend is run against a stand-in in a thread (tests/sms_gateways.py),
with the errors real gateways give: a 500, a 429 rate limit, a refusal, and no
answer in time. The promise is the outbox's: retried later with backoff,
never sent twice, and the lead sees a failure.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qsl

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commonpot import mail as outbox
from commonpot import sms
from commonpot.models import Message, SmsOptOut, SmsPolicy
from tests.conftest import client_for
from tests.reminders.conftest import claim
from tests.sms_gateways import FakeSmsGate, FakeTwilio

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+447700900123"


@pytest.fixture(params=["twilio", "smsgate"])
def gateway(request, settings, monkeypatch):
    fake = (FakeTwilio if request.param == "twilio" else FakeSmsGate)().start()
    settings.SMS_URL = fake.sms_url
    monkeypatch.setattr(sms, "TIMEOUT", 0.5)
    yield fake
    fake.stop()


@pytest.fixture
def smsgate(settings, monkeypatch):
    fake = FakeSmsGate().start()
    settings.SMS_URL = fake.sms_url
    monkeypatch.setattr(sms, "TIMEOUT", 0.5)
    yield fake
    fake.stop()


@pytest.fixture
def texter(volunteer):
    """The volunteer, who chose text messages only."""
    volunteer.phone = PHONE
    volunteer.remind_by_email = False
    volunteer.remind_by_sms = True
    volunteer.save()
    return volunteer


def text(person, site, key="reminder-first:sign-up:1", words="Shift tomorrow at 9."):
    message, _ = outbox.queue_email(
        key=key,
        kind="reminder",
        to=person,
        site=site,
        subject="Your shift tomorrow",
        text="See you at 9.",
        sms=words,
    )
    message.refresh_from_db()
    return message


def later(minutes: int = 120):
    return timezone.now() + timedelta(minutes=minutes)


def numbers_texted(fake) -> list[str]:
    if isinstance(fake, FakeTwilio):
        return [h["To"] for h in fake.handed]
    return [n for h in fake.handed for n in h["phoneNumbers"]]


def test_twilio_gets_the_text_as_its_api_documents_it(twilio, texter, site):
    message = text(texter, site)
    assert message.status == Message.Status.SENT
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{twilio.user}/Messages.json"
    user, password = (
        base64.b64decode(request["headers"]["Authorization"].split()[1]).decode().split(":")
    )
    assert (user, password) == (twilio.user, twilio.password)
    fields = dict(parse_qsl(request["body"].decode()))
    assert fields["To"] == PHONE
    assert fields["From"] == "+447700900001"
    assert fields["Body"] == "Shift tomorrow at 9."
    assert fields["StatusCallback"].endswith(reverse("sms_twilio_status"))
    assert message.provider_id == twilio.handed[0]["sid"]
    assert mail.outbox == []  # texts only, as chosen


def test_the_android_gateway_gets_the_text_with_our_id(smsgate, texter, site):
    message = text(texter, site)
    assert message.status == Message.Status.SENT
    [request] = smsgate.requests
    assert request["path"] == "/message"
    body = json.loads(request["body"])
    assert body == {
        "id": f"commonpot-{message.pk}",
        "textMessage": {"text": "Shift tomorrow at 9."},
        "phoneNumbers": [PHONE],
        "withDeliveryReport": True,
    }
    assert message.provider_id == f"commonpot-{message.pk}"


def test_someone_with_both_channels_gets_an_email_and_a_text(gateway, texter, site):
    texter.remind_by_email = True
    texter.save()
    text(texter, site)
    assert len(mail.outbox) == 1
    assert numbers_texted(gateway) == [PHONE]
    assert set(Message.objects.values_list("key", "channel")) == {
        ("reminder-first:sign-up:1", "email"),
        ("reminder-first:sign-up:1:sms", "sms"),
    }


def test_a_500_is_retried_later_and_sent_once(gateway, texter, site):
    gateway.fail_next(("500",))
    message = text(texter, site)
    assert message.status == Message.Status.RETRYING
    assert "500" in message.last_error
    assert message.next_attempt_at > timezone.now() + timedelta(minutes=1)
    outbox.retry_due()  # not due yet: nothing
    assert numbers_texted(gateway) == []
    outbox.retry_due(now=later())
    outbox.retry_due(now=later(240))
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert numbers_texted(gateway) == [PHONE]


def test_a_rate_limit_waits_at_least_as_long_as_the_gateway_asks(gateway, texter, site):
    gateway.fail_next(("429", 900))
    message = text(texter, site)
    assert message.status == Message.Status.RETRYING
    assert "Rate limited" in message.last_error
    assert message.next_attempt_at >= timezone.now() + timedelta(seconds=890)
    outbox.retry_due(now=later(10))
    assert numbers_texted(gateway) == []
    outbox.retry_due(now=later(20))
    assert numbers_texted(gateway) == [PHONE]


def test_a_gateway_that_stays_down_ends_as_a_failure_the_lead_sees(gateway, texter, site, lead):
    gateway.fail_next(*[("500",)] * outbox.MAX_ATTEMPTS)
    message = text(texter, site)
    for step in range(outbox.MAX_ATTEMPTS + 2):
        outbox.retry_due(now=later(60 * 24 * (step + 1)))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert numbers_texted(gateway) == []
    page = client_for(lead).get(reverse("site_outbox", args=[site.slug])).content.decode()
    assert "Failed" in page and "The gateway had a problem (500)" in page


def test_a_refused_number_fails_at_once_with_the_providers_reason(twilio, texter, site):
    twilio.fail_next(("400", 21211, "The 'To' number is not a valid phone number."))
    message = text(texter, site)
    assert message.status == Message.Status.FAILED
    assert "not a valid phone number" in message.last_error and "21211" in message.last_error
    outbox.retry_due(now=later(60 * 24))
    assert len(twilio.requests) == 1


def test_twilio_not_answering_in_time_is_never_sent_again(twilio, texter, site):
    twilio.fail_next(("timeout",))
    message = text(texter, site)
    assert message.status == Message.Status.FAILED
    assert "may or may not have gone out" in message.last_error
    for step in range(3):
        outbox.retry_due(now=later(60 * 24 * (step + 1)))
    assert len(twilio.requests) == 1


def test_the_android_gateway_not_answering_in_time_is_resent_as_the_same_message(
    smsgate, texter, site
):
    smsgate.fail_next(("timeout",))
    message = text(texter, site)
    assert message.status == Message.Status.RETRYING
    outbox.retry_due(now=later())
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert len(smsgate.requests) == 2
    assert numbers_texted(smsgate) == [PHONE]  # the gateway knew the id: one text


def test_a_number_that_said_stop_gets_no_text(gateway, texter, site):
    SmsOptOut.objects.create(phone=PHONE)
    message = text(texter, site)
    assert message.status == Message.Status.SKIPPED
    assert "STOP" in message.last_error
    assert gateway.requests == []


@pytest.fixture
def worker_away(monkeypatch):
    """Decisions commit, but no worker picks them up until the retry job."""
    monkeypatch.setattr(outbox, "_enqueue", lambda pk: None)
    monkeypatch.setattr(outbox, "_enqueue_many", lambda ids: None)


def test_stop_after_the_decision_is_honoured_before_the_send(gateway, texter, site, worker_away):
    message = text(texter, site)
    SmsOptOut.objects.create(phone=PHONE)
    outbox.retry_due()
    message.refresh_from_db()
    assert message.status == Message.Status.SKIPPED
    assert gateway.requests == []


def test_a_sites_monthly_cap_holds_back_texts_over_it_and_the_lead_sees_them(
    gateway, texter, site, lead
):
    SmsPolicy.objects.create(site=site, monthly_cap=1)
    first = text(texter, site, key="one")
    second = text(texter, site, key="two")
    assert first.status == Message.Status.SENT
    assert second.status == Message.Status.HELD
    assert numbers_texted(gateway) == [PHONE]
    page = client_for(lead).get(reverse("site_outbox", args=[site.slug])).content.decode()
    assert "1 of 1 text messages" in page
    assert "1 held back" in page
    # The held row says it was not sent, in words, not as an empty value.
    assert ">None<" not in page


def test_someone_without_a_number_is_recorded_as_not_texted(gateway, texter, site):
    texter.phone = ""
    texter.save()
    message = text(texter, site)
    assert message.status == Message.Status.SKIPPED
    assert message.last_error == "No mobile number on record."


def test_two_reminder_runs_and_a_worker_that_died_before_sending_text_once(
    gateway, texter, make_shift, run, monkeypatch
):
    claim(make_shift(hours=20), texter)
    # The worker dies after deciding and before it delivers anything.
    monkeypatch.setattr(outbox, "_enqueue_many", lambda ids: None)
    run()
    run()
    monkeypatch.undo()
    outbox.retry_due()
    outbox.retry_due()
    run()
    assert numbers_texted(gateway) == [PHONE]
    [message] = Message.objects.filter(channel="sms")
    assert message.key.endswith(":sms") and "Reply YES" in message.body_text


def test_a_worker_killed_while_sending_a_text_never_sends_it_twice(
    gateway, texter, site, worker_away
):
    message = text(texter, site)
    outbox._claim(message.pk)  # the worker took it, then died before the gateway answered
    outbox.retry_due(now=timezone.now() + outbox.STUCK_AFTER + timedelta(minutes=1))
    outbox.retry_due(now=later(60 * 24))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert "may or may not have gone out" in message.last_error
    assert gateway.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "twilio://api.twilio.com/?from=%2B447700900001",
        "twilio://AC1:token@api.twilio.com/",
        "smsgate+http://192.168.1.20:8080/",
    ],
)
def test_an_incomplete_sms_url_is_a_clear_error(url):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        sms.backend_from_url(url)
