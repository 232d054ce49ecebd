"""Invitations by email: a lead asks someone to volunteer at their site, a
coordinator may also ask someone to lead one.

The link in the email holds a secret token. Only its digest is stored
(`Invitation.token_digest`), so a look-up is one indexed query and the table
alone holds no working link. A link works once (the invitation row is locked
while it is accepted), for `INVITATION_LIFETIME`, and only while its sender may
still invite to the site: a lead who has since stepped down, or a lead role
offered by someone who is no longer a coordinator, no longer stands.

Apps that tie something to an invitation (the volunteers' walk-ins) hear of an
accepted one through `registry.invitation_listeners`, inside the same
transaction, so the person's account, membership and whatever the app moves
are written together or not at all.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonpot.dates import long_day
from commonpot.errors import DomainError
from commonpot.mail import queue_email
from commonpot.models import (
    INVITATION_LIFETIME,
    Invitation,
    Membership,
    Site,
    User,
    invitation_digest,
    new_invitation_token,
)
from commonpot.permissions import can_manage_site, is_coordinator
from commonpot.registry import registry

MESSAGE_KIND = "commonpot.invitation"
EMAIL_EXAMPLE = gettext_lazy("Enter an email address, such as sam@example.org.")


class InvitationRefused(DomainError):
    """An invitation link that cannot be used, with the status its page answers."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitation", args=[token])


def _check_sender(by: User | None, site: Site, role: str) -> None:
    """May `by` invite to `site` as `role`? The same rule when sending and accepting."""
    if by is None or not can_manage_site(by, site):
        raise DomainError(
            _("Only leads of %(site)s and coordinators can invite people to it.")
            % {"site": site.name}
        )
    if role == Membership.Role.LEAD and not is_coordinator(by):
        raise DomainError(
            _("Only network coordinators can invite someone as a lead."), field="role"
        )


@transaction.atomic
def invite_to_site(
    *,
    by: User,
    site: Site,
    email: str,
    role: str,
    name: str = "",
    even_if_member: bool = False,
) -> Invitation:
    """Email someone a link to join `site` as `role`.

    Someone who already belongs to the site in that role (or leads it) is not
    invited again, unless `even_if_member` (an app's invitation that does more
    than add them, such as a walk-in's hours going to their account). An
    earlier invitation still waiting for the same address at the same site is
    replaced: only the newest link works. Returns the invitation with its token
    on `.token` (the one moment it is known; it is not stored).
    """
    if role not in Membership.Role.values:
        raise DomainError(_("Choose volunteer or lead."), field="role")
    _check_sender(by, site, role)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(EMAIL_EXAMPLE, field="email") from None
    member = (
        Membership.objects.filter(site=site, user__email__iexact=email, user__is_active=True)
        .select_related("user")
        .first()
    )
    already = member is not None and role in (member.role, Membership.Role.VOLUNTEER)
    if already and not even_if_member:
        if member.role == Membership.Role.LEAD:
            already_as = _("%(person)s already belongs to %(site)s as a lead.")
        else:
            already_as = _("%(person)s already belongs to %(site)s as a volunteer.")
        raise DomainError(
            already_as % {"person": member.user.name, "site": site.name}, field="email"
        )
    now = timezone.now()
    Invitation.objects.filter(site=site, email__iexact=email).pending(now).update(withdrawn_at=now)
    token = new_invitation_token()
    invitation = Invitation.objects.create(
        site=site,
        email=email,
        name=name.strip()[:150],
        role=role,
        token_digest=invitation_digest(token),
        invited_by=by,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    text = render_to_string(
        "commonpot/email/invitation.txt",
        {
            "invitation": invitation,
            "url": invitation_url(token),
            "expires": long_day(invitation.site.local(invitation.expires_at)),
        },
    )
    subject, _newline, body = text.partition("\n")
    queue_email(
        key=f"invitation:{invitation.pk}",
        kind=MESSAGE_KIND,
        to=email,
        subject=subject.strip(),
        text=body.lstrip("\n"),
        site=site,
    )
    invitation.token = token
    return invitation


def _usable(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise InvitationRefused(
            _(
                "This invitation link is not valid. Check that the whole link was copied, or "
                "ask the site to invite you again."
            ),
            status=404,
        )
    if invitation.accepted_at is not None:
        raise InvitationRefused(
            _("This invitation has already been used. Log in to reach your shifts."), status=410
        )
    if invitation.withdrawn_at is not None:
        raise InvitationRefused(
            _(
                "This invitation was withdrawn or replaced by a newer one. Use the link in the "
                "latest email, or ask the site to invite you again."
            ),
            status=410,
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationRefused(
            _("This invitation expired on %(day)s. Ask %(site)s to invite you again.")
            % {
                "day": long_day(invitation.site.local(invitation.expires_at)),
                "site": invitation.site.name,
            },
            status=410,
        )
    try:
        _check_sender(invitation.invited_by, invitation.site, invitation.role)
    except DomainError:
        raise InvitationRefused(
            _(
                "The person who sent this invitation can no longer invite people to "
                "%(site)s, so it no longer stands. Ask the site to invite you again."
            )
            % {"site": invitation.site.name},
            status=403,
        ) from None
    return invitation


def find_invitation(token: str) -> Invitation:
    """The invitation a link names, if it can still be accepted; else InvitationRefused."""
    return _usable(
        Invitation.objects.select_related("site", "invited_by")
        .filter(token_digest=invitation_digest(token))
        .first()
    )


def account_for(invitation: Invitation) -> User | None:
    """The active account that already uses the invited address, if any."""
    return User.objects.filter(email__iexact=invitation.email, is_active=True).first()


@transaction.atomic
def accept_invitation(
    *, token: str, user: User | None = None, name: str = "", password: str = ""
) -> tuple[Invitation, User]:
    """Take up an invitation: as the logged-in `user` whose address it was sent to,
    or, with no account yet, as a new account (name and password; the email is the
    invited one). The person then belongs to the site in the invited role.
    """
    from commonpot.services import sign_up_volunteer

    invitation = _usable(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("site", "invited_by")
        .filter(token_digest=invitation_digest(token))
        .first()
    )
    if user is None:
        if account_for(invitation) is not None:
            raise InvitationRefused(
                _("An account already uses this email address: log in to accept."), status=409
            )
        if not name.strip():
            raise DomainError(_("Tell us your name."), field="name")
        user = sign_up_volunteer(name=name, email=invitation.email, password=password)
    elif (user.email or "").lower() != invitation.email.lower():
        raise InvitationRefused(
            _(
                "This invitation was sent to another email address than %(person)s's. "
                "Log out, then open the link again."
            )
            % {"person": user.name},
            status=403,
        )
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, site=invitation.site, defaults={"role": invitation.role}
    )
    promoted = invitation.role == Membership.Role.LEAD and membership.role != invitation.role
    if not created and promoted:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    for listener in registry.invitation_listeners:
        listener(invitation, user)
    return invitation, user


@transaction.atomic
def withdraw_invitation(*, invitation_id: int, by: User, site: Site) -> Invitation:
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id, site=site).first()
    if invitation is None:
        raise DomainError(_("This invitation no longer exists."))
    if not can_manage_site(by, site):
        raise DomainError(
            _("Only leads of %(site)s and coordinators can do this.") % {"site": site.name}
        )
    if invitation.role == Membership.Role.LEAD and not is_coordinator(by):
        raise DomainError(_("Only network coordinators can withdraw an invitation to lead."))
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been accepted."))
    if invitation.withdrawn_at is None:
        invitation.withdrawn_at = timezone.now()
        invitation.save(update_fields=["withdrawn_at"])
    return invitation
