"""Sign-ups: claiming, cancelling, the waitlist, stand-ins, rosters and check-in.

Every function here is one thing a person does, in one transaction. Any that
changes who holds a place on a shift locks the shift row first
(`select_for_update`; on SQLite the IMMEDIATE transaction mode already
serialises writers), so capacity is counted and changed with nobody else in
between. Functions that add a person to a shift also lock that person's row,
so two claims by the same person for overlapping shifts cannot both pass the
overlap check. Lock order is always person, then shift, then sign-up.

Planning (shifts, roles, rotas) is in `volunteers.planning`; qualifications,
profiles and calendar links in `volunteers.people`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from commonpot.dates import clock_span, day, long_day
from commonpot.errors import DomainError
from commonpot.forms import normalise_phone
from commonpot.idempotency import already_recorded, tokened
from commonpot.invitations import EMAIL_EXAMPLE
from commonpot.models import Site, User
from commonpot.numbers import parse_decimal
from commonpot.permissions import can_manage_site
from volunteers import check_in_codes, fair_rules, notifications
from volunteers.eligibility import all_problems, check_eligible
from volunteers.models import (
    MAX_GUESTS,
    MAX_HOURS,
    AttendanceChange,
    LeadMessage,
    Shift,
    SignUp,
    WalkIn,
)

# Translators: why a lead added someone to a shift: they came without signing up.
WALK_IN_REASON = gettext_lazy("Walk-in")


def _when(shift: Shift) -> str:
    start, end = shift.local_start, shift.local_end
    return f"{day(start)} {clock_span(start, end)}"


def lock_person(person: User) -> None:
    get_user_model().objects.select_for_update().filter(pk=person.pk).first()


def lock_shift(shift_id: int) -> Shift:
    try:
        # of=("self",): lock the shift row only, not the site and role joined to it.
        return (
            Shift.objects.select_for_update(of=("self",))
            .select_related("site", "role")
            .get(pk=shift_id)
        )
    except Shift.DoesNotExist:
        raise DomainError(_("This shift no longer exists.")) from None


def lock_sign_up(sign_up_id: int) -> tuple[Shift, SignUp]:
    """Lock a sign-up and its shift (shift first, as every claim does, so two
    actions on one shift queue up instead of deadlocking)."""
    shift_id = SignUp.objects.filter(pk=sign_up_id).values_list("shift_id", flat=True).first()
    if shift_id is None:
        raise DomainError(_("This sign-up no longer exists."))
    shift = lock_shift(shift_id)
    sign_up = SignUp.objects.select_for_update().select_related("volunteer").get(pk=sign_up_id)
    sign_up.shift = shift
    return shift, sign_up


def _require_lead(by: User, site: Site) -> None:
    if not can_manage_site(by, site):
        raise DomainError(_("Only this site's leads and coordinators can do this."))


def check_paperwork_window(shift: Shift) -> None:
    """Attendance, and people added after the fact, only until the site's window closes."""
    today = shift.site.today()
    if today > shift.attendance_last_day:
        days = shift.policy.attendance_days
        raise DomainError(
            ngettext(
                "Attendance for this shift closed on %(day)s: %(site)s allows changes up to "
                "%(n)s day after a shift. A coordinator can widen the window in the site's "
                "settings.",
                "Attendance for this shift closed on %(day)s: %(site)s allows changes up to "
                "%(n)s days after a shift. A coordinator can widen the window in the site's "
                "settings.",
                days,
            )
            % {"day": long_day(shift.attendance_last_day), "site": shift.site.name, "n": days}
        )


def _check_guests(guests: int, shift: Shift) -> None:
    if guests < 0:
        raise DomainError(_("The number of guests cannot be negative."), field="guests")
    if guests > MAX_GUESTS:
        raise DomainError(
            ngettext(
                "You can bring at most %(n)s guest.",
                "You can bring at most %(n)s guests.",
                MAX_GUESTS,
            )
            % {"n": MAX_GUESTS},
            field="guests",
        )
    if 1 + guests > shift.max_people:
        most = shift.max_people - 1
        raise DomainError(
            ngettext(
                "This shift takes %(people)s people in all, so you can bring at most %(n)s guest.",
                "This shift takes %(people)s people in all, so you can bring at most %(n)s guests.",
                most,
            )
            % {"people": shift.max_people, "n": most},
            field="guests",
        )


