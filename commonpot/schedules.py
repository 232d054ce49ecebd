"""Create or update every app's django-q2 schedules (SCHEDULES in <app>/tasks.py)."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule


def app_schedules() -> list[tuple[str, str, int]]:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith(("django", "axes")):
            continue
        if module_has_submodule(config.module, "tasks"):
            found += getattr(import_module(f"{config.name}.tasks"), "SCHEDULES", [])
    return found


def ensure_schedules(**kwargs) -> None:
    """Idempotent: safe on every migrate and on every node."""
    from django_q.models import Schedule

    for name, func, minutes in app_schedules():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
            },
        )
