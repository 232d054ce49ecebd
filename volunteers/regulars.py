"""Regulars: people a lead puts on a rota, whom the rota signs up on its shifts.

A regular is signed up on each shift the rota makes on their days, from their
first date until their last (if any), by the same door a lead's "add by hand"
goes through (`services.place_on_locked_shift`): qualifications, ages, overlaps
and the site's fair rules count, and a shift is never filled past its maximum.
A date they cannot be signed up on is recorded with the reason, for the lead,
and tried again the next time the rota makes its shifts.

Once a regular has a sign-up row on a shift, in any state, the rota leaves them
alone there: someone who cancelled one date, or whom a lead took off it, is not
signed up again. A lead can also take them off a date ahead of its shift.

Locks follow the order of `volunteers.services`: the rota first (as generating
its shifts does), then the people, then the shifts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot import dates
from commonpot.dates import check_day
from commonpot.errors import DomainError
from commonpot.models import Site, User
from commonpot.permissions import can_manage_site
from volunteers import notifications, services
from volunteers.models import (
    RegularSkip,
    Rota,
    RotaRegular,
    Shift,
    SignUp,
    weekday_bits,
)

# Translators: why someone is on a shift: a rota signs them up on it every week.
REGULAR_REASON = gettext_lazy("Regular on the rota")


@dataclass
class RegularsRun:
    """What signing regulars up did: how many sign-ups, and the dates skipped."""

    added: int = 0
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = ngettext("%(n)s sign-up for regulars", "%(n)s sign-ups for regulars", self.added) % {
            "n": self.added
        }
        if self.skipped:
            n = len(self.skipped)
            text += "; " + ngettext(
                "%(n)s date a regular could not be signed up on (see the rota's page)",
                "%(n)s dates a regular could not be signed up on (see the rota's page)",
                n,
            ) % {"n": n}
        return text + "."


def _require_lead(by: User, site: Site) -> None:
    if not can_manage_site(by, site):
        raise DomainError(_("Only this site's leads and coordinators can do this."))


def current_regulars(rota: Rota) -> list[RotaRegular]:
    return list(rota.regulars.filter(removed_at__isnull=True).select_related("volunteer"))


def lock_regulars(regulars: list[RotaRegular]) -> None:
    """The people, in one order, before any of the rota's shifts are locked."""
    for regular in sorted(regulars, key=lambda r: r.volunteer_id):
        services.lock_person(regular.volunteer)


def sign_up_regulars(
    rota: Rota, shifts: list[Shift], regulars: list[RotaRegular], *, now: datetime
) -> RegularsRun:
    """Sign each regular up on the rota's `shifts` that fall on their days.

    The caller holds the rota's lock, then the regulars' (`lock_regulars`), then
    the shifts'. A date is left alone when the person already has a sign-up row
    on that shift in any state (their own claim, a cancellation, a lead's
    removal) or a lead took them off it; only rows that ended with an earlier
    time as a regular (taken off the rota) do not count.
    """
    run = RegularsRun()
    shifts = [s for s in shifts if s.starts_at > now and s.rota_date is not None]
    if not regulars or not shifts:
        return run
    days = {s.rota_date for s in shifts}
    skips = {
        (k.regular_id, k.date): k
        for k in RegularSkip.objects.filter(regular__in=regulars, date__in=days)
    }
    held = set(
        SignUp.objects.filter(
            shift__in=[s.pk for s in shifts], volunteer__in=[r.volunteer_id for r in regulars]
        )
        .exclude(Q(status=SignUp.Status.CANCELLED) & Q(regular__removed_at__isnull=False))
        .values_list("shift_id", "volunteer_id")
    )
    for shift in sorted(shifts, key=lambda s: (s.starts_at, s.pk)):
        for regular in regulars:
            day = shift.rota_date
            if not regular.comes_on(day):
                continue
            skip = skips.get((regular.pk, day))
            if skip is not None and skip.kind == RegularSkip.Kind.TAKEN_OFF:
                continue
            if (shift.pk, regular.volunteer_id) in held:
                continue
            try:
                # A savepoint: a refusal writes nothing and the rest go on.
                with transaction.atomic():
                    services.place_on_locked_shift(
                        shift,
                        regular.volunteer,
                        by=regular.added_by,
                        reason=str(REGULAR_REASON),
                        regular=regular,
                    )
            except DomainError as e:
                reason = str(e)[:300]
                if skip is None:
                    RegularSkip.objects.create(
                        regular=regular, date=day, kind=RegularSkip.Kind.REFUSED, reason=reason
                    )
                elif skip.reason != reason:
                    skip.reason, skip.recorded_at = reason, now
                    skip.save(update_fields=["reason", "recorded_at"])
                run.skipped.append(
                    _("%(person)s on %(day)s: %(reason)s")
                    % {"person": regular.volunteer.name, "day": dates.day(day), "reason": reason}
                )
            else:
                run.added += 1
                if skip is not None:
                    skip.delete()
    return run


