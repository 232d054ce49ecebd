"""Who could fill a shift that is short of people: the site's volunteers who are
free that weekday or like the role, can do it, and are not busy then.

A handful of queries whatever the size of the site: its members with their
profiles and preferred roles, who is already on the shift, who is on an
overlapping shift, and the qualifications the role needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Q
from django.utils.translation import gettext as _

from commonpot.models import Membership, User
from volunteers.models import (
    WEEKDAYS_PLURAL,
    Qualification,
    Shift,
    SignUp,
    VolunteerProfile,
)

SHOWN = 10


@dataclass
class Candidate:
    person: User
    reasons: list[str] = field(default_factory=list)

    @property
    def rank(self) -> tuple:
        return (-len(self.reasons), self.person.name.lower(), self.person.pk)


def who_could_fill(shift: Shift, shown: int = SHOWN) -> list[Candidate]:
    """The site's volunteers who said they are free on the shift's weekday or like its
    role, best first (both before one), leaving out those already on the shift, on
    another shift at that time, or without what the role needs."""
    weekday = shift.local_date.weekday()
    members = (
        User.objects.filter(
            memberships__site_id=shift.site_id,
            memberships__role=Membership.Role.VOLUNTEER,
            is_active=True,
        )
        .exclude(pk__in=SignUp.objects.standing().filter(shift=shift).values("volunteer"))
        .exclude(
            pk__in=SignUp.objects.confirmed()
            .filter(shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
            .values("volunteer")
        )
        .distinct()
    )
    # Only those who said that weekday or that role: the rows read follow them,
    # not the size of the site.
    profiles = {
        p.user_id: p
        for p in VolunteerProfile.objects.filter(user__in=members)
        .alias(that_day=F("available_days").bitand(1 << weekday))
        .filter(Q(that_day__gt=0) | Q(preferred_roles=shift.role_id))
        .distinct()
        .select_related("user")
        .prefetch_related("preferred_roles")
    }
    required = list(shift.role.required_qualifications.all())
    qualified: dict[int, set[int]] = {}
    if required:
        for q in Qualification.objects.filter(volunteer_id__in=list(profiles), kind__in=required):
            if q.state_on(shift.local_date) == Qualification.State.VALID:
                qualified.setdefault(q.volunteer_id, set()).add(q.kind_id)
    needed = {k.pk for k in required}
    found = []
    for user_id, profile in profiles.items():
        if needed - qualified.get(user_id, set()):
            continue
        age = profile.age_on(shift.local_date)
        if shift.role.minimum_age and (age is None or age < shift.role.minimum_age):
            continue
        reasons = []
        if profile.free_on(weekday):
            # Translators: why someone could fill a shift: "free on Tuesdays".
            reasons.append(_("free on %(days)s") % {"days": WEEKDAYS_PLURAL[weekday]})
        if any(role.pk == shift.role_id for role in profile.preferred_roles.all()):
            # Translators: why someone could fill a shift: "likes Cook" (a shift role).
            reasons.append(_("likes %(role)s") % {"role": shift.role.name})
        if reasons:
            found.append(Candidate(profile.user, reasons))
    return sorted(found, key=lambda c: c.rank)[:shown]
