"""Reminders before a shift: once per sign-up, in the site's time, with a calendar
entry and a way to cancel and to stop them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from commonpot.models import Message
from tests.reminders.conftest import claim
from tests.volunteers.factories import SignUpFactory
from volunteers import reminders, services
from volunteers.models import ShiftPolicy, SignUp

pytestmark = pytest.mark.django_db


def reminders_to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email] and "Reminder" in m.subject]


def html_of(email) -> str:
    return next(body for body, kind in email.alternatives if kind == "text/html")


def test_a_confirmed_sign_up_gets_one_reminder_a_day_ahead_however_often_the_job_runs(
    run, make_shift, volunteer
):
    claim(make_shift(hours=20), volunteer)
    run()
    run()
    run()
    assert len(reminders_to(volunteer)) == 1
    message = Message.objects.get(kind=reminders.REMINDER)
    assert message.status == Message.Status.SENT
    assert message.to_user == volunteer


def test_nobody_is_reminded_of_a_shift_more_than_a_day_away(run, make_shift, volunteer):
    claim(make_shift(hours=30), volunteer)
    run()
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_the_site_chooses_how_many_hours_ahead_the_reminder_goes(run, site, make_shift, volunteer):
    ShiftPolicy.objects.create(site=site, reminder_hours=48)
    claim(make_shift(hours=30), volunteer)
    run()
    assert len(reminders_to(volunteer)) == 1


def test_the_reminder_tells_the_shift_in_the_sites_time_zone(
    run, other_site, make_shift, make_volunteer
):
    # 09:00 in New York is 13:00 or 14:00 UTC: the email must say 09:00.
    local_nine = (timezone.now() + timedelta(hours=20)).astimezone(other_site.tz)
    local_nine = local_nine.replace(hour=9, minute=0, second=0, microsecond=0)
    if local_nine <= timezone.now():
        local_nine += timedelta(days=1)
    ShiftPolicy.objects.create(site=other_site, reminder_hours=48)
    shift = make_shift(site=other_site, starts_at=local_nine)
    farid = make_volunteer("Farid Rahimi", at=other_site)
    claim(shift, farid)
    run()
    (email,) = reminders_to(farid)
    abbreviation = local_nine.strftime("%Z")  # EST or EDT
    assert f"09:00 to 12:00 ({abbreviation}, America/New_York time)" in email.body
    assert "13:00" not in email.body and "14:00" not in email.body
    assert f"09:00-12:00 {abbreviation}" in email.subject
    assert "09:00" in html_of(email)


def test_the_reminder_carries_the_shift_as_a_calendar_entry_in_the_sites_zone(
    run, other_site, make_shift, make_volunteer
):
    shift = make_shift(site=other_site, hours=10)
    farid = make_volunteer("Farid Rahimi", at=other_site)
    claim(shift, farid)
    run()
    (email,) = reminders_to(farid)
    ((filename, content, mimetype),) = email.attachments
    assert (filename, mimetype) == ("shift.ics", "text/calendar")
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == shift.starts_at
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert str(event["summary"]) == f"Cook at {other_site.name}"
    # The same entry as in the volunteer's calendar feed, so a calendar keeps one.
    assert str(event["uid"]) == f"shift-{shift.pk}-volunteer-{farid.pk}@commonpot"


def test_two_people_on_one_shift_each_get_their_own_calendar_entry(
    run, other_site, make_shift, make_volunteer
):
    # The entry is written once per shift in a run; each person's UID is their own,
    # even when the shift's notes happen to spell another entry's UID.
    shift = make_shift(site=other_site, hours=10, notes="UID:shift-0-volunteer-0@commonpot")
    farid, mina = (make_volunteer(name, at=other_site) for name in ("Farid Rahimi", "Mina Obi"))
    claim(shift, farid)
    claim(shift, mina)
    run()
    for person in (farid, mina):
        (email,) = reminders_to(person)
        ((_, content, _),) = email.attachments
        (event,) = Calendar.from_ical(content).walk("VEVENT")
        assert str(event["uid"]) == f"shift-{shift.pk}-volunteer-{person.pk}@commonpot"
        assert "UID:shift-0-volunteer-0@commonpot" in str(event["description"])


def test_the_reminder_gives_the_shifts_details_and_links_to_cancel_and_to_stop_reminders(
    run, settings, make_shift, volunteer
):
    settings.SITE_URL = "https://commonpot.example"
    shift = make_shift(hours=20, notes="Side door on Wharf Lane.", what_to_bring="An apron.")
    sign_up = claim(shift, volunteer)
    run()
    (email,) = reminders_to(volunteer)
    assert "Side door on Wharf Lane." in email.body
    assert "What to bring or wear: An apron." in email.body
    assert f"https://commonpot.example/me/shifts/#mine-{sign_up.pk}" in email.body
    assert (
        "untick the ways to remind you at https://commonpot.example/accounts/profile/" in email.body
    )
    html = html_of(email)
    assert f'href="https://commonpot.example/me/shifts/#mine-{sign_up.pk}"' in html
    assert 'href="https://commonpot.example/accounts/profile/"' in html


def test_before_the_cutoff_the_reminder_says_cancel_after_it_find_a_stand_in(
    run, site, make_shift, volunteer, make_volunteer
):
    ShiftPolicy.objects.create(site=site, cancellation_cutoff_hours=12, reminder_hours=30)
    claim(make_shift(hours=20), volunteer)
    amira = make_volunteer("Amira Haddad")
    claim(make_shift(hours=6), amira)
    run()
    (early,) = reminders_to(volunteer)
    (late,) = reminders_to(amira)
    assert "Please cancel" in early.body and "stand-in" not in early.body
    assert "please find a stand-in" in late.body


def test_someone_who_chose_no_reminders_gets_none_and_nothing_is_recorded(
    run, make_shift, volunteer
):
    volunteer.remind_by_email = False
    volunteer.save()
    claim(make_shift(hours=20), volunteer)
    run()
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_turning_reminders_back_on_before_the_shift_brings_its_reminder(run, make_shift, volunteer):
    volunteer.remind_by_email = False
    volunteer.save()
    claim(make_shift(hours=20), volunteer)
    run()
    volunteer.remind_by_email = True
    volunteer.save()
    run()
    assert len(reminders_to(volunteer)) == 1


def test_a_volunteer_with_no_email_is_skipped_with_a_reason_the_lead_can_read(
    run, make_shift, volunteer, lead, site
):
    from django.urls import reverse

    from tests.conftest import client_for

    volunteer.email = ""
    volunteer.save()
    claim(make_shift(hours=20), volunteer)
    run()
    run()
    message = Message.objects.get()
    assert message.status == Message.Status.SKIPPED
    assert message.last_error == "No email address on record."
    assert mail.outbox == []
    page = client_for(lead).get(reverse("site_outbox", args=[site.slug])).content.decode()
    assert "No email address on record." in page


def test_waitlisted_and_cancelled_people_get_no_reminder(
    run, make_shift, volunteer, make_volunteer
):
    shift = make_shift(hours=20, max_people=1)
    amira, ben = make_volunteer("Amira Haddad"), make_volunteer("Ben Carter")
    claim(shift, amira)
    waiting = claim(shift, ben)
    assert waiting.status == SignUp.Status.WAITLISTED
    other = make_shift(hours=22)
    gone = claim(other, volunteer)
    SignUp.objects.filter(pk=gone.pk).update(status=SignUp.Status.CANCELLED)
    run()
    assert [m.to for m in mail.outbox] == [[amira.email]]


def test_cancelling_after_the_reminder_and_claiming_again_brings_a_reminder_for_the_new_place(
    run, site, make_shift, volunteer
):
    ShiftPolicy.objects.create(site=site, cancellation_cutoff_hours=2)
    shift = make_shift(hours=20)
    first = claim(shift, volunteer)
    run()
    services.cancel_sign_up(sign_up_id=first.pk, by=volunteer)
    run()
    assert len(reminders_to(volunteer)) == 1
    claim(shift, volunteer)
    run()
    run()
    assert len(reminders_to(volunteer)) == 2


def test_a_site_with_a_second_reminder_sends_it_hours_before(run, site, make_shift, volunteer):
    ShiftPolicy.objects.create(site=site, second_reminder_hours=2)
    shift = make_shift(hours=20)
    claim(shift, volunteer)
    run()
    run(now=shift.starts_at - timedelta(hours=3))
    assert len(reminders_to(volunteer)) == 1
    run(now=shift.starts_at - timedelta(hours=1, minutes=55))
    run(now=shift.starts_at - timedelta(hours=1))
    sent = reminders_to(volunteer)
    assert len(sent) == 2
    assert "starts soon" in sent[1].body
    assert set(Message.objects.values_list("key", flat=True)) == {
        reminders.sign_up_key(reminders.FIRST, shift.sign_ups.get().pk),
        reminders.sign_up_key(reminders.SECOND, shift.sign_ups.get().pk),
    }


def test_someone_who_signs_up_inside_the_second_window_gets_one_reminder_not_two(
    run, site, make_shift, volunteer
):
    ShiftPolicy.objects.create(site=site, second_reminder_hours=2)
    claim(make_shift(hours=1), volunteer)
    run()
    run()
    assert len(reminders_to(volunteer)) == 1


def test_reminders_of_an_inactive_site_are_not_sent(run, site, make_shift, volunteer):
    claim(make_shift(hours=20), volunteer)
    site.is_active = False
    site.save()
    run()
    assert mail.outbox == []


def test_deciding_costs_the_same_queries_for_a_batch_of_3_or_of_30(
    site, make_shift, make_volunteer, cook
):
    """The batch's sign-ups, the keys already taken, one insert, what is ready:
    never a query per sign-up."""

    def decide_for(n: int) -> int:
        shift = make_shift(hours=20, max_people=n)
        people = [make_volunteer() for _ in range(n)]
        for person in people:
            SignUpFactory(shift=shift, volunteer=person)
        with CaptureQueriesContext(connection) as ctx:
            decided = reminders.decide_first_reminders(timezone.now())
        assert decided == n
        return len(ctx.captured_queries)

    assert decide_for(3) == decide_for(30)


def test_a_job_that_runs_in_batches_decides_each_sign_up_once(run, make_shift, make_volunteer):
    shift = make_shift(hours=20, max_people=7)
    people = [make_volunteer() for _ in range(7)]
    for person in people:
        claim(shift, person)
    result = run(batch_size=3)
    assert result["first"] == 7
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)


def test_the_keys_in_the_outbox_name_the_sign_up_and_the_kind(run, make_shift, volunteer):
    sign_up = claim(make_shift(hours=20), volunteer)
    run()
    message = Message.objects.get()
    assert message.key == f"reminder-first:sign-up:{sign_up.pk}"
    assert message.meta["starts_at"] == sign_up.shift.starts_at.isoformat()


def test_one_sign_up_whose_reminder_cannot_be_written_holds_up_nobody_elses(
    run, make_shift, make_volunteer, monkeypatch
):
    shift = make_shift(hours=20)
    broken, fine = make_volunteer("Bea Broken"), make_volunteer("Fay Fine")
    claim(shift, broken)
    claim(shift, fine)
    write = reminders.Writer.reminder

    def reminder(self, sign_up, which):
        if sign_up.volunteer_id == broken.pk:
            raise ValueError("a template tag choked on this sign-up")
        return write(self, sign_up, which)

    monkeypatch.setattr(reminders.Writer, "reminder", reminder)
    run()
    assert reminders_to(broken) == []
    assert len(reminders_to(fine)) == 1
