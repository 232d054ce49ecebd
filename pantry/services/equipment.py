"""Fridges, freezers and hot-holding units, and the temperatures read off them.

A reading that fails its unit's limit holds every lot stored in the unit in the
same transaction (pantry.services.holds) and tells the site's leads once, through
the outbox, under a key named for the reading: a reading sent twice (the same
form token) is recorded once, so it holds and tells once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot import measures
from commonpot.dates import day, time_of_day
from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from commonpot.quickurls import quick_reverse
from pantry import temperatures
from pantry.models import (
    READING_MAX_C,
    READING_MIN_C,
    Equipment,
    Item,
    Lot,
    LotHold,
    Reading,
    Storage,
)
from pantry.services.holds import start_holds, tell_leads
from pantry.services.ledger import _lock_one

if TYPE_CHECKING:
    from commonpot.models import User

BREACH_MESSAGE = "pantry.breach"
MESSAGE_KINDS = {BREACH_MESSAGE: gettext_lazy("Temperature breach")}

# Which unit keeps which lots: chilled food in a fridge, frozen in a freezer;
# a hot-holding unit keeps prepared meals, however they are stored otherwise.
UNIT_FOR_STORAGE = {Storage.CHILLED: Equipment.Kind.FRIDGE, Storage.FROZEN: Equipment.Kind.FREEZER}


def fits(equipment: Equipment, lot_storage: str, category: str) -> bool:
    """May a lot kept so, of food of this category, be stored in this unit?"""
    if equipment.kind == Equipment.Kind.HOT_HOLDING:
        return category == Item.Category.PREPARED
    return UNIT_FOR_STORAGE.get(lot_storage) == equipment.kind


# --- Units ------------------------------------------------------------------------


def _clean(name: str, kind: str, limit_c: Decimal | None, checks_per_day: int) -> tuple:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Give the unit a name, such as Fridge 1."), field="name")
    if kind not in Equipment.Kind.values:
        raise DomainError(_("Choose a fridge, a freezer or a hot-holding unit."), field="kind")
    if limit_c is None:
        limit_c = temperatures.default_limit_c(kind)
    if not READING_MIN_C <= limit_c <= READING_MAX_C:
        raise DomainError(
            _("A limit must be between %(lowest)s and %(highest)s.")
            % {
                "lowest": temperatures.show(READING_MIN_C),
                "highest": temperatures.show(READING_MAX_C),
            },
            field="limit",
        )
    if not 1 <= checks_per_day <= 24:
        raise DomainError(_("Checks a day must be from 1 to 24."), field="checks_per_day")
    return name[:60], kind, limit_c, checks_per_day


def _name_taken(site: Site, name: str, exclude: int | None = None) -> None:
    others = Equipment.objects.at(site).filter(name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if others.exists():
        raise DomainError(_unit_taken(site, name), field="name")


def _unit_taken(site: Site, name: str) -> str:
    return _("%(site)s already has a unit called %(unit)s.") % {"site": site.name, "unit": name}


@transaction.atomic
def add_equipment(
    site: Site,
    *,
    name: str,
    kind: str,
    limit_c: Decimal | None = None,
    checks_per_day: int = 2,
) -> Equipment:
    """A new fridge, freezer or hot-holding unit (limit: the kind's usual one)."""
    name, kind, limit_c, checks_per_day = _clean(name, kind, limit_c, checks_per_day)
    _name_taken(site, name)
    try:
        with transaction.atomic():
            return Equipment.objects.create(
                site=site, name=name, kind=kind, limit_c=limit_c, checks_per_day=checks_per_day
            )
    except IntegrityError:
        raise DomainError(_unit_taken(site, name), field="name") from None


@transaction.atomic
def change_equipment(
    equipment: Equipment, *, name: str, limit_c: Decimal, checks_per_day: int
) -> Equipment:
    """Rename a unit or change its limit or checks; readings keep the limit of their
    day. Its kind stays: a fridge does not become a freezer."""
    unit = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if unit.retired_at is not None:
        raise DomainError(_("%(unit)s is retired.") % {"unit": unit.name})
    name, _kind, limit_c, checks_per_day = _clean(name, unit.kind, limit_c, checks_per_day)
    _name_taken(unit.site, name, exclude=unit.pk)
    unit.name, unit.limit_c, unit.checks_per_day = name, limit_c, checks_per_day
    unit.save(update_fields=["name", "limit_c", "checks_per_day"])
    return unit


@transaction.atomic
def retire_equipment(equipment: Equipment, *, by: User | None) -> Equipment:
    """Take a unit out of use (broken, gone): no more checks are asked of it, and the
    lots that were in it are no longer said to be (move them to another unit).
    Its readings stay for the record."""
    unit = Equipment.objects.select_for_update().get(pk=equipment.pk)
    if unit.retired_at is not None:
        return unit
    unit.retired_at = timezone.now()
    unit.retired_by = by
    unit.save(update_fields=["retired_at", "retired_by"])
    Lot.objects.filter(stored_in=unit).update(stored_in=None)
    return unit


@transaction.atomic
def store_lot(lot: Lot, equipment: Equipment | None, *, by: User | None) -> Lot:
    """Say which unit a lot is kept in (None: not in a unit)."""
    locked = _lock_one(lot)
    if equipment is not None:
        if equipment.site_id != locked.site_id:
            raise DomainError(_("This unit is at another site."), field="stored_in")
        if equipment.retired_at is not None:
            raise DomainError(
                _("%(unit)s is retired.") % {"unit": equipment.name}, field="stored_in"
            )
        if not fits(equipment, locked.storage, locked.item.category):
            raise DomainError(
                # Translators: "Dry Rice is not kept in a fridge."
                _("%(storage)s %(item)s is not kept in a %(kind)s.")
                % {
                    "storage": locked.get_storage_display(),
                    "item": locked.item.name,
                    "kind": equipment.get_kind_display().lower(),
                },
                field="stored_in",
            )
    locked.stored_in = equipment
    locked.save(update_fields=["stored_in"])
    return locked


def default_units(site: Site) -> dict[str, Equipment]:
    """{lot storage: the site's only unit for it}, for storage kept in exactly one
    fridge or freezer: new lots of that storage go in it unless a person says
    otherwise (pantry.services.donations)."""
    by_kind: dict[str, list[Equipment]] = {}
    for unit in Equipment.objects.at(site).in_use().exclude(kind=Equipment.Kind.HOT_HOLDING):
        by_kind.setdefault(unit.kind, []).append(unit)
    return {
        storage: units[0]
        for storage, kind in UNIT_FOR_STORAGE.items()
        if len(units := by_kind.get(kind, [])) == 1
    }


# --- Readings ---------------------------------------------------------------------


@dataclass
class Logged:
    reading: Reading
    holds: list[LotHold] = field(default_factory=list)
    told: int = 0  # how many messages this call decided


@transaction.atomic
def log_reading(
    equipment: Equipment,
    *,
    value_c: Decimal,
    by: User | None,
    token=None,
    at: datetime | None = None,
) -> Logged:
    """Record a temperature read off a unit now; a failing one holds every lot in
    the unit and tells the site's leads. The same token records once."""
    content = {"equipment": equipment.pk, "value_c": value_c}
    earlier = already_recorded(Reading, token, content=content, equipment_id=equipment.pk)
    if earlier is not None:
        return Logged(earlier)
    # Locked: the reading is judged against the limit as it is now, not as an edit
    # being saved at this moment would leave it.
    unit = Equipment.objects.select_for_update().select_related("site").get(pk=equipment.pk)
    if unit.retired_at is not None:
        raise DomainError(
            _("%(unit)s is retired: it takes no more readings.") % {"unit": unit.name},
            field="value",
        )
    if not isinstance(value_c, Decimal) or not value_c.is_finite():
        raise DomainError(_("Enter the temperature."), field="value")
    if not READING_MIN_C <= value_c <= READING_MAX_C:
        raise DomainError(
            _("%(value)s is not a temperature a unit can read.")
            % {"value": temperatures.show(value_c)},
            field="value",
        )
    try:
        with transaction.atomic():
            reading = Reading.objects.create(
                equipment=unit,
                value_c=value_c,
                limit_c=unit.limit_c,
                passed=unit.passes(value_c),
                at=at or timezone.now(),
                by=by,
                **tokened(token, content),
            )
    except IntegrityError:
        earlier = already_recorded(Reading, token, content=content, equipment_id=unit.pk)
        if earlier is None:
            raise
        return Logged(earlier)
    if reading.passed:
        return Logged(reading)
    lots = Lot.objects.filter(stored_in=unit, on_hand__gt=0).values_list("pk", flat=True)
    holds = start_holds(
        list(lots), cause=LotHold.Cause.TEMPERATURE, by=by, reading=reading, at=reading.at
    )
    return Logged(reading, holds, _tell_leads(unit, reading, holds))


def _tell_leads(unit: Equipment, reading: Reading, holds: list[LotHold]) -> int:
    """One message to each lead of the site, decided under a key named for the
    reading, in the reading's transaction: however often the reading is sent, and
    whatever else runs, each lead is told once."""
    site = unit.site
    held = sorted(holds, key=lambda h: (h.lot.item.name, h.lot.pk))
    return tell_leads(
        site,
        key=f"breach:reading:{reading.pk}",
        kind=BREACH_MESSAGE,
        compose=lambda: _breach_message(unit, reading, held),
    )


def _breach_message(unit: Equipment, reading: Reading, held: list[LotHold]) -> tuple[str, str]:
    """The subject and text that tell the leads of a failed reading, in the active
    language and the site's measures."""
    site = unit.site
    local = site.local(reading.at)
    with measures.override(measures.site_measures(site)):
        shown = temperatures.show(reading.value_c)
        limit = temperatures.show(reading.limit_c)
        context = {
            "site": site,
            "unit": unit,
            "reading": shown,
            "limit": limit,
            "at": _("%(day)s at %(time)s") % {"day": day(local), "time": time_of_day(local)},
            "lots": [h.lot for h in held],
            "url": settings.SITE_URL + quick_reverse("pantry:holds", site.slug),
            "readings_url": settings.SITE_URL + quick_reverse("pantry:temperatures", site.slug),
        }
        values = {"unit": unit.name, "site": site.name, "value": shown, "count": len(held)}
        if held:
            subject = (
                ngettext(
                    "%(unit)s at %(site)s read %(value)s: %(count)s lot on hold",
                    "%(unit)s at %(site)s read %(value)s: %(count)s lots on hold",
                    len(held),
                )
                % values
            )
        else:
            subject = _("%(unit)s at %(site)s read %(value)s: nothing was in it") % values
        text = render_to_string("pantry/email/breach.txt", context)
    return subject, text
