"""A site's weekly temperature log, as an inspector reads it: every unit, every reading
of the week day by day (when, the value, the limit it was held to, pass or fail, who
took it), the days short of their checks, and every breach with the lots it held and
how each hold ended. Reads only; a fixed number of queries whatever the week held."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from commonpot.models import Site
from pantry.models import Equipment, LotHold, Reading
from pantry.temperatures import checks_due


def week_of(day: date) -> tuple[date, date]:
    """The Monday to Sunday week holding `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


@dataclass
class Day:
    on: date
    readings: list[Reading]
    checks_per_day: int

    @property
    def short(self) -> int:
        """Checks the unit was due that day and did not get."""
        return max(0, self.checks_per_day - len(self.readings))


@dataclass
class Unit:
    equipment: Equipment
    days: list[Day]

    @property
    def readings(self) -> int:
        return sum(len(d.readings) for d in self.days)

    @property
    def breaches(self) -> int:
        return sum(1 for d in self.days for r in d.readings if not r.passed)


@dataclass
class Breach:
    reading: Reading
    holds: list[LotHold] = field(default_factory=list)


@dataclass
class TemperatureLog:
    site: Site
    first: date
    last: date
    units: list[Unit]
    breaches: list[Breach]

    @property
    def readings(self) -> int:
        return sum(u.readings for u in self.units)


def _due(site: Site, unit: Equipment, on: date, local_now: datetime) -> int:
    """Checks the unit was due on a day: none before it was added, after it was retired,
    or in the days to come; today, those due by now."""
    site = unit.site
    if on < site.local(unit.created_at).date() or on > local_now.date():
        return 0
    if unit.retired_at is not None and on > site.local(unit.retired_at).date():
        return 0
    if on == local_now.date():
        return checks_due(unit.checks_per_day, local_now)
    return unit.checks_per_day


def temperature_log(site: Site, day: date) -> TemperatureLog:
    """The log of the week holding `day`, on the site's clock."""
    first, last = week_of(day)
    start = datetime.combine(first, time.min, tzinfo=site.tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=site.tz)
    readings = list(
        Reading.objects.filter(equipment__site=site, at__gte=start, at__lt=end)
        .select_related("by")
        .order_by("at", "pk")
    )
    # Every unit in use during the week, and any retired since that still has readings in it.
    units = list(
        Equipment.objects.at(site)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gte=start) | Q(readings__in=readings))
        .filter(created_at__lt=end)
        .distinct()
        .order_by("name", "pk")
    )
    by_unit_day: dict[tuple[int, date], list[Reading]] = {}
    for reading in readings:
        reading.local_at = site.local(reading.at)
        by_unit_day.setdefault((reading.equipment_id, reading.local_at.date()), []).append(reading)
    days = [first + timedelta(days=n) for n in range(7)]
    log_units = []
    local_now = site.local(timezone.now())
    for unit in units:
        log_units.append(
            Unit(
                unit,
                [
                    Day(d, by_unit_day.get((unit.pk, d), []), _due(site, unit, d, local_now))
                    for d in days
                ],
            )
        )
    names = {u.pk: u for u in units}
    failed = [r for r in readings if not r.passed]
    held = (
        LotHold.objects.filter(reading__in=failed)
        .select_related("lot__item", "released_by")
        .order_by("lot__item__name", "lot_id")
    )
    breaches = {r.pk: Breach(r) for r in failed}
    for hold in held:
        hold.released_local = site.local(hold.released_at) if hold.released_at else None
        breaches[hold.reading_id].holds.append(hold)
    for reading in readings:
        # Every unit with a reading this week is in `names`: no query per reading.
        reading.equipment = names[reading.equipment_id]
    return TemperatureLog(site, first, last, log_units, list(breaches.values()))
