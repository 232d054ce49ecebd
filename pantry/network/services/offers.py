"""Offers of surplus: posting, withdrawing, closing when they lapse, and claims
(a claim makes a transfer, held from the offer's food)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot import jobs
from commonpot.dates import day_time
from commonpot.errors import DomainError
from commonpot.idempotency import already_recorded, tokened
from commonpot.models import Site
from pantry import services as pantry
from pantry.freshness import DateRules
from pantry.models import Item, Lot, Storage
from pantry.network.models import ColdChain, Need, Offer, ShipmentItem, Transfer, end_of_day
from pantry.network.services.common import (
    agreeing,
    check_can_store,
    fefo,
    holds_for,
    lock_offer,
    move_holds,
    on_commit,
    positive,
    require_manager,
)
from pantry.services import NotEnoughStock
from pantry.units import display

if TYPE_CHECKING:
    from commonpot.models import User


@transaction.atomic
def post_offer(
    *,
    site: Site,
    by: User | None,
    quantity: Decimal,
    pickup_until: datetime,
    lot: Lot | None = None,
    item: Item | None = None,
    pickup_from: datetime | None = None,
    cold_chain: str | None = None,
    notes: str = "",
    share_with_partners: bool = False,
    token: UUID | None = None,
    now: datetime | None = None,
) -> Offer:
    """Offer `quantity` (base unit) of food from one of the site's lots, or of an item
    first expiring first. The quantity is held at once, so it cannot be cooked or
    given out meanwhile; leads whose open needs it fits are emailed after commit.

    Leftovers from a cooked meal are offered the same way: they are a lot of a
    prepared-meal item.
    """
    content = {
        "quantity": quantity,
        "pickup_until": pickup_until,
        "lot": lot,
        "item": item,
        "pickup_from": pickup_from,
        "cold_chain": cold_chain,
        "notes": notes,
    }
    if share_with_partners:
        # Only when asked, so a form sent before partners existed still reads the same.
        content["share_with_partners"] = True
    existing = already_recorded(Offer, token, site_id=site.pk, content=content)
    if existing is not None:
        return existing
    require_manager(
        by, site, _("Only leads of %(site)s and coordinators can offer this site's food.")
    )
    now = now or timezone.now()
    if lot is not None:
        if lot.site_id != site.pk:
            raise DomainError(
                # Translators: a lot is a batch of one food with one best-before date.
                _("This lot belongs to %(lot_site)s, not %(site)s.")
                % {"lot_site": lot.site.name, "site": site.name},
                field="lot",
            )
        item = lot.item
        rules = DateRules.for_site(site)
        if not rules.may_use(lot):
            raise DomainError(rules.refusal(lot), field="lot")
    if item is None:
        raise DomainError(_("Choose the food to offer."), field="lot")
    quantity = positive(quantity)
    pickup_from = pickup_from or now
    if pickup_until <= now:
        raise DomainError(_("The pickup window must end in the future."), field="pickup_until")
    if pickup_until <= pickup_from:
        raise DomainError(_("The pickup window must end after it starts."), field="pickup_until")
    cold_chain = item.storage if cold_chain is None else cold_chain
    if cold_chain == Storage.DRY:
        cold_chain = ColdChain.NONE
    if cold_chain not in ColdChain.values:
        raise DomainError(
            _("%(value)s is not a way to keep food cold.") % {"value": repr(cold_chain)},
            field="cold_chain",
        )

    offer = Offer(
        site=site,
        item=item,
        lot=lot,
        quantity=quantity,
        remaining=quantity,
        cold_chain=cold_chain,
        pickup_from=pickup_from,
        pickup_until=pickup_until,
        closes_at=pickup_until,
        notes=notes.strip()[:300],
        share_with_partners=bool(share_with_partners),
        posted_by=by,
        posted_at=now,
        **tokened(token, content),
    )
    # This first save only numbers the offer (its hold is named after it); whoever
    # tells others of a saved offer (partner networks) waits for the save below,
    # which completes it, so that the offer goes out once.
    offer.save_in_progress = True
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        # The same form, submitted twice at once: the first one stands.
        if (earlier := already_recorded(Offer, token, content=content)) is None:
            raise
        return earlier
    try:
        held = pantry.reserve_stock(
            site=site, item=item, quantity=quantity, reference=offer.reference, by=by, lot=lot
        )
    except NotEnoughStock as e:
        words = {
            "free": display(e.available, item),
            "item": item.name,
            "site": site.name,
            "offered": display(quantity, item),
        }
        n = agreeing(e.available, item)
        if lot:
            text = ngettext(
                "Only %(free)s of %(item)s is free to offer in this lot; you offered %(offered)s.",
                "Only %(free)s of %(item)s are free to offer in this lot; you offered %(offered)s.",
                n,
            )
        else:
            text = ngettext(
                "Only %(free)s of %(item)s is free to offer at %(site)s; you offered %(offered)s.",
                "Only %(free)s of %(item)s are free to offer at %(site)s; you offered %(offered)s.",
                n,
            )
        raise NotEnoughStock(text % words, available=e.available) from None
    dated = [r.lot for r in held if r.lot.best_before is not None]
    if dated:
        # The offer closes at the end of the last day its food may still be given out.
        rules = DateRules.for_site(site)
        soonest = min(dated, key=fefo)
        last = min(rules.last_day(lot) for lot in dated)
        offer.best_before, offer.date_kind = soonest.best_before, soonest.date_kind
        offer.closes_at = min(end_of_day(site, last), pickup_until)
    offer.save_in_progress = False
    offer.save(update_fields=["best_before", "date_kind", "closes_at"])
    on_commit("pantry.network.tasks.notify_offer_matches", offer.pk)
    return offer


@transaction.atomic
def withdraw_offer(*, offer_id: int, by: User | None) -> Offer:
    """Take an offer off the board; what was still offered goes back to the site's stock."""
    offer = lock_offer(offer_id)
    require_manager(
        by, offer.site, _("Only leads of %(site)s and coordinators can withdraw this offer.")
    )
    if offer.status == Offer.Status.WITHDRAWN:
        return offer
    if offer.status != Offer.Status.OPEN:
        raise DomainError(
            _("This offer is already closed: %(status)s.")
            % {"status": offer.get_status_display().lower()}
        )
    pantry.release_reservations(offer.reference)
    offer.status = Offer.Status.WITHDRAWN
    offer.closed_at = timezone.now()
    offer.save(update_fields=["status", "closed_at"])
    return offer


