"""The real path: the `manage.py qcluster` worker process runs the reminder
schedule against the test database and hands each email to an SMTP server on
loopback (aiosmtpd). Exactly one reminder per sign-up arrives, however often the
schedule runs, and a worker killed between deciding and sending loses nothing
and doubles nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone

from commonpot.models import Message
from commonpot.schedules import ensure_schedules
from tests.factories import UserFactory
from tests.processes import mail_server, wait_for
from tests.reminders.conftest import claim
from volunteers.models import SignUp

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def smtp():
    with mail_server() as inbox:
        yield inbox


def database_url() -> str:
    """The database this test uses, as the worker's DATABASE_URL."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}:{password}@{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(self, process: subprocess.Popen, log: Path):
        self.process, self.log = process, log

    def kill(self) -> None:
        """SIGKILL the whole cluster (sentinel, pusher, workers): no clean-up runs."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def start_worker(transactional_db, smtp, tmp_path, monkeypatch):
    """start_worker(workers=1): the real qcluster on the test database, mailing `smtp`."""
    from django_q.conf import Conf

    # Tasks this test enqueues go to the real broker (the test database), not inline.
    monkeypatch.setattr(Conf, "SYNC", False)
    started: list[Worker] = []

    def start(workers: int = 1) -> Worker:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        env.update(
            DATABASE_URL=database_url(),
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
            WORKERS=str(workers),
            # Each step waits for the worker to look for jobs: a tenth of the
            # two seconds it takes between looks by default.
            QUEUE_POLL_MS="200",
        )
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so we can kill all of it
            )
        worker = Worker(process, log)
        started.append(worker)
        wait_for(
            lambda: "running" in log.read_text(errors="replace"), "the worker to start", worker
        )
        return worker

    yield start
    for worker in started:
        worker.kill()


def run_schedule(*names: str) -> None:
    """What the cluster's scheduler does when these schedules come due."""
    from django_q.brokers import get_broker
    from django_q.models import Schedule
    from django_q.scheduler import scheduler

    Schedule.objects.exclude(name__in=names).update(next_run=timezone.now() + timedelta(hours=1))
    Schedule.objects.filter(name__in=names).update(next_run=timezone.now() - timedelta(seconds=1))
    scheduler(broker=get_broker())


def finished(func: str) -> int:
    from django_q.models import Success

    return Success.objects.filter(func=func).count()


def queued() -> set[int]:
    """The broker's entries: waiting, or taken by a worker and not yet done."""
    from django_q.models import OrmQ

    return set(OrmQ.objects.values_list("pk", flat=True))


def queue_holds_only(leftovers: set[int] = frozenset()) -> bool:
    """Nothing waits in the broker, or is being worked on, but `leftovers`: a task
    leaves the queue only once it is done, so no other email can still be sent."""
    return queued() <= leftovers


def nothing_left_to_send() -> bool:
    return not Message.objects.filter(
        status__in=[Message.Status.QUEUED, Message.Status.SENDING, Message.Status.RETRYING]
    ).exists()


@pytest.fixture
def sign_ups(make_shift, make_volunteer):
    """Five confirmed places on two shifts starting within the day."""
    early, late = make_shift(hours=5), make_shift(hours=20)
    people = [make_volunteer(f"Volunteer {i}") for i in range(5)]
    return [claim(early if i < 2 else late, person) for i, person in enumerate(people)]


@pytest.mark.slow
def test_the_worker_sends_exactly_one_reminder_per_sign_up_when_the_schedule_runs_twice(
    start_worker, smtp, sign_ups
):
    no_email = UserFactory(email="")
    claim(sign_ups[0].shift, no_email)
    ensure_schedules()
    worker = start_worker(workers=2)
    # Twice, back to back: with two worker processes the runs may overlap.
    run_schedule("volunteers.reminders")
    run_schedule("volunteers.reminders")
    wait_for(
        lambda: finished("volunteers.tasks.send_reminders") == 2,
        "both runs of the reminder schedule",
        worker,
    )
    wait_for(lambda: len(smtp) >= len(sign_ups) and nothing_left_to_send(), "the emails", worker)
    # Anything doubled would be queued or being sent until it arrived.
    wait_for(queue_holds_only, "the queue to empty", worker)
    for sign_up in sign_ups:
        (received,) = smtp.to(sign_up.volunteer.email)
        assert received["Subject"].startswith("Reminder: Cook at Riverside Kitchen")
        attachments = [part.get_filename() for part in received.walk() if part.get_filename()]
        assert attachments == ["shift.ics"]
    assert len(smtp) == len(sign_ups)
    assert Message.objects.filter(status=Message.Status.SENT).count() == len(sign_ups)
    skipped = Message.objects.get(to_user=no_email)
    assert (skipped.status, skipped.last_error) == (
        Message.Status.SKIPPED,
        "No email address on record.",
    )


@pytest.mark.slow
def test_a_worker_killed_between_deciding_and_sending_leaves_the_retry_to_send_each_once(
    start_worker, smtp, sign_ups
):
    from django_q.tasks import async_task

    ensure_schedules()
    worker = start_worker(workers=1)
    # One worker process takes tasks in order: the reminder job decides (and on
    # commit queues delivery), then a long task keeps the worker busy, so the
    # delivery waits behind it, taken from the queue but not done, when we kill
    # the worker.
    async_task("volunteers.tasks.send_reminders")
    async_task("time.sleep", 60)
    wait_for(
        lambda: Message.objects.filter(status=Message.Status.QUEUED).count() == len(sign_ups),
        "the reminders to be decided",
        worker,
    )
    worker.kill()
    # What the killed worker had taken stays locked in the queue until the
    # broker's retry time (minutes): the long task, perhaps the delivery.
    leftovers = queued()
    assert len(smtp) == 0
    assert set(Message.objects.values_list("status", "attempts")) == {(Message.Status.QUEUED, 0)}

    worker = start_worker(workers=1)
    reminder_runs = finished("volunteers.tasks.send_reminders")
    # The next runs: the outbox retry finds what was decided but never sent; the
    # reminder job decides nothing new.
    run_schedule("commonpot.retry_messages", "volunteers.reminders")
    wait_for(lambda: len(smtp) >= len(sign_ups) and nothing_left_to_send(), "the retry", worker)
    run_schedule("commonpot.retry_messages", "volunteers.reminders")
    wait_for(
        lambda: (
            finished("commonpot.tasks.retry_messages") == 2
            and finished("volunteers.tasks.send_reminders") == reminder_runs + 2
        ),
        "the second runs",
        worker,
    )
    # The killed worker's long task waits out its lock; nothing else is left.
    wait_for(lambda: queue_holds_only(leftovers), "the queue to empty", worker)
    for sign_up in sign_ups:
        assert len(smtp.to(sign_up.volunteer.email)) == 1
    assert len(smtp) == len(sign_ups)
    assert set(Message.objects.values_list("status", "attempts")) == {(Message.Status.SENT, 1)}
    assert SignUp.objects.confirmed().count() == len(sign_ups)
