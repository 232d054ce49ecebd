"""Background jobs of partner networks (run by the django-q2 worker)."""

from pantry.federation import delivery, signing

# (schedule name, task path, minutes between runs). Names are unique across apps.
SCHEDULES = [
    ("federation.deliver", "pantry.federation.tasks.deliver_all", 1),
    ("federation.forget_nonces", "pantry.federation.tasks.forget_nonces", 60),
]


def deliver(partner_id: int) -> dict[str, int]:
    return delivery.deliver(partner_id)


def deliver_all() -> dict[str, int]:
    return delivery.deliver_all()


def forget_nonces() -> int:
    return signing.forget_old_nonces()
