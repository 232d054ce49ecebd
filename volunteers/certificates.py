"""Hours certificates: a volunteer's hours served at one site over a period, on
paper, with a code anyone can check.

Hours served are the hours credited on shifts the volunteer attended (what the
lead recorded at check-in or later), counted by the day each shift started on
the site's own calendar. The site signs off: the name of one of its leads (the
longest-standing), or the site's own name when it has none.

`issue_hours_certificate` copies everything the certificate states into an
`HoursCertificate` row, so the paper and the public check
(`volunteers:certificate_check`) keep stating what was true when it was
issued, whatever is corrected later. The check shows exactly what the paper
shows and nothing more: no shifts, no roles, no contact details, no account.
Its code is 16 random characters (80 bits): with no way to guess one, the
public page needs no login and no rate limit, and an unknown code is a 404.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.models import Membership, Site, User
from volunteers.models import (
    CERTIFICATE_ALPHABET,
    CERTIFICATE_CODE_LENGTH,
    HoursCertificate,
    SignUp,
)

# A period longer than this is a slip of the year, not a certificate anyone asks for.
MAX_PERIOD_DAYS = 366 * 10
DEFAULT_PERIOD_DAYS = 365


def full_date(day: date) -> str:
    """ "1 December 2025": a certificate always gives the year (the month in the
    language of the page)."""
    return date_format(day, "j F Y")


def served(volunteer: User) -> QuerySet:
    """The person's attended places with hours credited."""
    return SignUp.objects.confirmed().filter(
        volunteer=volunteer,
        attendance=SignUp.Attendance.ATTENDED,
        hours_credited__gt=0,
    )


def certificate_sites(volunteer: User) -> QuerySet:
    """Sites where the person has hours to certify (whether or not they still belong)."""
    return Site.objects.filter(pk__in=served(volunteer).values("shift__site")).order_by(
        "name", "pk"
    )


def default_period(site: Site | None = None) -> tuple[date, date]:
    """The last twelve months up to today (the site's today, when known)."""
    today = site.today() if site is not None else timezone.localdate()
    return today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


def _bounds(site: Site, starts_on: date, ends_on: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(starts_on, time.min, tzinfo=site.tz),
        datetime.combine(ends_on + timedelta(days=1), time.min, tzinfo=site.tz),
    )


def hours_served(volunteer: User, site: Site, starts_on: date, ends_on: date) -> Decimal:
    """Hours credited at `site` on shifts that started in the period (both days included)."""
    start, end = _bounds(site, starts_on, ends_on)
    return (
        served(volunteer)
        .filter(shift__site=site, shift__starts_at__gte=start, shift__starts_at__lt=end)
        .aggregate(
            hours=Coalesce(
                Sum("hours_credited"),
                Decimal("0"),
                output_field=DecimalField(max_digits=8, decimal_places=2),
            )
        )["hours"]
    )


def sign_off_for(site: Site) -> str:
    """Who signs for the site: its longest-standing lead who can still log in, else its name."""
    lead = (
        Membership.objects.filter(site=site, role=Membership.Role.LEAD, user__is_active=True)
        .select_related("user")
        .order_by("created_at", "pk")
        .first()
    )
    if lead is None:
        return site.name
    # Translators: who signs an hours certificate: "Ada Lovelace, lead at Riverside Kitchen".
    return _("%(person)s, lead at %(site)s") % {"person": lead.user.name, "site": site.name}


def check_period(site: Site, starts_on: date, ends_on: date) -> None:
    """A period a certificate can cover, or a DomainError on the field at fault."""
    if ends_on < starts_on:
        raise DomainError(_("The period ends before it starts."), field="ends_on")
    if ends_on > site.today():
        raise DomainError(
            _("A certificate covers days that have passed: end it on %(day)s or earlier.")
            % {"day": full_date(site.today())},
            field="ends_on",
        )
    if (ends_on - starts_on).days + 1 > MAX_PERIOD_DAYS:
        raise DomainError(_("A certificate covers ten years at most."), field="starts_on")


@transaction.atomic
def issue_hours_certificate(
    *, volunteer: User, site: Site, starts_on: date, ends_on: date
) -> tuple[HoursCertificate, bool]:
    """Issue (or find again) the person's certificate for `site` over the period.

    Returns (certificate, issued now). Asking again for the same site and
    period while nothing it states has changed gives the same certificate and
    code, so a double tap or a second download issues nothing new; once hours,
    names or the lead change, a new one is issued and the old one still states
    what was true on its day.
    """
    check_period(site, starts_on, ends_on)
    # One person's certificates are issued one at a time: two taps at once
    # find each other's certificate instead of issuing two.
    User.objects.select_for_update().filter(pk=volunteer.pk).first()
    hours = hours_served(volunteer, site, starts_on, ends_on)
    if hours <= 0:
        raise DomainError(
            _(
                "You have no hours credited at %(site)s between %(first)s and %(last)s. "
                "Hours count once a lead records that you came."
            )
            % {"site": site.name, "first": full_date(starts_on), "last": full_date(ends_on)}
        )
    stated = {
        "volunteer": volunteer,
        "site": site,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "hours": hours,
        "volunteer_name": volunteer.name[:150],
        "site_name": site.name[:200],
        "signed_off_by": sign_off_for(site)[:200],
    }
    existing = HoursCertificate.objects.filter(**stated).order_by("issued_at", "pk").first()
    if existing is not None:
        return existing, False
    return HoursCertificate.objects.create(**stated, issued_on=site.today()), True


def normalise_code(typed: str) -> str | None:
    """A code as stored, from how a person typed it (any case, with or without the
    dashes and spaces), or None when it cannot be one."""
    code = "".join(c for c in (typed or "").upper() if c not in "- \t")
    if len(code) != CERTIFICATE_CODE_LENGTH or any(c not in CERTIFICATE_ALPHABET for c in code):
        return None
    return code


def find_certificate(typed: str) -> HoursCertificate | None:
    code = normalise_code(typed)
    if code is None:
        return None
    return HoursCertificate.objects.filter(code=code).first()


def own_certificate(volunteer: User, code: str) -> HoursCertificate | None:
    """One of the person's own certificates; anyone else's is None."""
    normalised = normalise_code(code)
    if normalised is None:
        return None
    return (
        HoursCertificate.objects.select_related("site")
        .filter(code=normalised, volunteer=volunteer)
        .first()
    )
