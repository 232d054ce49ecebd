"""Every change a volunteer must know is told, once per change, in their channels:
a moved start (tests/reminders/test_notices.py), a changed end, role, place or
what to bring, and a cancelled shift (its waitlist told too)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from commonpot.models import Message
from tests.conftest import client_for
from tests.reminders.conftest import claim
from tests.volunteers.factories import ShiftRoleFactory
from volunteers import planning, reminders
from volunteers.models import Shift, SignUp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def notices_to(person) -> list:
    return [m for m in mail.outbox if m.to == [person.email] and m.subject.startswith("Changed")]


@pytest.fixture
def reminded(run, make_shift, volunteer):
    shift = make_shift(hours=20, what_to_bring="Closed shoes")
    claim(shift, volunteer)
    run()
    return shift


def test_a_changed_end_is_told_once(run, reminded, volunteer, lead, site):
    planning.update_shift(
        shift_id=reminded.pk, by=lead, ends_at=reminded.ends_at + timedelta(hours=1)
    )
    run()
    run()
    [notice] = notices_to(volunteer)
    new_end = site.local(reminded.ends_at + timedelta(hours=1))
    assert f"It ends at {new_end:%H:%M}" in notice.body
    assert notice.subject.startswith("Changed: Cook at")


def test_a_changed_role_is_told_with_the_old_and_new_names(run, reminded, volunteer, lead, site):
    porter = ShiftRoleFactory(site=site, name="Porter")
    planning.update_shift(shift_id=reminded.pk, by=lead, role=porter)
    run()
    [notice] = notices_to(volunteer)
    assert "Your role is now Porter (was Cook)." in notice.body


def test_what_to_bring_changed_is_told_and_then_not_again(run, reminded, volunteer, lead):
    planning.update_shift(shift_id=reminded.pk, by=lead, what_to_bring="Closed shoes and a hat")
    run()
    run()
    [notice] = notices_to(volunteer)
    assert "What to bring or wear is now: Closed shoes and a hat" in notice.body
    # A second change is a second notice, and only one.
    planning.update_shift(shift_id=reminded.pk, by=lead, what_to_bring="")
    run()
    run()
    assert len(notices_to(volunteer)) == 2


def test_a_shift_moved_to_another_place_and_back_is_told_each_time_once(
    run, reminded, volunteer, lead
):
    planning.update_shift(shift_id=reminded.pk, by=lead, place="St Mary's Hall, 4 Church Road")
    run()
    run()
    [notice] = notices_to(volunteer)
    assert "It is now at St Mary's Hall, 4 Church Road (was at the site)." in notice.body
    assert "At: St Mary's Hall, 4 Church Road (not at the site)" in notice.body
    ((_, content, _),) = notice.attachments
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["location"]).startswith("St Mary's Hall, 4 Church Road")
    planning.update_shift(shift_id=reminded.pk, by=lead, place="")
    run()
    run()
    notices = notices_to(volunteer)
    assert len(notices) == 2
    assert "It is now at the site itself (was St Mary's Hall, 4 Church Road)." in notices[1].body


def test_a_reminder_by_text_says_where_when_the_shift_is_away_from_the_site(
    run, make_shift, make_volunteer
):
    texter = make_volunteer(phone="+447700900777", remind_by_email=False, remind_by_sms=True)
    claim(make_shift(hours=20, place="Market car park, gate B"), texter)
    run()
    text = Message.objects.get(channel="sms", kind=reminders.REMINDER)
    assert "Where: Market car park, gate B." in text.body_text


def test_two_changes_between_runs_are_one_notice_naming_both(run, reminded, volunteer, lead):
    planning.update_shift(shift_id=reminded.pk, by=lead, what_to_bring="Apron")
    planning.update_shift(
        shift_id=reminded.pk, by=lead, ends_at=reminded.ends_at + timedelta(hours=2)
    )
    run()
    [notice] = notices_to(volunteer)
    assert "It ends at" in notice.body and "What to bring or wear is now: Apron" in notice.body


def test_a_change_reaches_a_texter_by_text_once(run, make_shift, make_volunteer, lead):
    texter = make_volunteer(phone="+447700900777", remind_by_email=False, remind_by_sms=True)
    shift = make_shift(hours=20)
    claim(shift, texter)
    run()
    planning.update_shift(shift_id=shift.pk, by=lead, ends_at=shift.ends_at + timedelta(hours=1))
    run()
    run()
    texts = Message.objects.filter(channel="sms", kind=reminders.CHANGE)
    assert texts.count() == 1
    assert texts.get().body_text.startswith("Changed: Cook at")
    assert not Message.objects.filter(channel="email", to_user=texter).exists()


def test_a_shift_changed_back_before_the_run_tells_nobody(run, reminded, volunteer, lead):
    planning.update_shift(shift_id=reminded.pk, by=lead, what_to_bring="Apron")
    planning.update_shift(shift_id=reminded.pk, by=lead, what_to_bring="Closed shoes")
    run()
    assert notices_to(volunteer) == []


# --- A cancelled shift ----------------------------------------------------------


@pytest.fixture
def full(make_shift, volunteer, make_volunteer):
    shift = make_shift(hours=30, max_people=1)
    place = claim(shift, volunteer)
    waiting = make_volunteer("Wanda Waiting", email="wanda@example.org")
    line = claim(shift, waiting)
    return shift, place, line


@pytest.mark.django_db(transaction=True)
def test_a_lead_cancels_a_shift_and_everyone_on_it_and_waiting_is_told_once(full, lead, site):
    shift, place, line = full
    response = client_for(lead).post(
        reverse("volunteers:shift_cancel", args=[site.slug, shift.pk]),
        {"reason": "The kitchen has no gas."},
    )
    assert response.status_code == 302
    place.refresh_from_db()
    line.refresh_from_db()
    assert place.status == line.status == SignUp.Status.CANCELLED
    shift.refresh_from_db()
    assert not shift.is_published and shift.places_taken == 0
    told = sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Cancelled:"))
    assert told == sorted([place.volunteer.email, "wanda@example.org"])
    wanda = next(m for m in mail.outbox if m.to == ["wanda@example.org"])
    assert "The kitchen has no gas." in wanda.body and "waitlist" in wanda.body
    # Asking again changes nothing and tells nobody twice.
    client_for(lead).post(reverse("volunteers:shift_cancel", args=[site.slug, shift.pk]))
    assert len([m for m in mail.outbox if m.subject.startswith("Cancelled:")]) == 2


def test_another_sites_lead_cannot_cancel_a_shift(full, other_lead, site):
    shift, place, line = full
    response = client_for(other_lead).post(
        reverse("volunteers:shift_cancel", args=[site.slug, shift.pk])
    )
    assert response.status_code == 403
    assert Shift.objects.get(pk=shift.pk).is_published
    place.refresh_from_db()
    assert place.status == SignUp.Status.CONFIRMED


# --- A site that wants a phone number from its drivers ----------------------------


def test_a_site_can_require_a_phone_from_those_who_drive(
    make_shift, make_volunteer, lead, site, other_site
):
    from decimal import Decimal

    from commonpot.errors import DomainError
    from pantry.network.models import Transfer
    from tests.network.factories import bread
    from volunteers import services, site_settings

    transfer = Transfer.objects.create(
        source=site,
        destination=other_site,
        item=bread(),
        quantity=Decimal("1000"),
        status=Transfer.Status.ACCEPTED,
    )
    drive = make_shift(hours=30)
    planning.update_shift(shift_id=drive.pk, by=lead, transfer=transfer)
    cook_shift = make_shift(hours=50)
    no_phone = make_volunteer("Nat Nophone", phone="")
    site_settings.save_reminders_and_sheet(site, drivers_need_phone=True)
    with pytest.raises(DomainError, match="Drivers at .* must give a phone number"):
        services.claim_shift(shift_id=drive.pk, volunteer=no_phone)
    assert not SignUp.objects.filter(volunteer=no_phone).exists()
    # Other shifts need no phone; with one, the drive can be claimed.
    services.claim_shift(shift_id=cook_shift.pk, volunteer=no_phone)
    no_phone.phone = "+447700900888"
    no_phone.save()
    assert services.claim_shift(shift_id=drive.pk, volunteer=no_phone).is_confirmed
