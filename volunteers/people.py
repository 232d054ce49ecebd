"""What volunteers record about themselves, and what leads verify:
qualifications, date of birth, and the secret calendar link."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.models import Membership, Site, User
from commonpot.permissions import can_manage_site
from volunteers.models import (
    HoursCertificate,
    LeadNote,
    Qualification,
    QualificationKind,
    ShiftRole,
    ShiftWatch,
    SignUp,
    VolunteerProfile,
    new_calendar_token,
)


@transaction.atomic
def volunteer_profile(user: User) -> VolunteerProfile:
    """The person's profile, made on first use."""
    try:
        with transaction.atomic():
            profile, _created = VolunteerProfile.objects.get_or_create(user=user)
    except IntegrityError:  # made by a concurrent request a moment ago
        profile = VolunteerProfile.objects.get(user=user)
    return profile


@transaction.atomic
def set_date_of_birth(
    *,
    user: User,
    date_of_birth: date | None,
    guardian_name: str | None = None,
    guardian_phone: str | None = None,
    emergency_name: str | None = None,
    emergency_phone: str | None = None,
) -> VolunteerProfile:
    """Date of birth (for roles' ages and the minors' rules), for a minor a parent's
    or guardian's contact, and whom to call in an emergency; None leaves a contact
    as it was."""
    today = timezone.localdate()
    if date_of_birth is not None:
        if date_of_birth > today:
            raise DomainError(
                _("Your date of birth cannot be in the future."), field="date_of_birth"
            )
        if date_of_birth.year < today.year - 120:
            raise DomainError(_("Check the year of your date of birth."), field="date_of_birth")
    profile = volunteer_profile(user)
    profile.date_of_birth = date_of_birth
    fields = ["date_of_birth"]
    fields += _set_contact(
        profile,
        "guardian",
        guardian_name,
        guardian_phone,
        both=_("Give both the parent's or guardian's name and their phone, or neither."),
    )
    fields += _set_contact(
        profile,
        "emergency",
        emergency_name,
        emergency_phone,
        both=_("Give both the emergency contact's name and their phone, or neither."),
    )
    profile.save(update_fields=fields)
    return profile


def _set_contact(
    profile: VolunteerProfile, kind: str, name: str | None, phone: str | None, *, both: str
) -> list[str]:
    """Set `<kind>_name` and `<kind>_phone` (None leaves one as it was); both or
    neither must be given (`both` says so). Returns the fields changed."""
    changed = []
    if name is not None:
        name = " ".join(name.split())
        if len(name) > 150:
            raise DomainError(_("Keep the name under 150 characters."), field=f"{kind}_name")
        setattr(profile, f"{kind}_name", name)
        changed.append(f"{kind}_name")
    if phone is not None:
        setattr(profile, f"{kind}_phone", phone.strip()[:32])
        changed.append(f"{kind}_phone")
    has_name, has_phone = (
        bool(getattr(profile, f"{kind}_name")),
        bool(getattr(profile, f"{kind}_phone")),
    )
    if has_name != has_phone:
        raise DomainError(both, field=f"{kind}_phone" if has_name else f"{kind}_name")
    return changed


@transaction.atomic
def save_lead_note(*, site: Site, volunteer: User, text: str, by: User) -> LeadNote:
    """The site's leads' note on a volunteer (empty text removes what it said)."""
    text = text.strip()
    if len(text) > 2000:
        raise DomainError(_("Keep the note under 2,000 characters."), field="text")
    note, _created = LeadNote.objects.select_for_update().get_or_create(
        site=site, volunteer=volunteer
    )
    note.text = text
    note.updated_by = by
    note.save()
    return note


@transaction.atomic
def reset_calendar_link(user: User) -> VolunteerProfile:
    """A new secret calendar address; the old one stops working at once."""
    profile = volunteer_profile(user)
    profile.calendar_token = new_calendar_token()
    profile.save(update_fields=["calendar_token"])
    return profile


