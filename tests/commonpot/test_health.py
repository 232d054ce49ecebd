from datetime import timedelta
from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from commonpot.models import WorkerHeartbeat


@pytest.mark.django_db
def test_health_says_stale_until_the_worker_has_run(client):
    body = client.get("/healthz").json()
    assert body == {"database": "ok", "worker": "stale", "worker_last_seen": None}


@pytest.mark.django_db
def test_the_heartbeat_task_makes_the_worker_ok(client):
    async_task("commonpot.tasks.heartbeat")  # runs inline: tests use sync mode
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"] == "ok"


@pytest.mark.django_db
def test_a_heartbeat_older_than_two_minutes_is_stale(client):
    WorkerHeartbeat.objects.create(last_seen=timezone.now() - timedelta(minutes=3))
    assert client.get("/healthz").json()["worker"] == "stale"


@pytest.mark.django_db
def test_health_is_503_when_the_database_does_not_answer(client):
    with mock.patch(
        "commonpot.views.WorkerHeartbeat.objects.filter", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


@pytest.mark.django_db
def test_migrate_installs_the_heartbeat_schedule_once():
    from commonpot.schedules import ensure_schedules

    ensure_schedules()
    ensure_schedules()
    schedule = Schedule.objects.get(name="commonpot.heartbeat")
    assert (schedule.func, schedule.minutes) == ("commonpot.tasks.heartbeat", 1)


@pytest.mark.django_db
def test_a_schedule_no_app_declares_any_more_is_removed_and_others_are_left_alone():
    from commonpot.schedules import ensure_schedules

    Schedule.objects.create(
        name="volunteers.old_digest",
        func="volunteers.tasks.send_old_digest",
        schedule_type=Schedule.MINUTES,
        minutes=60,
        repeats=-1,
    )
    Schedule.objects.create(
        name="nightly backup",
        func="dbbackup.tasks.backup",
        schedule_type=Schedule.DAILY,
        repeats=-1,
    )
    Schedule.objects.create(
        name="retry the outbox now",
        func="commonpot.tasks.retry_messages",
        schedule_type=Schedule.ONCE,
        repeats=1,
    )

    ensure_schedules()

    names = set(Schedule.objects.values_list("name", flat=True))
    assert "volunteers.old_digest" not in names
    assert {"nightly backup", "retry the outbox now"} <= names
    assert {"commonpot.heartbeat", "volunteers.roll_rotas_forward", "network.close_lapsed"} <= names
