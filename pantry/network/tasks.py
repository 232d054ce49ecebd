"""Background jobs of the network (run by the django-q2 worker)."""

from pantry.network import notifications, services

# (schedule name, task path, minutes between runs). Names are unique across apps.
SCHEDULES = [
    ("network.close_lapsed", "pantry.network.tasks.close_lapsed", 10),
]


def close_lapsed() -> dict[str, int]:
    """Close offers whose food expired or whose pickup window ended, and past needs."""
    return services.close_lapsed()


def notify_offer_matches(offer_id: int) -> int:
    return notifications.notify_offer_matches(offer_id)


def notify_claim(transfer_id: int) -> bool:
    return notifications.notify_claim(transfer_id)
