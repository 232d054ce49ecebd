"""Chilled and frozen food on the road: a temperature at pickup and on arrival.

A transfer keeps cold when its cold chain says so, or its item is stored chilled
or frozen. Its food is read when it leaves and when it arrives, against the
limits allowed in transport:

- chilled: 5 °C (41 °F) or colder, as in any fridge;
- frozen: −15 °C (5 °F) or colder. Frozen food is kept at −18 °C, and the rules
  for quick-frozen food in transport (the EU's, after Directive 89/108/EEC; the
  UK's alike) allow brief rises to −15 °C on the way, so −15 °C is the line at
  which the food has warmed too far.

Food already too warm at pickup is not sent (dispatch is refused with the
reason). Food too warm on arrival is received and every lot it became is put on
hold at once, naming the arrival reading; the destination's leads are told once.

The readings are pantry Readings without a unit (Reading.equipment is empty):
the hold's rule that a temperature hold names its reading holds for them as for
a fridge's, the holds pages and emails show them, and no table of readings is
kept twice.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot import measures
from commonpot.dates import day, time_of_day
from commonpot.errors import DomainError
from commonpot.quickurls import quick_reverse
from pantry import temperatures
from pantry.models import READING_MAX_C, READING_MIN_C, Lot, LotHold, Reading, Storage
from pantry.network.models import ColdChain, Transfer
from pantry.services.equipment import BREACH_MESSAGE
from pantry.services.holds import start_holds, tell_leads

if TYPE_CHECKING:
    from commonpot.models import User

TRANSPORT_LIMITS_C = {Storage.CHILLED: Decimal("5.0"), Storage.FROZEN: Decimal("-15.0")}
PICKUP, ARRIVAL = "pickup", "arrival"


def cold_kind(transfer: Transfer) -> str | None:
    """ "chilled" or "frozen" when the transfer's food travels cold, else None."""
    if transfer.cold_chain in (ColdChain.CHILLED, ColdChain.FROZEN):
        return transfer.cold_chain
    if transfer.item.storage in TRANSPORT_LIMITS_C:
        return transfer.item.storage
    return None


def limit_c(transfer: Transfer) -> Decimal | None:
    kind = cold_kind(transfer)
    return TRANSPORT_LIMITS_C[kind] if kind else None


def limit_text(transfer: Transfer) -> str:
    """ "5.0 °C or colder" in the active scale ("" for food that is not kept cold)."""
    limit = limit_c(transfer)
    if limit is None:
        return ""
    return _("%(limit)s or colder") % {"limit": temperatures.show(limit)}


def read_food(
    transfer: Transfer, value_c: Decimal | None, *, when: str, by: User | None
) -> Reading | None:
    """The reading of a cold transfer's food at pickup or arrival, recorded (not
    judged: the caller decides what a failing one means). None for food not kept
    cold. Refuses a missing or impossible value on the form's `temperature` field."""
    limit = limit_c(transfer)
    if limit is None:
        if value_c is not None:
            raise DomainError(
                _("This transfer is not kept cold: no temperature is asked of it."),
                field="temperature",
            )
        return None
    if value_c is None:
        frozen = cold_kind(transfer) == Storage.FROZEN
        if when == PICKUP:
            text = (
                _("This is frozen food: take its temperature as it is picked up and enter it.")
                if frozen
                else _(
                    "This is chilled food: take its temperature as it is picked up and enter it."
                )
            )
        else:
            text = (
                _("This is frozen food: take its temperature as it arrives and enter it.")
                if frozen
                else _("This is chilled food: take its temperature as it arrives and enter it.")
            )
        raise DomainError(text, field="temperature")
    if (
        not isinstance(value_c, Decimal)
        or not value_c.is_finite()
        or not (READING_MIN_C <= value_c <= READING_MAX_C)
    ):
        raise DomainError(
            _("%(value)s is not a temperature.") % {"value": temperatures.show(value_c)},
            field="temperature",
        )
    return Reading.objects.create(
        equipment=None,
        value_c=value_c,
        limit_c=limit,
        passed=value_c <= limit,
        at=timezone.now(),
        by=by,
    )


def refuse_warm_pickup(transfer: Transfer, reading: Reading) -> None:
    """Food already too warm is not sent (the caller's transaction rolls back)."""
    if reading.passed:
        return
    words = {
        "reading": temperatures.show(reading.value_c),
        "limit": temperatures.show(reading.limit_c),
    }
    if cold_kind(transfer) == Storage.FROZEN:
        text = _(
            "The food reads %(reading)s: frozen food travels at %(limit)s or colder. Food that "
            "is already too warm is not sent: check it, keep it cold or discard it, and cancel "
            "the transfer if it cannot go."
        )
    else:
        text = _(
            "The food reads %(reading)s: chilled food travels at %(limit)s or colder. Food that "
            "is already too warm is not sent: check it, keep it cold or discard it, and cancel "
            "the transfer if it cannot go."
        )
    raise DomainError(text % words, field="temperature")


def hold_warm_arrival(transfer: Transfer, reading: Reading, lots: list[Lot], by) -> int:
    """The food arrived too warm: hold every lot it became, tell the destination's
    leads once (a key named for the reading). Returns how many were told."""
    if reading.passed:
        return 0
    source = transfer.source.name
    holds = start_holds(
        [lot.pk for lot in lots],
        cause=LotHold.Cause.TEMPERATURE,
        by=by,
        reading=reading,
        note=_("On arrival of transfer #%(number)s from %(site)s")
        % {"number": transfer.pk, "site": source},
        at=reading.at,
    )
    return _tell_leads(transfer, reading, holds)


def _tell_leads(transfer: Transfer, reading: Reading, holds: list[LotHold]) -> int:
    site = transfer.destination
    local = site.local(reading.at)

    def compose() -> tuple[str, str]:
        """Written in each reader's language (tell_leads), in the site's measures."""
        with measures.override(measures.site_measures(site)):
            return _breach_message(transfer, reading, holds, site, local)

    return tell_leads(
        site, key=f"breach:reading:{reading.pk}", kind=BREACH_MESSAGE, compose=compose
    )


def _breach_message(
    transfer: Transfer, reading: Reading, holds: list[LotHold], site, local
) -> tuple[str, str]:
    shown = temperatures.show(reading.value_c)
    context = {
        "transfer": transfer,
        "site": site,
        "reading": shown,
        "limit": temperatures.show(reading.limit_c),
        "at": _("%(day)s at %(time)s") % {"day": day(local), "time": time_of_day(local)},
        "lots": [h.lot for h in sorted(holds, key=lambda h: h.lot.pk)],
        "url": settings.SITE_URL + quick_reverse("pantry:holds", site.slug),
    }
    subject = ngettext(
        # Translators: a lot is a batch of one food with one best-before date.
        "Transfer #%(number)s from %(site)s arrived at %(reading)s: %(count)s lot on hold",
        "Transfer #%(number)s from %(site)s arrived at %(reading)s: %(count)s lots on hold",
        len(holds),
    ) % {
        "number": transfer.pk,
        "site": transfer.source.name,
        "reading": shown,
        "count": len(holds),
    }
    text = render_to_string("network/email/transfer_breach.txt", context)
    return subject, text
