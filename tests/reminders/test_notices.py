"""Notices beyond the reminder: a shift that moved, a shift short of people, the
weekly digest, and what happens when the mail server is down."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from commonpot import mail as outbox
from commonpot.dates import long_day
from commonpot.models import Membership, Message
from tests.conftest import client_for
from tests.factories import MembershipFactory, UserFactory
from tests.reminders.conftest import claim
from volunteers import planning, reminders

# "Once a day" is the site's day: two runs 15 minutes apart must not straddle midnight.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def subjects_to(person) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [person.email]]


# --- A shift that moved ------------------------------------------------------


def move(shift, lead, hours: float):
    return planning.update_shift(
        shift_id=shift.pk,
        by=lead,
        starts_at=shift.starts_at + timedelta(hours=hours),
        ends_at=shift.ends_at + timedelta(hours=hours),
    )


def test_a_shift_moved_after_its_reminder_sends_one_change_notice_with_the_new_time(
    run, make_shift, volunteer, lead, site
):
    shift = make_shift(hours=20)
    claim(shift, volunteer)
    run()
    was = site.local(shift.starts_at)
    moved = move(shift, lead, 2)
    run()
    run()
    notices = [m for m in mail.outbox if m.subject.startswith("Changed time")]
    assert len(notices) == 1
    (notice,) = notices
    now_local = site.local(moved.starts_at)
    assert f"It was {long_day(was)}, {was:%H:%M}" in notice.body
    assert f"{now_local:%H:%M} to" in notice.body
    (event,) = Calendar.from_ical(notice.attachments[0][1]).walk("VEVENT")
    assert event.decoded("dtstart") == moved.starts_at
    message = Message.objects.get(kind=reminders.CHANGE)
    assert message.key == reminders.change_key(shift.sign_ups.get().pk, moved.change_seq)


def test_a_shift_moved_twice_sends_a_notice_for_each_new_time(run, make_shift, volunteer, lead):
    shift = make_shift(hours=20)
    claim(shift, volunteer)
    run()
    shift = move(shift, lead, 1)
    run()
    move(shift, lead, 1)
    run()
    run()
    assert len([s for s in subjects_to(volunteer) if s.startswith("Changed time")]) == 2


def test_a_shift_moved_before_any_reminder_needs_no_notice(run, make_shift, volunteer, lead):
    shift = make_shift(hours=40)
    claim(shift, volunteer)
    run()
    move(shift, lead, -20)
    run()
    run()
    (subject,) = subjects_to(volunteer)
    assert subject.startswith("Reminder")


def test_a_shift_whose_notes_changed_but_not_its_time_sends_no_notice(
    run, make_shift, volunteer, lead
):
    shift = make_shift(hours=20)
    claim(shift, volunteer)
    run()
    planning.update_shift(shift_id=shift.pk, by=lead, notes="Use the back door.")
    run()
    assert len(mail.outbox) == 1


# --- A shift short of people ------------------------------------------------------


@pytest.fixture
def second_lead(site):
    user = UserFactory(display_name="Sam Second")
    MembershipFactory(user=user, site=site, role=Membership.Role.LEAD)
    return user


def test_the_sites_leads_hear_once_a_day_about_a_shift_in_the_next_48_hours_short_of_people(
    run, make_shift, lead, second_lead, other_lead, volunteer
):
    shift = make_shift(hours=30, min_people=3, max_people=5)
    claim(shift, volunteer)
    now = timezone.now()
    run(reminders.warn_under_minimum, now=now)
    run(reminders.warn_under_minimum, now=now + timedelta(minutes=15))
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, second_lead.email])
    (email,) = [m for m in mail.outbox if m.to == [lead.email]]
    assert email.subject.startswith("Needs people: Cook")
    assert "1 signed up; the minimum is 3, so 2 more people are needed." in email.body
    assert reverse("volunteers:site_shifts", args=[shift.site.slug]) in email.body
    assert subjects_to(other_lead) == []
    # The next day, if still short, a second nudge.
    run(reminders.warn_under_minimum, now=now + timedelta(hours=24))
    assert len(subjects_to(lead)) == 2


def test_no_notice_for_a_shift_at_its_minimum_or_more_than_48_hours_away(
    run, make_shift, lead, volunteer
):
    full_enough = make_shift(hours=10, min_people=1)
    claim(full_enough, volunteer)
    make_shift(hours=60, min_people=3)
    run(reminders.warn_under_minimum)
    assert mail.outbox == []


def test_a_site_with_no_lead_is_told_at_its_contact_address(run, other_site, make_shift):
    other_site.contact_email = "intake@eastside.example"
    other_site.save()
    make_shift(site=other_site, hours=10, min_people=2)
    run(reminders.warn_under_minimum)
    run(reminders.warn_under_minimum)
    assert [m.to for m in mail.outbox] == [["intake@eastside.example"]]


def test_a_lead_who_chose_no_reminders_is_not_sent_the_notice(run, make_shift, lead):
    lead.remind_by_email = False
    lead.save()
    make_shift(hours=10, min_people=2)
    run(reminders.warn_under_minimum)
    assert mail.outbox == []


# --- The weekly digest ---------------------------------------------------------------


def next_monday_at(hour: int, minute: int = 0) -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_volunteers_who_asked_get_a_weekly_digest_of_shifts_that_need_people_once(
    run, make_shift, volunteer, make_volunteer, other_site
):
    monday = next_monday_at(9)
    volunteer.weekly_digest = True
    volunteer.save()
    wanted = make_shift(starts_at=monday + timedelta(days=2), min_people=2)
    mine = make_shift(starts_at=monday + timedelta(days=3))
    full = make_shift(starts_at=monday + timedelta(days=4), max_people=1)
    make_shift(starts_at=monday + timedelta(days=20))  # beyond two weeks
    make_shift(site=other_site, starts_at=monday + timedelta(days=2))  # not their site
    claim(mine, volunteer)
    claim(full, make_volunteer())
    make_volunteer("Not Asked")  # did not opt in
    run(reminders.send_weekly_digest, now=monday)
    run(reminders.send_weekly_digest, now=monday + timedelta(hours=3))
    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    (email,) = mail.outbox
    assert email.subject == "1 shift needs people"
    local = wanted.site.local(wanted.starts_at)
    assert f"{local:%H:%M} to" in email.body and "short of its minimum" in email.body
    assert "untick" in email.body and reverse("profile") in email.body
    message = Message.objects.get(kind=reminders.DIGEST)
    assert message.meta["shifts"] == [wanted.pk]
    # The next week brings the next digest.
    make_shift(starts_at=monday + timedelta(days=9))
    run(reminders.send_weekly_digest, now=monday + timedelta(days=7))
    assert len(mail.outbox) == 2


def test_the_digest_waits_for_monday_morning(run, make_shift, volunteer):
    monday = next_monday_at(7, 30)
    volunteer.weekly_digest = True
    volunteer.save()
    make_shift(starts_at=monday + timedelta(days=2))
    run(reminders.send_weekly_digest, now=monday)
    assert mail.outbox == []
    run(reminders.send_weekly_digest, now=monday + timedelta(minutes=45))
    assert len(mail.outbox) == 1


def test_no_digest_when_no_shift_needs_people(run, volunteer):
    volunteer.weekly_digest = True
    volunteer.save()
    run(reminders.send_weekly_digest, now=next_monday_at(9))
    assert mail.outbox == []
    assert not Message.objects.exists()


# --- Every email has a way to stop them ---------------------------------------------


def test_every_kind_of_email_says_how_to_stop_it(run, make_shift, volunteer, lead, settings):
    settings.SITE_URL = "https://commonpot.example"
    profile = "https://commonpot.example/accounts/profile/"
    volunteer.weekly_digest = True
    volunteer.save()
    shift = make_shift(hours=20, min_people=3)
    make_shift(hours=50)  # one that needs people, for the digest
    claim(shift, volunteer)
    run()
    move(shift, lead, 1)
    run()
    run(reminders.warn_under_minimum)
    run(reminders.send_weekly_digest, now=next_monday_at(9) - timedelta(days=7))
    kinds = set(Message.objects.values_list("kind", flat=True))
    assert kinds == {
        reminders.REMINDER,
        reminders.CHANGE,
        reminders.UNDER_MINIMUM,
        reminders.DIGEST,
    }
    for email in mail.outbox:
        html = next(body for body, kind in email.alternatives if kind == "text/html")
        assert profile in email.body, email.subject
        assert f'href="{profile}"' in html, email.subject


# --- The mail server is down ----------------------------------------------------------


def test_a_mail_server_that_is_down_means_retries_then_a_failure_the_lead_sees(
    run, settings, make_shift, volunteer, lead, site
):
    import socket

    with socket.socket() as probe:  # a port on which nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    claim(make_shift(hours=20), volunteer)
    run()
    message = Message.objects.get()
    assert message.status == Message.Status.RETRYING
    assert "ConnectionRefusedError" in message.last_error
    for attempt in range(outbox.MAX_ATTEMPTS):
        run(outbox.retry_due, now=timezone.now() + timedelta(days=attempt + 1))
        run()  # the reminder job running meanwhile decides nothing new
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert message.attempts == outbox.MAX_ATTEMPTS
    assert Message.objects.count() == 1
    page = client_for(lead).get(reverse("site_outbox", args=[site.slug])).content.decode()
    assert "Failed" in page and "ConnectionRefusedError" in page
