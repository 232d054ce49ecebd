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
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.models import Site, User
from volunteers.models import ADULT_AGE, Shift, ShiftPolicy, SignUp, VolunteerProfile


def _hours(value: Decimal) -> str:
    """ "1 hour", "2.5 hours"."""
    text = f"{value.normalize():f}"
    # A fraction of an hour takes the plural ("1.5 hours").
    n = int(value) if value == value.to_integral_value() else 2
    return ngettext("%(n)s hour", "%(n)s hours", n) % {"n": text}


def _counted_shifts(n: int) -> str:
    # Translators: a shift is a volunteer's time slot at a site.
    return ngettext("%(n)s shift", "%(n)s shifts", n) % {"n": n}


def _counted_days(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


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
    values = {
        "shifts": _counted_shifts(missed),
        "days": _counted_days(policy.no_show_days),
        "site": site.name,
        "person": person.name,
    }
    if you:
        return (
            # Translators: "You missed 3 shifts at Riverside Kitchen in the last 60 days, ..."
            _(
                "You missed %(shifts)s at %(site)s in the last %(days)s, so a lead "
                "approves your next claims there."
            )
            % values
        )
    return _("%(person)s missed %(shifts)s here in the last %(days)s.") % values


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
    values = {
        "person": person.name,
        "role": role.name,
        "site": shift.site.name,
        "age": ADULT_AGE,
    }
    profile = _profile(person) if minors_rules else None
    age = profile.age_on(shift.local_date) if profile else None
    is_minor = age is not None and age < ADULT_AGE
    if role.adults_only:
        if age is None:
            found.append(
                _(
                    "%(role)s shifts are not for minors. "
                    "Add your date of birth on the Qualifications page."
                )
                % values
                if you
                else _(
                    "%(role)s shifts are not for minors. %(person)s has not given a date of birth."
                )
                % values
            )
        elif is_minor:
            found.append(_("%(role)s shifts are for people aged %(age)s or over.") % values)
    if is_minor and policy.minors_need_guardian and not profile.has_guardian_contact:
        found.append(
            _(
                "%(site)s needs a parent's or guardian's contact for volunteers under "
                "%(age)s. Add it with your date of birth on the Qualifications page."
            )
            % values
            if you
            else _(
                "%(site)s needs a parent's or guardian's contact for volunteers under "
                "%(age)s. %(person)s has not given one."
            )
            % values
        )
    cap = policy.max_hours_per_day
    if is_minor and policy.minor_max_hours_per_day:
        cap = min(cap or policy.minor_max_hours_per_day, policy.minor_max_hours_per_day)
    if cap:
        already = hours_that_day(person, shift)
        if already + shift.hours > cap:
            hours = {
                **values,
                "cap": _hours(Decimal(cap)),
                "already": _hours(already),
                "length": _hours(shift.hours),
            }
            if is_minor and cap == policy.minor_max_hours_per_day:
                text = (
                    _(
                        "%(site)s allows at most %(cap)s a day for volunteers under %(age)s: "
                        "you are already down for %(already)s that day and this shift is "
                        "%(length)s."
                    )
                    if you
                    else _(
                        "%(site)s allows at most %(cap)s a day for volunteers under %(age)s: "
                        "%(person)s is already down for %(already)s that day and this shift "
                        "is %(length)s."
                    )
                )
            else:
                text = (
                    _(
                        "%(site)s allows at most %(cap)s a day: you are already down for "
                        "%(already)s that day and this shift is %(length)s."
                    )
                    if you
                    else _(
                        "%(site)s allows at most %(cap)s a day: %(person)s is already down for "
                        "%(already)s that day and this shift is %(length)s."
                    )
                )
            found.append(text % hours)
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
            rest_values = {
                **values,
                "rest": _hours(Decimal(policy.min_rest_hours)),
                "other_role": other.role.name,
                "when": f"{date_format(other.local_start, 'D')} "
                f"{other.local_start:%H:%M}–{other.local_end:%H:%M}",
            }
            found.append(
                _(
                    "%(site)s asks for %(rest)s of rest between shifts, and your %(other_role)s "
                    "shift (%(when)s) is closer than that."
                )
                % rest_values
                if you
                else _(
                    "%(site)s asks for %(rest)s of rest between shifts, and their %(other_role)s "
                    "shift (%(when)s) is closer than that."
                )
                % rest_values
            )
    return found


def rules_in_words(policy: ShiftPolicy) -> list[str]:
    """The site's fair rules that are on, as a volunteer reads them."""
    rules = []
    if policy.no_show_limit:
        n = policy.no_show_limit
        rules.append(
            # Translators: "After 3 missed shifts in 60 days, a lead approves new claims."
            _("After %(missed)s in %(days)s, a lead approves new claims.")
            % {
                "missed": ngettext("%(n)s missed shift", "%(n)s missed shifts", n) % {"n": n},
                "days": _counted_days(policy.no_show_days),
            }
        )
    if policy.max_hours_per_day:
        rules.append(
            _("At most %(hours)s a day.") % {"hours": _hours(Decimal(policy.max_hours_per_day))}
        )
    if policy.min_rest_hours:
        rules.append(
            _("At least %(hours)s of rest between shifts.")
            % {"hours": _hours(Decimal(policy.min_rest_hours))}
        )
    if policy.minor_max_hours_per_day:
        rules.append(
            _("Under %(age)s: at most %(hours)s a day.")
            % {"age": ADULT_AGE, "hours": _hours(Decimal(policy.minor_max_hours_per_day))}
        )
    if policy.minors_need_guardian:
        rules.append(
            _("Under %(age)s: a parent's or guardian's contact is needed to claim.")
            % {"age": ADULT_AGE}
        )
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