def _check_no_overlap(person: User, shift: Shift, *, you: bool = True) -> None:
    clash = (
        SignUp.objects.standing()
        .of(person)
        .overlapping(shift.starts_at, shift.ends_at)
        .exclude(shift=shift)
        .select_related("shift__site", "shift__role")
    )
    other = clash.first()
    if other is not None:
        values = {
            "person": person.name,
            "role": other.shift.role,
            "site": other.shift.site,
            "when": _when(other.shift),
        }
        if other.is_waitlisted:
            text = (
                _(
                    "You are already on the waitlist for %(role)s at %(site)s (%(when)s), "
                    "which overlaps this shift."
                )
                if you
                else _(
                    "%(person)s is already on the waitlist for %(role)s at %(site)s (%(when)s), "
                    "which overlaps this shift."
                )
            )
        elif other.is_pending:
            text = (
                _(
                    "You are already waiting for approval for %(role)s at %(site)s (%(when)s), "
                    "which overlaps this shift."
                )
                if you
                else _(
                    "%(person)s is already waiting for approval for %(role)s at %(site)s "
                    "(%(when)s), which overlaps this shift."
                )
            )
        else:
            text = (
                _(
                    "You are already down for %(role)s at %(site)s (%(when)s), "
                    "which overlaps this shift."
                )
                if you
                else _(
                    "%(person)s is already down for %(role)s at %(site)s (%(when)s), "
                    "which overlaps this shift."
                )
            )
        raise DomainError(text % values)


def _check_not_on_shift(person: User, shift: Shift, *, you: bool = True) -> None:
    existing = SignUp.objects.standing().of(person).filter(shift=shift).first()
    if existing is None:
        return
    if existing.is_pending:
        text = (
            _("You are already waiting for a lead to approve a claim for this shift.")
            if you
            else _("%(person)s is already waiting for a lead to approve a claim for this shift.")
        )
    elif existing.is_waitlisted:
        text = (
            _("You are already on the waitlist for this shift.")
            if you
            else _("%(person)s is already on the waitlist for this shift.")
        )
    else:
        text = (
            _("You are already signed up for this shift.")
            if you
            else _("%(person)s is already signed up for this shift.")
        )
    raise DomainError(text % {"person": person.name})


def _take_places(shift: Shift, places: int) -> None:
    Shift.objects.filter(pk=shift.pk).update(places_taken=F("places_taken") + places)
    shift.places_taken += places


def _free_places(shift: Shift, places: int) -> None:
    Shift.objects.filter(pk=shift.pk).update(places_taken=F("places_taken") - places)
    shift.places_taken -= places


def promote_waitlist(shift: Shift) -> list[SignUp]:
    """Move people up from the waitlist, in order, while their party fits.

    A party that does not fit keeps its place at the head of the line; someone
    behind it who does fit moves up. So after every change to a shift, nobody
    still waiting could fit in the places left. Nobody is promoted onto a shift
    that has started. The caller holds the shift's row lock.

    Moving up is a door onto the shift like a claim: someone who no longer
    qualifies (a certificate expired, a fair rule) is taken off the waitlist
    and told why, and whoever is next moves up; someone whose claims now need
    a lead's approval waits for it, holding no place. Either way they are told
    once (the outbox key names their sign-up).
    """
    if shift.has_started or shift.places_left == 0:
        return []
    now = timezone.now()
    promoted = []
    # The people on the line are not locked here (the shift is, and locking a
    # person after their shift would invert the person-then-shift order and
    # risk a deadlock); what they hold elsewhere only grows through claims,
    # which check the overlap against this waitlist entry themselves.
    for sign_up in shift.sign_ups.in_line().select_for_update().select_related("volunteer"):
        if sign_up.places > shift.places_left:
            continue
        found = all_problems(sign_up.volunteer, shift)
        if found:
            sign_up.status = SignUp.Status.CANCELLED
            sign_up.cancelled_at = now
            sign_up.cancel_reason = (
                _("No longer eligible: %(reasons)s") % {"reasons": " ".join(found)}
            )[:200]
            sign_up.approval_reason = " ".join(found)[:300]
            sign_up.save(
                update_fields=["status", "cancelled_at", "cancel_reason", "approval_reason"]
            )
            notifications.queue_skipped_notice(sign_up.pk)
            continue
        waits = fair_rules.approval_reason(sign_up.volunteer, shift)
        if waits:
            sign_up.status = SignUp.Status.PENDING
            sign_up.approval_reason = waits[:300]
            sign_up.save(update_fields=["status", "approval_reason"])
            notifications.queue_skipped_notice(sign_up.pk)
            continue
        sign_up.status = SignUp.Status.CONFIRMED
        sign_up.confirmed_at = now
        sign_up.promoted_at = now
        sign_up.save(update_fields=["status", "confirmed_at", "promoted_at"])
        _take_places(shift, sign_up.places)
        promoted.append(sign_up)
        notifications.queue_promotion_notice(sign_up.pk)
        if shift.places_left == 0:
            break
    return promoted


