"""A transfer's steps: claim or proposal, accept, dispatch, receive or cancel."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commonpot.errors import DomainError
from pantry.models import Lot, Reservation, StockMove
from pantry.network import services
from pantry.network.models import Need, Offer, Transfer
from pantry.network.stock import network_quantities
from pantry.services import NotEnoughStock, ledger_is_consistent
from tests.network.factories import need, offer, stock

pytestmark = pytest.mark.django_db
Kind = StockMove.Kind


@pytest.fixture
def claimed(site, other_site, lead, other_lead, bread_lot):
    o = offer(site, bread_lot, by=lead)
    return services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)


def lots_at(site):
    return list(Lot.objects.filter(site=site).order_by("pk"))


def test_a_claim_moves_the_hold_from_the_offer_to_a_proposed_transfer(
    claimed, site, other_site, bread_lot
):
    assert claimed.status == Transfer.Status.PROPOSED
    assert (claimed.source, claimed.destination, claimed.quantity) == (site, other_site, 40000)
    assert Reservation.objects.get(status="held").reference == f"transfer:{claimed.pk}"
    claimed.offer.refresh_from_db()
    assert claimed.offer.status == Offer.Status.TAKEN and claimed.offer.remaining == 0
    bread_lot.refresh_from_db()
    assert bread_lot.reserved == 40000


def test_the_full_journey_keeps_date_and_origin_and_records_the_damaged_part(
    claimed, site, other_site, lead, other_lead, bread_lot
):
    before = network_quantities()
    t = services.accept_transfer(transfer_id=claimed.pk, by=lead)
    assert (t.status, t.accepted_by) == ("accepted", lead)

    t = services.dispatch_transfer(transfer_id=t.pk, by=lead)
    bread_lot.refresh_from_db()
    assert (bread_lot.on_hand, bread_lot.reserved) == (0, 0)
    (line,) = t.lines.all()
    assert (line.quantity, line.origin_lot, line.best_before) == (
        40000,
        bread_lot,
        bread_lot.best_before,
    )
    assert line.origin == "Harbour bakery"
    # In transit: in no lot, yet still counted in the network.
    assert network_quantities() == before

    t = services.receive_transfer(
        transfer_id=t.pk,
        by=other_lead,
        received={line.pk: Decimal("38000")},
        reason="damaged",
        destination="compost",
        note="Two crates crushed",
    )
    line.refresh_from_db()
    arrived = line.received_lot
    assert (arrived.site, arrived.on_hand, arrived.best_before) == (
        other_site,
        38000,
        line.best_before,
    )
    assert arrived.source == "Harbour bakery (via Riverside Kitchen)"
    assert list(arrived.moves.values_list("kind", "quantity", "reason")) == [
        (Kind.TRANSFER_IN, 40000, ""),
        (Kind.WASTED, -2000, "damaged"),
    ]
    assert (line.received_quantity, line.shortfall) == (38000, 2000)
    assert (t.status, t.received_by, t.shortfall_reason) == ("received", other_lead, "damaged")
    item = bread_lot.item_id
    assert network_quantities()[item] == before[item] - 2000
    assert all(ledger_is_consistent(lot) for lot in Lot.objects.all())


def test_dispatch_takes_the_lots_that_expire_first(
    site, other_site, lead, other_lead, item_bread, mapped
):
    later = stock(site, item_bread, "5000", by=lead, days=6)
    sooner = stock(site, item_bread, "5000", by=lead, days=2)
    t = services.propose_transfer(
        source=site,
        destination=other_site,
        item=item_bread,
        quantity=Decimal(7000),
        by=_coordinator(),
    )
    services.accept_transfer(transfer_id=t.pk, by=lead)
    services.dispatch_transfer(transfer_id=t.pk, by=lead)
    assert list(t.lines.values_list("origin_lot", "quantity")) == [
        (sooner.pk, 5000),
        (later.pk, 2000),
    ]


def _coordinator():
    from tests.factories import UserFactory

    return UserFactory(is_coordinator=True)


def test_a_second_site_cannot_claim_a_taken_offer(claimed, site, lead, coordinator, item_bread):
    from tests.factories import SiteFactory

    third = SiteFactory(name="Third", stores__has_chilled_storage=True)
    with pytest.raises(DomainError, match="Someone else claimed all of this Bread first"):
        services.claim_offer(offer_id=claimed.offer_id, site=third, by=coordinator)
    assert Transfer.objects.count() == 1


def test_an_expired_offer_cannot_be_claimed(site, other_site, lead, other_lead, bread_lot):
    o = offer(site, bread_lot, by=lead, hours=1)
    with pytest.raises(DomainError, match="This offer closed on"):
        services.claim_offer(
            offer_id=o.pk, site=other_site, by=other_lead, now=timezone.now() + timedelta(hours=2)
        )
    assert not Transfer.objects.exists()
    assert Reservation.objects.get(status="held").reference == f"offer:{o.pk}"


def test_part_of_an_offer_can_be_claimed_and_the_rest_stays_on_offer(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    t = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(15000))
    o.refresh_from_db()
    assert (o.status, o.remaining) == ("open", 25000)
    held = dict(Reservation.objects.filter(status="held").values_list("reference", "quantity"))
    assert held == {f"offer:{o.pk}": 25000, f"transfer:{t.pk}": 15000}
    with pytest.raises(NotEnoughStock, match="Only 25 kg of Bread is still on offer"):
        services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead, quantity=Decimal(30000))


def test_a_site_cannot_claim_its_own_offer_or_claim_for_a_site_it_does_not_lead(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    with pytest.raises(DomainError, match="your own site's offer"):
        services.claim_offer(offer_id=o.pk, site=site, by=lead)
    with pytest.raises(DomainError, match="Only leads of Eastside Food Bank"):
        services.claim_offer(offer_id=o.pk, site=other_site, by=lead)
    assert not Transfer.objects.exists()


def test_a_site_without_cold_storage_cannot_claim_chilled_food(
    site, other_site, lead, other_lead, mapped
):
    from tests.network.factories import yoghurt

    lot = stock(site, yoghurt(), "30", by=lead)
    o = offer(site, lot, by=lead)
    other_site.pantry_settings.has_chilled_storage = False
    other_site.pantry_settings.save()
    with pytest.raises(DomainError, match="Eastside Food Bank has no chilled storage for Yoghurt"):
        services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    assert not Transfer.objects.exists()


def test_a_lead_cannot_accept_a_transfer_of_another_sites_stock(claimed, other_lead):
    with pytest.raises(DomainError, match="Only leads of Riverside Kitchen and coordinators"):
        services.accept_transfer(transfer_id=claimed.pk, by=other_lead)
    claimed.refresh_from_db()
    assert claimed.status == Transfer.Status.PROPOSED and claimed.accepted_by is None


def test_dispatch_before_acceptance_is_refused(claimed, lead):
    with pytest.raises(DomainError, match="Accept this transfer before dispatching it"):
        services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    assert not StockMove.objects.filter(kind=Kind.TRANSFER_OUT).exists()


def test_receiving_more_than_was_dispatched_is_refused_and_nothing_is_written(
    claimed, lead, other_lead, other_site
):
    services.accept_transfer(transfer_id=claimed.pk, by=lead)
    services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    (line,) = claimed.lines.all()
    with pytest.raises(DomainError, match="only 40 kg was dispatched"):
        services.receive_transfer(
            transfer_id=claimed.pk, by=other_lead, received={line.pk: Decimal("41000")}
        )
    assert not Lot.objects.filter(site=other_site).exists()
    claimed.refresh_from_db()
    assert claimed.status == Transfer.Status.DISPATCHED


def test_a_short_delivery_needs_a_reason(claimed, lead, other_lead, other_site):
    services.accept_transfer(transfer_id=claimed.pk, by=lead)
    services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    (line,) = claimed.lines.all()
    with pytest.raises(DomainError, match="2 kg did not arrive in good condition: say why") as e:
        services.receive_transfer(
            transfer_id=claimed.pk, by=other_lead, received={line.pk: Decimal("38000")}
        )
    assert e.value.field == "reason"
    assert not Lot.objects.filter(site=other_site).exists()


def test_a_transfer_is_received_once(claimed, lead, other_lead):
    services.accept_transfer(transfer_id=claimed.pk, by=lead)
    services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    (line,) = claimed.lines.all()
    services.receive_transfer(transfer_id=claimed.pk, by=other_lead, received={line.pk: 40000})
    with pytest.raises(DomainError, match="already received"):
        services.receive_transfer(transfer_id=claimed.pk, by=other_lead, received={line.pk: 40000})
    assert StockMove.objects.filter(kind=Kind.TRANSFER_IN).count() == 1


def test_only_the_destination_receives(claimed, lead):
    services.accept_transfer(transfer_id=claimed.pk, by=lead)
    services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    (line,) = claimed.lines.all()
    with pytest.raises(DomainError, match="Only leads of Eastside Food Bank"):
        services.receive_transfer(transfer_id=claimed.pk, by=lead, received={line.pk: 40000})


def test_cancelling_a_claim_puts_the_food_back_on_offer(claimed, other_lead, bread_lot):
    services.cancel_transfer(transfer_id=claimed.pk, by=other_lead, reason="Van broke down")
    claimed.refresh_from_db()
    claimed.offer.refresh_from_db()
    assert (claimed.status, claimed.cancel_reason) == ("cancelled", "Van broke down")
    assert (claimed.offer.status, claimed.offer.remaining) == ("open", 40000)
    assert Reservation.objects.get(status="held").reference == f"offer:{claimed.offer_id}"


def test_cancelling_needs_a_reason(claimed, other_lead):
    with pytest.raises(DomainError, match="Say why") as e:
        services.cancel_transfer(transfer_id=claimed.pk, by=other_lead, reason="  ")
    assert e.value.field == "reason"


def test_cancelling_in_transit_puts_the_food_back_at_the_source_with_its_date_and_origin(
    claimed, site, lead, bread_lot
):
    before = network_quantities()
    services.accept_transfer(transfer_id=claimed.pk, by=lead)
    services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    services.cancel_transfer(transfer_id=claimed.pk, by=lead, reason="Nobody at the food bank")
    (line,) = claimed.lines.all()
    back = line.returned_lot
    assert (back.site, back.on_hand, back.best_before, back.source) == (
        site,
        40000,
        bread_lot.best_before,
        "Harbour bakery",
    )
    assert back.moves.get().kind == Kind.TRANSFER_IN
    assert network_quantities() == before


def test_a_received_transfer_cannot_be_cancelled(claimed, lead, other_lead):
    services.accept_transfer(transfer_id=claimed.pk, by=lead)
    services.dispatch_transfer(transfer_id=claimed.pk, by=lead)
    (line,) = claimed.lines.all()
    services.receive_transfer(transfer_id=claimed.pk, by=other_lead, received={line.pk: 40000})
    with pytest.raises(DomainError, match="already received"):
        services.cancel_transfer(transfer_id=claimed.pk, by=lead, reason="oops")


def test_a_coordinators_proposal_holds_food_only_once_accepted(
    site, other_site, coordinator, lead, item_bread, bread_lot
):
    t = services.propose_transfer(
        source=site,
        destination=other_site,
        item=item_bread,
        quantity=Decimal(10000),
        by=coordinator,
    )
    bread_lot.refresh_from_db()
    assert bread_lot.reserved == 0
    services.accept_transfer(transfer_id=t.pk, by=lead)
    bread_lot.refresh_from_db()
    assert bread_lot.reserved == 10000


def test_accepting_a_proposal_the_stock_no_longer_covers_is_refused(
    site, other_site, coordinator, lead, item_bread, bread_lot
):
    t = services.propose_transfer(
        source=site,
        destination=other_site,
        item=item_bread,
        quantity=Decimal(30000),
        by=coordinator,
    )
    offer(site, bread_lot, "20000", by=lead)
    with pytest.raises(NotEnoughStock, match="Riverside Kitchen has only 20 kg of Bread free"):
        services.accept_transfer(transfer_id=t.pk, by=lead)
    t.refresh_from_db()
    assert t.status == "proposed"


def test_only_coordinators_propose_transfers(site, other_site, lead, item_bread, bread_lot):
    with pytest.raises(DomainError, match="Only coordinators propose"):
        services.propose_transfer(
            source=site, destination=other_site, item=item_bread, quantity=Decimal(1), by=lead
        )


def test_receiving_food_claimed_for_a_need_counts_towards_it(
    site, other_site, lead, other_lead, bread_lot, item_bread
):
    n = need(other_site, by=other_lead, item=item_bread, quantity="30000")
    o = offer(site, bread_lot, by=lead)
    t = services.claim_offer(
        offer_id=o.pk, site=other_site, by=other_lead, need=n, quantity=Decimal(30000)
    )
    services.accept_transfer(transfer_id=t.pk, by=lead)
    services.dispatch_transfer(transfer_id=t.pk, by=lead)
    (line,) = t.lines.all()
    services.receive_transfer(transfer_id=t.pk, by=other_lead, received={line.pk: 30000})
    n.refresh_from_db()
    assert (n.received, n.status) == (30000, Need.Status.MET)
