"""Everything a person (or a partner's message) changes about partner networks.

Writes to our records and the messages that tell the partner about them go in
one transaction: an outbox row (`Outgoing`) is written beside the change, and
the delivery job sends it after commit. A change that rolls back tells nobody.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonpot import permissions
from commonpot.errors import DomainError
from commonpot.models import Site
from commonpot.numbers import parse_decimal
from pantry import services as pantry
from pantry.catalog import add_item
from pantry.federation import activities, delivery
from pantry.federation.activities import Malformed
from pantry.federation.models import (
    DESCRIPTION,
    Incoming,
    Outgoing,
    Partner,
    PartnerInvitation,
    PartnerNeed,
    PartnerOffer,
    PartnerTransfer,
    PartnerTransferLine,
    described_item,
)
from pantry.federation.signing import (
    SignatureRefused,
    check_public_key,
    own_key_id,
    own_public_key,
    own_url,
    signed_post,
)
from pantry.models import Item, LotHold, StockMove
from pantry.network import cold
from pantry.network.models import Need, Offer
from pantry.network.services.common import (
    agreeing,
    holds_for,
    lock_offer,
    move_holds,
    on_commit,
    positive,
    require_manager,
)
from pantry.services.holds import start_holds
from pantry.units import MAX_BASE, display

if TYPE_CHECKING:
    from commonpot.models import User

log = logging.getLogger(__name__)

INVITATION_PREFIX = "commonpot-pair:"
INVITATION_HOURS = 48


def require_coordinator(by) -> None:
    if by is None or not permissions.is_coordinator(by):
        raise DomainError(_("Only coordinators can pair this network with another."))


def network_name() -> str:
    return settings.NETWORK_NAME


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


# --- Pairing ----------------------------------------------------------------------


@transaction.atomic
def make_invitation(*, by: User | None, now: datetime | None = None) -> str:
    """A one-time invitation for another network's coordinator: the text to give them."""
    require_coordinator(by)
    now = now or timezone.now()
    code = secrets.token_urlsafe(24)
    PartnerInvitation.objects.create(
        code_digest=_digest(code),
        created_by=by,
        created_at=now,
        expires_at=now + timedelta(hours=INVITATION_HOURS),
    )
    payload = json.dumps({"url": own_url(), "code": code, "name": network_name()})
    return INVITATION_PREFIX + base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def read_invitation(text: str) -> dict:
    """What an invitation's text says, or DomainError saying what is wrong with it."""
    text = "".join((text or "").split())
    wrong = DomainError(
        _(
            "This is not a Commonpot invitation. Paste the whole text the other network's "
            "coordinator gave you; it begins with %(prefix)s"
        )
        % {"prefix": INVITATION_PREFIX},
        field="invitation",
    )
    if not text.startswith(INVITATION_PREFIX) or len(text) > 2000:
        raise wrong
    body = text[len(INVITATION_PREFIX) :]
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as e:
        raise wrong from e
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) and data.get(k) for k in ("url", "code", "name")
    ):
        raise wrong
    if not data["url"].startswith(("http://", "https://")):
        raise wrong
    data["url"] = data["url"].rstrip("/")
    if data["url"] == own_url():
        raise DomainError(
            _("This invitation was made here: give it to the other network's coordinator."),
            field="invitation",
        )
    return data


def _our_card() -> dict:
    return {
        "url": own_url(),
        "name": network_name(),
        "key_id": own_key_id(),
        "public_key": own_public_key(),
    }


def accept_invitation(*, text: str, by: User | None) -> Partner:
    """Pair with the network whose invitation this is: ask it to take us as a
    partner (signed with our key), then keep it as ours."""
    require_coordinator(by)
    data = read_invitation(text)
    existing = Partner.objects.filter(url=data["url"]).first()
    if existing is not None and existing.status != Partner.Status.ENDED:
        raise DomainError(
            _("This network is already paired with %(name)s.") % {"name": existing.name},
            field="invitation",
        )
    body = json.dumps({"code": data["code"], **_our_card()}).encode()
    try:
        response = signed_post(f"{data['url']}/federation/pair", body)
    except Exception as e:  # the partner is down, or not reachable from here
        log.warning("Pairing with %s failed: %s", data["url"], e)
        raise DomainError(
            _(
                "%(name)s could not be reached at %(url)s. Check that it is running and "
                "that this server can reach it, then paste the invitation again."
            )
            % {"name": data["name"], "url": data["url"]},
            field="invitation",
        ) from e
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code != 200:
        reason = answer.get("reason") if isinstance(answer, dict) else None
        raise DomainError(
            _("%(name)s refused to pair: %(reason)s")
            % {"name": data["name"], "reason": reason or response.status_code},
            field="invitation",
        )
    try:
        card = {k: activities.need(answer, k) for k in ("url", "name", "key_id", "public_key")}
        check_public_key(card["public_key"])
    except (Malformed, SignatureRefused) as e:
        raise DomainError(
            _("%(name)s answered in a way Commonpot does not understand.") % data,
            field="invitation",
        ) from e
    with transaction.atomic():
        return _keep_partner(card, by)


