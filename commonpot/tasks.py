"""Background jobs of the network core (run by the django-q2 worker)."""

from commonpot import mail, services

# (schedule name, task path, minutes between runs). Names are unique across apps.
SCHEDULES = [
    ("commonpot.heartbeat", "commonpot.tasks.heartbeat", 1),
    ("commonpot.retry_messages", "commonpot.tasks.retry_messages", 2),
]


def heartbeat() -> str:
    beat = services.record_heartbeat()
    return beat.last_seen.isoformat()


def deliver_message(message_id: int) -> str:
    return mail.deliver(message_id)


def deliver_messages(message_ids: list[int]) -> list[str]:
    return mail.deliver_each(message_ids).results


def retry_messages() -> dict[str, int]:
    return mail.retry_due()