@transaction.atomic
def _close_lapsed_offer(offer_id: int, now: datetime) -> bool:
    offer = lock_offer(offer_id)
    if offer.status != Offer.Status.OPEN or offer.closes_at > now:
        return False
    pantry.release_reservations(offer.reference)
    offer.status = Offer.Status.EXPIRED
    offer.closed_at = now
    offer.save(update_fields=["status", "closed_at"])
    return True


def close_lapsed(now: datetime | None = None) -> dict[str, int]:
    """Close offers past their date or pickup window (releasing their holds) and needs
    past their needed-by date. One transaction per offer, so an offer that cannot be
    closed is logged and the rest still close; safe to run twice."""
    now = now or timezone.now()
    offers = jobs.run_each(
        "close lapsed offers",
        list(Offer.objects.lapsed(now).values_list("pk", flat=True)),
        lambda pk: _close_lapsed_offer(pk, now),
        describe=lambda pk: f"offer {pk}",
    )
    needs = Need.objects.lapsed(now).update(status=Need.Status.EXPIRED, closed_at=now)
    counts = {"offers": sum(offers.results), "needs": needs}
    if offers.failed:
        counts["errors"] = offers.failed
    return counts


@transaction.atomic
def claim_offer(
    *,
    offer_id: int,
    site: Site,
    by: User | None,
    quantity: Decimal | None = None,
    need: Need | None = None,
    token: UUID | None = None,
    now: datetime | None = None,
) -> Transfer:
    """A site claims an offer (all that is left, or `quantity` of it): a proposed
    transfer, with the food now held for it, waiting for the source to accept.

    The offer row is locked first, so of two sites claiming the last of an
    offer at once one gets it and the other is told it is taken.
    """
    offer = lock_offer(offer_id)
    content = {"site": site, "quantity": quantity, "need": need}
    existing = already_recorded(Transfer, token, offer_id=offer.pk, content=content)
    if existing is not None:
        return existing
    require_manager(
        by, site, _("Only leads of %(site)s and coordinators can claim food for this site.")
    )
    now = now or timezone.now()
    if site.pk == offer.site_id:
        raise DomainError(_("This is your own site's offer; withdraw it instead of claiming it."))
    if offer.status == Offer.Status.TAKEN:
        raise DomainError(
            _("Someone else claimed all of this %(item)s first; it is no longer on offer.")
            % {"item": offer.item.name}
        )
    if offer.status != Offer.Status.OPEN:
        raise DomainError(
            _("This offer is closed: %(status)s.") % {"status": offer.get_status_display().lower()}
        )
    if offer.closes_at <= now:
        raise DomainError(
            _("This offer closed on %(when)s: the food passed its date or the pickup window ended.")
            % {"when": day_time(offer.site.local(offer.closes_at))}
        )
    quantity = offer.remaining if quantity is None else positive(quantity)
    if quantity > offer.remaining:
        raise NotEnoughStock(
            ngettext(
                "Only %(left)s of %(item)s is still on offer; you asked for %(asked)s.",
                "Only %(left)s of %(item)s are still on offer; you asked for %(asked)s.",
                agreeing(offer.remaining, offer.item),
            )
            % {
                "left": offer.remaining_display,
                "item": offer.item.name,
                "asked": display(quantity, offer.item),
            },
            available=offer.remaining,
        )
    if need is not None and (need.site_id != site.pk or need.status != Need.Status.OPEN):
        raise DomainError(_("That need is not an open need of the site you are claiming for."))
    for hold in holds_for(offer.reference):
        check_can_store(site, hold.lot.storage, offer.item)

    transfer = Transfer.objects.create(
        source=offer.site,
        destination=site,
        item=offer.item,
        quantity=quantity,
        offer=offer,
        need=need,
        cold_chain=offer.cold_chain,
        note=offer.notes,
        proposed_by=by,
        proposed_at=now,
        **tokened(token, content),
    )
    ShipmentItem.objects.create(
        transfer=transfer, item=offer.item, quantity=quantity, lot=offer.lot
    )
    move_holds(
        site=offer.site,
        item=offer.item,
        from_ref=offer.reference,
        to_ref=transfer.reference,
        quantity=quantity,
        by=by,
    )
    offer.remaining -= quantity
    if offer.remaining == 0:
        offer.status = Offer.Status.TAKEN
        offer.closed_at = now
    offer.save(update_fields=["remaining", "status", "closed_at"])
    on_commit("pantry.network.tasks.notify_claim", transfer.pk)
    return transfer
