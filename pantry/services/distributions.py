"""Distributions out: food given to households or a partner, one take per line,
first expiring first unless a person picked the lot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from pantry.models import (
    Distribution,
    DistributionLine,
    Item,
    Lot,
)
from pantry.services.ledger import Kind, LineErrors, take_stock
from pantry.units import to_base

if TYPE_CHECKING:
    from commonpot.models import User


@dataclass(frozen=True)
class OutLine:
    """One line given out, as typed; `lot` when the person picked one."""

    item: Item
    quantity: Decimal | str
    unit: str
    lot: Lot | None = None


@transaction.atomic
def distribute(
    *,
    site: Site,
    recipient: str,
    given_on: date,
    lines: list[OutLine],
    by: User | None,
    households: int | None = None,
    people: int | None = None,
    partner: str = "",
    note: str = "",
    token=None,
):
    """Give food out to households or a partner organisation, first expiring first.

    All lines or none. The same token records once.
    """
    content = {
        "recipient": recipient,
        "given_on": given_on,
        "lines": lines,
        "households": households,
        "people": people,
        "partner": partner,
        "note": note,
    }
    if (earlier := already_recorded(Distribution, token, site, content=content)) is not None:
        return earlier
    if recipient == Distribution.Recipient.HOUSEHOLDS:
        if not households or households < 1:
            raise DomainError(_("Say how many households received food."), field="households")
        if people is not None and people < households:
            raise DomainError(_("There are at least as many people as households."), field="people")
        partner = ""
    elif recipient == Distribution.Recipient.PARTNER:
        partner = " ".join(partner.split())
        if not partner:
            raise DomainError(_("Name the partner organisation."), field="partner")
        households = people = None
    else:
        raise DomainError(_("Say who received the food."), field="recipient")
    if given_on > site.today():
        raise DomainError(_("The date cannot be in the future."), field="given_on")
    if not lines:
        raise DomainError(_("Add at least one line: what was given, and how much."))

    errors: list[tuple[int, str | None, str]] = []
    wanted: list[Decimal] = []
    for i, line in enumerate(lines):
        try:
            wanted.append(to_base(line.quantity, line.unit, line.item))
        except DomainError as e:
            errors.append((i, e.field, e.message))
    if errors:
        raise LineErrors(errors)

    fields = tokened(token, content)
    try:
        # A savepoint: a lost race on the token leaves the outer transaction usable.
        with transaction.atomic():
            distribution = Distribution.objects.create(
                site=site,
                recipient=recipient,
                households=households,
                people=people,
                partner=partner[:120],
                given_on=given_on,
                by=by,
                note=note[:200],
                **fields,
            )
    except IntegrityError:
        if (earlier := already_recorded(Distribution, token, site, content=content)) is None:
            raise
        return earlier
    for i, (line, quantity) in enumerate(zip(lines, wanted, strict=True)):
        try:
            take_stock(
                site=site,
                item=line.item,
                quantity=quantity,
                kind=Kind.DISTRIBUTED,
                by=by,
                lot=line.lot,
                distribution=distribution,
                on=given_on,
            )
        except DomainError as e:
            # The transaction rolls back whatever the earlier lines took.
            raise LineErrors([(i, e.field, e.message)]) from None
        DistributionLine.objects.create(
            distribution=distribution,
            item=line.item,
            quantity_entered=Decimal(str(line.quantity).replace(",", "")),
            unit_entered=line.unit.strip()[:20],
            quantity=quantity,
        )
    return distribution
