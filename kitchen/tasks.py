"""Background jobs of the kitchen (run by the django-q2 worker)."""

from kitchen import cooling

# (schedule name, task path, minutes between runs). Names are unique across apps.
SCHEDULES = [
    ("kitchen.cooling_reminders", "kitchen.tasks.remind_cooling", 5),
]


def remind_cooling() -> int:
    """Cooks and leads hear half an hour before a cooling reading is due."""
    return cooling.remind_cooling()
