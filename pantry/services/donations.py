"""Food coming in: donors, donations logged at the door, and donations from a spreadsheet."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot.dates import day, day_time
from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from pantry.models import (
    Donation,
    DonationImport,
    DonationLine,
    Donor,
    Equipment,
    Item,
    Lot,
    PantrySettings,
    Storage,
)
from pantry.services import LineErrors, equipment, ledger
from pantry.units import to_base

if TYPE_CHECKING:
    from commonpot.models import User


@dataclass(frozen=True)
class LineInput:
    """One line as typed: the quantity in any unit that fits the item."""

    item: Item
    quantity: Decimal | str
    unit: str
    best_before: date | None = None
    date_kind: str = ""  # "": the kind the item's label usually carries
    storage: str = ""
    # The fridge or freezer it goes in (None: the site's only one of its kind, if any).
    stored_in: Equipment | None = None
    code: str = ""  # the maker's lot code on the pack

    @property
    def kind_of_date(self) -> str:
        return self.date_kind or self.item.date_kind


# --- Donors ---------------------------------------------------------------------

DONOR_FIELDS = ("name", "kind", "from_site", "email", "phone", "address")


def _clean_donor(donor: Donor) -> None:
    donor.name = " ".join(donor.name.split())
    if not donor.name:
        raise DomainError(_("Give the donor a name."), field="name")
    if donor.kind == Donor.Kind.SITE and donor.from_site_id == donor.site_id:
        raise DomainError(_("A site cannot donate to itself."), field="from_site")
    try:
        donor.full_clean(exclude=["site"], validate_unique=False)
    except ValidationError as e:
        raise DomainError(" ".join(e.messages)) from None
    clash = Donor.objects.filter(site=donor.site, name__iexact=donor.name).exclude(pk=donor.pk)
    if clash.exists():
        raise DomainError(_donor_taken(donor.site, donor.name), field="name")


def _donor_taken(site: Site, name: str) -> str:
    return _("%(site)s already has a donor called %(donor)s.") % {"site": site.name, "donor": name}


@transaction.atomic
def add_donor(*, site: Site, **fields) -> Donor:
    donor = Donor(site=site, **{k: v for k, v in fields.items() if k in DONOR_FIELDS})
    _clean_donor(donor)
    try:
        with transaction.atomic():
            donor.save()
    except IntegrityError:
        raise DomainError(_donor_taken(site, donor.name), field="name") from None
    return donor


@transaction.atomic
def update_donor(donor: Donor, **fields) -> Donor:
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    for name, value in fields.items():
        if name in DONOR_FIELDS:
            setattr(donor, name, value)
    _clean_donor(donor)
    donor.save()
    return donor


# --- Donations ------------------------------------------------------------------


def _convert_lines(
    site: Site, lines: Sequence[LineInput], received_on: Sequence[date]
) -> list[Decimal]:
    """Every line's quantity in its item's base unit, or LineErrors naming each bad line
    (`received_on`: the day each line came in).

    Food already past its use-by date on the day it came in is refused. Food whose
    use-by date passed since (a paper log typed up late) is recorded, and its lot
    is then only fit for waste, as any lot past use-by is.
    """
    areas = PantrySettings.for_site(site).storage_areas
    errors: list[tuple[int, str | None, str]] = []
    quantities: list[Decimal] = []
    for i, line in enumerate(lines):
        try:
            quantities.append(to_base(line.quantity, line.unit, line.item))
        except DomainError as e:
            errors.append((i, e.field, e.message))
            continue
        storage = line.storage or line.item.storage
        if storage not in areas:
            errors.append((i, "storage", ledger.no_storage(site, storage)))
        unit = line.stored_in
        if unit is not None and (
            unit.site_id != site.pk
            or unit.retired_at is not None
            or not equipment.fits(unit, storage, line.item.category)
        ):
            shown = Storage(storage).label.lower() if storage in Storage.values else storage
            errors.append(
                (
                    i,
                    "stored_in",
                    # Translators: "Milk kept chilled does not go in Freezer 1."
                    _("%(item)s kept %(storage)s does not go in %(unit)s.")
                    % {"item": line.item.name, "storage": shown, "unit": unit.name},
                )
            )
        if line.kind_of_date not in Lot.DateKind.values:
            errors.append(
                (i, "date_kind", _("%(kind)r is not a kind of date.") % {"kind": line.date_kind})
            )
        elif (
            line.kind_of_date == Lot.DateKind.USE_BY
            and line.best_before is not None
            and line.best_before < received_on[i]
        ):
            errors.append(
                (
                    i,
                    "best_before",
                    _(
                        "Its use-by date (%(day)s) had passed when it was "
                        "received: it cannot be accepted."
                    )
                    % {"day": day(line.best_before)},
                )
            )
    if errors:
        raise LineErrors(errors)
    return quantities


@transaction.atomic
def receive_donation(
    *,
    site: Site,
    donor: Donor | None,
    received_on: date,
    lines: Sequence[LineInput],
    by: User | None,
    token: uuid.UUID | None = None,
    note: str = "",
    imported_from: DonationImport | None = None,
) -> Donation:
    """Log a donation: one lot per distinct (item, date, storage), one move per line.

    The same token records once: a second submission of the same form returns
    the donation the first one made.
    """
    content = {"donor": donor, "received_on": received_on, "lines": lines, "note": note}
    if (earlier := already_recorded(Donation, token, site, content=content)) is not None:
        return earlier
    if donor is not None and donor.site_id != site.pk:
        raise DomainError(_("This donor is another site's record."), field="donor")
    if received_on > site.today():
        raise DomainError(_("The date received cannot be in the future."), field="received_on")
    if not lines:
        raise DomainError(_("Add at least one line: what was given, and how much."))
    quantities = _convert_lines(site, lines, [received_on] * len(lines))

    fields = {
        "site": site,
        "donor": donor,
        "received_on": received_on,
        "received_by": by,
        "imported_from": imported_from,
    }
    try:
        # A savepoint: a lost race on the token leaves the outer transaction usable.
        with transaction.atomic():
            donation = Donation.objects.create(note=note[:200], **fields, **tokened(token, content))
    except IntegrityError:
        if (earlier := already_recorded(Donation, token, site, content=content)) is None:
            raise
        return earlier

    source = _("Donation %(number)s from %(donor)s") % {
        "number": donation.pk,
        "donor": donation.donor_name,
    }
    lots: dict[tuple, Lot] = {}
    units = equipment.default_units(site)
    for line, quantity in zip(lines, quantities, strict=True):
        storage = line.storage or line.item.storage
        unit = line.stored_in or units.get(storage)
        code = " ".join(line.code.split())[:60]
        key = (line.item.pk, line.best_before, line.kind_of_date, storage, unit, code.lower())
        move = ledger.receive(
            site=site,
            item=line.item,
            quantity=quantity,
            by=by,
            source=source,
            best_before=line.best_before,
            date_kind=line.kind_of_date,
            storage=storage,
            received_on=received_on,
            donor=donor,
            donation=donation,
            into=lots.get(key),
            stored_in=unit,
            code=code,
        )
        lots[key] = move.lot
        DonationLine.objects.create(
            donation=donation,
            item=line.item,
            lot=move.lot,
            quantity_entered=Decimal(str(line.quantity).replace(",", "")),
            unit_entered=line.unit.strip()[:20],
            quantity=quantity,
            weight_g=move.weight_g,
        )
    return donation


# --- Donations from a spreadsheet --------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    received_on: date
    donor_name: str
    donor_kind: str
    line: LineInput


def check_import(site: Site, rows: Sequence[ImportRow]) -> list[tuple[int, str | None, str]]:
    """Everything wrong with these rows, as (row index from 0, field, message); writes nothing."""
    errors: list[tuple[int, str | None, str]] = []
    known = {donor.name.lower() for donor in Donor.objects.filter(site=site)}
    for i, row in enumerate(rows):
        name = row.donor_name.strip().lower()
        if name and name not in known and not row.donor_kind:
            errors.append(
                (
                    i,
                    "donor",
                    _(
                        "No donor called %(donor)r: add them first, or give their kind "
                        "in the donor_kind column."
                    )
                    % {"donor": row.donor_name},
                )
            )
        if row.received_on > site.today():
            errors.append((i, "received_on", _("The date received cannot be in the future.")))
    try:
        _convert_lines(site, [row.line for row in rows], [row.received_on for row in rows])
    except LineErrors as e:
        errors += e.errors
    return sorted(errors, key=lambda e: e[0])


class AlreadyImported(DomainError):
    """This site imported a file with the same content before: nothing was written.

    `first` is that first import, for a link to what it recorded. The lead may
    import the file again knowingly (`again=True`).
    """

    def __init__(self, first: DonationImport):
        self.first = first
        when = first.site.local(first.created_at)
        made = first.donations.count()
        values = {
            "site": first.site.name,
            "when": day_time(when),
            "rows": ngettext("%(count)s row", "%(count)s rows", first.rows) % {"count": first.rows},
            "donations": ngettext("%(count)s donation", "%(count)s donations", made)
            % {"count": made},
        }
        if first.by:
            message = _(
                # Translators: %(rows)s is "3 rows", %(donations)s "2 donations".
                "This file was imported at %(site)s on %(when)s by %(person)s "
                "(%(rows)s as %(donations)s). Nothing was imported this time."
            ) % {**values, "person": first.by.name}
        else:
            message = (
                _(
                    # Translators: %(rows)s is "3 rows", %(donations)s "2 donations".
                    "This file was imported at %(site)s on %(when)s "
                    "(%(rows)s as %(donations)s). Nothing was imported this time."
                )
                % values
            )
        super().__init__(message, field="file")


def earlier_import(
    site: Site, content_sha256: str, token: uuid.UUID | None = None
) -> DonationImport | None:
    """The site's first import of this content, unless it was made by this very form
    (`token`): a form sent twice is a replay, answered by `import_donations` with
    what it recorded the first time."""
    first = (
        DonationImport.objects.filter(
            site=site, content_sha256=content_sha256, repeat_of__isnull=True
        )
        .select_related("site", "by")
        .first()
    )
    if first is None or (token is not None and first.token == token):
        return None
    return first


@transaction.atomic
def import_donations(
    *,
    site: Site,
    rows: Sequence[ImportRow],
    by: User | None,
    token: uuid.UUID,
    content_sha256: str,
    file_name: str = "",
    again: bool = False,
) -> list[Donation]:
    """Record spreadsheet rows: one donation per (date, donor), all rows or none.

    Donors named in the sheet are found by name, or added when the row says
    what kind of donor they are. Each donation's token is derived from the
    upload's, so submitting the same upload form twice records once.

    A file whose content (`content_sha256`) this site imported before is refused
    with AlreadyImported, unless `again` says the lead means to import it twice.
    """
    content = {"content_sha256": content_sha256}
    if (replay := already_recorded(DonationImport, token, site, content=content)) is not None:
        return list(replay.donations.all())
    first = earlier_import(site, content_sha256)
    if first is not None and not again:
        raise AlreadyImported(first)
    if not rows:
        raise DomainError(_("The file has no rows to import."))
    errors = check_import(site, rows)
    if errors:
        raise LineErrors(errors, noun=_("Row"))
    record = DonationImport(
        site=site,
        content_sha256=content_sha256,
        file_name=file_name[:200],
        rows=len(rows),
        by=by,
        repeat_of=first,
        **tokened(token, content),
    )
    try:
        # Written before the donations: a second upload of the same file at the same
        # moment waits here on the unique index until this transaction ends, then fails.
        with transaction.atomic():
            record.save()
    except IntegrityError:
        if (replay := already_recorded(DonationImport, token, site, content=content)) is not None:
            return list(replay.donations.all())
        first = earlier_import(site, content_sha256)
        if first is None:
            raise
        if not again:
            raise AlreadyImported(first) from None
        record.pk, record.repeat_of = None, first
        record.save()
    known = {donor.name.lower(): donor for donor in Donor.objects.filter(site=site)}
    groups: dict[tuple[date, str], list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault((row.received_on, row.donor_name.strip().lower()), []).append(i)

    donations = []
    for n, ((received_on, name), indexes) in enumerate(groups.items()):
        donor = known.get(name)
        if name and donor is None:
            first_row = rows[indexes[0]]
            try:
                donor = add_donor(site=site, name=first_row.donor_name, kind=first_row.donor_kind)
            except DomainError as e:
                raise LineErrors([(indexes[0], "donor", e.message)], noun=_("Row")) from None
            known[name] = donor
        try:
            donations.append(
                receive_donation(
                    site=site,
                    donor=donor,
                    received_on=received_on,
                    lines=[rows[i].line for i in indexes],
                    by=by,
                    token=uuid.uuid5(token, str(n)),
                    imported_from=record,
                )
            )
        except LineErrors as e:
            raise LineErrors([(indexes[j], f, m) for j, f, m in e.errors], noun=_("Row")) from None
        except DomainError as e:
            raise LineErrors([(indexes[0], e.field, e.message)], noun=_("Row")) from None
    return donations
