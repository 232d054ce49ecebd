"""Cooling records: cooked food kept as leftovers must cool fast enough to be safe.

The rule (the US Food Code's, which the food recovery guidelines follow, and
the UK's guidance alike): from cooking, the food is at 21 °C (70 °F) or below
within 2 hours, and at 5 °C (41 °F) or below within 6 hours of cooking (4 more
hours). A site in US measures is judged on its own figures, 70 °F (21.1 °C) and
41 °F (5.0 °C), so that the page says the round numbers its staff know.

Leftovers are put on hold (pantry.services.holds, cause "cooling") in the same
transaction that cooks the meal and makes them, so they cannot be given out,
offered or moved before anyone has measured them. The hold is released by the
reading that makes the record pass, with the two readings that did as its
reason. A record that misses a mark (no reading low enough by 2 or 6 hours
after cooking) keeps the hold for good: the lead discards the food on the
Holds page, or, knowing better (a record kept on paper), releases it with a
reason there.

Times are those of the readings as typed on the site's clock (or the moment a
reading is saved), measured from `MealService.cooling_from`: when the food came
off the heat, as the cook gave it on recording the meal cooked (it may be
earlier, when the cooking is recorded afterwards), else the moment it was
recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot import measures
from commonpot.dates import day, day_time, time_of_day
from commonpot.errors import DomainError
from commonpot.i18n import in_language_of
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from kitchen.models import CoolingReading, MealService, Recipe
from kitchen.services import lock_meal
from pantry import temperatures
from pantry.models import READING_MAX_C, READING_MIN_C, Lot, LotHold
from pantry.services.holds import release_hold, start_holds

if TYPE_CHECKING:
    from commonpot.models import User

FIRST_WITHIN = timedelta(hours=2)
FINAL_WITHIN = timedelta(hours=6)
# (first mark, final mark) in °C, by measures.
LIMITS_C = {
    measures.METRIC: (Decimal("21.0"), Decimal("5.0")),
    measures.US: (Decimal("21.1"), Decimal("5.0")),  # 70 °F and 41 °F
}
# A time typed to the minute may name the minute the meal was cooked in, and a
# phone's clock may be a little ahead of the server's.
SLACK = timedelta(minutes=1)

WAITING, PASSED, FAILED = "waiting", "passed", "failed"


def limits_c(system: str | None = None) -> tuple[Decimal, Decimal]:
    return LIMITS_C[system or measures.get_measures()]


def round_show(value_c: Decimal) -> str:
    """A mark as staff say it: "21 °C", "70 °F" (no trailing ".0")."""
    return temperatures.show(value_c).replace(".0 ", " ")


def _when(site: Site, moment: datetime, now: datetime) -> str:
    local = site.local(moment)
    if local.date() == site.local(now).date():
        return time_of_day(local)
    return f"{day(local)} {time_of_day(local)}"


@dataclass
class Cooling:
    """Where a meal's cooling record stands at `now`."""

    meal: MealService
    readings: list[CoolingReading]
    now: datetime
    first_c: Decimal
    final_c: Decimal
    first_met: CoolingReading | None = field(init=False)
    final_met: CoolingReading | None = field(init=False)

    def __post_init__(self) -> None:
        ordered = sorted(self.readings, key=lambda r: (r.at, r.pk or 0))
        self.first_met = next(
            (r for r in ordered if r.value_c <= self.first_c and r.at <= self.first_by), None
        )
        self.final_met = next(
            (r for r in ordered if r.value_c <= self.final_c and r.at <= self.final_by), None
        )

    @classmethod
    def of(
        cls, meal: MealService, readings=None, *, now: datetime | None = None, system=None
    ) -> Cooling:
        first_c, final_c = limits_c(system)
        if readings is None:
            readings = meal.cooling_readings.all()
        return cls(meal, list(readings), now or timezone.now(), first_c, final_c)

    @property
    def first_by(self) -> datetime:
        return self.meal.cooling_from + FIRST_WITHIN

    @property
    def final_by(self) -> datetime:
        return self.meal.cooling_from + FINAL_WITHIN

    @property
    def first_mark(self) -> str:
        return round_show(self.first_c)

    @property
    def final_mark(self) -> str:
        return round_show(self.final_c)

    @property
    def state(self) -> str:
        if self.first_met is not None and self.final_met is not None:
            return PASSED
        if self.first_met is None and self.now > self.first_by:
            return FAILED
        if self.final_met is None and self.now > self.final_by:
            return FAILED
        return WAITING

    @property
    def passed(self) -> bool:
        return self.state == PASSED

    @property
    def failed(self) -> bool:
        return self.state == FAILED

    def _reading(self, reading: CoolingReading) -> str:
        # Translators: a temperature read at a time: "19.5 °C at 13:10".
        return _("%(temperature)s at %(when)s") % {
            "temperature": temperatures.show(reading.value_c),
            "when": _when(self.meal.site, reading.at, self.now),
        }

    def summary(self) -> str:
        """ "waiting for 21 °C by 14:30", "passed: 19.5 °C at 13:10, 4.0 °C at 16:40",
        "failed: not at 21 °C by 14:30"."""
        site = self.meal.site
        first, final = self.first_mark, self.final_mark
        state = self.state
        # Translators: where a cooling record stands; it follows "Cooling record:".
        if state == PASSED:
            return _("passed: %(first)s, %(final)s") % {
                "first": self._reading(self.first_met),
                "final": self._reading(self.final_met),
            }
        if state == FAILED:
            missed, by = (
                (first, self.first_by) if self.first_met is None else (final, self.final_by)
            )
            # Translators: "failed: not at 21 °C by 14:30".
            return _("failed: not at %(mark)s by %(when)s") % {
                "mark": missed,
                "when": _when(site, by, self.now),
            }
        if self.first_met is None:
            # Translators: "waiting for 21 °C by 14:30".
            return _("waiting for %(mark)s by %(when)s") % {
                "mark": first,
                "when": _when(site, self.first_by, self.now),
            }
        # Translators: "21 °C reached (19.5 °C at 13:10); waiting for 5 °C by 18:30".
        return _("%(first)s reached (%(reading)s); waiting for %(final)s by %(when)s") % {
            "first": first,
            "reading": self._reading(self.first_met),
            "final": final,
            "when": _when(site, self.final_by, self.now),
        }


