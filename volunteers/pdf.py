"""Printed papers for shifts (WeasyPrint): the shift sheet, the day sheet, and a
volunteer's own schedule.

A kitchen starts on paper: the lead prints the day's sheet, people sign in and
out on it, walk-ins write themselves on the blank rows. So the sheet is black
on white, one shift keeps to one page where it can (a 20-person shift always
does), and a long day is numbered "Page N of M".

Phone numbers appear only on the leads' copy (`phones=True`); the views decide
who may have it. A volunteer's own schedule holds nobody else's details.

A shift linked to a kitchen meal prints the meal's name and its allergens in
bold; a driver shift linked to a transfer prints what is driven from where to
where, with the pickup and drop-off addresses. Both are looked up here (two
queries for the meals' dishes, one for the transfers), or a caller passes
`meals` ({shift id: anything with `name` and `allergens`, a list of words}).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from commonpot import pdf
from commonpot.models import Site, User
from pantry.models import PantrySettings
from pantry.network.models import Transfer
from volunteers.links import sheet_meals
from volunteers.models import HoursCertificate, Qualification, Shift, ShiftPolicy, SignUp

if TYPE_CHECKING:
    from weasyprint import Document

# WeasyPrint reports every step of every document at INFO; the worker log is not the place.

# Blank rows under the names for people who turn up without signing up.
WALK_IN_ROWS = 2


@dataclass
class SheetRow:
    name: str
    phone: str
    qualifications: list[str]
    first_shift: bool
    guests: int


@dataclass
class SheetShift:
    shift: Shift
    rows: list[SheetRow] = field(default_factory=list)
    blank_rows: int = WALK_IN_ROWS
    meal: Any = None
    transfer: Transfer | None = None

    @property
    def blanks(self) -> range:
        return range(self.blank_rows)


def render_document(template: str, context: dict) -> Document:
    """Laid-out pages (`.pages`), ready for `.write_pdf()`."""
    return pdf.render_document(template, context)


def _qualification_labels(held: Iterable[Qualification], day: date) -> list[str]:
    labels = []
    for q in held:
        state = q.state_on(day)
        if state == Qualification.State.VALID:
            labels.append(q.kind.name)
        elif state == Qualification.State.UNVERIFIED:
            labels.append(_("%(qualification)s (not verified)") % {"qualification": q.kind.name})
    return labels


def sheet_shifts(
    shifts: list[Shift], *, phones: bool, meals: Mapping[int, Any] | None = None
) -> list[SheetShift]:
    """Each shift with its confirmed people, its meal and its transfer, in a fixed
    number of queries whatever the size (six at most)."""
    sign_ups = (
        SignUp.objects.confirmed()
        .filter(shift__in=[s.pk for s in shifts])
        .with_first_shift_flag()
        .select_related("volunteer")
        .order_by("created_at", "id")
    )
    by_shift: dict[int, list[SignUp]] = defaultdict(list)
    for sign_up in sign_ups:
        by_shift[sign_up.shift_id].append(sign_up)
    people = {s.volunteer_id for rows in by_shift.values() for s in rows}
    held: dict[int, list[Qualification]] = defaultdict(list)
    for q in Qualification.objects.filter(volunteer__in=people).select_related("kind"):
        held[q.volunteer_id].append(q)
    meals = sheet_meals(shifts) if meals is None else meals
    transfer_ids = {s.transfer_id for s in shifts if s.transfer_id}
    transfers = (
        Transfer.objects.filter(pk__in=transfer_ids)
        .select_related("source", "destination", "item")
        .in_bulk()
        if transfer_ids
        else {}
    )
    sheets = []
    for shift in shifts:
        day = shift.local_date
        rows = [
            SheetRow(
                name=s.volunteer.name,
                phone=s.volunteer.phone if phones else "",
                qualifications=_qualification_labels(held[s.volunteer_id], day),
                first_shift=not s.has_served_before,
                guests=s.guests,
            )
            for s in by_shift[shift.pk]
        ]
        sheets.append(
            SheetShift(
                shift=shift,
                rows=rows,
                blank_rows=shift.places_left + WALK_IN_ROWS,
                meal=meals.get(shift.pk),
                transfer=transfers.get(shift.transfer_id),
            )
        )
    return sheets


def _sheet_context(site: Site, day: date, shifts: list[Shift], *, phones: bool, meals) -> dict:
    return {
        "site": site,
        "policy": ShiftPolicy.for_site(site),
        "day": day,
        "entries": sheet_shifts(shifts, phones=phones, meals=meals),
        "phones": phones,
        "page_size": "letter" if PantrySettings.for_site(site).letter else "A4",
        "printed_at": site.local(timezone.now()),
    }


def shift_sheet(shift: Shift, *, phones: bool, meals: Mapping[int, Any] | None = None) -> Document:
    context = _sheet_context(shift.site, shift.local_date, [shift], phones=phones, meals=meals)
    # Translators: the title of a printed shift sheet: "Cook — shift sheet".
    context["title"] = _("%(role)s — shift sheet") % {"role": shift.role.name}
    return render_document("volunteers/sheets/sheet.pdf.html", context)


def day_shifts(site: Site, day: date) -> list[Shift]:
    return list(
        Shift.objects.on_local_day(site, day).select_related("site", "role").order_by("starts_at")
    )


def day_sheet(
    site: Site, day: date, *, phones: bool, meals: Mapping[int, Any] | None = None
) -> Document:
    context = _sheet_context(site, day, day_shifts(site, day), phones=phones, meals=meals)
    context["title"] = _("Day sheet")
    return render_document("volunteers/sheets/sheet.pdf.html", context)


def schedule_sign_ups(user: User):
    """The person's own coming shifts: confirmed places and waitlist spots."""
    return (
        SignUp.objects.of(user)
        .active()
        .upcoming()
        .with_waitlist_position()
        .select_related("shift__site", "shift__role")
        .order_by("shift__starts_at", "id")
    )


def schedule(user: User) -> Document:
    """A volunteer's own coming shifts, with no one else's contact details."""
    sign_ups = list(schedule_sign_ups(user))
    # Paper as the person's first site prints it: US Letter in the US, A4 elsewhere.
    letter = bool(sign_ups) and PantrySettings.for_site(sign_ups[0].shift.site).letter
    return render_document(
        "volunteers/sheets/schedule.pdf.html",
        {
            "person": user,
            "sign_ups": sign_ups,
            "printed_at": timezone.now(),
            "page_size": "letter" if letter else "A4",
        },
    )


def hours_certificate(certificate: HoursCertificate, check_url: str) -> Document:
    """A certificate as it was issued (everything it says is kept on the row), on
    the paper its site prints on (A4 when the site is gone)."""
    site = certificate.site
    letter = site is not None and PantrySettings.for_site(site).letter
    return render_document(
        "volunteers/sheets/certificate.pdf.html",
        {
            "certificate": certificate,
            "check_url": check_url,
            "page_size": "letter" if letter else "A4",
        },
    )