def cancel_locked_sign_up(sign_up: SignUp, *, by: User, reason: str) -> None:
    """Cancel a sign-up already locked with lock_sign_up, inside the caller's transaction."""
    was_confirmed = sign_up.is_confirmed
    sign_up.status = SignUp.Status.CANCELLED
    sign_up.cancelled_at = timezone.now()
    sign_up.cancelled_by = by
    sign_up.cancel_reason = reason[:200]
    sign_up.stand_in_requested_at = None
    sign_up.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancelled_by",
            "cancel_reason",
            "stand_in_requested_at",
        ]
    )
    if was_confirmed:
        _free_places(sign_up.shift, sign_up.places)
        promote_waitlist(sign_up.shift)


# --- What volunteers do -----------------------------------------------------


@transaction.atomic
def claim_shift(*, shift_id: int, volunteer: User, guests: int = 0) -> SignUp:
    """Claim a place on a shift for oneself (and guests), or join its waitlist.

    Confirmed if the whole party fits in the places left; on the waitlist if
    the shift is full; refused with a reason if only part of the party fits,
    or the shift is closed, or the person cannot do this role, is busy then,
    or a fair rule of the site stops it (hours, rest, minors). Waiting for a
    lead's approval, holding no place, when the site's no-show rule says so.
    """
    lock_person(volunteer)
    shift = lock_shift(shift_id)
    now = timezone.now()
    if not shift.is_published:
        raise DomainError(_("This shift is not open for sign-up yet."))
    if shift.starts_at <= now:
        raise DomainError(_("This shift has already started, so it can no longer be claimed."))
    if now < shift.sign_up_opens_at:
        opens = shift.site.local(shift.sign_up_opens_at)
        raise DomainError(
            _("Sign-up for this shift opens on %(day)s at %(time)s.")
            % {"day": long_day(opens), "time": f"{opens:%H:%M}"}
        )
    _check_guests(guests, shift)
    _check_not_on_shift(volunteer, shift)
    check_eligible(volunteer, shift)
    _check_no_overlap(volunteer, shift)

    places = 1 + guests
    left = shift.places_left
    if 0 < left < places:
        raise DomainError(
            # Translators: "Only 2 places left: you can bring at most 1 guest."
            _("Only %(places)s left: you can bring at most %(guests)s.")
            % {
                "places": ngettext("%(n)s place", "%(n)s places", left) % {"n": left},
                "guests": ngettext("%(n)s guest", "%(n)s guests", left - 1) % {"n": left - 1},
            },
            field="guests",
        )
    sign_up = SignUp(shift=shift, volunteer=volunteer, guests=guests, created_at=now)
    waits = fair_rules.approval_reason(volunteer, shift)
    if waits:
        # Holds no place: a lead's approval confirms it (or puts it on the waitlist).
        sign_up.status = SignUp.Status.PENDING
        sign_up.approval_reason = waits[:300]
        sign_up.save()
    elif left >= places:
        sign_up.status = SignUp.Status.CONFIRMED
        sign_up.confirmed_at = now
        sign_up.save()
        _take_places(shift, places)
    else:
        sign_up.status = SignUp.Status.WAITLISTED
        sign_up.save()
    return sign_up


