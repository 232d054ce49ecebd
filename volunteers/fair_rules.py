"""A site's fair rules for shifts: missed shifts, hours in a day, rest, and minors.

Each site sets them in its Settings page (`ShiftPolicy`); every one is off
until a lead turns it on. They apply to shifts at that site and count only
that site's shifts: another site's rules are its own business.

- `problems` says what stops a person taking a place (too many hours that day,
  too little rest, a role not for minors, a minor's hours or missing guardian
  contact). Every door onto a shift asks it, through
  `volunteers.eligibility.check_eligible`: a claim, a stand-in take-over, a
  lead's manual add, a move up from the waitlist, a lead's approval.
- `approval_reason` says why a volunteer's claim must wait for a lead (too many
  missed shifts lately), or nothing. It holds for claims and moves up from the
  waitlist; a lead adding someone by hand is that approval.

The callers hold the person's row lock (or, when moving people up from a
waitlist, the shift's), so what is counted here cannot change underneath.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from commonpot.models import Site, User
from commonpot.words import counted
from volunteers.models import ADULT_AGE, Shift, ShiftPolicy, SignUp, VolunteerProfile


def _hours(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return f"{text} hour{'' if value == 1 else 's'}"


def _profile(person: User) -> VolunteerProfile | None:
    return VolunteerProfile.objects.filter(user=person).first()


def _places_held_here(person: User, shift: Shift):
    return (
        SignUp.objects.confirmed()
        .of(person)
        .filter(shift__site_id=shift.site_id)
        .exclude(shift_id=shift.pk)
    )


def hours_that_day(person: User, shift: Shift) -> Decimal:
    """Hours of the person's confirmed shifts at the site that start on the same
    local day as `shift` (a night shift counts on the day it starts)."""
    site = shift.site
    day = shift.local_date
    start = datetime.combine(day, time.min, tzinfo=site.tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=site.tz)
    held = _places_held_here(person, shift).filter(
        shift__starts_at__gte=start, shift__starts_at__lt=end
    )
    return sum((s.shift.hours for s in held.select_related("shift")), Decimal(0))


def missed_lately(person: User, site: Site, policy: ShiftPolicy) -> int:
    since = timezone.now() - timedelta(days=policy.no_show_days)
    return (
        SignUp.objects.confirmed()
        .of(person)
        .filter(
            shift__site=site,
            attendance=SignUp.Attendance.MISSED,
            shift__ends_at__gte=since,
        )
        .count()
    )


def _waits(person: User, site: Site, policy: ShiftPolicy, *, you: bool = True) -> str:
    if not policy.no_show_limit:
        return ""
    missed = missed_lately(person, site, policy)
    if missed < policy.no_show_limit:
        return ""
    shifts = counted(missed, "shift", "shifts")
    days = counted(policy.no_show_days, "day", "days")
    if you:
        return (
            f"You missed {shifts} at {site.name} in the last {days}, so a lead "
            "approves your next claims there."
        )
    return f"{person.name} missed {shifts} here in the last {days}."


def approval_reason(person: User, shift: Shift, *, you: bool = True) -> str:
    """Why a claim by `person` for `shift` waits for a lead, or "" if it need not."""
    return _waits(person, shift.site, shift.policy, you=you)


def problems(person: User, shift: Shift, *, you: bool = True) -> list[str]:
    """What the site's fair rules say against `person` taking a place on `shift`."""
    policy = shift.policy
    role = shift.role
    minors_rules = role.adults_only or policy.minor_max_hours_per_day or policy.minors_need_guardian
    caps = policy.max_hours_per_day or policy.minor_max_hours_per_day
    if not (minors_rules or caps or policy.min_rest_hours):
        return []
    found = []
    who = "You" if you else person.name
    your = "your" if you else "their"
    profile = _profile(person) if minors_rules else None
    age = profile.age_on(shift.local_date) if profile else None
    is_minor = age is not None and age < ADULT_AGE
    if role.adults_only:
        if age is None:
            found.append(
                f"{role.name} shifts are not for minors. "
                + (
                    "Add your date of birth on the Qualifications page."
                    if you
                    else f"{person.name} has not given a date of birth."
                )
            )
        elif is_minor:
            found.append(f"{role.name} shifts are for people aged {ADULT_AGE} or over.")
    if is_minor and policy.minors_need_guardian and not profile.has_guardian_contact:
        found.append(
            f"{shift.site.name} needs a parent's or guardian's contact for volunteers under "
            f"{ADULT_AGE}. "
            + (
                "Add it with your date of birth on the Qualifications page."
                if you
                else f"{person.name} has not given one."
            )
        )
    cap = policy.max_hours_per_day
    if is_minor and policy.minor_max_hours_per_day:
        cap = min(cap or policy.minor_max_hours_per_day, policy.minor_max_hours_per_day)
    if cap:
        already = hours_that_day(person, shift)
        if already + shift.hours > cap:
            limit = f"{_hours(Decimal(cap))} a day"
            if is_minor and cap == policy.minor_max_hours_per_day:
                limit += f" for volunteers under {ADULT_AGE}"
            found.append(
                f"{shift.site.name} allows at most {limit}: {who.lower() if you else who} "
                f"{'are' if you else 'is'} already down for {_hours(already)} that day and "
                f"this shift is {_hours(shift.hours)}."
            )
    if policy.min_rest_hours:
        rest = timedelta(hours=policy.min_rest_hours)
        near = (
            _places_held_here(person, shift)
            .filter(
                Q(shift__ends_at__lte=shift.starts_at, shift__ends_at__gt=shift.starts_at - rest)
                | Q(shift__starts_at__gte=shift.ends_at, shift__starts_at__lt=shift.ends_at + rest)
            )
            .select_related("shift__role", "shift__site")
            .first()
        )
        if near is not None:
            other = near.shift
            found.append(
                f"{shift.site.name} asks for {_hours(Decimal(policy.min_rest_hours))} of rest "
                f"between shifts, and {your} {other.role.name} shift ({other.local_start:%a} "
                f"{other.local_start:%H:%M}–{other.local_end:%H:%M}) is closer than that."
            )
    return found


