"""May this person do this role on this shift? Qualifications and minimum age."""

from __future__ import annotations

from commonpot.dates import long_day
from commonpot.errors import DomainError
from commonpot.models import User
from volunteers.models import Qualification, Shift, VolunteerProfile


def problems(person: User, shift: Shift, *, you: bool = True) -> list[str]:
    """What stops `person` doing `shift`'s role, each with what to do about it."""
    role = shift.role
    day = shift.local_date
    found = []
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
            if q is None:
                found.append(
                    f"{role.name} shifts need a {kind.name}. "
                    + (
                        "Add yours on the Qualifications page and a lead will verify it."
                        if you
                        else f"{person.name} has not recorded one."
                    )
                )
                continue
            state = q.state_on(day)
            if state == Qualification.State.EXPIRED:
                found.append(
                    f"{'Your' if you else person.name + '’s'} {kind.name} expired on "
                    f"{long_day(q.expires_on)}, before this shift. "
                    + ("Record the renewed one and a lead will verify it." if you else "")
                )
            elif state == Qualification.State.UNVERIFIED:
                found.append(
                    f"{'Your' if you else person.name + '’s'} {kind.name} has not been verified "
                    "by a lead yet. "
                    + ("Show it to a lead at any site where you volunteer." if you else "")
                )
    if role.minimum_age:
        profile = VolunteerProfile.objects.filter(user=person).first()
        age = profile.age_on(day) if profile else None
        if age is None:
            found.append(
                f"{role.name} shifts are for people aged {role.minimum_age} or over. "
                + (
                    "Add your date of birth on the Qualifications page."
                    if you
                    else f"{person.name} has not given a date of birth."
                )
            )
        elif age < role.minimum_age:
            found.append(f"{role.name} shifts are for people aged {role.minimum_age} or over.")
    return [p.strip() for p in found]


def check_eligible(person: User, shift: Shift, *, you: bool = True) -> None:
    found = problems(person, shift, you=you)
    if found:
        raise DomainError(" ".join(found))