def _future_shifts(rota: Rota, today: date, now: datetime) -> list[Shift]:
    """The rota's coming shifts on the days it runs (not a date an exception
    skips), locked: what a new regular is signed up on."""
    from volunteers.planning import _wanted_dates

    if not rota.is_active:
        return []
    skipped = set(rota.exceptions.filter(skip=True, date__gte=today).values_list("date", flat=True))
    wanted = [d for d in _wanted_dates(rota, today) if d not in skipped]
    return list(
        Shift.objects.select_for_update(of=("self",))
        .filter(rota=rota, rota_date__in=wanted, starts_at__gt=now)
        .select_related("site", "role")
    )


def _lock_rota(rota_id: int) -> Rota:
    return (
        Rota.objects.select_for_update(of=("self",)).select_related("site", "role").get(pk=rota_id)
    )


@transaction.atomic
def attach_regular(
    *,
    rota_id: int,
    by: User,
    volunteer: User,
    weekdays: list[int] | tuple[int, ...] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> tuple[RotaRegular, RegularsRun]:
    """A lead puts a person of the site on a rota as a regular: on all the rota's
    days (`weekdays` empty) or only some, from `starts_on` (today) until `ends_on`
    (open). They are signed up at once on the shifts the rota has already made."""
    rota = _lock_rota(rota_id)
    site = rota.site
    _require_lead(by, site)
    today = site.today()
    check_day(starts_on, "starts_on")
    check_day(ends_on, "ends_on")
    starts_on = starts_on or today
    if not volunteer.is_active or not volunteer.memberships.filter(site=site).exists():
        raise DomainError(
            _("Choose one of %(site)s's volunteers: that person is not one.") % {"site": site.name},
            field="volunteer",
        )
    if any(day not in rota.days for day in weekdays):
        raise DomainError(
            _("Choose among the rota's days (%(days)s), or none for all of them.")
            % {"days": rota.days_text},
            field="weekdays",
        )
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("The last day cannot be before the first."), field="ends_on")
    if ends_on is not None and ends_on < today:
        raise DomainError(_("The last day cannot be in the past."), field="ends_on")
    if rota.regulars.filter(volunteer=volunteer, removed_at__isnull=True).exists():
        raise DomainError(
            _("%(person)s is already a regular on this rota.") % {"person": volunteer.name},
            field="volunteer",
        )
    bits = weekday_bits(weekdays)
    regular = RotaRegular.objects.create(
        rota=rota,
        volunteer=volunteer,
        weekdays=0 if bits == weekday_bits(rota.days) else bits,
        starts_on=starts_on,
        ends_on=ends_on,
        added_by=by,
    )
    services.lock_person(volunteer)
    now = timezone.now()
    run = sign_up_regulars(rota, _future_shifts(rota, today, now), [regular], now=now)
    return regular, run


