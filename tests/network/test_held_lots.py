"""A lot on hold (pantry.services.holds) is not offered, and a transfer of it is not
accepted or sent until a lead releases it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commonpot.errors import DomainError
from pantry.network import services
from pantry.services import holds
from tests.network.factories import offer

pytestmark = pytest.mark.django_db


def test_a_held_lot_cannot_be_offered(site, lead, bread_lot):
    holds.start_holds([bread_lot], cause="manual", by=lead, note="Mould on one loaf")
    bread_lot.refresh_from_db()
    with pytest.raises(DomainError, match="This lot of .* is on hold"):
        services.post_offer(
            site=site,
            by=lead,
            lot=bread_lot,
            quantity=Decimal(1000),
            pickup_until=timezone.now() + timedelta(hours=5),
        )


def test_a_claimed_transfer_of_a_lot_held_since_is_refused(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    transfer = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    (hold,) = holds.start_holds([bread_lot], cause="manual", by=lead, note="Mould")
    with pytest.raises(DomainError, match="on hold"):
        services.accept_transfer(transfer_id=transfer.pk, by=lead)
    holds.release_hold(hold, by=lead, reason="Only one loaf, removed")
    assert services.accept_transfer(transfer_id=transfer.pk, by=lead).status == "accepted"
