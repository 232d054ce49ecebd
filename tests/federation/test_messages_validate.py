"""What Commonpot sends a partner validates against the Valueflows JSON Schemas:
the offers and needs it shares, a claim, a dispatch and a receipt, built from
real records by the code that sends them."""

import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from pantry.federation import activities
from pantry.federation.models import Partner, PartnerTransfer, PartnerTransferLine
from tests.federation.valueflows import validate_activity
from tests.network.factories import bread, need, offer, stock

pytestmark = pytest.mark.django_db


def sent(obj, kind="Update", **extra) -> dict:
    return activities.envelope(
        kind, obj, to="https://partner.example/federation/actor", seq=1, **extra
    )


def test_a_shared_offer_and_need_validate(site, lead):
    item = bread()
    lot = stock(site, item, "20000", by=lead)
    lot.code = "L2412"
    lot.save()
    shared = offer(site, lot, "10000", by=lead)
    assert validate_activity(sent(activities.offer_object(shared, 1))) == ["Proposal", "Intent"]
    wanted = need(site, by=lead, category="produce")
    assert validate_activity(sent(activities.need_object(wanted, 1))) == ["Proposal", "Intent"]
    wanted_item = need(site, by=lead, item=item, quantity="5")
    assert validate_activity(sent(activities.need_object(wanted_item, 2))) == ["Proposal", "Intent"]


def test_a_claim_a_dispatch_and_a_receipt_validate(site, lead):
    item = bread()
    partner = Partner.objects.create(
        name="Harbour Network", url="https://partner.example", key_id="k", public_key_pem=""
    )
    transfer = PartnerTransfer.objects.create(
        partner=partner,
        uid=uuid.uuid4(),
        direction=PartnerTransfer.Direction.OUT,
        site=site,
        partner_site_name="Harbour Pantry",
        item=item,
        item_name=item.name,
        base_unit=item.base_unit,
        category=item.category,
        quantity=Decimal("10"),
        status=PartnerTransfer.Status.DISPATCHED,
        dispatched_at=timezone.now(),
    )
    PartnerTransferLine.objects.create(
        transfer=transfer, quantity=Decimal("10"), best_before=site.today(), lot_code="L1"
    )
    claim = activities.commitment(
        transfer, offer_uri="https://partner.example/federation/offers/4", site=site, version=1
    )
    assert validate_activity(sent(claim, "Offer")) == ["Commitment"]
    dispatch = sent(activities.pickup_events(transfer), "Create", label="pickup")
    assert validate_activity(dispatch) == ["EconomicEvent"]
    transfer.received_quantity = Decimal("9")
    transfer.received_at = timezone.now()
    receipt = [
        activities.transfer_event(transfer, "dropoff"),
        activities.transfer_event(transfer, "transfer"),
    ]
    assert validate_activity(sent(receipt, "Create", label="receipt")) == ["EconomicEvent"] * 2


def test_every_term_of_what_we_send_is_defined_by_activity_streams_or_our_context(site, lead):
    from tests.federation.test_context import (
        ACTIVITY_STREAMS,
        ACTIVITY_TYPES,
        keys_and_types,
        terms,
    )

    item = bread()
    lot = stock(site, item, "20000", by=lead)
    partner = Partner.objects.create(
        name="Harbour Network", url="https://partner.example", key_id="k", public_key_pem=""
    )
    transfer = PartnerTransfer.objects.create(
        partner=partner,
        direction=PartnerTransfer.Direction.OUT,
        site=site,
        partner_site_name="Harbour Pantry",
        item=item,
        item_name=item.name,
        base_unit=item.base_unit,
        category=item.category,
        quantity=Decimal("10"),
        status=PartnerTransfer.Status.DISPATCHED,
        dispatched_at=timezone.now(),
        received_quantity=Decimal("9"),
    )
    PartnerTransferLine.objects.create(transfer=transfer, quantity=Decimal("10"), lot_code="L1")
    messages = [
        sent(activities.offer_object(offer(site, lot, "10000", by=lead), 1)),
        sent(activities.need_object(need(site, by=lead, category="produce"), 1)),
        sent(
            activities.commitment(
                transfer,
                offer_uri="https://partner.example/federation/offers/4",
                site=site,
                version=1,
            ),
            "Offer",
        ),
        sent(
            {"type": "Commitment", "id": "x", "action": "transfer"},
            "Reject",
            transferId=str(transfer.uid),
            version=2,
            summary="Only 2 kg left.",
        ),
        sent(
            activities.pickup_events(transfer),
            "Create",
            transferId=str(transfer.uid),
            version=3,
            step="pickup",
            pickupTemperatureC=3.5,
        ),
        sent(
            [activities.transfer_event(transfer, "dropoff")],
            "Create",
            transferId=str(transfer.uid),
            version=4,
            step="receipt",
            arrivalTemperatureC=4.0,
        ),
    ]
    context = terms()
    keys, types, _words = keys_and_types(messages)
    assert sorted(keys - ACTIVITY_STREAMS - set(context)) == []
    assert sorted(types - ACTIVITY_TYPES - set(context)) == []
