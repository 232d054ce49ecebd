"""Keep django-q2's schedules equal to what the apps declare (SCHEDULES in <app>/tasks.py)."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.module_loading import module_has_submodule

# A schedule whose task lives in one of these packages is Commonpot's own: when
# no app declares it any more it is deleted, or it would run forever. Anything
# else (a schedule an operator added for another package's task) is left alone.
OWN_PACKAGES = ("commonpot", "pantry", "kitchen", "volunteers")


def app_schedules() -> list[tuple[str, str, int]]:
    found = []
    for config in apps.get_app_configs():
        if config.name.startswith(("django", "axes")):
            continue
        if module_has_submodule(config.module, "tasks"):
            found += getattr(import_module(f"{config.name}.tasks"), "SCHEDULES", [])
    return found


def ensure_schedules(using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Create, update and remove schedules to match the apps' SCHEDULES.

    Idempotent: safe on every migrate and on every node. Only recurring
    schedules of Commonpot's own tasks are ever removed (see OWN_PACKAGES); a
    one-off run someone queued by hand is left to run. A migrate of one app
    alone (`migrate contenttypes`) may come before django-q2's tables exist:
    the schedules then wait for the migrate that makes them.
    """
    from django.db.models import Q
    from django_q.models import Schedule

    if Schedule._meta.db_table not in connections[using].introspection.table_names():
        return
    schedules = Schedule.objects.using(using)
    declared = app_schedules()
    for name, func, minutes in declared:
        schedules.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
            },
        )
    ours = Q()
    for package in OWN_PACKAGES:
        ours |= Q(func__startswith=f"{package}.")
    (
        schedules.filter(ours)
        .exclude(schedule_type=Schedule.ONCE)
        .exclude(name__in=[name for name, _, _ in declared])
        .delete()
    )