def _keep_partner(card: dict, by) -> Partner:
    """The partner, new or paired again after an ended link (the same row). Our
    sequence to it goes on from the old link's (each number is one message of
    ours); the partner's to us is taken afresh."""
    partner, _created = Partner.objects.update_or_create(
        url=card["url"].rstrip("/"),
        defaults={
            "name": card["name"][:120],
            "key_id": card["key_id"][:300],
            "public_key_pem": card["public_key"],
            "status": Partner.Status.ACTIVE,
            "paired_at": timezone.now(),
            "paired_by": by,
            "last_in_seq": 0,
        },
    )
    # What the old link never got through (its last word, that it ended, among
    # them) is not for the new one.
    partner.outbox.filter(state=Outgoing.State.WAITING).delete()
    return partner


class PairingRefused(Exception):
    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason, self.status = reason, status


@transaction.atomic
def pair_with(card: dict, now: datetime | None = None) -> dict:
    """The other side of `accept_invitation`: a network presents one of our
    invitations; it becomes our partner, and we answer with our own card."""
    now = now or timezone.now()
    code = card.get("code")
    if not isinstance(code, str) or not code:
        raise PairingRefused("The request carries no invitation code.")
    invitation = (
        PartnerInvitation.objects.select_for_update().filter(code_digest=_digest(code)).first()
    )
    if invitation is None:
        raise PairingRefused("This invitation is not one of ours.", 404)
    if invitation.used_at is not None:
        raise PairingRefused("This invitation was already used; ask for a new one.", 410)
    if invitation.expires_at <= now:
        raise PairingRefused("This invitation has expired; ask for a new one.", 410)
    url = card["url"].rstrip("/")
    existing = Partner.objects.filter(url=url).first()
    if existing is not None and existing.status != Partner.Status.ENDED:
        raise PairingRefused("This network is already our partner.", 409)
    partner = _keep_partner(card, invitation.created_by)
    invitation.used_at = now
    invitation.used_by = partner
    invitation.save(update_fields=["used_at", "used_by"])
    return _our_card()


def lock_partner(partner_id: int) -> Partner:
    partner = Partner.objects.select_for_update().filter(pk=partner_id).first()
    if partner is None:
        raise DomainError(_("This partner network no longer exists."))
    return partner


@transaction.atomic
def set_status(*, partner_id: int, status: str, by: User | None) -> Partner:
    """Pause a link (nothing is sent or taken; the partner's messages wait at the
    partner and arrive when it is resumed), resume it, or end it for good."""
    require_coordinator(by)
    partner = lock_partner(partner_id)
    if status not in Partner.Status.values:
        raise DomainError(_("%(value)r is not a state of a link.") % {"value": status})
    if partner.status == Partner.Status.ENDED:
        raise DomainError(_("This link has ended; pair again with a new invitation."))
    if partner.status == status:
        return partner
    if status == Partner.Status.ENDED:
        _send(partner, "Leave", {"type": "Organization", "id": partner.actor})
    partner.status = status
    partner.status_changed_at = timezone.now()
    partner.save(update_fields=["status", "status_changed_at"])
    if status == Partner.Status.ACTIVE:
        _wake(partner)
    return partner


