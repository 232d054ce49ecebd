"""Temperatures as a site reads and writes them: °C, or °F for sites in US measures.

Stored in °C with one decimal everywhere (Equipment.limit_c, Reading.value_c).
A page shows and reads the scale of the measures active for it
(commonpot.measures: a site's own pages activate its choice), as pantry.units
does for weights.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot import measures
from commonpot.errors import DomainError
from pantry.models import READING_MAX_C, READING_MIN_C, Equipment, Lot, Reading

if TYPE_CHECKING:
    from commonpot.models import Site

TENTH = Decimal("0.1")

# Default limits by kind of unit, in °C. Fridges at 5 °C (41 °F) and freezers at
# -18 °C (0 °F) everywhere. Hot holding: 63 °C, the UK's legal minimum, for sites
# in metric measures; 60 °C (140 °F), the US Food Code's and the food recovery
# guidelines' figure, for sites in US measures. Each unit can say otherwise.
DEFAULT_LIMITS_C = {
    Equipment.Kind.FRIDGE: Decimal("5.0"),
    Equipment.Kind.FREEZER: Decimal("-18.0"),
    Equipment.Kind.HOT_HOLDING: Decimal("63.0"),
}
US_HOT_HOLDING_C = Decimal("60.0")


def default_limit_c(kind: str, system: str | None = None) -> Decimal:
    """The usual limit for a kind of unit, in °C (`system`: the site's measures)."""
    system = system or measures.get_measures()
    if kind == Equipment.Kind.HOT_HOLDING and system == measures.US:
        return US_HOT_HOLDING_C
    return DEFAULT_LIMITS_C[kind]


def scale() -> str:
    """The scale the active measures read temperatures in: "°C" or "°F"."""
    return "°F" if measures.is_us() else "°C"


def c_to_f(value_c: Decimal) -> Decimal:
    return (value_c * 9 / 5 + 32).quantize(TENTH, rounding=ROUND_HALF_UP)


def f_to_c(value_f: Decimal) -> Decimal:
    return ((value_f - 32) * 5 / 9).quantize(TENTH, rounding=ROUND_HALF_UP)


def in_scale(value_c: Decimal) -> Decimal:
    """A stored temperature in the scale of the active measures."""
    return c_to_f(value_c) if measures.is_us() else value_c.quantize(TENTH)


def show(value_c: Decimal | None) -> str:
    """ "9.0 °C", or "48.2 °F" for a site in US measures."""
    if value_c is None:
        return "—"
    return f"{in_scale(value_c)} {scale()}".replace("-", "−")


def read(raw: object, *, field: str = "value", label: str | None = None) -> Decimal:
    """A typed temperature, in the active scale, as °C with one decimal.

    Refuses what is not a number and what no fridge, freezer or hot-holding unit
    can read (outside -60..130 °C): a slip of the finger, or a broken probe.
    `label` names the value in "Enter the temperature." (default "the temperature").
    """
    text = str(raw if raw is not None else "").strip()
    for suffix in ("°C", "°F", "°c", "°f", "°", "C", "F", "c", "f"):
        text = text.removesuffix(suffix).strip()
    # A phone's keyboard may give a typographic minus.
    text = text.replace("−", "-").replace("–", "-")
    if not text:
        if label is None:
            raise DomainError(_("Enter the temperature."), field=field)
        # Translators: %(what)s names a value: "the temperature", "the core temperature".
        raise DomainError(_("Enter %(what)s.") % {"what": label}, field=field)
    typed = str(raw).strip()[:20]
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise DomainError(_("%(typed)r is not a number.") % {"typed": typed}, field=field) from None
    if not value.is_finite() or abs(value) > 10000:
        raise DomainError(_("%(typed)r is not a temperature.") % {"typed": typed}, field=field)
    value_c = f_to_c(value) if measures.is_us() else value.quantize(TENTH, rounding=ROUND_HALF_UP)
    if not READING_MIN_C <= value_c <= READING_MAX_C:
        raise DomainError(
            _(
                "%(value)s is not a temperature a fridge, freezer or hot-holding unit "
                "can read (between %(lowest)s and %(highest)s): "
                "check the thermometer and type it again."
            )
            % {
                "value": show(value_c),
                "lowest": show(READING_MIN_C),
                "highest": show(READING_MAX_C),
            },
            field=field,
        )
    return value_c


# --- Checks a day -------------------------------------------------------------


def units_with_checks(site: Site, now: datetime | None = None):
    """The site's units in use, each with its last reading (last_value_c, last_at,
    last_passed), readings_today and lots_held annotated: one query, whatever the
    number of units."""
    now = now or timezone.now()
    start = datetime.combine(site.local(now).date(), time.min, tzinfo=site.tz)
    last = Reading.objects.filter(equipment=OuterRef("pk")).order_by("-at", "-pk")
    today = (
        Reading.objects.filter(equipment=OuterRef("pk"), at__gte=start)
        .order_by()
        .values("equipment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    held = (
        Lot.objects.filter(stored_in=OuterRef("pk"), on_hold=True)
        .order_by()
        .values("stored_in")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Equipment.objects.at(site)
        .in_use()
        .annotate(
            last_value_c=Subquery(last.values("value_c")[:1]),
            last_at=Subquery(last.values("at")[:1]),
            last_passed=Subquery(last.values("passed")[:1]),
            readings_today=Coalesce(Subquery(today), 0),
            lots_held=Coalesce(Subquery(held), 0),
        )
        .order_by("name", "pk")
    )


def checks_due(checks_per_day: int, local_now: datetime) -> int:
    """How many of a unit's checks are due by now on the site's clock.

    The day is cut into as many equal parts as the unit has checks, from
    midnight; each check is due from the start of its part. Two a day: one due
    from midnight (a morning check), the second from noon. Three: from midnight,
    08:00 and 16:00.
    """
    seconds = local_now.hour * 3600 + local_now.minute * 60 + local_now.second
    part = 86400 / checks_per_day
    return min(checks_per_day, int(seconds // part) + 1)


def missed(units, site: Site, now: datetime | None = None) -> list:
    """The units (from units_with_checks) with fewer readings today than are due."""
    local_now = site.local(now or timezone.now())
    return [u for u in units if u.readings_today < checks_due(u.checks_per_day, local_now)]
