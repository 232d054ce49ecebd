"""Walk-ins: people who came to help without an account, recorded by a lead by name,
and later invited to an account that keeps their hours.

A walk-in's places on shifts belong to an account of their own that cannot log
in (see `WalkIn`), so the capacity rule, rosters, hours and reports treat them
like anyone else. Accepting an invitation (commonpot.invitations) calls
`hand_over_hours` in the same transaction: their sign-ups move to the account
that accepted, and the stand-in account is closed.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.invitations import invite_to_site
from commonpot.models import Invitation, Membership, User
from commonpot.permissions import can_manage_site
from volunteers import services
from volunteers.models import SignUp, WalkIn


@transaction.atomic
def invite_walk_in(
    *, walk_in_id: int, by: User, email: str, agreed: bool
) -> tuple[WalkIn, Invitation]:
    """Email a walk-in an invitation to volunteer at the site with an account of
    their own; when they accept, the hours recorded for them become theirs."""
    walk_in = (
        WalkIn.objects.select_for_update(of=("self",))
        .select_related("site")
        .filter(pk=walk_in_id)
        .first()
    )
    if walk_in is None:
        raise DomainError(_("This walk-in no longer exists."))
    if not can_manage_site(by, walk_in.site):
        raise DomainError(_("Only this site's leads and coordinators can invite its walk-ins."))
    if walk_in.account_id is not None:
        raise DomainError(_("%(name)s already has an account.") % {"name": walk_in.name})
    if not agreed:
        raise DomainError(
            _("Ask %(name)s first: an invitation is only sent when they agree to it.")
            % {"name": walk_in.name},
            field="agreed",
        )
    invitation = invite_to_site(
        by=by,
        site=walk_in.site,
        email=email,
        role=Membership.Role.VOLUNTEER,
        name=walk_in.name,
        # They may already have an account here: accepting then moves the hours.
        even_if_member=True,
    )
    walk_in.email = invitation.email
    walk_in.may_contact = True
    walk_in.invitation = invitation
    walk_in.save(update_fields=["email", "may_contact", "invitation"])
    return walk_in, invitation


def _move_sign_up(sign_up_id: int, to: User) -> None:
    shift, sign_up = services.lock_sign_up(sign_up_id)
    if sign_up.status == SignUp.Status.CANCELLED:
        return
    own = SignUp.objects.select_for_update().active().filter(shift=shift, volunteer=to).first()
    if own is None:
        SignUp.objects.filter(pk=sign_up.pk).update(volunteer=to)
        return
    # Both on the same shift: one person, one place. Their own sign-up stays and
    # takes the walk-in's check-in when it has none of its own.
    if own.attendance != SignUp.Attendance.ATTENDED and sign_up.attendance:
        own.shift = shift
        services.set_attendance(
            own,
            by=sign_up.checked_in_by,
            attendance=sign_up.attendance,
            hours=sign_up.hours_credited,
        )
    services.cancel_locked_sign_up(
        sign_up,
        by=to,
        reason=_("The same person as %(name)s, who has an account") % {"name": to.name},
    )


def hand_over_hours(invitation: Invitation, user: User) -> None:
    """An invitation was accepted: the walk-ins it was sent to are now `user`.

    Called by commonpot.invitations.accept_invitation inside its transaction.
    """
    walk_ins = WalkIn.objects.select_for_update().filter(invitation=invitation, account=None)
    for walk_in in walk_ins:
        services.lock_person(user)
        for sign_up_id in SignUp.objects.filter(volunteer_id=walk_in.person_id).values_list(
            "pk", flat=True
        ):
            _move_sign_up(sign_up_id, user)
        User.objects.filter(pk=walk_in.person_id).update(is_active=False)
        walk_in.account = user
        walk_in.joined_at = timezone.now()
        walk_in.save(update_fields=["account", "joined_at"])
