"""Chilled and frozen food across the link keeps the shipment rules: read with a
probe as it leaves (food already too warm is not sent) and as it arrives (food
that came too warm is received and put on hold at once)."""

from decimal import Decimal

import pytest

from commonpot.errors import DomainError
from pantry.federation import services
from pantry.federation.models import PartnerOffer, PartnerTransfer
from pantry.models import Lot, LotHold
from tests.federation.fake_partner import outbox
from tests.network.factories import offer, stock, yoghurt

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


@pytest.fixture
def cold_sites(site):
    site.pantry_settings.has_chilled_storage = True
    site.pantry_settings.save()
    return site


def test_chilled_food_for_a_partner_is_read_as_it_leaves(
    cold_sites, lead, fake_partner_with_riverside
):
    partner = fake_partner_with_riverside
    lot = stock(cold_sites, yoghurt(), "40", by=lead)
    ours = offer(cold_sites, lot, "20", by=lead)
    ours.share_with_partners = True
    ours.save(update_fields=["share_with_partners"])
    assert partner.post(partner.claim(ours, "10", unit="piece")).status_code == 202
    transfer = PartnerTransfer.objects.get(direction="out")
    assert transfer.cold_chain == "chilled"

    with pytest.raises(DomainError, match="chilled food: take its temperature"):
        services.dispatch(transfer_id=transfer.pk, by=lead)
    with pytest.raises(DomainError, match="reads 9"):
        services.dispatch(transfer_id=transfer.pk, by=lead, temperature_c=Decimal("9"))
    lot.refresh_from_db()
    assert lot.on_hand == 40  # nothing left

    services.dispatch(transfer_id=transfer.pk, by=lead, temperature_c=Decimal("3.5"))
    transfer.refresh_from_db()
    assert (transfer.status, transfer.pickup_c) == ("dispatched", Decimal("3.5"))
    [pickup] = [a for a in outbox(partner, "Create") if a.get("step") == "pickup"]
    assert pickup["pickupTemperatureC"] == 3.5


def test_chilled_food_from_a_partner_that_arrives_warm_is_held(
    cold_sites, lead, fake_partner_with_riverside
):
    partner = fake_partner_with_riverside
    proposal = partner.proposal(quantity="5000", item="Milk", category="dairy_eggs")
    proposal["publishes"][0]["coldChain"] = "chilled"
    proposal["publishes"][0]["resourceConformsTo"]["storage"] = "chilled"
    assert partner.send("Update", proposal).status_code == 202
    theirs = PartnerOffer.objects.get()
    transfer = services.claim_partner_offer(
        partner_offer_id=theirs.pk, site=cold_sites, by=lead, quantity=Decimal("5000")
    )
    assert transfer.cold_chain == "chilled"
    assert partner.post(partner.reply("Accept", transfer, version=2)).status_code == 202
    pickup = partner.pickup(transfer, [("5000", cold_sites.today())], version=3)
    pickup["pickupTemperatureC"] = 4.0
    assert partner.post(pickup).status_code == 202
    transfer.refresh_from_db()
    assert (transfer.status, transfer.pickup_c) == ("dispatched", Decimal("4.0"))

    with pytest.raises(DomainError, match="chilled food: take its temperature as it arrives"):
        services.receive(transfer_id=transfer.pk, by=lead, received=Decimal("5000"))
    services.receive(
        transfer_id=transfer.pk, by=lead, received=Decimal("5000"), temperature_c=Decimal("11")
    )
    transfer.refresh_from_db()
    assert transfer.arrival_c == Decimal("11.0")
    [lot] = Lot.objects.filter(site=cold_sites, item__name="Milk")
    assert lot.on_hand == 5000
    assert LotHold.objects.filter(lot=lot, cause=LotHold.Cause.TEMPERATURE).exists()
    [receipt] = [a for a in outbox(partner, "Create") if a.get("step") == "receipt"]
    assert receipt["arrivalTemperatureC"] == 11.0