@transaction.atomic
def cancel_sign_up(*, sign_up_id: int, by: User, reason: str = "") -> SignUp:
    """A volunteer gives up their place (or leaves the waitlist) before the cutoff.

    The first in line on the waitlist moves up and is told by email.
    """
    shift, sign_up = lock_sign_up(sign_up_id)
    if sign_up.volunteer_id != by.pk:
        raise DomainError(_("You can only cancel your own sign-ups."))
    if sign_up.status == SignUp.Status.CANCELLED:
        raise DomainError(_("This sign-up is already cancelled."))
    if shift.has_started:
        raise DomainError(_("This shift has already started. Talk to the lead on the day."))
    if not sign_up.may_cancel_freely():
        hours = shift.policy.cancellation_cutoff_hours
        raise DomainError(
            ngettext(
                "It is less than %(n)s hour before the shift, so %(site)s asks you to find a "
                "stand-in instead: use “Find a stand-in” and another volunteer can take your "
                "place.",
                "It is less than %(n)s hours before the shift, so %(site)s asks you to find a "
                "stand-in instead: use “Find a stand-in” and another volunteer can take your "
                "place.",
                hours,
            )
            % {"n": hours, "site": shift.site}
        )
    cancel_locked_sign_up(sign_up, by=by, reason=reason or _("Cancelled by the volunteer"))
    return sign_up


@transaction.atomic
def confirm_coming(*, sign_up_id: int, by: User) -> SignUp:
    """The volunteer says they are coming (a YES to a reminder): leads see it."""
    shift, sign_up = lock_sign_up(sign_up_id)
    if sign_up.volunteer_id != by.pk:
        raise DomainError(_("You can only answer for your own place."))
    if not sign_up.is_confirmed:
        raise DomainError(_("You no longer have a place on this shift."))
    if shift.has_started:
        raise DomainError(_("This shift has already started."))
    sign_up.coming_confirmed_at = timezone.now()
    sign_up.save(update_fields=["coming_confirmed_at"])
    return sign_up


@transaction.atomic
def request_stand_in(*, sign_up_id: int, by: User) -> SignUp:
    """After the cutoff: show the place as "looking for a stand-in" on the board."""
    shift, sign_up = lock_sign_up(sign_up_id)
    if sign_up.volunteer_id != by.pk:
        raise DomainError(_("You can only look for a stand-in for your own place."))
    if not sign_up.is_confirmed:
        raise DomainError(_("Only a confirmed place can be handed to a stand-in."))
    if shift.has_started:
        raise DomainError(_("This shift has already started."))
    if sign_up.stand_in_requested_at is None:
        sign_up.stand_in_requested_at = timezone.now()
        sign_up.save(update_fields=["stand_in_requested_at"])
    return sign_up


@transaction.atomic
def withdraw_stand_in_request(*, sign_up_id: int, by: User) -> SignUp:
    _shift, sign_up = lock_sign_up(sign_up_id)
    if sign_up.volunteer_id != by.pk:
        raise DomainError(_("You can only change your own sign-ups."))
    if sign_up.stand_in_requested_at is not None:
        sign_up.stand_in_requested_at = None
        sign_up.save(update_fields=["stand_in_requested_at"])
    return sign_up


@transaction.atomic
def take_over_sign_up(*, sign_up_id: int, volunteer: User) -> SignUp:
    """Another volunteer takes the place of someone looking for a stand-in, in one step.

    The stand-in takes one place; guests the first volunteer was bringing free
    their places for the waitlist. If the stand-in was waiting for this shift,
    their waitlist entry is used up.
    """
    lock_person(volunteer)
    shift, original = lock_sign_up(sign_up_id)
    if not original.wants_stand_in:
        raise DomainError(_("This place has already been taken or is no longer offered."))
    if original.volunteer_id == volunteer.pk:
        raise DomainError(_("This is your own place."))
    if shift.has_started:
        raise DomainError(_("This shift has already started."))
    waiting = SignUp.objects.waitlisted().of(volunteer).filter(shift=shift).first()
    if waiting is None:
        _check_not_on_shift(volunteer, shift)
    check_eligible(volunteer, shift)
    waits = fair_rules.approval_reason(volunteer, shift)
    if waits:
        raise DomainError(
            # Translators: %(reason)s says why the person's claims wait for a lead.
            _(
                "%(reason)s A stand-in's place cannot wait for that: ask a lead of %(site)s "
                "to add you."
            )
            % {"reason": waits, "site": shift.site.name}
        )
    _check_no_overlap(volunteer, shift)

    now = timezone.now()
    if waiting is not None:
        waiting.status = SignUp.Status.CANCELLED
        waiting.cancelled_at = now
        waiting.cancelled_by = volunteer
        waiting.cancel_reason = _("Took over another volunteer's place")
        waiting.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    original.status = SignUp.Status.CANCELLED
    original.cancelled_at = now
    original.cancelled_by = volunteer
    original.cancel_reason = _("Handed over to %(person)s") % {"person": volunteer.name}
    original.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    _free_places(shift, original.places)
    stand_in = SignUp.objects.create(
        shift=shift,
        volunteer=volunteer,
        status=SignUp.Status.CONFIRMED,
        created_at=now,
        confirmed_at=now,
        took_over_from=original,
    )
    _take_places(shift, 1)
    promote_waitlist(shift)
    notifications.queue_stand_in_found_notice(original.pk)
    return stand_in