# --- Starting the hold: inside cook_meal ------------------------------------------

# Cooking recorded the next morning is common; much later, the cooling record
# would be guesswork.
OFF_HEAT_WITHIN = timedelta(hours=24)


def check_off_heat(site: Site, off_heat_at: datetime, now: datetime) -> None:
    """Refuse a time the food cannot have come off the heat at: later than now, or
    more than a day before (cook_meal's check, with the reason on the field)."""
    if off_heat_at > now + SLACK:
        raise DomainError(
            _(
                "%(when)s has not happened yet: give the time the food came off the heat, "
                "or leave it empty for now."
            )
            % {"when": day_time(site.local(off_heat_at))},
            field="off_heat_at",
        )
    if off_heat_at < now - OFF_HEAT_WITHIN:
        raise DomainError(
            _(
                "%(when)s is more than a day ago: a cooling record cannot be kept so long "
                "after. Discard the leftovers, or keep none."
            )
            % {"when": day_time(site.local(off_heat_at))},
            field="off_heat_at",
        )


def hold_leftovers(meal: MealService, lot: Lot, *, by: User | None) -> list[LotHold]:
    """Hold a meal's new leftovers until their cooling record passes (called by
    cook_meal, in its transaction, once `meal.cooked_at` and `off_heat_at` are set)."""
    site = meal.site
    with measures.override(measures.site_measures(site)):
        first_c, final_c = limits_c()
        first_by = site.local(meal.cooling_from + FIRST_WITHIN)
        final_by = site.local(meal.cooling_from + FINAL_WITHIN)
        # Translators: why leftovers are held: "Leftovers of Dal: 21 °C by Tue 1 Dec,
        # 14:30, 5 °C by Tue 1 Dec, 18:30".
        note = _("Leftovers of %(meal)s: %(first)s by %(first_by)s, %(final)s by %(final_by)s") % {
            "meal": meal.title,
            "first": round_show(first_c),
            "first_by": day_time(first_by),
            "final": round_show(final_c),
            "final_by": day_time(final_by),
        }
    return start_holds(
        [lot], cause=LotHold.Cause.COOLING, by=by, note=note[:200], at=meal.cooked_at
    )