@transaction.atomic
def set_scope(
    *, partner_id: int, sites: list[Site], categories: list[str], by: User | None
) -> Partner:
    """Which of our sites take part with a partner, and which categories they
    share. What is shared now follows at once: offers and needs newly in scope
    are sent, and those no longer in it are withdrawn at the partner."""
    require_coordinator(by)
    partner = lock_partner(partner_id)
    if partner.status == Partner.Status.ENDED:
        raise DomainError(_("This link has ended; pair again with a new invitation."))
    unknown = set(categories) - set(Item.Category.values)
    if unknown:
        raise DomainError(
            _("%(value)s is not a category of food.") % {"value": ", ".join(sorted(unknown))},
            field="categories",
        )
    before_offers = set(_shared_offers(partner).values_list("pk", flat=True))
    before_needs = set(_shared_needs(partner).values_list("pk", flat=True))
    partner.categories = sorted(set(categories))
    partner.save(update_fields=["categories"])
    partner.sites.set(sites)
    after_offers = set(_shared_offers(partner).values_list("pk", flat=True))
    after_needs = set(_shared_needs(partner).values_list("pk", flat=True))
    for offer in Offer.objects.filter(pk__in=before_offers | after_offers).select_related(
        "site", "item", "lot"
    ):
        _send_offer(partner, offer, withdrawn=offer.pk not in after_offers)
    for need in Need.objects.filter(pk__in=before_needs | after_needs).select_related(
        "site", "item"
    ):
        _send_need(partner, need, withdrawn=need.pk not in after_needs)
    return partner


def _in_scope(partner: Partner, qs, category_field: str):
    qs = qs.filter(share_with_partners=True, site__in=partner.sites.all())
    if partner.categories:
        qs = qs.filter(**{f"{category_field}__in": partner.categories})
    return qs


def _shared_offers(partner: Partner):
    return _in_scope(partner, Offer.objects.open(), "item__category")


def _shared_needs(partner: Partner):
    return _in_scope(partner, Need.objects.open(), "category")


# --- The outbox ---------------------------------------------------------------------


def _send(partner: Partner, kind: str, obj, **extra) -> Outgoing:
    """Put a message to `partner` in the outbox, in the caller's transaction."""
    Partner.objects.filter(pk=partner.pk).update(last_out_seq=F("last_out_seq") + 1)
    seq = Partner.objects.values_list("last_out_seq", flat=True).get(pk=partner.pk)
    activity = activities.envelope(kind, obj, to=partner.actor, seq=seq, **extra)
    label = extra.get("step") or (obj.get("type") if isinstance(obj, dict) else kind)
    message = Outgoing.objects.create(
        partner=partner, seq=seq, activity=activity, kind=f"{kind} {label}"[:40]
    )
    _wake(partner)
    return message


@transaction.atomic
def send_soon(*, partner_id: int) -> int:
    """A coordinator's "Send now": what waits for the partner goes with the next
    delivery, which is asked for at once."""
    due = delivery.make_due(partner_id)
    on_commit("pantry.federation.tasks.deliver", partner_id)
    return due


def _wake(partner: Partner) -> None:
    """Deliver after commit (the schedule retries anything left behind)."""
    on_commit("pantry.federation.tasks.deliver", partner.pk)


def partners_for(site: Site, category: str) -> list[Partner]:
    return [
        p
        for p in Partner.objects.filter(
            status__in=[Partner.Status.ACTIVE, Partner.Status.PAUSED], sites=site
        )
        if p.shares(category)
    ]


def _bump(model, pk: int) -> int:
    model.objects.filter(pk=pk).update(shared_version=F("shared_version") + 1)
    return model.objects.values_list("shared_version", flat=True).get(pk=pk)


def _send_offer(partner: Partner, offer: Offer, *, withdrawn: bool = False) -> None:
    version = _bump(Offer, offer.pk)
    obj = activities.offer_object(offer, version)
    if withdrawn and obj["status"] == Offer.Status.OPEN:
        obj["status"] = Offer.Status.WITHDRAWN
        obj["publishes"][0]["finished"] = True
    _send(partner, "Update", obj)


def _send_need(partner: Partner, need: Need, *, withdrawn: bool = False) -> None:
    version = _bump(Need, need.pk)
    obj = activities.need_object(need, version)
    if withdrawn and obj["status"] == Need.Status.OPEN:
        obj["status"] = Need.Status.WITHDRAWN
        obj["publishes"][0]["finished"] = True
    _send(partner, "Update", obj)


def offer_changed(offer: Offer) -> None:
    """Tell the partners an offer is shared with what it is now (in the caller's
    transaction). Called whenever a shared offer is saved."""
    if not offer.share_with_partners:
        return
    for partner in partners_for(offer.site, offer.item.category):
        _send_offer(partner, offer)


def need_changed(need: Need) -> None:
    if not need.share_with_partners:
        return
    for partner in partners_for(need.site, need.category):
        _send_need(partner, need)


# --- Claims across the link ---------------------------------------------------------