# --- What leads do ----------------------------------------------------------


@transaction.atomic
def add_to_shift(
    *, shift_id: int, volunteer: User, by: User, reason: str, guests: int = 0
) -> SignUp:
    """A lead puts someone on a shift by hand (a phone call, a walk-in).

    The sign-up window does not apply and the shift may be unpublished, but
    the shift still never overfills, and qualifications, age, overlaps and the
    site's fair rules (hours, rest, minors) still count. The no-show rule does
    not: a lead adding someone is the approval it asks for. A shift that has
    ended takes people until the site's attendance window closes (late paperwork).
    """
    if not reason.strip():
        raise DomainError(_("Say why you are adding them by hand."), field="reason")
    lock_person(volunteer)
    shift = lock_shift(shift_id)
    _require_lead(by, shift.site)
    return place_on_locked_shift(shift, volunteer, by=by, reason=reason, guests=guests)


def place_on_locked_shift(
    shift: Shift,
    volunteer: User,
    *,
    by: User | None,
    reason: str,
    guests: int = 0,
    regular=None,
) -> SignUp:
    """Put someone on a shift the way a lead does by hand (see `add_to_shift`),
    or as a rota's regular (`regular`). The caller holds the person's lock and
    then the shift's, and has checked that whoever asked may do it."""
    if shift.ends_at <= timezone.now():
        check_paperwork_window(shift)
    _check_guests(guests, shift)
    _check_not_on_shift(volunteer, shift, you=False)
    check_eligible(volunteer, shift, you=False)
    _check_no_overlap(volunteer, shift, you=False)
    if shift.places_left < 1 + guests:
        raise DomainError(
            ngettext(
                "The shift has %(n)s place left. Raise its maximum first if you really need "
                "more people.",
                "The shift has %(n)s places left. Raise its maximum first if you really need "
                "more people.",
                shift.places_left,
            )
            % {"n": shift.places_left},
        )
    now = timezone.now()
    sign_up = SignUp.objects.create(
        shift=shift,
        volunteer=volunteer,
        guests=guests,
        status=SignUp.Status.CONFIRMED,
        created_at=now,
        confirmed_at=now,
        added_by=by,
        added_reason=reason.strip()[:200],
        regular=regular,
    )
    _take_places(shift, sign_up.places)
    return sign_up


def _lock_pending(sign_up_id: int, by: User) -> tuple[Shift, SignUp]:
    volunteer_id = SignUp.objects.filter(pk=sign_up_id).values_list("volunteer_id", flat=True)
    volunteer = User.objects.filter(pk__in=volunteer_id).first()
    if volunteer is None:
        raise DomainError(_("This sign-up no longer exists."))
    lock_person(volunteer)
    shift, sign_up = lock_sign_up(sign_up_id)
    _require_lead(by, shift.site)
    if not sign_up.is_pending:
        raise DomainError(
            _("This claim is no longer waiting for approval: it is %(status)s.")
            % {"status": sign_up.get_status_display()}
            if sign_up.status != SignUp.Status.CANCELLED
            else _("This claim was withdrawn or declined already.")
        )
    return shift, sign_up


