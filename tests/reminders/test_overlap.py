"""Four runs of the reminder job at the same moment, each on its own database
connection: every sign-up is decided once and gets one email."""

import threading

import pytest
from django.core import mail
from django.db import connections

from commonpot.models import Message
from tests.reminders.conftest import claim
from volunteers import reminders

RUNS = 4


@pytest.mark.django_db(transaction=True)
def test_overlapping_runs_of_the_reminder_job_send_each_reminder_once(make_shift, make_volunteer):
    shifts = [make_shift(hours=h, max_people=10) for h in (3, 8, 20)]
    people = [make_volunteer() for _ in range(24)]
    for i, person in enumerate(people):
        claim(shifts[i % 3], person)
    barrier = threading.Barrier(RUNS)
    failures, decided = [], []

    def run():
        try:
            barrier.wait()
            # Small batches, so the runs interleave batch by batch.
            decided.append(reminders.send_due_reminders(batch_size=5)["first"])
        except Exception as e:  # noqa: BLE001 - any failure fails the test below
            failures.append(f"{type(e).__name__}: {e}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(RUNS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert failures == []
    assert sum(decided) == len(people)
    assert Message.objects.count() == len(people)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
