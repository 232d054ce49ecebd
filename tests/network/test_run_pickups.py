"""Pickup runs: a pickup at a donor that is not a site (its food received as a
donation where the van drops it), and a pickup of nothing ("took 0 of 40 kg")."""

from decimal import Decimal

import pytest

from commonpot.errors import DomainError
from pantry.models import Donation, Lot, Reservation, StockMove
from pantry.network.models import Offer, Stop, StopLine, Transfer
from pantry.network.services import runs
from tests.conftest import client_for
from tests.network.factories import tomorrow_at as _at
from tests.network.test_runs import _stops
from tests.pantry.factories import DonorFactory, ItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def greengrocer(other_site):
    """A shop that gives Eastside its unsold food: a donor, not a site of the network."""
    return DonorFactory(site=other_site, name="Corner Greengrocer", address="3 Mill Lane, Bristol")


@pytest.fixture
def apples(db):
    return ItemFactory(name="Apples")


def _donor_stop(run, coordinator, clock, greengrocer, item_bread, apples, **kwargs):
    fields = {
        "run_id": run.pk,
        "by": coordinator,
        "kind": "pickup",
        "donor": greengrocer,
        "donated": [(apples, Decimal("40000")), (item_bread, Decimal("5000"))],
        "latitude": "51.47000",
        "longitude": "-2.55000",
        "window_from": _at(clock, 8),
        "window_until": _at(clock, 11),
    }
    return runs.add_stop(**(fields | kwargs))


def _stock(site, item) -> Decimal:
    return sum(
        Lot.objects.filter(site=site, item=item).values_list("on_hand", flat=True), Decimal(0)
    )


def test_a_donors_food_is_picked_up_and_received_as_a_donation_where_the_van_drops_it(
    run, coordinator, lead, site, other_site, greengrocer, item_bread, apples
):
    pickup = _donor_stop(run, coordinator, site, greengrocer, item_bread, apples)
    assert pickup.place_name == "Corner Greengrocer (donor)"
    assert pickup.street_address == "3 Mill Lane, Bristol"
    drop = runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="drop",
        site=other_site,
        window_from=_at(site, 9),
        window_until=_at(site, 13),
    )
    runs.order_run(run_id=run.pk, by=coordinator)
    assert list(run.stops.values_list("pk", flat=True)) == [pickup.pk, drop.pk]
    apple_line = pickup.lines.get(item=apples)
    runs.record_pickup(line_id=apple_line.pk, by=lead, taken="30000")  # 30 of 40 kg
    runs.record_pickup(line_id=pickup.lines.get(item=item_bread).pk, by=lead)
    runs.finish_stop(stop_id=pickup.pk, by=lead)
    assert not Donation.objects.exists()  # on the road: in no site's stock yet
    runs.finish_stop(stop_id=drop.pk, by=lead)
    donation = Donation.objects.get()
    assert (donation.site, donation.donor) == (other_site, greengrocer)
    assert sorted(donation.lines.values_list("item__name", "quantity")) == [
        ("Apples", Decimal("30000")),
        ("Bread", Decimal("5000")),
    ]
    assert _stock(other_site, apples) == Decimal("30000")
    assert set(StopLine.objects.values_list("donation", flat=True)) == {donation.pk}
    runs.finish_stop(stop_id=drop.pk, by=lead)  # the same tap twice: one donation
    assert Donation.objects.count() == 1


def test_a_donors_food_for_the_vans_own_site_is_received_when_the_run_ends(
    run, coordinator, lead, site, apples, item_bread
):
    home_donor = DonorFactory(site=site, name="Market stall")
    pickup = _donor_stop(
        run, coordinator, site, home_donor, item_bread, apples, donated=[(apples, "12000")]
    )
    runs.record_pickup(line_id=pickup.lines.get().pk, by=lead)
    runs.finish_stop(stop_id=pickup.pk, by=lead)
    assert Donation.objects.get().site == site and _stock(site, apples) == Decimal("12000")


def test_a_donor_pickup_is_refused_with_its_reason(
    run, coordinator, other_lead, lead, site, other_site, greengrocer, item_bread, apples
):
    before = (Stop.objects.count(), StopLine.objects.count())
    with pytest.raises(DomainError, match="Corner Greengrocer has no place on the map"):
        _donor_stop(run, coordinator, site, greengrocer, item_bread, apples, latitude=None)
    with pytest.raises(DomainError, match="Say what to pick up from Corner Greengrocer"):
        _donor_stop(run, coordinator, site, greengrocer, item_bread, apples, donated=[])
    with pytest.raises(DomainError, match="at a site or at a donor, not both"):
        _donor_stop(run, coordinator, site, greengrocer, item_bread, apples, site=other_site)
    with pytest.raises(DomainError, match="more than the van's 500"):
        _donor_stop(
            run, coordinator, site, greengrocer, item_bread, apples, donated=[(apples, "600000")]
        )
    # The run's lead plans from their site, but the greengrocer is Eastside's donor.
    with pytest.raises(DomainError, match="Only leads of Eastside"):
        _donor_stop(run, lead, site, greengrocer, item_bread, apples)
    assert (Stop.objects.count(), StopLine.objects.count()) == before


