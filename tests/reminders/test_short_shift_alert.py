"""The short-shift alert: watchers who are free then hear once, by their channels,
with a one-tap claim link; leads get one summary of their site's short shifts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from commonpot.models import Message
from tests.reminders.conftest import claim
from volunteers import reminders, watches
from volunteers.claim_links import claim_url
from volunteers.models import SignUp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def watch(person, site, hours: int = 24):
    watches.watch_shifts(volunteer=person, site=site, role=None, hours_before=hours)


def link_in(body: str) -> str:
    return re.search(r"https?://\S+/claim/\S+/", body).group(0)


def test_a_watcher_busy_at_that_time_is_not_told(run, make_shift, volunteer, site):
    watch(volunteer, site)
    busy = make_shift(hours=19, min_people=1)
    claim(busy, volunteer)
    make_shift(hours=20, min_people=2)  # overlaps the one they are on
    free_later = make_shift(hours=23, min_people=2)
    run(watches.tell_watchers)
    [message] = Message.objects.filter(kind=watches.KIND)
    assert message.meta["shift"] == free_later.pk


def test_the_one_tap_link_claims_a_place_without_logging_in(
    run, make_shift, volunteer, site, client
):
    watch(volunteer, site)
    shift = make_shift(hours=20, min_people=2)
    run(watches.tell_watchers)
    [email] = mail.outbox
    url = link_in(email.body)
    path = url.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert "Claim my place" in page.content.decode()
    assert not SignUp.objects.exists()  # opening the link changes nothing
    done = client.post("/" + path)
    assert done.status_code == 200
    assert "You're in" in done.content.decode()
    assert SignUp.objects.get().volunteer == volunteer
    assert SignUp.objects.get().shift == shift
    # Tapping again does not make a second place.
    again = client.post("/" + path)
    assert again.status_code == 400
    assert SignUp.objects.count() == 1


def test_an_altered_claim_link_is_not_found_and_claims_nothing(make_shift, volunteer, client):
    shift = make_shift(hours=20)
    url = claim_url(shift.pk, volunteer.pk)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    broken = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert client.post(broken).status_code == 404
    assert client.get(reverse("volunteers:claim_link", args=["nonsense"])).status_code == 404
    assert not SignUp.objects.exists()


def test_a_watcher_who_chose_texts_gets_the_alert_by_text(run, make_shift, volunteer, site):
    volunteer.phone = "+447700900321"
    volunteer.remind_by_email = False
    volunteer.remind_by_sms = True
    volunteer.save()
    watch(volunteer, site)
    make_shift(hours=20, min_people=2)
    run(watches.tell_watchers)
    run(watches.tell_watchers)
    [text] = Message.objects.filter(kind=watches.KIND)
    assert text.channel == "sms" and "/claim/" in text.body_text
    assert mail.outbox == []


def test_leads_get_one_summary_of_all_their_short_shifts(run, make_shift, lead, site):
    make_shift(hours=10, min_people=2)
    make_shift(hours=20, min_people=3)
    make_shift(hours=30, min_people=1)
    run(reminders.warn_under_minimum)
    run(reminders.warn_under_minimum)
    [summary] = [m for m in mail.outbox if m.to == [lead.email]]
    assert summary.subject == f"Needs people: 3 shifts at {site.name} in the next two days"
    assert summary.body.count("signed up; the minimum is") == 3


def test_the_next_days_summary_comes_once_more(run, make_shift, lead):
    from django.utils import timezone

    make_shift(hours=40, min_people=2)
    make_shift(hours=45, min_people=2)
    now = timezone.now()
    run(reminders.warn_under_minimum, now=now)
    run(reminders.warn_under_minimum, now=now + timedelta(hours=24))
    run(reminders.warn_under_minimum, now=now + timedelta(hours=24, minutes=15))
    assert len([m for m in mail.outbox if m.to == [lead.email]]) == 2
