"""A shift moved back and forth: every move is told once, back to an old time too.

A change notice is keyed by the shift's change number, not by its new time, so a
shift moved to 16:00, back to 15:30 and to 16:00 again is announced three times,
and a job that runs twice at any point decides nothing the second time.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from django.core import mail
from hypothesis import given, settings
from hypothesis import strategies as st

from commonpot.models import Message
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.reminders.conftest import claim
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers import planning, reminders
from volunteers.models import SignUp

pytestmark = pytest.mark.django_db


def tomorrow_at(site, hour: int, minute: int) -> datetime:
    return datetime.combine(site.today() + timedelta(days=1), time(hour, minute), tzinfo=site.tz)


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def move_to(shift, lead, starts_at: datetime):
    return planning.update_shift(
        shift_id=shift.pk,
        by=lead,
        starts_at=starts_at,
        ends_at=starts_at + (shift.ends_at - shift.starts_at),
    )


def last_announced_start(sign_up: SignUp) -> str:
    """The start time the latest reminder or notice to this person stated."""
    message = (
        Message.objects.filter(
            kind__in=[reminders.REMINDER, reminders.CHANGE], meta__sign_up=sign_up.pk
        )
        .order_by("pk")
        .last()
    )
    return message.meta["starts_at"]


def test_twelve_volunteers_hear_of_each_move_even_back_to_a_time_they_were_told_before(
    run, site, lead, make_volunteer
):
    starts = tomorrow_at(site, 15, 30)
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site),
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        max_people=12,
    )
    people = [make_volunteer(f"Volunteer {i}") for i in range(12)]
    for person in people:
        claim(shift, person)
    now = starts - timedelta(hours=20)
    run(now=now)

    for start_at in (tomorrow_at(site, 16, 0), tomorrow_at(site, 15, 30), tomorrow_at(site, 16, 0)):
        shift = move_to(shift, lead, start_at)
        assert run(now=now)["changed"] == 12
        assert run(now=now)["changed"] == 0

    notices = [m for m in mail.outbox if m.subject.startswith("Changed time")]
    assert len(notices) == 36
    for person in people:
        told = [m.subject.split(", now ")[1] for m in notices if m.to == [person.email]]
        assert [now_says.split(" ")[3][:5] for now_says in told] == ["16:00", "15:30", "16:00"]
    for sign_up in shift.sign_ups.all():
        assert last_announced_start(sign_up) == utc_iso(tomorrow_at(site, 16, 0))


def test_a_shift_moved_and_moved_back_before_the_job_runs_tells_nobody(
    run, make_shift, volunteer, lead
):
    shift = make_shift(hours=20)
    claim(shift, volunteer)
    run()
    was = shift.starts_at
    shift = move_to(shift, lead, was + timedelta(minutes=30))
    move_to(shift, lead, was)
    assert run()["changed"] == 0
    assert not [m for m in mail.outbox if m.subject.startswith("Changed time")]


def test_a_shift_moved_twice_before_the_job_runs_tells_the_latest_time_once(
    run, make_shift, volunteer, lead, site
):
    shift = make_shift(hours=20)
    claim(shift, volunteer)
    run()
    was = shift.starts_at
    shift = move_to(shift, lead, was + timedelta(minutes=30))
    shift = move_to(shift, lead, was + timedelta(hours=1))
    run()
    run()
    (notice,) = [m for m in mail.outbox if m.subject.startswith("Changed time")]
    assert f"now {reminders.when(shift)}" in notice.subject


def test_changing_a_shift_counts_its_changes_and_saving_the_same_values_does_not(make_shift, lead):
    shift = make_shift(hours=20)
    assert shift.change_seq == 0
    shift = planning.update_shift(shift_id=shift.pk, by=lead, notes="Use the back door.")
    assert shift.change_seq == 1
    shift = planning.update_shift(shift_id=shift.pk, by=lead, notes="Use the back door.")
    assert shift.change_seq == 1
    shift = move_to(shift, lead, shift.starts_at + timedelta(minutes=30))
    assert shift.change_seq == 2


# --- Any sequence of moves and runs ---------------------------------------------

OFFSETS = [0, 30, 60]  # minutes from the first start: a few times to go back and forth

steps = st.lists(
    st.one_of(st.tuples(st.just("move"), st.sampled_from(OFFSETS)), st.just(("run",))),
    max_size=12,
)


# Each example replays up to a dozen steps with two job runs each: 20 of them find the
# back-and-forth (the bug this guards against) within the first few.
@settings(max_examples=20)
@given(steps=steps)
def test_any_moves_and_runs_leave_everyone_told_the_current_start_and_no_move_told_twice(steps):
    site = SiteFactory()
    lead = UserFactory()
    MembershipFactory(user=lead, site=site, role="lead")
    first_start = tomorrow_at(site, 15, 30)
    shift = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site),
        starts_at=first_start,
        ends_at=first_start + timedelta(hours=3),
        max_people=4,
    )
    people = [UserFactory() for _ in range(2)]
    for person in people:
        MembershipFactory(user=person, site=site, role="volunteer")
        claim(shift, person)
    sign_ups = list(shift.sign_ups.all())
    now = first_start - timedelta(hours=20)

    def notices(sign_up):
        return list(
            Message.objects.filter(kind=reminders.CHANGE, meta__sign_up=sign_up.pk).order_by("pk")
        )

    reminders.send_due_reminders(now)
    told = {s.pk: shift.starts_at for s in sign_ups}  # what each person was last told
    expected = {s.pk: 0 for s in sign_ups}
    for step in [*steps, ("run",)]:
        if step[0] == "move":
            shift = move_to(shift, lead, first_start + timedelta(minutes=step[1]))
            continue
        for sign_up in sign_ups:
            if told[sign_up.pk] != shift.starts_at:
                expected[sign_up.pk] += 1
                told[sign_up.pk] = shift.starts_at
        reminders.send_due_reminders(now)
        # The same job again at once: everything it could decide is decided.
        assert reminders.send_due_reminders(now) == {"first": 0, "second": 0, "changed": 0}
        for sign_up in sign_ups:
            assert last_announced_start(sign_up) == utc_iso(shift.starts_at)
            sent = notices(sign_up)
            assert len(sent) == expected[sign_up.pk]
            # Each notice tells of its own change of the shift, and a new time.
            assert len({m.meta["change_seq"] for m in sent}) == len(sent)
            assert all(
                a.meta["starts_at"] != b.meta["starts_at"]
                for a, b in zip(sent, sent[1:], strict=False)
            )
