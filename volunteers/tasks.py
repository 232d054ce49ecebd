"""Background jobs of the volunteers app (run by the django-q2 worker).

Each is safe to run twice or alongside itself: what it sends is decided under
a unique key in the outbox (see volunteers/reminders.py).
"""

from volunteers import planning, reminders, watches

# (schedule name, task path, minutes between runs). Names are unique across apps.
SCHEDULES = [
    ("volunteers.reminders", "volunteers.tasks.send_reminders", 5),
    ("volunteers.under_minimum", "volunteers.tasks.warn_under_minimum", 15),
    ("volunteers.tell_watchers", "volunteers.tasks.tell_watchers", 15),
    # Often enough to reach each site's Monday 08:00 soon after, whatever its zone.
    ("volunteers.weekly_digest", "volunteers.tasks.send_weekly_digest", 15),
    ("volunteers.roll_rotas_forward", "volunteers.tasks.roll_rotas_forward", 24 * 60),
]


def send_reminders() -> dict[str, int]:
    return reminders.send_due_reminders()


def warn_under_minimum() -> int:
    return reminders.warn_under_minimum()


def tell_watchers() -> int:
    """Volunteers who watch a site or role hear of its shifts that are short."""
    return watches.tell_watchers()


def send_weekly_digest() -> int:
    return reminders.send_weekly_digest()


def roll_rotas_forward() -> int:
    """Daily: each active rota makes its shifts for the weeks ahead (the number made)."""
    return planning.roll_rotas_forward()