@transaction.atomic
def approve_claim(*, sign_up_id: int, by: User) -> SignUp:
    """A lead lets a claim that waited for approval (the no-show rule) go ahead.

    It then goes as any claim would now: a place if the party fits, the
    waitlist if the shift is full, refused with the reason if the person no
    longer qualifies or is busy then (the claim keeps waiting; decline it).
    """
    shift, sign_up = _lock_pending(sign_up_id, by)
    volunteer = sign_up.volunteer
    if shift.has_started:
        raise DomainError(_("This shift has already started. Decline the claim instead."))
    check_eligible(volunteer, shift, you=False)
    _check_no_overlap(volunteer, shift, you=False)
    left = shift.places_left
    if 0 < left < sign_up.places:
        raise DomainError(
            ngettext(
                "Only %(n)s place is left and %(person)s asked for %(asked)s. Raise the "
                "shift's maximum, or decline the claim.",
                "Only %(n)s places are left and %(person)s asked for %(asked)s. Raise the "
                "shift's maximum, or decline the claim.",
                left,
            )
            % {"n": left, "person": volunteer.name, "asked": sign_up.places}
        )
    now = timezone.now()
    sign_up.approved_at = now
    sign_up.approved_by = by
    if left >= sign_up.places:
        sign_up.status = SignUp.Status.CONFIRMED
        sign_up.confirmed_at = now
        _take_places(shift, sign_up.places)
    else:
        sign_up.status = SignUp.Status.WAITLISTED
    sign_up.save(update_fields=["status", "confirmed_at", "approved_at", "approved_by"])
    notifications.queue_claim_decided_notice(sign_up.pk)
    return sign_up


@transaction.atomic
def decline_claim(*, sign_up_id: int, by: User, reason: str = "") -> SignUp:
    """A lead turns down a claim that waited for approval; the volunteer is told."""
    _shift, sign_up = _lock_pending(sign_up_id, by)
    reason = reason.strip()
    sign_up.status = SignUp.Status.CANCELLED
    sign_up.cancelled_at = timezone.now()
    sign_up.cancelled_by = by
    sign_up.cancel_reason = (
        _("Declined by a lead: %(reason)s") % {"reason": reason}
        if reason
        else _("Declined by a lead")
    )[:200]
    sign_up.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    notifications.queue_claim_decided_notice(sign_up.pk)
    return sign_up


@transaction.atomic
def remove_from_shift(*, sign_up_id: int, by: User, reason: str) -> SignUp:
    """A lead takes someone off a shift (or its waitlist), with a reason."""
    if not reason.strip():
        raise DomainError(_("Say why you are removing them."), field="reason")
    shift, sign_up = lock_sign_up(sign_up_id)
    _require_lead(by, shift.site)
    if sign_up.status == SignUp.Status.CANCELLED:
        raise DomainError(_("This sign-up is already cancelled."))
    cancel_locked_sign_up(sign_up, by=by, reason=reason.strip())
    notifications.queue_removal_notice(sign_up.pk)
    return sign_up


def _parse_hours(hours: Decimal | str | None, shift: Shift) -> Decimal:
    if hours is None or hours == "":
        return shift.hours
    return parse_decimal(hours, field="hours", ceiling=MAX_HOURS, places=2, zero_allowed=True)


def set_attendance(
    sign_up: SignUp,
    *,
    by: User,
    attendance: str,
    hours: Decimal | str | None = None,
    token_fields: Mapping[str, object] | None = None,
) -> SignUp:
    """Write attendance on a sign-up the caller has locked, and keep the change."""
    if attendance not in SignUp.Attendance.values:
        raise DomainError(_("Choose attended, missed or excused."), field="attendance")
    credited = (
        _parse_hours(hours, sign_up.shift)
        if attendance == SignUp.Attendance.ATTENDED
        else Decimal(0)
    )
    now = timezone.now()
    sign_up.attendance = attendance
    sign_up.hours_credited = credited
    sign_up.checked_in_at = now
    sign_up.checked_in_by = by
    sign_up.save(update_fields=["attendance", "hours_credited", "checked_in_at", "checked_in_by"])
    AttendanceChange.objects.create(
        sign_up=sign_up,
        attendance=attendance,
        hours_credited=credited,
        changed_by=by,
        changed_at=now,
        **(token_fields or {}),
    )
    return sign_up