def sites_taking_part(by: User, partner: Partner) -> list[Site]:
    """The sites `by` leads (a coordinator: all) that take part with `partner`."""
    sites = partner.sites.all().order_by("name")
    if permissions.is_coordinator(by):
        return list(sites)
    return [s for s in sites if s.pk in permissions.lead_site_ids(by)]


@transaction.atomic
def claim_partner_offer(
    *,
    partner_offer_id: int,
    site: Site,
    by: User | None,
    quantity: Decimal | None = None,
    token: UUID | None = None,
) -> PartnerTransfer:
    """Claim a partner's offer for one of our sites. The partner decides: it holds
    the food and accepts, or refuses with why; either comes back as a message."""
    if token is not None:
        earlier = PartnerTransfer.objects.filter(token=token).first()
        if earlier is not None:
            return earlier
    offer = (
        PartnerOffer.objects.select_for_update(of=("self",))
        .select_related("partner")
        .filter(pk=partner_offer_id)
        .first()
    )
    if offer is None:
        raise DomainError(_("This offer no longer exists."))
    require_manager(
        by, site, _("Only leads of %(site)s and coordinators can claim food for this site.")
    )
    partner = offer.partner
    if partner.status != Partner.Status.ACTIVE:
        raise DomainError(
            _("The link with %(partner)s is %(status)s; nothing can be claimed from it now.")
            % {"partner": partner.name, "status": partner.get_status_display().lower()}
        )
    if not partner.sites.filter(pk=site.pk).exists():
        raise DomainError(
            _("%(site)s does not take part with %(partner)s; a coordinator can add it.")
            % {"site": site.name, "partner": partner.name},
            field="site",
        )
    if not offer.is_open():
        raise DomainError(_("This offer is closed."))
    item = offer.item_like()
    quantity = offer.quantity if quantity is None else positive(quantity)
    if quantity > offer.quantity:
        raise DomainError(
            ngettext(
                "Only %(left)s of %(item)s is on offer; you asked for %(asked)s.",
                "Only %(left)s of %(item)s are on offer; you asked for %(asked)s.",
                agreeing(offer.quantity, item),
            )
            % {
                "left": display(offer.quantity, item),
                "item": offer.item_name,
                "asked": display(quantity, item),
            },
            field="quantity",
        )
    transfer = PartnerTransfer.objects.create(
        partner=partner,
        direction=PartnerTransfer.Direction.IN,
        site=site,
        partner_site_name=offer.site_name,
        partner_offer=offer,
        cold_chain=offer.cold_chain,
        **{name: getattr(offer, name) for name in DESCRIPTION},
        quantity=quantity,
        claimed_by=by,
        token=token,
    )
    _send(
        partner,
        "Offer",
        activities.commitment(transfer, offer_uri=offer.uri, site=site, version=1),
    )
    return transfer


def _reply(partner: Partner, transfer: PartnerTransfer, kind: str, **extra) -> None:
    transfer.version += 1
    transfer.save(update_fields=["version"])
    # The claim is the claimant's record: the partner's for food we send, else ours.
    claimant = partner.url if transfer.direction == PartnerTransfer.Direction.OUT else own_url()
    _send(
        partner,
        kind,
        {
            "type": "Commitment",
            "id": f"{claimant}/federation/transfers/{transfer.uid}",
            "action": "transfer",
        },
        transferId=str(transfer.uid),
        version=transfer.version,
        **extra,
    )