# --- Logging a reading ----------------------------------------------------------------


@dataclass
class Logged:
    reading: CoolingReading
    cooling: Cooling
    released: bool = False  # this reading made the record pass and freed the leftovers


def _open_cooling_holds(meal: MealService):
    return LotHold.objects.open().filter(lot_id=meal.leftover_lot_id, cause=LotHold.Cause.COOLING)


@transaction.atomic
def log_cooling_reading(
    meal: MealService | int,
    *,
    value_c: Decimal,
    by: User | None,
    at: datetime | None = None,
    site: Site | None = None,
    token=None,
) -> Logged:
    """Record how cold a meal's leftovers are (at `at`, default now). The reading
    that completes a passing record releases the leftovers' cooling hold. The same
    token records once."""
    pk = meal if isinstance(meal, int) else meal.pk
    content = {"value_c": value_c, "at": at}
    earlier = already_recorded(CoolingReading, token, content=content, meal_id=pk)
    if earlier is not None:
        return Logged(earlier, Cooling.of(earlier.meal, system=_system(earlier.meal.site)))
    meal = lock_meal(pk, site)
    if not meal.is_cooked or meal.leftover_lot_id is None:
        raise DomainError(_("Only the leftovers of a cooked meal have a cooling record."))
    if not isinstance(value_c, Decimal) or not value_c.is_finite():
        raise DomainError(_("Enter the temperature."), field="value")
    if not READING_MIN_C <= value_c <= READING_MAX_C:
        raise DomainError(
            _("%(temperature)s is not a temperature food can read.")
            % {"temperature": temperatures.show(value_c)},
            field="value",
        )
    now = timezone.now()
    at = at or now
    cooked = meal.site.local(meal.cooling_from)
    if at < meal.cooling_from.replace(second=0, microsecond=0):
        raise DomainError(
            _(
                "The meal came off the heat at %(when)s: a reading of its cooling is taken "
                "after that."
            )
            % {"when": day_time(cooked)},
            field="at",
        )
    if at > now + SLACK:
        raise DomainError(
            _("%(when)s has not happened yet: give the time the temperature was read.")
            % {"when": day_time(meal.site.local(at))},
            field="at",
        )
    try:
        with transaction.atomic():
            reading = CoolingReading.objects.create(
                meal=meal, value_c=value_c, at=at, by=by, **tokened(token, content)
            )
    except IntegrityError:
        earlier = already_recorded(CoolingReading, token, content=content, meal_id=meal.pk)
        if earlier is None:
            raise
        return Logged(earlier, Cooling.of(earlier.meal, system=_system(meal.site)))
    system = _system(meal.site)
    cooling = Cooling.of(meal, meal.cooling_readings.order_by("at", "pk"), now=now, system=system)
    released = False
    if cooling.passed:
        with measures.override(system):
            # Translators: why leftovers were released: "Cooling record passed: ...".
            reason = _("Cooling record %(summary)s") % {"summary": cooling.summary()}
        for hold in _open_cooling_holds(meal).order_by("pk"):
            release_hold(hold, by=by, reason=reason)
            released = True
    return Logged(reading, cooling, released)


def _system(site: Site) -> str:
    return measures.site_measures(site)


# --- Reminding the cook -------------------------------------------------------------

# Told this long before a mark, when no reading has met it yet.
REMIND_BEFORE = timedelta(minutes=30)


