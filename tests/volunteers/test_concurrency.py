"""50 people claim a 10-place shift at the same moment: exactly 10 get in.

Each thread has its own database connection, so the claims really race: on
PostgreSQL the row lock on the shift serialises them; on SQLite (a file in
tests) the IMMEDIATE transaction mode does.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from commonpot.errors import DomainError
from tests.factories import SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers import services
from volunteers.models import Shift, SignUp

CLAIMERS = 50
PLACES = 10


def race(people, action):
    barrier = threading.Barrier(len(people))
    failures = []

    def run(person):
        try:
            barrier.wait()
            action(person)
        except DomainError as e:
            failures.append(e.message)
        except Exception as e:  # noqa: BLE001 - any other failure fails the test below
            failures.append(f"{type(e).__name__}: {e}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return failures


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_fifty_claimers_on_a_ten_place_shift_leave_exactly_ten_confirmed():
    site = SiteFactory()
    start = timezone.now() + timedelta(days=2)
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        min_people=1,
        max_people=PLACES,
    )
    people = [UserFactory() for _ in range(CLAIMERS)]
    connection.close()  # the threads open their own

    failures = race(people, lambda p: services.claim_shift(shift_id=shift.pk, volunteer=p))

    assert failures == []
    shift = Shift.objects.get(pk=shift.pk)
    assert shift.sign_ups.confirmed().count() == PLACES
    assert shift.places_taken == PLACES
    assert shift.sign_ups.waitlisted().count() == CLAIMERS - PLACES


@pytest.mark.django_db(transaction=True)
def test_one_person_claiming_two_overlapping_shifts_at_once_gets_only_one():
    site = SiteFactory()
    role = ShiftRoleFactory(site=site)
    start = timezone.now() + timedelta(days=2)
    shifts = [
        ShiftFactory(
            site=site,
            role=role,
            starts_at=start + timedelta(minutes=30 * i),
            ends_at=start + timedelta(hours=3),
        )
        for i in range(6)
    ]
    person = UserFactory()
    connection.close()

    race(shifts, lambda s: services.claim_shift(shift_id=s.pk, volunteer=person))

    assert SignUp.objects.active().filter(volunteer=person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_person_claiming_shifts_past_a_daily_cap_at_once_stays_under_it():
    from volunteers.models import ShiftPolicy

    site = SiteFactory()
    ShiftPolicy.objects.create(site=site, max_hours_per_day=6)
    role = ShiftRoleFactory(site=site)
    start = (timezone.now() + timedelta(days=2)).replace(hour=8, minute=0)
    # Four 3-hour shifts that day, none overlapping: the cap allows two.
    shifts = [
        ShiftFactory(
            site=site,
            role=role,
            starts_at=start + timedelta(hours=i * 3, minutes=i),
            ends_at=start + timedelta(hours=i * 3 + 3, minutes=i),
        )
        for i in range(4)
    ]
    person = UserFactory()
    connection.close()

    race(shifts, lambda s: services.claim_shift(shift_id=s.pk, volunteer=person))

    assert SignUp.objects.confirmed().filter(volunteer=person).count() == 2
