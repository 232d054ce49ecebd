"""What leads do to plan: shift roles, shifts, weekly rotas, copying a day, site rules.

Each function is one transaction and raises `DomainError` with a reason a lead
can act on. Times come in as the site's local dates and clock times and are
stored in UTC.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot import dates, jobs
from commonpot.dates import check_day
from commonpot.errors import DomainError
from commonpot.models import Site, User
from commonpot.permissions import can_manage_site
from kitchen.models import MealService
from volunteers.models import (
    EVERY_DAY,
    QualificationKind,
    Rota,
    RotaException,
    Shift,
    ShiftPolicy,
    ShiftRole,
    SignUp,
)

logger = logging.getLogger(__name__)

SHIFT_FIELDS = {
    "role",
    "starts_at",
    "ends_at",
    "min_people",
    "max_people",
    "what_to_bring",
    "place",
    "notes",
    "is_published",
    "meal",
    "transfer",
    "run",
}


def _require_lead(by: User, site: Site) -> None:
    if not can_manage_site(by, site):
        raise DomainError(_("Only this site's leads and coordinators can do this."))


def _clean(instance, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as e:
        field = next(iter(e.message_dict), None) if hasattr(e, "message_dict") else None
        raise DomainError(" ".join(e.messages), field=field) from None


SAME_START_AND_END = gettext_lazy(
    "The end time must differ from the start time (an end before the start is the next morning)."
)


def local_moment(
    site: Site, day: date, clock: time, *, fold: int | None = None, field: str | None = None
) -> datetime:
    """A clock time on a date at the site, as an aware datetime (in UTC).

    Raises `dates.LocalTimeError` when the site's clocks skip that time that
    day, or repeat it and `fold` does not say which of the two is meant.
    """
    return dates.local_moment(day, clock, site.tz, fold=fold, field=field)


def shift_span(
    site: Site,
    day: date,
    start: time,
    end: time,
    *,
    start_fold: int | None = None,
    end_fold: int | None = None,
) -> tuple[datetime, datetime]:
    """A shift from `start` to `end` starting on `day` at the site; an end at or
    before the start on the clock is the next morning (a night shift)."""
    if end == start:
        raise DomainError(str(SAME_START_AND_END), field="end_time")
    end_day = day + timedelta(days=1) if end < start else day
    return (
        local_moment(site, day, start, fold=start_fold, field="start_time"),
        local_moment(site, end_day, end, fold=end_fold, field="end_time"),
    )


def _check_shift_values(shift: Shift) -> None:
    if shift.starts_at is None or shift.ends_at is None:
        raise DomainError(_("Give the start and the end."))
    check_day(shift.starts_at, "date")
    # Compared in UTC: two datetimes of one zone compare by their clock faces,
    # which is wrong on the night the clocks change.
    shift.starts_at = shift.starts_at.astimezone(UTC)
    shift.ends_at = shift.ends_at.astimezone(UTC)
    if shift.ends_at <= shift.starts_at:
        raise DomainError(_("The end must be after the start."), field="ends_at")
    if shift.ends_at - shift.starts_at > timedelta(hours=24):
        raise DomainError(_("A shift can last at most 24 hours."), field="ends_at")
    if shift.max_people is None or shift.max_people < 1:
        raise DomainError(_("The maximum must be at least 1."), field="max_people")
    if shift.min_people is not None and shift.min_people > shift.max_people:
        raise DomainError(_("The minimum cannot be above the maximum."), field="min_people")
    if shift.role.site_id != shift.site_id:
        raise DomainError(_("Choose one of this site's roles."), field="role")


def _check_links(shift: Shift, *, was_meal_id: int | None = None, was_transfer_id=None) -> None:
    """A shift's meal is cooked at its site; its transfer leaves from or comes to it.

    A meal or transfer that has since been cancelled (or delivered) stays linked
    when the lead edits something else; only a new link must be to a live one.
    """
    meal = shift.meal
    if meal is not None:
        if meal.site_id != shift.site_id:
            raise DomainError(
                _("Choose one of this site's meals: that meal is at another site."), field="meal"
            )
        if meal.pk != was_meal_id and meal.status == MealService.Status.CANCELLED:
            raise DomainError(_("That meal is cancelled. Choose another, or none."), field="meal")
    run = shift.run
    if run is not None and run.site_id != shift.site_id:
        raise DomainError(
            _("Choose one of this site's runs: that run starts from another site."), field="run"
        )
    transfer = shift.transfer
    if transfer is not None:
        if shift.site_id not in (transfer.source_id, transfer.destination_id):
            raise DomainError(
                _("Choose a transfer to or from this site: that one is between two other sites."),
                field="transfer",
            )
        if transfer.pk != was_transfer_id and not transfer.is_in_flight:
            raise DomainError(
                # Translators: %(status)s is a transfer's status, such as "delivered".
                _("That transfer is %(status)s: there is nothing left to drive.")
                % {"status": transfer.get_status_display().lower()},
                field="transfer",
            )


# --- Roles and qualifications ----------------------------------------------


@transaction.atomic
def save_role(
    *,
    site: Site,
    by: User,
    role: ShiftRole | None = None,
    name: str,
    description: str = "",
    minimum_age: int | None = None,
    adults_only: bool = False,
    required_qualifications=(),
    is_active: bool = True,
) -> ShiftRole:
    """Add a shift role to a site, or change one of its roles."""
    _require_lead(by, site)
    if role is None:
        role = ShiftRole(site=site)
    elif role.site_id != site.pk:
        raise DomainError(_("This role belongs to another site."))
    role.name = name.strip()
    role.description = description.strip()
    role.minimum_age = minimum_age
    role.adults_only = bool(adults_only)
    role.is_active = is_active
    _clean(role)
    role.save()
    role.required_qualifications.set(required_qualifications)
    return role


@transaction.atomic
def add_qualification_kind(*, by: User, name: str, description: str = "") -> QualificationKind:
    """A lead or coordinator names a qualification the network recognises."""
    from commonpot.permissions import is_coordinator, is_lead

    if not (is_coordinator(by) or is_lead(by)):
        raise DomainError(_("Only leads and coordinators can add qualifications."))
    name = name.strip()
    existing = QualificationKind.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    kind = QualificationKind(name=name, description=description.strip())
    _clean(kind)
    kind.save()
    return kind


@transaction.atomic
def update_shift_policy(
    *, site: Site, by: User, sign_up_opens_days: int, cancellation_cutoff_hours: int
) -> ShiftPolicy:
    _require_lead(by, site)
    policy, _created = ShiftPolicy.objects.select_for_update().get_or_create(site=site)
    policy.sign_up_opens_days = sign_up_opens_days
    policy.cancellation_cutoff_hours = cancellation_cutoff_hours
    _clean(policy)
    policy.save()
    return policy


# --- Shifts ------------------------------------------------------------------


@transaction.atomic
def create_shift(*, site: Site, by: User, **fields: Any) -> Shift:
    _require_lead(by, site)
    unknown = set(fields) - SHIFT_FIELDS
    if unknown:
        raise DomainError(
            _("Unknown shift details: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    shift = Shift(site=site, **fields)
    _check_shift_values(shift)
    _check_links(shift)
    _clean(shift, exclude=["site"])
    shift.save()
    return shift


@transaction.atomic
def update_shift(*, shift_id: int, by: User, **fields: Any) -> Shift:
    """Change a shift. Lowering the maximum below who is signed up is refused;
    raising it moves people up from the waitlist; new hours must not clash with
    anyone's other shifts."""
    from volunteers.services import lock_shift, promote_waitlist

    shift = lock_shift(shift_id)
    _require_lead(by, shift.site)
    unknown = set(fields) - SHIFT_FIELDS
    if unknown:
        raise DomainError(
            _("Unknown shift details: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    was_meal_id, was_transfer_id = shift.meal_id, shift.transfer_id
    before = {name: getattr(shift, name) for name in fields}
    for name, value in fields.items():
        setattr(shift, name, value)
    if any(getattr(shift, name) != was for name, was in before.items()):
        # Under the row lock, so two leads' changes never share a number.
        shift.change_seq += 1
    _check_shift_values(shift)
    _check_links(shift, was_meal_id=was_meal_id, was_transfer_id=was_transfer_id)
    if shift.max_people < shift.places_taken:
        raise DomainError(
            ngettext(
                "%(n)s person is signed up, so the maximum cannot go below %(n)s. "
                "Remove people from the roster first.",
                "%(n)s people are signed up, so the maximum cannot go below %(n)s. "
                "Remove people from the roster first.",
                shift.places_taken,
            )
            % {"n": shift.places_taken},
            field="max_people",
        )
    if "starts_at" in fields or "ends_at" in fields:
        clash = (
            SignUp.objects.active()
            .filter(
                volunteer__in=shift.sign_ups.active().values("volunteer"),
            )
            .exclude(shift=shift)
            .overlapping(shift.starts_at, shift.ends_at)
            .select_related("volunteer", "shift__site", "shift__role")
            .first()
        )
        if clash is not None:
            raise DomainError(
                _(
                    "%(person)s is signed up for another shift at that time (%(shift)s). "
                    "Change the hours, or talk to them first."
                )
                % {"person": clash.volunteer.name, "shift": clash.shift},
                field="starts_at",
            )
    _clean(shift, exclude=["site"])
    shift.save()
    promote_waitlist(shift)
    return shift


@transaction.atomic
def cancel_shift(*, shift_id: int, by: User, reason: str = "") -> Shift:
    """Call off a shift people are signed up for: everyone on it, on its waitlist or
    waiting for approval loses their place and is told once, by their channels
    (the outbox key names each sign-up); the shift is unpublished, so it leaves
    the board, and kept, so its history stays."""
    from volunteers import notifications
    from volunteers.services import lock_shift

    shift = lock_shift(shift_id)
    _require_lead(by, shift.site)
    if shift.has_started:
        raise DomainError(_("This shift has already started, so it cannot be cancelled."))
    reason = (reason or "").strip()
    now = timezone.now()
    standing = list(shift.sign_ups.standing().select_for_update())
    if not standing:
        raise DomainError(
            _("Nobody is signed up for this shift: delete it or unpublish it instead.")
        )
    for sign_up in standing:
        sign_up.status = SignUp.Status.CANCELLED
        sign_up.cancelled_at = now
        sign_up.cancelled_by = by
        sign_up.cancel_reason = (
            _("The shift was cancelled. %(reason)s") % {"reason": reason}
            if reason
            else _("The shift was cancelled.")
        )[:200]
        sign_up.stand_in_requested_at = None
    SignUp.objects.bulk_update(
        standing,
        ["status", "cancelled_at", "cancelled_by", "cancel_reason", "stand_in_requested_at"],
    )
    shift.places_taken = 0
    shift.is_published = False
    shift.change_seq += 1
    shift.save(update_fields=["places_taken", "is_published", "change_seq"])
    for sign_up in standing:
        notifications.queue_shift_cancelled_notice(sign_up.pk)
    return shift


@transaction.atomic
def delete_shift(*, shift_id: int, by: User) -> None:
    """Delete a shift nobody has signed up for (otherwise remove them first)."""
    from volunteers.services import lock_shift

    shift = lock_shift(shift_id)
    _require_lead(by, shift.site)
    if shift.sign_ups.active().exists():
        raise DomainError(
            _(
                "People are signed up for this shift. Remove them from the roster (with a "
                "reason, so they are told) before deleting it."
            )
        )
    if shift.sign_ups.exists():
        raise DomainError(
            _("This shift has a history of sign-ups; unpublish it instead of deleting it.")
        )
    shift.delete()


@dataclass
class CopyResult:
    created: list[Shift] = field(default_factory=list)
    skipped: int = 0
    # Shifts not copied because the target day's clock skips or repeats their
    # time, each with the reason (for the lead to add by hand).
    not_copied: list[str] = field(default_factory=list)


@transaction.atomic
def copy_day(*, site: Site, by: User, from_day: date, to_day: date) -> CopyResult:
    """Copy a day's shifts (same roles, clock times and sizes, nobody signed up) to
    another day. A shift the target day already has (same role and hours) is not
    copied twice, so copying again is harmless."""
    _require_lead(by, site)
    check_day(from_day, "from_day")
    check_day(to_day, "to_day")
    if from_day == to_day:
        raise DomainError(_("Choose a different day to copy to."), field="to_day")
    if to_day < site.today():
        raise DomainError(_("You cannot copy shifts into the past."), field="to_day")
    originals = list(Shift.objects.on_local_day(site, from_day).select_related("role"))
    if not originals:
        raise DomainError(
            _("There are no shifts on %(day)s to copy.") % {"day": dates.long_day(from_day)},
            field="from_day",
        )
    existing = {
        (s.role_id, s.local_start.time(), s.local_end.time())
        for s in Shift.objects.on_local_day(site, to_day).select_related("site")
    }
    result = CopyResult()
    shift_by = to_day - from_day
    for original in originals:
        start, end = original.local_start, original.local_end
        key = (original.role_id, start.time(), end.time())
        if key in existing:
            result.skipped += 1
            continue
        try:
            starts_at = local_moment(site, start.date() + shift_by, start.time())
            ends_at = local_moment(site, end.date() + shift_by, end.time())
        except dates.LocalTimeError as e:
            result.not_copied.append(f"{original.role.name} {start:%H:%M}–{end:%H:%M}: {e}")
            continue
        copy = Shift(
            site=site,
            role=original.role,
            starts_at=starts_at,
            ends_at=ends_at,
            min_people=original.min_people,
            max_people=original.max_people,
            what_to_bring=original.what_to_bring,
            place=original.place,
            notes=original.notes,
            is_published=original.is_published,
        )
        copy.save()
        existing.add(key)
        result.created.append(copy)
    return result


# --- Rotas -------------------------------------------------------------------

# What a lead may set on a rota, in the order the form asks for it.
ROTA_FIELDS = (
    "role",
    "weekdays",
    "start_time",
    "end_time",
    "min_people",
    "max_people",
    "what_to_bring",
    "place",
    "notes",
    "publish",
    "weeks_ahead",
    "starts_on",
    "ends_on",
    "is_active",
)


def _check_rota(rota: Rota) -> None:
    if not isinstance(rota.weekdays, int) or not 1 <= rota.weekdays <= EVERY_DAY:
        raise DomainError(_("Choose at least one day of the week."), field="weekdays")
    if rota.end_time == rota.start_time:
        raise DomainError(str(SAME_START_AND_END), field="end_time")
    if rota.max_people < 1:
        raise DomainError(_("The maximum must be at least 1."), field="max_people")
    if rota.min_people > rota.max_people:
        raise DomainError(_("The minimum cannot be above the maximum."), field="min_people")
    if rota.ends_on and rota.starts_on and rota.ends_on < rota.starts_on:
        raise DomainError(_("The rota cannot end before it starts."), field="ends_on")
    if rota.role.site_id != rota.site_id:
        raise DomainError(_("Choose one of this site's roles."), field="role")


def _check_exceptions_fit(rota: Rota, today: date) -> None:
    """Refuse new hours that one of the rota's coming exceptions cannot live with.

    An exception may give only a new start or only a new end, taking the other
    from the rota: moving the rota can leave that day ending when it starts.
    (An end before the start is a night shift, so only the same time is wrong.)
    """
    if not rota.is_active:
        return
    coming = rota.exceptions.filter(date__gte=max(today, rota.starts_on), skip=False)
    if rota.ends_on:
        coming = coming.filter(date__lte=rota.ends_on)
    for exception in coming.order_by("date"):
        if not rota.runs_on(exception.date.weekday()):
            continue  # the rota no longer runs that day, so the exception does nothing
        start = exception.start_time or rota.start_time
        end = exception.end_time or rota.end_time
        if end != start:
            continue
        day = dates.day(exception.date)
        if exception.end_time is not None:
            raise DomainError(
                _(
                    "The exception on %(day)s ends at %(time)s, the rota's new start, so "
                    "that day would have no shift. Change or remove that exception first, "
                    "or choose another start."
                )
                % {"day": day, "time": f"{end:%H:%M}"},
                field="start_time",
            )
        raise DomainError(
            _(
                "The exception on %(day)s starts at %(time)s, the rota's new end, so "
                "that day would have no shift. Change or remove that exception first, "
                "or choose another end."
            )
            % {"day": day, "time": f"{start:%H:%M}"},
            field="end_time",
        )


@transaction.atomic
def save_rota(*, site: Site, by: User, rota: Rota | None = None, **fields: Any) -> RotaRun:
    """Create or change a rota and (re)make its shifts, as one transaction.

    Everything is checked before anything is written, the rota's exceptions
    included, so a lead never ends up with a rota saved and its shifts not
    made. The returned run names the rota (`run.rota`).
    """
    _require_lead(by, site)
    unknown = set(fields) - set(ROTA_FIELDS)
    if unknown:
        raise DomainError(
            _("Unknown rota details: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    if rota is None:
        rota = Rota(site=site)
    elif rota.site_id != site.pk:
        raise DomainError(_("This rota belongs to another site."))
    check_day(fields.get("starts_on"), "starts_on")
    check_day(fields.get("ends_on"), "ends_on")
    for name, value in fields.items():
        setattr(rota, name, value)
    _check_rota(rota)
    _clean(rota, exclude=["site"])
    if rota.pk is not None:
        _check_exceptions_fit(rota, site.today())
    rota.save()
    return generate_rota_shifts(rota_id=rota.pk, by=by)


@transaction.atomic
def add_rota_exception(
    *,
    rota: Rota,
    by: User,
    day: date,
    reason: str = "",
    skip: bool = True,
    start_time: time | None = None,
    end_time: time | None = None,
    max_people: int | None = None,
    start_fold: int | None = None,
    end_fold: int | None = None,
) -> RotaException:
    """One date of a rota changed: no shift, or other hours or size. On the
    night the clocks change its hours must exist, and a time that happens
    twice says which (`start_fold`, `end_fold`)."""
    _require_lead(by, rota.site)
    check_day(day, "date")
    if not rota.runs_on(day.weekday()):
        raise DomainError(
            _("This rota runs on %(days)s; %(day)s is not one of them.")
            % {"days": rota.days_text, "day": dates.long_day(day)},
            field="date",
        )
    if not skip:
        start = start_time or rota.start_time
        end = end_time or rota.end_time
        if end == start:
            raise DomainError(str(SAME_START_AND_END), field="end_time")
        shift_span(rota.site, day, start, end, start_fold=start_fold, end_fold=end_fold)
        if max_people is not None and max_people < 1:
            raise DomainError(_("The maximum must be at least 1."), field="max_people")
    exception = RotaException(
        rota=rota,
        date=day,
        reason=reason.strip()[:200],
        skip=skip,
        start_time=None if skip else start_time,
        end_time=None if skip else end_time,
        max_people=None if skip else max_people,
        start_fold=None if skip else start_fold,
        end_fold=None if skip else end_fold,
    )
    try:
        with transaction.atomic():
            exception.save()
    except IntegrityError:
        raise DomainError(
            _("This rota already has an exception on that date; remove it first."), field="date"
        ) from None
    return exception


@transaction.atomic
def remove_rota_exception(*, exception: RotaException, by: User) -> None:
    _require_lead(by, exception.rota.site)
    exception.delete()


@dataclass
class RotaRun:
    """What generating a rota's shifts did, for the lead to read."""

    rota: Rota | None = None
    created: list[Shift] = field(default_factory=list)
    updated: list[Shift] = field(default_factory=list)
    removed: int = 0
    # Shifts the rota no longer wants (or wants different) but which people
    # have signed up for: left exactly as they are, for the lead to decide.
    kept: list[Shift] = field(default_factory=list)
    # Dates with no shift made because the site's clock skips or repeats the
    # rota's time that day, each with the reason and what to do.
    not_made: list[str] = field(default_factory=list)
    # The regulars signed up on its shifts, and the dates they could not be.
    regulars: Any = None

    @property
    def needs_attention(self) -> bool:
        return bool(self.kept or self.not_made or (self.regulars and self.regulars.skipped))

    def summary(self) -> str:
        made = len(self.created)
        parts = [ngettext("%(n)s shift made", "%(n)s shifts made", made) % {"n": made}]
        if self.updated:
            n = len(self.updated)
            # Translators: shifts of a rota: "4 shifts made, 1 updated, 2 removed."
            parts.append(ngettext("%(n)s updated", "%(n)s updated", n) % {"n": n})
        if self.removed:
            n = self.removed
            # Translators: shifts of a rota: "4 shifts made, 1 updated, 2 removed."
            parts.append(ngettext("%(n)s removed", "%(n)s removed", n) % {"n": n})
        if self.kept:
            n = len(self.kept)
            parts.append(
                ngettext(
                    "%(n)s kept unchanged because people are signed up "
                    "(change or remove them by hand)",
                    "%(n)s kept unchanged because people are signed up "
                    "(change or remove them by hand)",
                    n,
                )
                % {"n": n}
            )
        text = ", ".join(parts) + "."
        if self.regulars is not None and (self.regulars.added or self.regulars.skipped):
            text += " " + self.regulars.summary()
        if self.not_made:
            text += " " + _("No shift made on %(dates)s") % {"dates": " ".join(self.not_made)}
        return text


def rota_dates(rota: Rota, first: date, last: date) -> list[date]:
    """The dates from `first` to `last` (both included) that fall on the rota's days."""
    if rota.ends_on:
        last = min(last, rota.ends_on)
    first = max(first, rota.starts_on)
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if rota.runs_on((first + timedelta(days=n)).weekday())
    ]


def _wanted_dates(rota: Rota, today: date) -> list[date]:
    return rota_dates(rota, today, today + timedelta(weeks=rota.weeks_ahead))


@transaction.atomic
def generate_rota_shifts(
    *, rota_id: int, by: User | None = None, today: date | None = None
) -> RotaRun:
    """Make the rota's shifts for the coming weeks. Safe to run again: one shift per
    rota and date (a unique constraint backs this), existing ones brought up to date.

    A shift that people have signed up for is never changed or removed here, even
    when the rota or an exception now says otherwise: it is reported in `kept`.
    """
    from volunteers import regulars as rota_regulars

    rota = Rota.objects.select_for_update().select_related("site", "role").get(pk=rota_id)
    if by is not None:
        _require_lead(by, rota.site)
    site = rota.site
    today = today or site.today()
    run = RotaRun(rota=rota)
    # The regulars' people are locked before the shifts, as every claim locks
    # the person before the shift: the other way round could deadlock with one.
    regulars = rota_regulars.current_regulars(rota)
    rota_regulars.lock_regulars(regulars)
    # The shifts each wanted date ends up with, for the regulars.
    live: list[Shift] = []
    exceptions = {e.date: e for e in rota.exceptions.filter(date__gte=today)}
    wanted = _wanted_dates(rota, today) if rota.is_active else []
    existing = {
        s.rota_date: s
        for s in Shift.objects.select_for_update(of=("self",))
        .filter(rota=rota, rota_date__gte=today)
        .select_related("site", "role")
    }
    taken = set(
        SignUp.objects.active()
        .filter(shift__in=[s.pk for s in existing.values()])
        .values_list("shift_id", flat=True)
    )
    now = timezone.now()

    for day in wanted:
        exception = exceptions.get(day)
        shift = existing.pop(day, None)
        if exception is not None and exception.skip:
            if shift is not None:
                existing[day] = shift  # handled with the leftovers below
            continue
        start_time, end_time, max_people = rota.start_time, rota.end_time, rota.max_people
        folds = {}
        if exception is not None:
            start_time = exception.start_time or start_time
            end_time = exception.end_time or end_time
            max_people = exception.max_people or max_people
            folds = {"start_fold": exception.start_fold, "end_fold": exception.end_fold}
        try:
            starts_at, ends_at = shift_span(site, day, start_time, end_time, **folds)
        except DomainError as e:
            # Never a guess (a time the clock skips or repeats that day), and one
            # bad day does not stop the others: that date waits for the lead.
            run.not_made.append(
                _("%(day)s: %(reason)s Add an exception for that day.")
                % {"day": dates.day(day), "reason": e}
            )
            continue
        values = {
            "role": rota.role,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "min_people": min(rota.min_people, max_people),
            "max_people": max_people,
            "what_to_bring": rota.what_to_bring,
            "place": rota.place,
            "notes": rota.notes,
        }
        if values["ends_at"] <= values["starts_at"]:
            # Saving the rota or an exception checks the clock times; on the night
            # the clocks go back, two chosen readings can still cross.
            run.not_made.append(
                _(
                    "%(day)s: it would end at %(end)s, not after its start at %(start)s "
                    "on the site's clock. Change that day's exception."
                )
                % {
                    "day": dates.day(day),
                    "end": f"{end_time:%H:%M}",
                    "start": f"{start_time:%H:%M}",
                }
            )
            continue
        if values["starts_at"] <= now:
            if shift is not None:
                existing[day] = shift
            continue
        if shift is None:
            shift = Shift(site=site, rota=rota, rota_date=day, is_published=rota.publish, **values)
            shift.save()
            run.created.append(shift)
            live.append(shift)
            continue
        live.append(shift)
        differs = any(getattr(shift, k) != v for k, v in values.items())
        if not differs:
            continue
        if shift.pk in taken:
            run.kept.append(shift)
            continue
        for k, v in values.items():
            setattr(shift, k, v)
        shift.change_seq += 1
        shift.save()
        run.updated.append(shift)

    for shift in existing.values():
        if shift.starts_at <= now:
            continue
        if shift.pk in taken:
            run.kept.append(shift)
        elif not shift.sign_ups.exists():
            shift.delete()
            run.removed += 1
        else:
            # Only cancelled sign-ups: keep the history, hide the shift.
            if shift.is_published:
                shift.is_published = False
                shift.save(update_fields=["is_published"])
            run.removed += 1
    run.regulars = rota_regulars.sign_up_regulars(rota, live, regulars, now=now)
    return run


def roll_rotas_forward() -> int:
    """Every active rota makes its shifts for the coming weeks (for a daily schedule).

    Each rota is its own transaction (through `commonpot.jobs`), so one site's
    trouble does not hold up the rest: a rota that cannot make its shifts is
    logged and left as it was. Returns the number of shifts made.
    """

    def roll(rota_id: int) -> int:
        run = generate_rota_shifts(rota_id=rota_id)
        for reason in run.not_made:
            logger.warning("Rota %s: no shift made on %s", rota_id, reason)
        return len(run.created)

    result = jobs.run_each(
        "roll rotas forward",
        Rota.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True),
        roll,
        describe=lambda rota_id: f"rota {rota_id}",
    )
    return sum(result.results)


def clock_changes_ahead(rota: Rota, today: date, *, days: int = 366) -> list[str]:
    """The rota's dates in the coming year whose hours the site's clock skips or
    repeats and that no exception settles, each with the reason: the rota makes
    no shift on them until the lead adds an exception for that day."""
    if not rota.is_active:
        return []
    exceptions = {e.date: e for e in rota.exceptions.filter(date__gte=today)}
    found = []
    for day in rota_dates(rota, today, today + timedelta(days=days)):
        exception = exceptions.get(day)
        start, end, folds = rota.start_time, rota.end_time, {}
        if exception is not None:
            if exception.skip:
                continue
            start = exception.start_time or start
            end = exception.end_time or end
            folds = {"start_fold": exception.start_fold, "end_fold": exception.end_fold}
        try:
            shift_span(rota.site, day, start, end, **folds)
        except DomainError as e:
            found.append(_("%(day)s: %(reason)s") % {"day": dates.day(day), "reason": e})
    return found
