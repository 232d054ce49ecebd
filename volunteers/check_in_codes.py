"""Check-in codes: the QR code on a lead's roster (one shift) or on the kiosk at
the door (a site's shifts of the day), which a volunteer scans to check in.

A code names what it is for and the minute it was made, and carries an HMAC of
both made with the SECRET_KEY (`salted_hmac`), so nobody can make one or move
one to another shift or site without it showing. The screen shows a new code
every minute; a code is taken for two minutes from the start of its minute, so
a code photographed and sent to a friend at home stops working almost at once.

    s52.29412345.9f0c…   shift 52, made in minute 29412345 (since 1970)
    k3.29412345.41ab…    the kiosk of site 3

Reading a code writes nothing; `volunteers.services.check_in_by_code` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from commonpot.dates import clock_span, long_day
from commonpot.errors import DomainError
from commonpot.models import Site, User
from volunteers.models import Shift, SignUp

SALT = "volunteers.check-in-code"
# A code is refused once its minute is this many minutes past.
TAKEN_FOR_MINUTES = 2
SHIFT, KIOSK = "s", "k"
CODE = re.compile(r"([sk])(\d{1,12})\.(\d{1,12})\.([0-9a-f]{20})")


@dataclass(frozen=True)
class Code:
    kind: str  # SHIFT or KIOSK
    target_id: int  # the shift's or the site's id
    minute: int


def minute_of(moment: datetime | None = None) -> int:
    return int((moment or timezone.now()).timestamp() // 60)


def _mac(kind: str, target_id: int, minute: int) -> str:
    return salted_hmac(SALT, f"{kind}:{target_id}:{minute}").hexdigest()[:20]


def make(kind: str, target_id: int, now: datetime | None = None) -> str:
    minute = minute_of(now)
    return f"{kind}{target_id}.{minute}.{_mac(kind, target_id, minute)}"


def for_shift(shift: Shift, now: datetime | None = None) -> str:
    return make(SHIFT, shift.pk, now)


def for_kiosk(site: Site, now: datetime | None = None) -> str:
    return make(KIOSK, site.pk, now)


def read(text: str, now: datetime | None = None) -> Code:
    """The code in `text` (the code, or the address the QR code holds), checked."""
    text = text.strip()
    if "code=" in text:
        text = (parse_qs(urlsplit(text).query).get("code") or [""])[0].strip()
    match = CODE.fullmatch(text)
    if match is None:
        raise DomainError(
            _(
                "This is not a check-in code: scan the code on the lead's screen or the "
                "kiosk at the door."
            )
        )
    kind, target_id, minute, mac = match[1], int(match[2]), int(match[3]), match[4]
    if not constant_time_compare(mac, _mac(kind, target_id, minute)):
        raise DomainError(
            _(
                "This check-in code was changed or is not one Commonpot made: scan the code "
                "on the screen again."
            )
        )
    age = minute_of(now) - minute
    if age >= TAKEN_FOR_MINUTES or age < -1:
        raise DomainError(
            _(
                "This check-in code is more than two minutes old: the screen shows a new one "
                "every minute, scan that one."
            )
        )
    return Code(kind, target_id, minute)


def _what(shift: Shift) -> str:
    hours = clock_span(shift.local_start, shift.local_end)
    return f"{shift.role.name}, {long_day(shift.local_date)} {hours}"


def sign_up_for(volunteer: User, code: Code) -> SignUp:
    """The volunteer's place that `code` checks in: on the code's shift, or (a kiosk)
    their shift at the site today that is on now or comes next, else the last one."""
    confirmed = (
        SignUp.objects.confirmed().of(volunteer).select_related("shift__site", "shift__role")
    )
    if code.kind == SHIFT:
        shift = Shift.objects.select_related("site", "role").filter(pk=code.target_id).first()
        if shift is None:
            raise DomainError(_("The shift of this code was deleted."))
        sign_up = confirmed.filter(shift=shift).first()
        if sign_up is None:
            raise DomainError(
                _(
                    "This code is for another shift (%(shift)s): you are not on it. "
                    "Ask the lead to check you in."
                )
                % {"shift": describe_shift(shift)}
            )
        if shift.local_date != shift.site.today():
            raise DomainError(
                _("This code is for a shift on another day (%(shift)s).") % {"shift": _what(shift)}
            )
        return sign_up
    site = Site.objects.filter(pk=code.target_id).first()
    if site is None:
        raise DomainError(_("The site of this code was deleted."))
    today = list(
        confirmed.filter(shift__in=Shift.objects.on_local_day(site, site.today())).order_by(
            "shift__starts_at", "pk"
        )
    )
    if not today:
        raise DomainError(
            _("You are not on a shift at %(site)s today: ask the lead to check you in.")
            % {"site": site.name}
        )
    now = timezone.now()
    return next((s for s in today if s.shift.ends_at > now), today[-1])


def describe_shift(shift: Shift) -> str:
    # Translators: a shift being checked in: "Cook, Tuesday 14 May 09:00–12:00 at Riverside".
    return _("%(shift)s at %(site)s") % {"shift": _what(shift), "site": shift.site.name}


def describe(sign_up: SignUp) -> str:
    return describe_shift(sign_up.shift)