def _lock_regular(regular_id: int, by: User) -> RotaRegular:
    rota_id = RotaRegular.objects.filter(pk=regular_id).values_list("rota_id", flat=True).first()
    if rota_id is not None:
        _lock_rota(rota_id)
    # Read again under the rota's lock: a lead on another phone may just have
    # taken them off the rota.
    regular = (
        RotaRegular.objects.filter(pk=regular_id, removed_at__isnull=True)
        .select_related("rota__site", "rota__role", "volunteer")
        .first()
    )
    if regular is None:
        raise DomainError(_("This person is no longer a regular on this rota."))
    _require_lead(by, regular.rota.site)
    services.lock_person(regular.volunteer)
    return regular


def _cancel(sign_up_id: int, *, by: User, reason: str) -> SignUp:
    _shift, sign_up = services.lock_sign_up(sign_up_id)
    services.cancel_locked_sign_up(sign_up, by=by, reason=reason)
    notifications.queue_removal_notice(sign_up.pk)
    return sign_up


@transaction.atomic
def remove_regular(*, regular_id: int, by: User) -> int:
    """A lead takes a person off a rota: the sign-ups the rota made for them on
    shifts still to come are cancelled (the waitlist moves up, and they are
    told); past ones, and ones they made themselves, stay. Returns how many."""
    regular = _lock_regular(regular_id, by)
    now = timezone.now()
    coming = (
        regular.sign_ups.exclude(status=SignUp.Status.CANCELLED)
        .filter(shift__starts_at__gt=now)
        .order_by("shift__starts_at")
        .values_list("pk", flat=True)
    )
    cancelled = 0
    for sign_up_id in list(coming):
        _cancel(sign_up_id, by=by, reason=_("No longer a regular on this rota"))
        cancelled += 1
    regular.removed_at = now
    regular.removed_by = by
    regular.save(update_fields=["removed_at", "removed_by"])
    regular.skips.filter(kind=RegularSkip.Kind.REFUSED).delete()
    return cancelled


@transaction.atomic
def take_regular_off_date(
    *, regular_id: int, by: User, day: date, reason: str = ""
) -> SignUp | None:
    """A lead takes a regular off one date of the rota: their sign-up the rota
    made for that date is cancelled (the waitlist moves up, they are told), and
    the rota never signs them up on it again. Works ahead of the shift too.
    Returns the cancelled sign-up, if there was one."""
    regular = _lock_regular(regular_id, by)
    rota = regular.rota
    check_day(day, "date")
    if day < rota.site.today():
        raise DomainError(_("That date has passed."), field="date")
    if not rota.runs_on(day.weekday()) or not regular.comes_on(day):
        values = {
            "person": regular.volunteer.name,
            "day": dates.long_day(day),
            "days": regular.days_text,
            "first": dates.day(regular.starts_on),
            "last": dates.day(regular.ends_on) if regular.ends_on else "",
        }
        later = regular.starts_on > day
        if later and regular.ends_on:
            text = _(
                "%(person)s is not down for %(day)s: they come on %(days)s, from %(first)s, "
                "until %(last)s."
            )
        elif later:
            text = _("%(person)s is not down for %(day)s: they come on %(days)s, from %(first)s.")
        elif regular.ends_on:
            text = _("%(person)s is not down for %(day)s: they come on %(days)s, until %(last)s.")
        else:
            text = _("%(person)s is not down for %(day)s: they come on %(days)s.")
        raise DomainError(text % values, field="date")
    reason = " ".join(reason.split())[:200]
    RegularSkip.objects.update_or_create(
        regular=regular,
        date=day,
        defaults={
            "kind": RegularSkip.Kind.TAKEN_OFF,
            "reason": reason,
            "recorded_at": timezone.now(),
        },
    )
    sign_up = (
        regular.sign_ups.exclude(status=SignUp.Status.CANCELLED)
        .filter(shift__rota=rota, shift__rota_date=day)
        .first()
    )
    if sign_up is None:
        return None
    if sign_up.shift.has_started:
        raise DomainError(_("That shift has already started. Mark their attendance instead."))
    text = (
        _("Taken off this date of the rota: %(reason)s") % {"reason": reason}
        if reason
        else _("Taken off this date of the rota")
    )
    return _cancel(sign_up.pk, by=by, reason=text)