def test_the_run_page_adds_a_donor_pickup_and_the_driver_sees_it(
    run, coordinator, lead, site, greengrocer, apples
):
    url = f"/network/runs/{run.pk}/"
    data = {
        "kind": "pickup",
        "donor": greengrocer.pk,
        "donated_item_1": apples.name,
        "donated_quantity_1": "40",
        "donated_unit_1": "kg",
        "window_from": "08:00",
        "window_until": "10:00",
    }
    bad = client_for(coordinator).post(url + "stops/", data)
    assert bad.status_code == 400 and "has no place on the map" in bad.content.decode()
    response = client_for(coordinator).post(
        url + "stops/", data | {"latitude": "51.47", "longitude": "-2.55"}
    )
    assert response.status_code == 302
    assert StopLine.objects.get().planned == Decimal("40000")
    page = client_for(lead).get(url + "drive/").content.decode()
    assert "Corner Greengrocer (donor)" in page and "3 Mill Lane, Bristol" in page
    assert f"for {greengrocer.site.name} (a donation)" in page


# --- Took nothing ----------------------------------------------------------------


def test_a_driver_who_found_nothing_records_0_and_all_of_it_goes_back_on_offer(
    run, coordinator, bakery, site, other_site, claimed, lead
):
    o, first, second = claimed
    pickup, _, _ = _stops(run, coordinator, bakery, site, other_site, claimed)
    line = StopLine.objects.get(stop=pickup, shipment_item__transfer=first)
    moves = StockMove.objects.count()
    runs.record_pickup(line_id=line.pk, by=lead, taken="0")  # took 0 of 30 kg
    o.refresh_from_db()
    first.refresh_from_db()
    assert o.status == Offer.Status.OPEN and o.remaining == Decimal("30000")
    assert first.status == Transfer.Status.CANCELLED
    assert "found none of it at Harbour Bakery" in first.cancel_reason
    assert not Reservation.objects.filter(reference=first.reference, status="held").exists()
    assert StockMove.objects.count() == moves  # nothing left the bakery's shelves
    assert StopLine.objects.get(pk=line.pk).taken == 0
    runs.record_pickup(line_id=line.pk, by=lead, taken="0")  # sent again: once
    assert Offer.objects.get(pk=o.pk).remaining == Decimal("30000")


def test_took_0_of_one_item_of_a_shipment_sends_the_others(
    run, coordinator, site, other_site, lead, item_bread, apples, mapped
):
    from pantry.network import services
    from tests.network.factories import stock

    stock(site, item_bread, "20000", by=lead)
    stock(site, apples, "8000", by=lead)
    shipment = services.propose_shipment(
        source=site,
        destination=other_site,
        lines=[
            services.Line(item=item_bread, quantity=Decimal("10000")),
            services.Line(item=apples, quantity=Decimal("8000")),
        ],
        by=lead,
    )
    pickup = runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="pickup",
        site=site,
        transfers=[shipment],
        window_from=_at(site, 8),
        window_until=_at(site, 10),
    )
    runs.record_pickup(line_id=pickup.lines.get(item=item_bread).pk, by=lead, taken="0")
    runs.record_pickup(line_id=pickup.lines.get(item=apples).pk, by=lead)
    shipment.refresh_from_db()
    assert shipment.status == Transfer.Status.DISPATCHED
    assert [(line.item.name, line.quantity) for line in shipment.lines.all()] == [
        ("Apples", Decimal("8000"))
    ]
    assert Lot.objects.get(site=site, item=item_bread).reserved == 0
    assert Transfer.objects.with_contents().get(pk=shipment.pk).contents == "Apples 8 kg"


def test_a_pickup_below_0_or_above_what_was_planned_is_refused(
    run, coordinator, bakery, site, other_site, claimed, lead
):
    _, first, _ = claimed
    pickup, _, _ = _stops(run, coordinator, bakery, site, other_site, claimed)
    line = StopLine.objects.get(stop=pickup, shipment_item__transfer=first)
    for taken, reason in (("-1", "cannot be negative|at least|below"), ("30001", "only 30 kg")):
        with pytest.raises(DomainError, match=reason):
            runs.record_pickup(line_id=line.pk, by=lead, taken=taken)
    assert StopLine.objects.get(pk=line.pk).taken is None
    first.refresh_from_db()
    assert first.status == Transfer.Status.ACCEPTED
    driver = client_for(lead)
    response = driver.post(f"/network/stop-lines/{line.pk}/pickup/", {"taken": "0", "unit": "kg"})
    assert response.status_code == 302
    page = driver.get(f"/network/runs/{run.pk}/drive/").content.decode()
    assert "Loaded none of the Bread; 30 kg left behind is back on offer" in page
