"""May this person do this role on this shift? Qualifications, minimum age, and the
site's fair rules (volunteers.fair_rules: hours, rest, minors)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from commonpot.dates import long_day
from commonpot.errors import DomainError
from commonpot.models import User
from commonpot.quickurls import quick_reverse
from volunteers import fair_rules
from volunteers.models import Qualification, Shift, ShiftPolicy, VolunteerProfile


def problems(person: User, shift: Shift, *, you: bool = True) -> list[str]:
    """What stops `person` doing `shift`'s role, each with what to do about it."""
    role = shift.role
    day = shift.local_date
    found = []
    values = {"role": role.name, "person": person.name, "site": shift.site.name}
    required = list(role.required_qualifications.all())
    if required:
        held = {
            q.kind_id: q
            for q in Qualification.objects.filter(
                volunteer=person, kind__in=required
            ).select_related("kind")
        }
        for kind in required:
            q = held.get(kind.pk)
            about = {**values, "qualification": kind.name}
            if q is None:
                found.append(
                    _(
                        "%(role)s shifts need a %(qualification)s. "
                        "Add yours on the Qualifications page and a lead will verify it."
                    )
                    % about
                    if you
                    else _(
                        "%(role)s shifts need a %(qualification)s. %(person)s has not recorded one."
                    )
                    % about
                )
                continue
            state = q.state_on(day)
            if state == Qualification.State.EXPIRED:
                about["day"] = long_day(q.expires_on)
                found.append(
                    _(
                        "Your %(qualification)s expired on %(day)s, before this shift. "
                        "Record the renewed one and a lead will verify it."
                    )
                    % about
                    if you
                    else _("%(person)s’s %(qualification)s expired on %(day)s, before this shift.")
                    % about
                )
            elif state == Qualification.State.UNVERIFIED:
                found.append(
                    _(
                        "Your %(qualification)s has not been verified by a lead yet. "
                        "Show it to a lead at any site where you volunteer."
                    )
                    % about
                    if you
                    else _("%(person)s’s %(qualification)s has not been verified by a lead yet.")
                    % about
                )
    # Only a driver without a phone costs the look-up of the site's rule.
    if (
        shift.transfer_id
        and not person.phone
        and ShiftPolicy.for_site(shift.site).drivers_need_phone
    ):
        found.append(
            _("Drivers at %(site)s must give a phone number. Add yours on your profile.") % values
            if you
            else _("Drivers at %(site)s must give a phone number. %(person)s has not given one.")
            % values
        )
    if role.minimum_age:
        profile = VolunteerProfile.objects.filter(user=person).first()
        age = profile.age_on(day) if profile else None
        aged = {**values, "age": role.minimum_age}
        if age is None:
            found.append(
                _(
                    "%(role)s shifts are for people aged %(age)s or over. "
                    "Add your date of birth on the Qualifications page."
                )
                % aged
                if you
                else _(
                    "%(role)s shifts are for people aged %(age)s or over. "
                    "%(person)s has not given a date of birth."
                )
                % aged
            )
        elif age < role.minimum_age:
            found.append(_("%(role)s shifts are for people aged %(age)s or over.") % aged)
    return [p.strip() for p in found]


def all_problems(person: User, shift: Shift, *, you: bool = True) -> list[str]:
    """The role's needs and the site's fair rules, everything that stops a place."""
    return problems(person, shift, you=you) + fair_rules.problems(person, shift, you=you)


def check_eligible(person: User, shift: Shift, *, you: bool = True) -> None:
    """Refuse with every reason at once; each door onto a shift asks this."""
    found = all_problems(person, shift, you=you)
    if found:
        raise DomainError(" ".join(found))


@dataclass(frozen=True)
class Requirement:
    """One thing a shift's role asks for, as its card says it: `ok` is None when
    nobody is logged in (the card only says what is needed)."""

    text: str
    ok: bool | None
    fix: str = ""  # what to do, with the link below
    link: str = ""


def with_requirements(shifts: list[Shift], person: User) -> list[Shift]:
    """Set `shift.requirements` on each shift: what its role asks for and whether
    `person` meets it on the shift's day, so the card says it before Claim.

    At most two queries whatever the number of shifts (the person's qualifications
    and their profile, each only when a role asks for one); the roles' required
    qualifications come prefetched by ShiftQuerySet.for_cards.
    """
    kinds = {k.pk for s in shifts for k in s.role.required_qualifications.all()}
    ages = any(s.role.minimum_age or s.role.adults_only for s in shifts)
    signed_in = person.is_authenticated
    held: dict[int, Qualification] = {}
    born = None
    if signed_in and kinds:
        held = {
            q.kind_id: q for q in Qualification.objects.filter(volunteer=person, kind_id__in=kinds)
        }
    if signed_in and ages:
        profile = VolunteerProfile.objects.filter(user=person).first()
        born = profile if profile and profile.date_of_birth else None
    where = quick_reverse("volunteers:qualifications")
    for shift in shifts:
        needs = []
        day = shift.local_date
        for kind in shift.role.required_qualifications.all():
            kind_name = {"qualification": kind.name}
            if not signed_in:
                needs.append(Requirement(_("Needs a %(qualification)s.") % kind_name, None))
                continue
            q = held.get(kind.pk)
            state = q.state_on(day) if q else None
            if state == Qualification.State.VALID:
                needs.append(
                    Requirement(_("Needs a %(qualification)s: you have one.") % kind_name, True)
                )
            elif state == Qualification.State.UNVERIFIED:
                needs.append(
                    Requirement(
                        _("Needs a %(qualification)s: yours is not verified by a lead yet.")
                        % kind_name,
                        False,
                        _("Show it to a lead."),
                    )
                )
            elif state == Qualification.State.EXPIRED:
                needs.append(
                    Requirement(
                        _("Needs a %(qualification)s: yours expires before this shift.")
                        % kind_name,
                        False,
                        _("Record the renewed one"),
                        where,
                    )
                )
            else:
                needs.append(
                    Requirement(
                        _("Needs a %(qualification)s.") % kind_name, False, _("Add yours"), where
                    )
                )
        least_age = max(
            shift.role.minimum_age or 0, fair_rules.ADULT_AGE if shift.role.adults_only else 0
        )
        if least_age:
            text = _("For people aged %(age)s or over.") % {"age": least_age}
            if not signed_in:
                needs.append(Requirement(text, None))
            elif born is None:
                needs.append(Requirement(text, False, _("Add your date of birth"), where))
            else:
                old_enough = born.age_on(day) >= least_age
                needs.append(Requirement(text, old_enough))
        shift.requirements = needs
    return shifts