def _apply_claim(partner: Partner, activity: dict) -> tuple[str, str]:
    """A partner claims one of our offers: hold the food and accept, or refuse
    with the reason (the refusal is itself a message back)."""
    claim = activities.read_claim(activity.get("object"))
    if PartnerTransfer.objects.filter(partner=partner, uid=claim.uid).exists():
        return Incoming.Outcome.IGNORED, ""
    offer = Offer.objects.filter(pk=claim.offer_pk).select_related("site", "item").first()
    refusal = None
    if (
        offer is None
        or not offer.share_with_partners
        or not partner.sites.filter(pk=offer.site_id).exists()
        or not partner.shares(offer.item.category)
    ):
        refusal = "This offer is not shared with your network."
    transfer = PartnerTransfer(
        partner=partner,
        uid=claim.uid,
        direction=PartnerTransfer.Direction.OUT,
        partner_site_name=claim.site_name,
        quantity=claim.quantity,
        status=PartnerTransfer.Status.REFUSED,
    )
    if refusal is None:
        offer = lock_offer(offer.pk)
        transfer.site = offer.site
        transfer.offer = offer
        transfer.item = offer.item
        for field in ("base_unit", "piece_name", "weight_per_piece_g", "category", "storage"):
            setattr(transfer, field, getattr(offer.item, field))
        transfer.cold_chain = offer.cold_chain
        transfer.item_name = offer.item.name
        if not offer.is_open():
            refusal = f"This offer is closed ({offer.get_status_display().lower()})."
        elif claim.unit != offer.item.base_unit:
            refusal = "The claim counts in another unit than the offer."
        elif claim.quantity > offer.remaining:
            with translation.override("en"):
                verb = "is" if agreeing(offer.remaining, offer.item) == 1 else "are"
                refusal = (
                    f"Only {display(offer.remaining, offer.item)} of {offer.item.name} {verb} "
                    f"still on offer; the claim asked for {display(claim.quantity, offer.item)}."
                )
    if refusal is not None:
        transfer.reason = refusal
        if transfer.site_id is None:
            # Nothing of ours to name: the refusal is kept on the inbox row only.
            _send_refusal(partner, claim.uid, refusal)
            return Incoming.Outcome.REFUSED, refusal
        transfer.save()
        _reply(partner, transfer, "Reject", summary=refusal)
        return Incoming.Outcome.REFUSED, refusal
    transfer.status = PartnerTransfer.Status.ACCEPTED
    transfer.accepted_at = timezone.now()
    transfer.save()
    move_holds(
        site=offer.site,
        item=offer.item,
        from_ref=offer.reference,
        to_ref=transfer.reference,
        quantity=claim.quantity,
        by=None,
    )
    offer.remaining -= claim.quantity
    if offer.remaining == 0:
        offer.status = Offer.Status.TAKEN
        offer.closed_at = timezone.now()
    offer.save(update_fields=["remaining", "status", "closed_at"])
    _reply(partner, transfer, "Accept")
    return Incoming.Outcome.APPLIED, ""


def _send_refusal(partner: Partner, uid: UUID, reason: str) -> None:
    _send(
        partner,
        "Reject",
        {
            "type": "Commitment",
            "id": f"{partner.url}/federation/transfers/{uid}",
            "action": "transfer",
        },
        transferId=str(uid),
        version=2,
        summary=reason,
    )


class Refused(Exception):
    """A partner's message we understood and said no to; the text is why."""


