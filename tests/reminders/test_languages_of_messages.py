"""What is sent goes out in its reader's language, whoever or whatever sends it:
two volunteers on one shift, one Spanish and one English, each get their own."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation
from icalendar import Calendar

from tests.reminders.conftest import claim

pytestmark = pytest.mark.django_db


def said(language: str, english: str, **values) -> str:
    with translation.override(language):
        text = translation.gettext(english)
    assert text != english, f"{english!r} is not translated into {language}"
    return text % values if values else text


def test_one_reminder_run_writes_to_each_volunteer_in_their_own_language(
    run, site, make_shift, make_volunteer
):
    shift = make_shift(hours=20)
    lucia = make_volunteer("Lucía Pérez", language="es")
    vera = make_volunteer("Vera Okafor")
    oksana = make_volunteer("Оксана Коваль", language="uk")
    for person in (lucia, vera, oksana):
        claim(shift, person)
    run()
    by_person = {m.to[0]: m for m in mail.outbox}
    subjects = {person: by_person[person.email].subject for person in (lucia, vera, oksana)}
    assert subjects[vera].startswith("Reminder: Cook at")
    for person, language in ((lucia, "es"), (oksana, "uk")):
        assert not subjects[person].startswith("Reminder"), subjects[person]
        prefix = said(language, "Reminder: %(role)s at %(site)s, %(when)s").split("%(")[0]
        assert subjects[person].startswith(prefix), (prefix, subjects[person])
        # The calendar entry too: its summary in their language.
        ((_name, content, _type),) = by_person[person.email].attachments
        (event,) = Calendar.from_ical(content).walk("VEVENT")
        assert str(event["summary"]) != f"Cook at {site.name}"
    ((_name, content, _type),) = by_person[vera.email].attachments
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["summary"]) == f"Cook at {site.name}"


def test_a_volunteers_calendar_feed_is_in_their_language(client, make_shift, make_volunteer):
    from django.urls import reverse

    from volunteers.models import VolunteerProfile

    shift = make_shift(hours=40)
    lucia = make_volunteer("Lucía Pérez", language="es")
    claim(shift, lucia)
    profile, _created = VolunteerProfile.objects.get_or_create(user=lucia)
    if not profile.calendar_token:
        profile.calendar_token = "feed-token-for-lucia-0123456789"
        profile.save()
    feed = client.get(reverse("volunteers:feed", args=[profile.calendar_token]))
    assert feed.status_code == 200
    (event,) = Calendar.from_ical(feed.content).walk("VEVENT")
    assert "Cook" in str(event["summary"])
    assert " at " not in str(event["summary"])
