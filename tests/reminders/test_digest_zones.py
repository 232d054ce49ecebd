"""The weekly digest goes out at 08:00 on Monday on each site's own clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory
from volunteers import reminders

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 3, 1, tzinfo=UTC)  # a Monday in winter: CET is UTC+1, EST UTC-5


@pytest.fixture
def two_zones():
    with time_machine.travel(MONDAY, tick=False):
        people = {}
        for zone, name in (("Europe/Madrid", "marta"), ("America/New_York", "nadia")):
            site = SiteFactory(slug=name, time_zone=zone)
            person = UserFactory(username=name, email=f"{name}@example.org", weekly_digest=True)
            MembershipFactory(user=person, site=site)
            start = MONDAY + timedelta(days=3, hours=15)
            ShiftFactory(site=site, starts_at=start, ends_at=start + timedelta(hours=3))
            people[zone] = person
        yield people


def sent_to() -> list[str]:
    return sorted(address for m in mail.outbox for address in m.to)


def at(hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(hours=hour, minutes=minute)


def test_each_sites_volunteers_get_the_digest_at_eight_on_their_own_clock(run, two_zones):
    run(reminders.send_weekly_digest, now=at(6, 59))  # 07:59 in Madrid
    assert sent_to() == []
    run(reminders.send_weekly_digest, now=at(7))  # 08:00 in Madrid, 02:00 in New York
    assert sent_to() == ["marta@example.org"]
    run(reminders.send_weekly_digest, now=at(12, 59))  # 07:59 in New York
    assert sent_to() == ["marta@example.org"]
    run(reminders.send_weekly_digest, now=at(13))  # 08:00 in New York
    assert sent_to() == ["marta@example.org", "nadia@example.org"]
    run(reminders.send_weekly_digest, now=at(20))
    assert len(mail.outbox) == 2  # once a week each


def test_the_digest_shows_times_on_the_sites_clock_with_its_zone(run, two_zones):
    run(reminders.send_weekly_digest, now=at(13))
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "16:00 to 19:00 CET" in bodies["marta@example.org"]
    assert "10:00 to 13:00 EST" in bodies["nadia@example.org"]
