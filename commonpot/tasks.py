"""Background jobs of the network core (run by the django-q2 worker)."""

from commonpot import services

# (schedule name, task path, minutes between runs). Names are unique across apps.
SCHEDULES = [
    ("commonpot.heartbeat", "commonpot.tasks.heartbeat", 1),
]


def heartbeat() -> str:
    beat = services.record_heartbeat()
    return beat.last_seen.isoformat()