@transaction.atomic
def record_attendance(
    *,
    sign_up_id: int,
    by: User,
    attendance: str,
    hours: Decimal | str | None = None,
    token: UUID | None = None,
) -> SignUp:
    """Check-in: attended (hours credited, the shift's length unless given), missed or excused.

    From the day of the shift until the site's attendance window closes, so late
    paperwork and corrections still count; each change keeps who made it and when.
    `token` is the form's one-time token: the same check-in sent again (a phone
    replaying its offline queue) is answered without a second change. Looked up
    under the sign-up's lock, so two copies at once are taken one after the other.
    """
    shift, sign_up = lock_sign_up(sign_up_id)
    _require_lead(by, shift.site)
    content = {"attendance": attendance, "hours": hours}
    if already_recorded(AttendanceChange, token, content=content, sign_up_id=sign_up.pk):
        return sign_up
    if attendance not in SignUp.Attendance.values:
        raise DomainError(_("Choose attended, missed or excused."), field="attendance")
    if not sign_up.is_confirmed:
        raise DomainError(_("Only people confirmed on the shift can be checked in."))
    if shift.local_date > shift.site.today():
        raise DomainError(_("Check-in opens on the day of the shift."))
    check_paperwork_window(shift)
    return set_attendance(
        sign_up,
        by=by,
        attendance=attendance,
        hours=hours,
        token_fields=tokened(token, content),
    )


@transaction.atomic
def check_in_by_code(*, volunteer: User, code: check_in_codes.Code) -> tuple[SignUp, bool]:
    """A volunteer checks themselves in as attended by scanning a check-in code (the
    lead's roster or the kiosk at the door), for the shift's length. Answers the
    sign-up and whether it was already checked in as attended (then nothing changes:
    scanning twice is harmless). The code was read and checked (`check_in_codes.read`).
    """
    found = check_in_codes.sign_up_for(volunteer, code)
    shift, sign_up = lock_sign_up(found.pk)
    if not sign_up.is_confirmed or sign_up.volunteer_id != volunteer.pk:
        raise DomainError(_("Only people confirmed on the shift can be checked in."))
    if shift.local_date > shift.site.today():
        raise DomainError(_("Check-in opens on the day of the shift."))
    check_paperwork_window(shift)
    if sign_up.attendance == SignUp.Attendance.ATTENDED:
        return sign_up, True
    return set_attendance(sign_up, by=volunteer, attendance=SignUp.Attendance.ATTENDED), False


