"""Holds: lots taken out of use until a lead releases them or discards them.

A hold is started by a failing temperature reading (pantry.services.equipment),
and later by a recall or a failed cooling record, always through `start_holds`.
While a lot has an open hold its `on_hold` flag is set, in the same transaction
and under the same row lock the ledger takes, and DateRules.may_use/usable_q
refuse it: nothing gives it out, cooks it, reserves it, offers it or moves it.
Waste may still take from it, which is how `discard_held` ends a hold.

Reservations already made on a lot when it is held (a planned meal, an accepted
transfer) stay in place but cannot be taken: cooking takes from other lots and
lets them go, dispatching a transfer is refused until the hold is released.
Discarding a held lot releases them first, since the food they promised is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commonpot.errors import DomainError
from commonpot.i18n import recipient_language
from commonpot.mail import queue_email
from commonpot.models import Membership, Site
from pantry import stockfigures
from pantry.models import Lot, LotHold, Reading, Recall, Reservation, StockMove
from pantry.services.ledger import _lock, _lock_one, discard, release_reservation

if TYPE_CHECKING:
    from commonpot.models import User

# What a discarded held lot is wasted as, by what held it.
WASTE_REASON = {
    LotHold.Cause.TEMPERATURE: StockMove.WasteReason.TEMPERATURE,
    LotHold.Cause.COOLING: StockMove.WasteReason.TEMPERATURE,
    LotHold.Cause.RECALL: StockMove.WasteReason.RECALLED,
    LotHold.Cause.MANUAL: StockMove.WasteReason.SPOILED,
}


@transaction.atomic
def start_holds(
    lots: Iterable[Lot | int],
    *,
    cause: str,
    by: User | None,
    reading: Reading | None = None,
    recall: Recall | None = None,
    note: str = "",
    at: datetime | None = None,
) -> list[LotHold]:
    """Put each of these lots on hold at once; return the holds started.

    A lot already held for the same reading is not held twice. Empty lots are
    left alone: there is nothing on them to keep from use.
    """
    if cause not in LotHold.Cause.values:
        raise DomainError(_("%(cause)r is not a reason to hold food.") % {"cause": cause})
    if cause == LotHold.Cause.TEMPERATURE and reading is None:
        raise DomainError(_("A temperature hold names the reading that started it."))
    if cause == LotHold.Cause.RECALL and recall is None:
        raise DomainError(_("A recall's hold names its recall."))
    at = at or timezone.now()
    ids = [lot if isinstance(lot, int) else lot.pk for lot in lots]
    locked = _lock(ids)
    already = set()
    if reading is not None or recall is not None:
        same = {"reading": reading} if reading is not None else {"recall": recall}
        already = set(
            LotHold.objects.filter(**same, lot_id__in=list(locked)).values_list("lot_id", flat=True)
        )
    started = []
    for lot in locked.values():
        if lot.on_hand <= 0 or lot.pk in already:
            continue
        started.append(
            LotHold.objects.create(
                lot=lot,
                cause=cause,
                reading=reading,
                recall=recall,
                note=note.strip()[:200],
                started_at=at,
                started_by=by,
            )
        )
        if not lot.on_hold:
            lot.on_hold = True
            lot.save(update_fields=["on_hold"])
            stockfigures.note_hold(lot, True)
    return started


def _lock_open_hold(hold: LotHold | int) -> tuple[LotHold, Lot]:
    hold_id = hold if isinstance(hold, int) else hold.pk
    lot_id = LotHold.objects.filter(pk=hold_id).values_list("lot_id", flat=True).first()
    if lot_id is None:
        raise DomainError(_("This hold no longer exists."))
    # The lot first, as every ledger operation locks it: no waiting in a circle.
    lot = _lock_one(lot_id)
    fresh = LotHold.objects.select_for_update(of=("self",)).get(pk=hold_id)
    if not fresh.is_open:
        if fresh.outcome == LotHold.Outcome.DISCARDED:
            message = _("This hold on %(item)s was already discarded.")
        else:
            message = _("This hold on %(item)s was already released.")
        raise DomainError(message % {"item": lot.item.name})
    return fresh, lot


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("Say why, for the record an inspector reads."), field="reason")
    return reason[:200]


def _close(hold: LotHold, *, outcome: str, by: User | None, reason: str) -> None:
    hold.released_at = timezone.now()
    hold.released_by = by
    hold.outcome = outcome
    hold.outcome_reason = reason
    hold.save(update_fields=["released_at", "released_by", "outcome", "outcome_reason"])


@transaction.atomic
def release_hold(hold: LotHold | int, *, by: User | None, reason: str) -> LotHold:
    """The food is fine after all (the probe was wrong, the fridge door was open a
    minute): the lot may be used again, unless another hold still keeps it."""
    reason = _reason(reason)
    fresh, lot = _lock_open_hold(hold)
    _close(fresh, outcome=LotHold.Outcome.RELEASED, by=by, reason=reason)
    still = lot.holds.open().exists()
    if lot.on_hold != still:
        lot.on_hold = still
        lot.save(update_fields=["on_hold"])
        stockfigures.note_hold(lot, still)
    return fresh


@transaction.atomic
def discard_held(
    hold: LotHold | int, *, by: User | None, reason: str, destination: str
) -> StockMove | None:
    """Throw away what is left of a held lot, as waste for the hold's cause (the
    ledger's own discard), and close every open hold on it. What was reserved of
    it for meals or transfers is let go first. Returns the waste move (None when
    the lot was already empty)."""
    reason = _reason(reason)
    if destination not in StockMove.Destination.values:
        raise DomainError(_("Say where the discarded food goes."), field="destination")
    fresh, lot = _lock_open_hold(hold)
    for reservation in lot.reservations.filter(status=Reservation.Status.HELD).order_by("pk"):
        release_reservation(reservation)
    move = None
    if lot.on_hand > 0:
        move = discard(
            lot,
            reason=WASTE_REASON[fresh.cause],
            destination=destination,
            by=by,
            note=reason,
        )
    for other in lot.holds.open().select_for_update(of=("self",)).order_by("pk"):
        _close(other, outcome=LotHold.Outcome.DISCARDED, by=by, reason=reason)
    # What is left of it (nothing, once discarded) is free again.
    lot = Lot.objects.select_related("item").get(pk=lot.pk)
    if lot.on_hold:
        Lot.objects.filter(pk=lot.pk).update(on_hold=False)
        stockfigures.note_hold(lot, False)
    return move


def leads_to_tell(site: Site) -> list:
    """Who hears that food at a site is held: its active leads, or the site's contact
    address when it has none."""
    leads = [
        m.user
        for m in Membership.objects.filter(
            site=site, role=Membership.Role.LEAD, user__is_active=True
        )
        .select_related("user")
        .order_by("created_at", "pk")
    ]
    if leads:
        return leads
    return [site.contact_email] if site.contact_email else []


def tell_leads(
    site: Site,
    *,
    key: str,
    kind: str,
    subject: str = "",
    text: str = "",
    compose: Callable[[], tuple[str, str]] | None = None,
) -> int:
    """One message to each of `leads_to_tell(site)`, each decided under `key` and who
    it is for: however often the caller runs, each is told once. Returns how many
    this call decided.

    With `compose` (no arguments, returns the subject and the text), each message is
    written in its reader's language: a lead's own, the site's for its contact
    address; written once per language. Without it, `subject` and `text` go as given.
    """
    told = 0
    written: dict[str, tuple[str, str]] = {}
    for to in leads_to_tell(site):
        who = f"user:{to.pk}" if not isinstance(to, str) else "site"
        if compose is not None:
            language = recipient_language(to, site)
            if language not in written:
                with translation.override(language):
                    written[language] = compose()
            subject, text = written[language]
        _email, created = queue_email(
            key=f"{key}:{who}", kind=kind, to=to, subject=subject[:255], text=text, site=site
        )
        told += created
    return told
