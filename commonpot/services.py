"""Operations that change the network core: one function per thing a person does."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot import i18n
from commonpot.errors import DomainError
from commonpot.models import (
    Membership,
    PushSubscription,
    Site,
    SmsPolicy,
    User,
    WorkerHeartbeat,
)
from commonpot.registry import registry

if TYPE_CHECKING:
    from django.db import models

    from commonpot.registry import SettingsSection

# Each registered settings section with the values its form cleaned.
SectionValues = Sequence[tuple["SettingsSection", dict[str, Any]]]
Row = TypeVar("Row", bound="models.Model")


@transaction.atomic
def sign_up_volunteer(
    *,
    name: str,
    email: str,
    password: str,
    phone: str = "",
    site: Site | None = None,
    language: str = "",
) -> User:
    """Create a volunteer account; optionally join a site as a volunteer. `language`:
    the one the sign-up page was shown in, so that their emails and texts are too."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(_("An account with this email address already exists."), field="email")
    user = User(
        username=email,
        email=email,
        display_name=name.strip(),
        phone=phone,
        language=language if language in i18n.CODES else "",
    )
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise DomainError(" ".join(e.messages), field="password1") from None
    user.set_password(password)
    try:
        # A savepoint, so that a lost race on the unique email leaves the
        # outer transaction usable.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise DomainError(
            _("An account with this email address already exists."), field="email"
        ) from None
    if site is not None:
        join_site(user, site)
    return user


@transaction.atomic
def join_site(user: User, site: Site) -> Membership:
    """A person says they volunteer at a site (no-op if they already belong)."""
    membership, _created = Membership.objects.get_or_create(
        user=user, site=site, defaults={"role": Membership.Role.VOLUNTEER}
    )
    return membership


@transaction.atomic
def leave_site(user: User, site: Site) -> None:
    """A person stops volunteering (or leading) at a site. Refused while anything
    still holds them there (registry.leave_checks: shifts they are down for), and
    for a site's only lead, so that no site is left without one."""
    membership = Membership.objects.select_for_update().filter(user=user, site=site).first()
    if membership is None:
        raise DomainError(_("You are not a member of %(site)s.") % {"site": site.name})
    if membership.role == Membership.Role.LEAD:
        leads = Membership.objects.select_for_update().filter(site=site, role=Membership.Role.LEAD)
        if leads.count() == 1:
            raise DomainError(
                _(
                    "You are the only lead of %(site)s: ask a coordinator to make someone "
                    "else a lead first."
                )
                % {"site": site.name}
            )
    reasons = [reason for check in registry.leave_checks if (reason := check(user, site))]
    if reasons:
        raise DomainError(" ".join(reasons))
    membership.delete()