def rules_in_words(policy: ShiftPolicy) -> list[str]:
    """The site's fair rules that are on, as a volunteer reads them."""
    rules = []
    if policy.no_show_limit:
        rules.append(
            f"After {counted(policy.no_show_limit, 'missed shift', 'missed shifts')} in "
            f"{counted(policy.no_show_days, 'day', 'days')}, a lead approves new claims."
        )
    if policy.max_hours_per_day:
        rules.append(f"At most {_hours(Decimal(policy.max_hours_per_day))} a day.")
    if policy.min_rest_hours:
        rules.append(f"At least {_hours(Decimal(policy.min_rest_hours))} of rest between shifts.")
    if policy.minor_max_hours_per_day:
        rules.append(
            f"Under {ADULT_AGE}: at most {_hours(Decimal(policy.minor_max_hours_per_day))} a day."
        )
    if policy.minors_need_guardian:
        rules.append(f"Under {ADULT_AGE}: a parent's or guardian's contact is needed to claim.")
    return rules


def rules_for(person: User) -> list[tuple[Site, list[str], str]]:
    """For My shifts: each site the person belongs to or has shifts at, with its
    fair rules that are on and, if it applies now, why their claims there wait."""
    site_ids = set(person.memberships.values_list("site_id", flat=True)) | set(
        SignUp.objects.standing().of(person).upcoming().values_list("shift__site_id", flat=True)
    )
    found = []
    for site in Site.objects.filter(pk__in=site_ids).select_related("shift_policy"):
        policy = ShiftPolicy.for_site(site)
        rules = rules_in_words(policy)
        if not rules:
            continue
        waits = _waits(person, site, policy)
        found.append((site, rules, waits))
    return found
