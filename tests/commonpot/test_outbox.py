from datetime import timedelta
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commonpot import mail as outbox
from commonpot.models import Message
from tests.conftest import client_for, page_queries


def queue(volunteer, site, key="reminder:1"):
    return outbox.queue_email(
        key=key,
        kind="reminder",
        to=volunteer,
        site=site,
        subject="Your shift tomorrow",
        text="See you at 9.",
    )


@pytest.mark.django_db(transaction=True)
def test_a_queued_email_goes_out_once_after_the_decision_commits(volunteer, site):
    with transaction.atomic():
        queue(volunteer, site)
        assert mail.outbox == []  # not before the decision is committed
    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    assert Message.objects.get().status == Message.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_deciding_the_same_message_twice_sends_it_once(volunteer, site):
    first, created_first = queue(volunteer, site)
    second, created_second = queue(volunteer, site)
    outbox.retry_due()
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_decision_rolled_back_sends_nothing(volunteer, site):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue(volunteer, site)
        raise RuntimeError("the shift could not be saved")
    assert not Message.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_someone_without_an_email_is_skipped_with_a_reason(volunteer, site):
    volunteer.email = ""
    volunteer.save()
    message, _ = queue(volunteer, site)
    assert message.status == Message.Status.SKIPPED
    assert "No email address" in message.last_error
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_down_smtp_server_means_retries_then_a_visible_failure_never_a_double(volunteer, site):
    down = SMTPServerDisconnected("Connection unexpectedly closed")
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=down):
        message, _ = queue(volunteer, site)
        message.refresh_from_db()
        assert message.status == Message.Status.RETRYING
        assert "Connection unexpectedly closed" in message.last_error
        for _ in range(outbox.MAX_ATTEMPTS):
            outbox.retry_due(now=timezone.now() + timedelta(days=1))
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == outbox.MAX_ATTEMPTS
    outbox.retry_due(now=timezone.now() + timedelta(days=2))
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_retrying_goes_on_past_a_message_that_breaks_the_sender(volunteer, site):
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("refused")):
        broken, _ = queue(volunteer, site, key="reminder:broken")
        fine, _ = queue(volunteer, site, key="reminder:fine")
    # An attachment without a file name cannot be put on the email.
    Message.objects.filter(pk=broken.pk).update(attachments=[{"content": "BEGIN:VCALENDAR"}])

    counts = outbox.retry_due(now=timezone.now() + timedelta(hours=1))

    assert counts["sent"] == 1 and counts["errors"] == 1
    assert Message.objects.get(pk=fine.pk).status == Message.Status.SENT
    assert Message.objects.get(pk=broken.pk).status != Message.Status.SENT
    assert [m.subject for m in mail.outbox] == ["Your shift tomorrow"]


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_the_server_comes_back_sends_exactly_once(volunteer, site):
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("refused")):
        queue(volunteer, site)
    later = timezone.now() + timedelta(hours=1)
    outbox.retry_due(now=later)
    outbox.retry_due(now=later)
    assert len(mail.outbox) == 1
    assert Message.objects.get().status == Message.Status.SENT


@pytest.mark.django_db
def test_a_worker_that_died_mid_send_leaves_a_visible_failure_not_a_second_copy(volunteer, site):
    message = Message.objects.create(
        key="k",
        kind="reminder",
        to_user=volunteer,
        to_email=volunteer.email,
        site=site,
        subject="s",
        body_text="b",
        status=Message.Status.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=1,
    )
    result = outbox.retry_due()
    message.refresh_from_db()
    assert result["stuck"] == 1
    assert message.status == Message.Status.FAILED
    assert "may or may not have gone out" in message.last_error
    assert mail.outbox == []


@pytest.mark.django_db
def test_leads_see_their_sites_outbox_and_not_anothers(lead, other_lead, volunteer, site):
    Message.objects.create(
        key="k1",
        kind="reminder",
        site=site,
        to_user=volunteer,
        to_email=volunteer.email,
        subject="Your shift tomorrow",
        body_text="b",
        status=Message.Status.FAILED,
        last_error="SMTPRecipientsRefused: mailbox full",
    )
    url = reverse("site_outbox", args=[site.slug])
    page = client_for(lead).get(url).content.decode()
    assert "Your shift tomorrow" in page and "mailbox full" in page
    assert client_for(other_lead).get(url).status_code == 403


@pytest.mark.django_db
def test_the_outbox_page_runs_the_same_queries_for_5_or_50_messages(
    lead, site, volunteer, django_assert_max_num_queries
):

    def count() -> int:
        return page_queries(client_for(lead), reverse("site_outbox", args=[site.slug]))

    def add(n, start):
        Message.objects.bulk_create(
            Message(
                key=f"k{start + i}",
                kind="notice",
                site=site,
                to_user=volunteer,
                to_email=volunteer.email,
                subject=f"Notice {i}",
                body_text="b",
            )
            for i in range(n)
        )

    add(5, 0)
    count()  # warm anything a first request fills once per process
    small = count()
    add(45, 5)
    assert count() == small


@pytest.mark.django_db
def test_the_outbox_names_each_kind_of_email_in_words(lead, site, volunteer):
    for n, kind in enumerate(["volunteers.stand-in-found", "reminder", "network_claim"]):
        Message.objects.create(
            key=f"k{n}",
            kind=kind,
            site=site,
            to_user=volunteer,
            to_email=volunteer.email,
            subject=f"Subject {n}",
            body_text="b",
        )
    page = client_for(lead).get(reverse("site_outbox", args=[site.slug])).content.decode()
    assert "Stand-in found" in page and "Shift reminder" in page and "Offer claimed" in page
    assert "volunteers.stand-in-found" not in page and "network_claim" not in page