@transaction.atomic
def record_everyone_attended(*, shift_id: int, by: User) -> list[SignUp]:
    """ "Everyone attended": each confirmed person not yet checked in is checked in as
    attended for the shift's length, through `record_attendance` one by one (its rules
    and history), all or none. Those already marked keep what the lead recorded."""
    shift = lock_shift(shift_id)
    _require_lead(by, shift.site)
    waiting = list(
        shift.sign_ups.filter(status=SignUp.Status.CONFIRMED, attendance="")
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
    if not waiting:
        raise DomainError(_("Everyone on the roster is already checked in."))
    return [
        record_attendance(sign_up_id=pk, by=by, attendance=SignUp.Attendance.ATTENDED)
        for pk in waiting
    ]


def _stand_in_account(name: str) -> User:
    """An account that holds a walk-in's sign-ups: no password, email or reminders."""
    person = User(
        username=f"walk-in-{secrets.token_hex(8)}",
        display_name=name,
        remind_by_email=False,
        remind_by_sms=False,
        weekly_digest=False,
    )
    person.set_unusable_password()
    person.save()
    return person


def _clean_contact(phone: str, email: str) -> tuple[str, str]:
    try:
        phone = normalise_phone(phone or "")
    except forms.ValidationError as e:
        raise DomainError(" ".join(e.messages), field="phone") from None
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except forms.ValidationError:
            raise DomainError(EMAIL_EXAMPLE, field="email") from None
    return phone, email


@transaction.atomic
def record_walk_in(
    *,
    shift_id: int,
    by: User,
    name: str,
    phone: str = "",
    email: str = "",
    may_contact: bool = False,
    hours: Decimal | str | None = None,
) -> SignUp:
    """A lead records someone who turned up without signing up, by name.

    They are confirmed on the shift and checked in as attended (for the
    shift's length unless `hours` says otherwise), from the day of the shift
    until the site's attendance window closes. They take a place like anyone:
    a full shift is refused, and the role's qualifications and age still count.
    """
    name = " ".join((name or "").split())
    if not name:
        raise DomainError(_("Write the walk-in's name."), field="name")
    if len(name) > 150:
        raise DomainError(_("Keep the name under 150 characters."), field="name")
    phone, email = _clean_contact(phone, email)
    shift = lock_shift(shift_id)
    _require_lead(by, shift.site)
    if shift.local_date > shift.site.today():
        raise DomainError(
            _(
                "A walk-in is recorded on the day of the shift or after it. To put someone on a "
                "coming shift, use “Add someone by hand”."
            )
        )
    check_paperwork_window(shift)
    if shift.places_left < 1:
        raise DomainError(
            _(
                "The shift is full (%(taken)s of %(most)s). Raise its maximum first to record "
                "more people."
            )
            % {"taken": shift.places_taken, "most": shift.max_people}
        )
    person = _stand_in_account(name)
    check_eligible(person, shift, you=False)
    WalkIn.objects.create(
        site=shift.site,
        person=person,
        name=name,
        phone=phone,
        email=email,
        may_contact=bool(may_contact),
        recorded_by=by,
    )
    now = timezone.now()
    sign_up = SignUp.objects.create(
        shift=shift,
        volunteer=person,
        status=SignUp.Status.CONFIRMED,
        created_at=now,
        confirmed_at=now,
        added_by=by,
        added_reason=str(WALK_IN_REASON),
    )
    _take_places(shift, 1)
    sign_up.shift = shift
    return set_attendance(sign_up, by=by, attendance=SignUp.Attendance.ATTENDED, hours=hours)


def _message(
    *, site: Site, by: User, subject: str, body: str, signups, shift=None, day=None
) -> LeadMessage:
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise DomainError(_("Give the message a subject."), field="subject")
    if not body:
        raise DomainError(_("Write the message."), field="body")
    people = {s.volunteer for s in signups}
    if not people:
        raise DomainError(_("Nobody is signed up, so there is nobody to message."))
    message = LeadMessage.objects.create(
        site=site, sent_by=by, shift=shift, day=day, subject=subject[:150], body=body
    )
    message.recipients.set(people)
    notifications.queue_lead_message(message.pk)
    return message


@transaction.atomic
def message_shift(*, shift: Shift, by: User, subject: str, body: str) -> LeadMessage:
    """Email everyone confirmed on a shift (queued; sent by the worker)."""
    _require_lead(by, shift.site)
    signups = shift.sign_ups.confirmed().select_related("volunteer")
    return _message(
        site=shift.site, by=by, subject=subject, body=body, signups=signups, shift=shift
    )


@transaction.atomic
def message_day(*, site: Site, day: date, by: User, subject: str, body: str) -> LeadMessage:
    """Email everyone confirmed on any of a site's shifts on one day."""
    _require_lead(by, site)
    signups = (
        SignUp.objects.confirmed()
        .filter(shift__in=Shift.objects.on_local_day(site, day))
        .select_related("volunteer")
    )
    return _message(site=site, by=by, subject=subject, body=body, signups=signups, day=day)


def hours_between(start: datetime, end: datetime) -> Decimal:
    return (Decimal((end - start).total_seconds()) / 3600).quantize(Decimal("0.01"))


def still_down_for(person: User, site: Site) -> str:
    """Why `person` cannot leave `site` yet: shifts there they are still down for
    (confirmed, waiting for approval or on a waitlist) that have not started. ""
    when none."""
    coming = (
        SignUp.objects.standing()
        .filter(volunteer=person, shift__site=site, shift__starts_at__gt=timezone.now())
        .count()
    )
    if not coming:
        return ""
    return ngettext(
        "You are still down for %(n)s shift coming up at %(site)s: cancel them on My shifts "
        "(or find a stand-in) before you leave.",
        "You are still down for %(n)s shifts coming up at %(site)s: cancel them on My shifts "
        "(or find a stand-in) before you leave.",
        coming,
    ) % {"n": coming, "site": site.name}