def lock_transfer(transfer_id: int) -> PartnerTransfer:
    transfer = (
        PartnerTransfer.objects.select_for_update(of=("self",))
        .select_related("partner", "site", "item")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        raise DomainError(_("This transfer no longer exists."))
    return transfer


@transaction.atomic
def dispatch(
    *, transfer_id: int, by: User | None, temperature_c: Decimal | None = None
) -> PartnerTransfer:
    """The food for a partner leaves our lots: it is in transit, still counted on
    our side, until the partner says it arrived. Chilled or frozen food is read
    as it leaves (`temperature_c`, °C): food already too warm is not sent."""
    transfer = lock_transfer(transfer_id)
    require_manager(
        by,
        transfer.site,
        _("Only leads of %(site)s and coordinators can dispatch transfers of its food."),
    )
    if transfer.direction != PartnerTransfer.Direction.OUT:
        raise DomainError(_("The partner network sends this food; you receive it."))
    if transfer.status == PartnerTransfer.Status.DISPATCHED:
        return transfer
    if transfer.status != PartnerTransfer.Status.ACCEPTED:
        raise DomainError(
            _("This transfer is %(status)s; it cannot be dispatched.")
            % {"status": transfer.get_status_display().lower()}
        )
    holds = holds_for(transfer.reference)
    if not holds:
        raise DomainError(_("No food is held for this transfer."))
    reading = cold.read_food(transfer.cold, temperature_c, when=cold.PICKUP, by=by)
    if reading is not None:
        cold.refuse_warm_pickup(transfer.cold, reading)
        transfer.pickup_c = reading.value_c
    for hold in holds:
        taken = pantry.take_reserved(
            hold,
            kind=StockMove.Kind.TRANSFER_OUT,
            by=by,
            reference=transfer.reference,
            note=_("To %(site)s (%(partner)s)")
            % {"site": transfer.partner_site_name, "partner": transfer.partner.name},
        )
        PartnerTransferLine.objects.create(
            transfer=transfer,
            origin_lot=taken.lot,
            quantity=taken.quantity,
            best_before=taken.lot.best_before,
            date_kind=taken.lot.date_kind,
            lot_code=taken.lot.code,
        )
    transfer.status = PartnerTransfer.Status.DISPATCHED
    transfer.dispatched_at = timezone.now()
    transfer.version += 1
    transfer.save(update_fields=["status", "dispatched_at", "version", "pickup_c"])
    _send(
        transfer.partner,
        "Create",
        activities.pickup_events(transfer),
        transferId=str(transfer.uid),
        version=transfer.version,
        step="pickup",
        **_temperature("pickupTemperatureC", transfer.pickup_c),
    )
    return transfer


@transaction.atomic
def receive(
    *,
    transfer_id: int,
    by: User | None,
    received: Decimal,
    note: str = "",
    temperature_c: Decimal | None = None,
) -> PartnerTransfer:
    """Our site records what arrived in good condition from a partner's site: new
    lots keeping each lot's date, and a message telling the partner. Chilled or
    frozen food is read on arrival (`temperature_c`, °C): food that arrived too
    warm is received and its new lots put on hold at once."""
    transfer = lock_transfer(transfer_id)
    require_manager(
        by,
        transfer.site,
        _("Only leads of %(site)s and coordinators can receive transfers at this site."),
    )
    if transfer.direction != PartnerTransfer.Direction.IN:
        raise DomainError(_("The partner network receives this food; it records the arrival."))
    if transfer.status == PartnerTransfer.Status.RECEIVED:
        raise DomainError(_("This transfer was already received."))
    if transfer.status != PartnerTransfer.Status.DISPATCHED:
        raise DomainError(
            _("This transfer is %(status)s; only food in transit can be received.")
            % {"status": transfer.get_status_display().lower()}
        )
    lines = list(transfer.lines.select_for_update().order_by("pk"))
    sent = sum((line.quantity for line in lines), Decimal(0))
    received = pantry_quantity(received)
    if received > sent:
        item = transfer.item_like()
        raise DomainError(
            _("You entered %(entered)s received, but only %(sent)s was sent.")
            % {"entered": display(received, item), "sent": display(sent, item)},
            field="received",
        )
    reading = cold.read_food(transfer.cold, temperature_c, when=cold.ARRIVAL, by=by)
    item = _local_item(transfer)
    source = _("%(site)s (%(partner)s)") % {
        "site": transfer.partner_site_name,
        "partner": transfer.partner.name,
    }
    lots = []
    for line in _share_out_received(lines, received):
        part = line.received
        if part > 0:
            lots.append(
                pantry.receive(
                    site=transfer.site,
                    item=item,
                    quantity=part,
                    by=by,
                    source=source,
                    best_before=line.best_before,
                    date_kind=line.date_kind,
                    storage=transfer.storage,
                    kind=StockMove.Kind.TRANSFER_IN,
                    reference=transfer.reference,
                    note=note,
                    code=line.lot_code,
                ).lot
            )
    if reading is not None:
        transfer.arrival_c = reading.value_c
        if not reading.passed:
            start_holds(
                lots,
                cause=LotHold.Cause.TEMPERATURE,
                by=by,
                reading=reading,
                note=_("On arrival from %(site)s (%(partner)s)")
                % {"site": transfer.partner_site_name, "partner": transfer.partner.name},
                at=reading.at,
            )
    transfer.item = item
    transfer.received_quantity = received
    transfer.received_at = timezone.now()
    transfer.status = PartnerTransfer.Status.RECEIVED
    transfer.version += 1
    transfer.save(
        update_fields=[
            "item",
            "received_quantity",
            "received_at",
            "status",
            "version",
            "arrival_c",
        ]
    )
    _send(
        transfer.partner,
        "Create",
        [
            activities.transfer_event(transfer, "dropoff"),
            activities.transfer_event(transfer, "transfer"),
        ],
        transferId=str(transfer.uid),
        version=transfer.version,
        step="receipt",
        **_temperature("arrivalTemperatureC", transfer.arrival_c),
    )
    return transfer


def _temperature(key: str, value: Decimal | None) -> dict:
    return {} if value is None else {key: float(value)}


def _read_temperature(activity: dict, key: str) -> Decimal | None:
    value = activity.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = Decimal(str(value)).quantize(Decimal("0.1"))
    return value if Decimal("-99.9") <= value <= Decimal("99.9") else None


def _share_out_received(lines: list[PartnerTransferLine], received: Decimal):
    """What arrived, lot by lot: the first lots that left first, as the receiving
    side records it, so both sides show each lot's part alike. The lines, saved."""
    left = received
    for line in lines:
        line.received = min(left, line.quantity)
        line.save(update_fields=["received"])
        left -= line.received
    return lines


def pantry_quantity(value) -> Decimal:
    return parse_decimal(
        value, field="received", label=_("what arrived"), ceiling=MAX_BASE, zero_allowed=True
    )


def _local_item(transfer: PartnerTransfer) -> Item:
    """Our catalog's item of this name, or a new one as the partner describes it."""
    item = Item.objects.filter(name__iexact=transfer.item_name).first()
    if item is not None:
        if item.base_unit != transfer.base_unit:
            raise DomainError(
                _(
                    "Our catalog's %(item)s is counted in another unit than the partner's; "
                    "rename one of them, then record the arrival."
                )
                % {"item": item.name}
            )
        return item
    return add_item(**described_item(transfer))


@transaction.atomic
def cancel(*, transfer_id: int, by: User | None, reason: str) -> PartnerTransfer:
    """Call off a transfer before the food leaves: held food goes back to the offer."""
    transfer = lock_transfer(transfer_id)
    require_manager(
        by,
        transfer.site,
        _("Only leads of %(site)s and coordinators can cancel this site's transfers."),
    )
    reason = " ".join((reason or "").split())[:300]
    if not reason:
        raise DomainError(_("Say why, for the other network."), field="reason")
    if transfer.status not in (PartnerTransfer.Status.REQUESTED, PartnerTransfer.Status.ACCEPTED):
        raise DomainError(
            _("This transfer is %(status)s; only a transfer not yet sent can be cancelled.")
            % {"status": transfer.get_status_display().lower()}
        )
    _call_off(transfer, reason)
    _reply(transfer.partner, transfer, "Reject", summary=reason)
    return transfer


def _call_off(transfer: PartnerTransfer, reason: str) -> None:
    if transfer.direction == PartnerTransfer.Direction.OUT and transfer.status == (
        PartnerTransfer.Status.ACCEPTED
    ):
        offer = lock_offer(transfer.offer_id)
        held = sum((h.quantity for h in holds_for(transfer.reference)), Decimal(0))
        if offer.is_open():
            move_holds(
                site=transfer.site,
                item=offer.item,
                from_ref=transfer.reference,
                to_ref=offer.reference,
                quantity=held,
                by=None,
            )
            offer.remaining += held
            offer.save(update_fields=["remaining"])
        else:
            pantry.release_reservations(transfer.reference)
    transfer.status = PartnerTransfer.Status.CANCELLED
    transfer.reason = reason
    transfer.save(update_fields=["status", "reason"])


# --- Applying what a partner sent ----------------------------------------------------


def apply(partner: Partner, activity: dict) -> tuple[str, str]:
    """Apply one message from `partner`; (outcome, reason). In the caller's transaction."""
    kind = activity.get("type")
    obj = activity.get("object")
    if kind in ("Create", "Update") and isinstance(obj, dict) and obj.get("type") == "Proposal":
        return _apply_proposal(partner, obj), ""
    if kind == "Offer":
        return _apply_claim(partner, activity)
    if kind in ("Accept", "Reject", "Create"):
        return _apply_transfer_news(partner, activity), ""
    if kind == "Leave":
        partner.status = Partner.Status.ENDED
        partner.status_changed_at = timezone.now()
        partner.save(update_fields=["status", "status_changed_at"])
        return Incoming.Outcome.APPLIED, ""
    raise Malformed(f"Commonpot does not take {kind!r} messages.")


def _apply_proposal(partner: Partner, obj: dict) -> str:
    record = activities.read_proposal(obj, partner.url)
    model = PartnerOffer if record.purpose == "offer" else PartnerNeed
    if record.purpose == "offer" and not record.values.get("pickup_until"):
        raise Malformed("An offer has a pickup window.")
    existing = model.objects.select_for_update().filter(partner=partner, uri=record.uri).first()
    if existing is not None and existing.version >= record.version:
        return Incoming.Outcome.IGNORED
    fields = {k: v for k, v in record.values.items() if k in {f.name for f in model._meta.fields}}
    if existing is None:
        model.objects.create(
            partner=partner,
            uri=record.uri,
            version=record.version,
            updated_at=timezone.now(),
            **fields,
        )
    else:
        for k, v in fields.items():
            setattr(existing, k, v)
        existing.version = record.version
        existing.updated_at = timezone.now()
        existing.save()
    return Incoming.Outcome.APPLIED


ORDER = [
    PartnerTransfer.Status.REQUESTED,
    PartnerTransfer.Status.ACCEPTED,
    PartnerTransfer.Status.DISPATCHED,
    PartnerTransfer.Status.RECEIVED,
]


def _apply_transfer_news(partner: Partner, activity: dict) -> str:
    uid = activities.read_uid(activity)
    version = activities.read_version(activity)
    transfer = (
        PartnerTransfer.objects.select_for_update(of=("self",))
        .select_related("site")
        .filter(partner=partner, uid=uid)
        .first()
    )
    if transfer is None:
        raise Refused("No transfer of ours has this id.")
    # Each side's messages arrive in the order it sent them, and each step below
    # applies only from the states it can follow: a step that crossed one of ours
    # on the way (a claim called off as the sender accepted it) changes nothing.
    kind = activity["type"]
    if kind == "Accept":
        if transfer.status != PartnerTransfer.Status.REQUESTED:
            return Incoming.Outcome.IGNORED
        transfer.status = PartnerTransfer.Status.ACCEPTED
        transfer.accepted_at = timezone.now()
    elif kind == "Reject":
        if transfer.status not in (
            PartnerTransfer.Status.REQUESTED,
            PartnerTransfer.Status.ACCEPTED,
        ):
            return Incoming.Outcome.IGNORED
        reason = activities._text(activity, "summary", 300)
        if transfer.status in (PartnerTransfer.Status.REQUESTED,):
            transfer.status = PartnerTransfer.Status.REFUSED
            transfer.reason = reason
        else:
            _call_off(transfer, reason)
    elif activity.get("step") == "pickup" or _actions(activity) == {"pickup"}:
        if transfer.direction != PartnerTransfer.Direction.IN:
            raise Refused("Only the sender dispatches.")
        if transfer.status not in (
            PartnerTransfer.Status.REQUESTED,
            PartnerTransfer.Status.ACCEPTED,
            # Called off here as the sender dispatched: the food is on its way all
            # the same, so it is in transit here too, to be received.
            PartnerTransfer.Status.CANCELLED,
        ):
            return Incoming.Outcome.IGNORED
        lines = activities.read_pickups(activity.get("object"))
        if sum((line.quantity for line in lines), Decimal(0)) > transfer.quantity:
            raise Refused("More was dispatched than was claimed.")
        for line in lines:
            PartnerTransferLine.objects.create(
                transfer=transfer,
                quantity=line.quantity,
                best_before=line.best_before,
                date_kind=line.date_kind,
                lot_code=line.lot_code,
            )
        transfer.status = PartnerTransfer.Status.DISPATCHED
        transfer.dispatched_at = timezone.now()
        transfer.pickup_c = _read_temperature(activity, "pickupTemperatureC")
    elif _actions(activity) >= {"dropoff"}:
        if transfer.direction != PartnerTransfer.Direction.OUT:
            raise Refused("Only the receiver says what arrived.")
        if transfer.status != PartnerTransfer.Status.DISPATCHED:
            return Incoming.Outcome.IGNORED
        events = [e for e in _events(activity) if e.get("action") == "transfer"]
        quantity, _unit = activities.read_measure(events[0] if events else {}, "resourceQuantity")
        lines = list(transfer.lines.order_by("pk"))
        sent = sum((line.quantity for line in lines), Decimal(0))
        if quantity > sent:
            raise Refused("More arrived than was sent.")
        _share_out_received(lines, quantity)
        transfer.received_quantity = quantity
        transfer.received_at = timezone.now()
        transfer.arrival_c = _read_temperature(activity, "arrivalTemperatureC")
        transfer.status = PartnerTransfer.Status.RECEIVED
    else:
        raise Malformed("This message says nothing Commonpot understands about a transfer.")
    transfer.version = max(version, transfer.version)
    transfer.save()
    return Incoming.Outcome.APPLIED


def _events(activity: dict) -> list[dict]:
    """The events a message carries: its object, or each of its object's items."""
    obj = activity.get("object")
    return [e for e in (obj if isinstance(obj, list) else [obj]) if isinstance(e, dict)]


def _actions(activity: dict) -> set[str]:
    return {e.get("action") for e in _events(activity)}