@transaction.atomic
def record_qualification(
    *, volunteer: User, kind: QualificationKind, expires_on: date | None, reference: str = ""
) -> Qualification:
    """A volunteer records a qualification they hold (or its renewal).

    A changed record needs a lead to verify it again.
    """
    if expires_on is not None and expires_on < timezone.localdate():
        raise DomainError(
            _("This date has passed: record the renewed certificate's expiry date."),
            field="expires_on",
        )
    qualification = (
        Qualification.objects.select_for_update().filter(volunteer=volunteer, kind=kind).first()
    )
    if qualification is None:
        qualification = Qualification(volunteer=volunteer, kind=kind)
    qualification.expires_on = expires_on
    qualification.reference = reference.strip()[:100]
    qualification.recorded_at = timezone.now()
    qualification.verified_at = None
    qualification.verified_by = None
    qualification.save()
    return qualification


@transaction.atomic
def remove_qualification(*, qualification_id: int, by: User) -> None:
    deleted, _by_model = Qualification.objects.filter(pk=qualification_id, volunteer=by).delete()
    if not deleted:
        raise DomainError(_("This qualification is not one of yours."))


def belongs_to_site(person: User, site: Site) -> bool:
    """A member of the site, or someone who has ever signed up for one of its shifts."""
    return (
        Membership.objects.filter(user=person, site=site).exists()
        or SignUp.objects.filter(volunteer=person, shift__site=site).exists()
    )


@transaction.atomic
def verify_qualification(*, qualification_id: int, by: User, site: Site) -> Qualification:
    """A lead has seen the certificate: mark it verified."""
    qualification = (
        Qualification.objects.select_for_update()
        .select_related("volunteer", "kind")
        .filter(pk=qualification_id)
        .first()
    )
    if qualification is None:
        raise DomainError(_("This qualification no longer exists."))
    if not can_manage_site(by, site) or not belongs_to_site(qualification.volunteer, site):
        raise DomainError(_("Only leads of a site where this person volunteers can verify it."))
    if qualification.state == Qualification.State.EXPIRED:
        raise DomainError(_("This qualification has expired; ask them to record the renewal."))
    qualification.verified_at = timezone.now()
    qualification.verified_by = by
    qualification.save(update_fields=["verified_at", "verified_by"])
    return qualification


@transaction.atomic
def forget_person(user: User) -> int:
    """When an account is erased: drop their date of birth and contacts, the leads'
    notes on them, their qualifications, hours certificates and watches, and give up
    their coming places so the waitlist moves up. Past sign-ups stay (hours and
    counts keep adding up), pointing at the erased account."""
    from volunteers import services

    VolunteerProfile.objects.filter(user=user).update(
        date_of_birth=None,
        guardian_name="",
        guardian_phone="",
        emergency_name="",
        emergency_phone="",
    )
    LeadNote.objects.filter(volunteer=user).delete()
    Qualification.objects.filter(volunteer=user).delete()
    # A certificate's public check names the person: it stops answering.
    HoursCertificate.objects.filter(volunteer=user).delete()
    ShiftWatch.objects.filter(volunteer=user).delete()
    released = 0
    for sign_up_id in SignUp.objects.active().of(user).upcoming().values_list("pk", flat=True):
        shift, sign_up = services.lock_sign_up(sign_up_id)
        if sign_up.status != SignUp.Status.CANCELLED and not shift.has_started:
            services.cancel_locked_sign_up(sign_up, by=user, reason=_("Account deleted"))
            released += 1
    return released


@transaction.atomic
def set_availability(
    *, user: User, weekdays: list[int], roles: list[ShiftRole]
) -> VolunteerProfile:
    """The weekdays a person can usually help (0 = Monday) and the roles they like,
    among the sites they belong to."""
    if any(day not in range(7) for day in weekdays):
        raise DomainError(_("Choose days of the week."), field="weekdays")
    mine = set(Membership.objects.filter(user=user).values_list("site_id", flat=True))
    if any(role.site_id not in mine for role in roles):
        raise DomainError(_("Choose roles at sites where you volunteer."), field="roles")
    profile = volunteer_profile(user)
    profile.available_days = sum(1 << day for day in set(weekdays))
    profile.save(update_fields=["available_days"])
    profile.preferred_roles.set(roles)
    return profile
