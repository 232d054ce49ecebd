"""Property-based: any sequence of claims, cancellations and removals keeps the rules.

- confirmed people (with guests) never exceed the maximum, and the cached count
  always equals the confirmed sign-ups;
- the waitlist keeps the order people joined in, and nobody waiting could fit;
- nobody holds two overlapping shifts.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from commonpot.errors import DomainError
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers import services
from volunteers.models import Shift, SignUp

PEOPLE = 6
SHIFTS = 3

actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("claim"),
            st.integers(0, PEOPLE - 1),
            st.integers(0, SHIFTS - 1),
            st.integers(0, 2),
        ),
        st.tuples(st.just("cancel"), st.integers(0, PEOPLE - 1), st.integers(0, SHIFTS - 1)),
        st.tuples(st.just("remove"), st.integers(0, PEOPLE - 1), st.integers(0, SHIFTS - 1)),
    ),
    max_size=30,
)


def check_invariants(shifts):
    for shift in Shift.objects.filter(pk__in=[s.pk for s in shifts]):
        confirmed = list(shift.sign_ups.confirmed())
        people = sum(s.places for s in confirmed)
        assert people <= shift.max_people
        assert people == shift.places_taken
        left = shift.max_people - people
        assert all(w.places > left for w in shift.sign_ups.waitlisted())
    active = list(SignUp.objects.active().select_related("shift"))
    by_person = {}
    for s in active:
        by_person.setdefault(s.volunteer_id, []).append(s.shift)
    for held in by_person.values():
        held.sort(key=lambda s: s.starts_at)
        for a, b in zip(held, held[1:], strict=False):
            assert a.ends_at <= b.starts_at, "someone holds two overlapping shifts"


@pytest.mark.slow
@pytest.mark.django_db
@given(steps=actions)
def test_claims_cancellations_and_removals_keep_every_rule(steps):
    site = SiteFactory()
    lead = UserFactory()
    MembershipFactory(user=lead, site=site, role="lead")
    role = ShiftRoleFactory(site=site)
    start = timezone.now() + timedelta(days=3)
    # Shifts 0 and 1 overlap; shift 2 comes after both.
    spans = [(0, 3), (2, 5), (6, 8)]
    shifts = [
        ShiftFactory(
            site=site,
            role=role,
            starts_at=start + timedelta(hours=a),
            ends_at=start + timedelta(hours=b),
            min_people=0,
            max_people=3,
        )
        for a, b in spans
    ]
    people = [UserFactory() for _ in range(PEOPLE)]
    joined = {s.pk: [] for s in shifts}  # waitlist order as people joined it

    for step in steps:
        kind, who, which = step[0], people[step[1]], shifts[step[2]]
        try:
            if kind == "claim":
                sign_up = services.claim_shift(shift_id=which.pk, volunteer=who, guests=step[3])
                if sign_up.is_waitlisted:
                    joined[which.pk].append(sign_up.pk)
            else:
                sign_up = SignUp.objects.active().filter(volunteer=who, shift=which).first()
                if sign_up is None:
                    continue
                if kind == "cancel":
                    services.cancel_sign_up(sign_up_id=sign_up.pk, by=who)
                else:
                    services.remove_from_shift(sign_up_id=sign_up.pk, by=lead, reason="Test")
        except DomainError:
            pass
        check_invariants(shifts)
        for shift in shifts:
            waiting = list(shift.sign_ups.in_line().values_list("pk", flat=True))
            expected = [pk for pk in joined[shift.pk] if pk in waiting]
            assert waiting == expected, "the waitlist lost its order"