def remind_cooling(now: datetime | None = None) -> int:
    """Tell the cook and the site's leads, once per mark, that a cooling reading is
    due within half an hour (a record waiting for it, its leftovers on hold).
    Safe to run often and on several workers: each message is decided under a key
    naming the meal and the mark. Returns how many messages were decided."""
    from commonpot.mail import queue_email
    from commonpot.opendata import absolute
    from pantry.services.holds import tell_leads

    now = now or timezone.now()
    held = LotHold.objects.open().filter(cause=LotHold.Cause.COOLING).values("lot_id")
    meals = (
        MealService.objects.filter(
            leftover_lot_id__in=held, cooked_at__gte=now - FINAL_WITHIN - OFF_HEAT_WITHIN
        )
        .select_related("site", "cooked_by")
        .prefetch_related(
            Prefetch("recipes", queryset=Recipe.objects.order_by("name")), "cooling_readings"
        )
    )
    told = 0
    for meal in meals:
        site = meal.site
        system = _system(site)
        cooling = Cooling.of(meal, now=now, system=system)
        if cooling.state != WAITING:
            continue
        mark, due, limit = (
            ("first", cooling.first_by, cooling.first_mark)
            if cooling.first_met is None
            else ("final", cooling.final_by, cooling.final_mark)
        )
        if now < due - REMIND_BEFORE:
            continue
        at = time_of_day(site.local(due))

        def compose(meal=meal, site=site, limit=limit, at=at) -> tuple[str, str]:
            """The subject and text, in the language active when called."""
            # Translators: an email's subject: "Cooling reading due: Dal at 21 °C by 14:30".
            subject = _("Cooling reading due: %(meal)s at %(mark)s by %(when)s") % {
                "meal": meal.title,
                "mark": limit,
                "when": at,
            }
            text = ngettext(
                "The leftovers of %(meal)s (%(servings)s serving) at %(site)s must read %(mark)s "
                "or below by %(when)s. Take their temperature and log it on the meal page:\n\n"
                "%(url)s\n\nThey stay on hold until the cooling record passes.",
                "The leftovers of %(meal)s (%(servings)s servings) at %(site)s must read %(mark)s "
                "or below by %(when)s. Take their temperature and log it on the meal page:\n\n"
                "%(url)s\n\nThey stay on hold until the cooling record passes.",
                meal.leftover_servings,
            ) % {
                "meal": meal.title,
                "servings": meal.leftover_servings,
                "site": site.name,
                "mark": limit,
                "when": at,
                "url": absolute(meal.get_absolute_url()),
            }
            return subject, text

        key = f"cooling:{meal.pk}:{mark}"
        cook = meal.cooked_by
        if cook is not None and cook.is_active:
            with in_language_of(cook):
                subject, text = compose()
            _email, created = queue_email(
                key=f"{key}:user:{cook.pk}",
                kind="cooling",
                to=cook,
                subject=subject,
                text=text,
                site=site,
            )
            told += created
        told += tell_leads(site, key=key, kind="cooling", compose=compose)
    return told


# --- Saying why leftovers are held (pantry.holds) ---------------------------------------


def describe_cooling_holds(holds: list[LotHold]) -> dict[int, str]:
    """ "Cooling record of Lentil stew: waiting for 21 °C by 14:30", for each hold
    on leftovers; three queries however many holds."""
    lot_ids = {h.lot_id for h in holds}
    meals = (
        MealService.objects.filter(leftover_lot_id__in=lot_ids, cooked_at__isnull=False)
        .select_related("site")
        .prefetch_related(
            Prefetch("recipes", queryset=Recipe.objects.order_by("name")), "cooling_readings"
        )
    )
    by_lot = {meal.leftover_lot_id: meal for meal in meals}
    now = timezone.now()
    texts = {}
    for hold in holds:
        meal = by_lot.get(hold.lot_id)
        if meal is None:
            continue
        cooling = Cooling.of(meal, now=now)
        texts[hold.pk] = _("Cooling record of %(meal)s: %(summary)s") % {
            "meal": meal.title,
            "summary": cooling.summary(),
        }
    return texts