@transaction.atomic
def update_profile(user: User, **fields: Any) -> User:
    allowed = {
        "display_name",
        "email",
        "phone",
        "remind_by_email",
        "remind_by_sms",
        "remind_by_push",
        "reminder_times",
        "weekly_digest",
        "language",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(
            _("These details cannot be changed here: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
        if User.objects.filter(email__iexact=fields["email"]).exclude(pk=user.pk).exists():
            raise DomainError(_("Another account uses this email address."), field="email")
    for name, value in fields.items():
        setattr(user, name, value)
    if user.remind_by_sms and not user.phone:
        raise DomainError(_("Give a mobile number to get text messages."), field="phone")
    user.save(update_fields=list(fields))
    return user


@transaction.atomic
def choose_language(*, user: User, language: str) -> User:
    """The footer's switcher, for a person logged in: their pages, emails, texts
    and calendar from now on in `language` (one of settings.LANGUAGES)."""
    if language not in i18n.CODES:
        raise DomainError(f"Commonpot does not speak {language!r}.", field="language")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


@transaction.atomic
def erase_account(user: User) -> None:
    """Delete an account's personal data, keeping anonymous counts and history.

    Memberships go (the person no longer belongs anywhere); sign-ups, hours and
    stock moves keep pointing at the erased row, which now holds no name,
    email or phone.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.erased_at:
        raise DomainError(_("This account has already been deleted."))
    Membership.objects.filter(user=user).delete()
    user.erase()


@transaction.atomic
def create_site(*, by: User, sections: SectionValues = (), **fields: Any) -> Site:
    """Add a site with its details and each app's settings section, all or nothing."""
    if not by.is_coordinator:
        raise DomainError(_("Only network coordinators can add sites."))
    site = Site(**fields)
    try:
        site.full_clean()
    except ValidationError as e:
        raise DomainError(" ".join(e.messages)) from None
    site.save()
    _save_sections(site, sections)
    return site


@transaction.atomic
def update_site(site: Site, *, sections: SectionValues = (), **fields: Any) -> Site:
    """Save a site's details and each app's settings section, all or nothing: a
    section that refuses its values rolls back the site's details too."""
    for name, value in fields.items():
        setattr(site, name, value)
    try:
        site.full_clean()
    except ValidationError as e:
        raise DomainError(" ".join(e.messages)) from None
    site.save()
    _save_sections(site, sections)
    return site


def _save_sections(site: Site, sections: SectionValues) -> None:
    for section, values in sections:
        section.save(site, **values)


def save_settings_row(
    model: type[Row], site: Site, *, allowed: Collection[str], **fields: Any
) -> Row:
    """Write an app's one-to-one settings row for a site, made on its first save.

    The apps' settings sections save through this, so each checks its fields the
    same way: only the named ones, validated by the model, under a row lock.
    """
    unknown = set(fields) - set(allowed)
    if unknown:
        raise DomainError(
            _("Unknown settings: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        row, _created = model.objects.select_for_update().get_or_create(site=site)
        for name, value in fields.items():
            setattr(row, name, value)
        try:
            row.full_clean(exclude=["site"])
        except ValidationError as e:
            raise DomainError(" ".join(e.messages)) from None
        row.save()
    return row


@transaction.atomic
def set_role(*, by: User, site: Site, user: User, role: str) -> Membership:
    """Make someone a lead (coordinators only) or a volunteer at a site."""
    if role not in Membership.Role.values:
        raise DomainError(_("%(role)s is not a role at a site.") % {"role": repr(role)})
    if role == Membership.Role.LEAD and not by.is_coordinator:
        raise DomainError(_("Only network coordinators can make someone a lead."))
    if not user.is_active:
        raise DomainError(_("This account is not active."))
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, site=site, defaults={"role": role}
    )
    if not created and membership.role != role:
        if membership.role == Membership.Role.LEAD and not by.is_coordinator:
            raise DomainError(_("Only network coordinators can change a lead's role."))
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(*, by: User, site: Site, user: User) -> None:
    membership = Membership.objects.filter(site=site, user=user).first()
    if membership is None:
        raise DomainError(
            _("%(person)s is not a member of %(site)s.") % {"person": user.name, "site": site.name}
        )
    if membership.role == Membership.Role.LEAD and not by.is_coordinator:
        raise DomainError(_("Only network coordinators can remove a lead."))
    membership.delete()


def record_heartbeat(name: str = "worker") -> WorkerHeartbeat:
    beat, _created = WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"last_seen": timezone.now()}
    )
    return beat


def save_sms_policy(site: Site, **fields: Any):
    """The site's monthly limit on text messages (commonpot.mail holds back the rest)."""
    return save_settings_row(SmsPolicy, site, allowed=["monthly_cap"], **fields)


def _valid_push_key(value: str, size: int) -> bool:
    import base64
    import binascii

    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return False
    return len(raw) == size


@transaction.atomic
def save_push_subscription(
    user: User, *, endpoint: str, p256dh: str, auth: str, label: str = ""
) -> PushSubscription:
    """Keep a browser's Web Push subscription for the person (the same browser
    subscribing again, or after someone else used it, is updated, not doubled)."""
    from urllib.parse import urlsplit

    endpoint = (endpoint or "").strip()
    url = urlsplit(endpoint)
    # Push services are reached over HTTPS; plain HTTP only to this machine (tests).
    local = url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost")
    if len(endpoint) > 1000 or not url.hostname or not (url.scheme == "https" or local):
        raise DomainError(_("This browser gave an address for notifications we cannot use."))
    # A P-256 public key (65 bytes, uncompressed) and a 16-byte secret (RFC 8291).
    if not _valid_push_key(p256dh or "", 65) or not _valid_push_key(auth or "", 16):
        raise DomainError(_("This browser gave keys for notifications we cannot use."))
    sub, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "label": label[:120]},
    )
    if not user.remind_by_push:
        user.remind_by_push = True
        user.save(update_fields=["remind_by_push"])
    return sub


@transaction.atomic
def remove_push_subscription(user: User, subscription_id: int) -> None:
    deleted, _by_model = PushSubscription.objects.filter(user=user, pk=subscription_id).delete()
    if not deleted:
        raise DomainError(_("This is not one of your phones."))
