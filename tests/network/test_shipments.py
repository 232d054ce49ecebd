"""Shipments: one transfer carrying several items, each taken first expiring first or
from a named lot, with one manifest, one dispatch and one receipt (received, short
and damaged per line); a line that cannot be sent refuses the whole shipment."""

from decimal import Decimal

import pytest

from commonpot.errors import DomainError
from pantry.models import Lot, Reservation, StockMove
from pantry.network import services
from pantry.network.models import ShipmentItem, Transfer, TransferLine
from pantry.network.pdf import manifest_lines
from pantry.network.services import Line
from pantry.services import holds
from tests.conftest import client_for
from tests.factories import SiteFactory
from tests.network.factories import stock, yoghurt

pytestmark = pytest.mark.django_db


@pytest.fixture
def pots(site, lead, mapped):
    item = yoghurt()
    return item, stock(site, item, "12", by=lead, days=3)


def _state():
    return (
        sorted(Lot.objects.values_list("pk", "on_hand", "reserved")),
        Reservation.objects.count(),
        Transfer.objects.count(),
        ShipmentItem.objects.count(),
        StockMove.objects.count(),
    )


def test_a_lead_sends_two_items_as_one_shipment_held_at_once(
    site, other_site, lead, bread_lot, pots
):
    item, pot_lot = pots
    older = stock(site, bread_lot.item, "5000", by=lead, days=1)
    transfer = services.propose_shipment(
        source=site,
        destination=other_site,
        lines=[
            Line(item=bread_lot.item, quantity=Decimal("8000")),
            Line(item=item, quantity=Decimal("4"), lot=pot_lot),
        ],
        by=lead,
    )
    assert transfer.status == Transfer.Status.ACCEPTED
    assert transfer.what == "Bread and 1 more item"
    assert transfer.cold_chain == "chilled"  # the yoghurt travels cold: the van does
    held = {
        (r.lot_id, r.quantity)
        for r in Reservation.objects.filter(reference=transfer.reference, status="held")
    }
    # Bread first expiring first: all 5 kg of the older lot, then 3 kg of the other.
    assert held == {(older.pk, Decimal("5000")), (bread_lot.pk, Decimal("3000")), (pot_lot.pk, 4)}
    rows, state = manifest_lines(transfer)
    assert state == "held"
    assert sorted(r.item for r in rows) == ["Bread", "Bread", "Yoghurt"]


def test_dispatch_and_receipt_go_line_by_line_with_short_and_damaged(
    site, other_site, lead, other_lead, bread_lot, pots
):
    item, pot_lot = pots
    transfer = services.propose_shipment(
        source=site,
        destination=other_site,
        lines=[
            Line(item=bread_lot.item, quantity=Decimal("10000")),
            Line(item=item, quantity=Decimal("6")),
        ],
        by=lead,
    )
    services.dispatch_transfer(transfer_id=transfer.pk, by=lead, temperature_c=Decimal("3"))
    bread_line, pot_line = transfer.lines.order_by("item__name")
    assert (bread_line.item, bread_line.quantity) == (bread_lot.item, Decimal("10000"))
    assert bread_line.shipment_item.position == 0 and pot_line.shipment_item.position == 1
    bread_lot.refresh_from_db()
    pot_lot.refresh_from_db()
    assert (bread_lot.on_hand, pot_lot.on_hand) == (Decimal("30000"), Decimal("6"))

    services.receive_transfer(
        transfer_id=transfer.pk,
        by=other_lead,
        received={bread_line.pk: Decimal("9000"), pot_line.pk: Decimal("4")},
        damaged={bread_line.pk: Decimal("500"), pot_line.pk: Decimal("2")},
        reason="damaged",
        destination="compost",
        temperature_c=Decimal("4"),
    )
    bread_line.refresh_from_db()
    pot_line.refresh_from_db()
    assert (bread_line.received_quantity, bread_line.shortfall, bread_line.damaged) == (
        Decimal("9000"),
        Decimal("500"),
        Decimal("500"),
    )
    assert (pot_line.received_quantity, pot_line.shortfall, pot_line.damaged) == (4, 0, 2)
    # The ledger at the destination says the same: each line's new lot holds what arrived good.
    assert bread_line.received_lot.on_hand == Decimal("9000")
    assert pot_line.received_lot.on_hand == Decimal("4")
    wasted = StockMove.objects.filter(lot__site=other_site, kind=StockMove.Kind.WASTED)
    assert sorted(-m.quantity for m in wasted) == [Decimal("2"), Decimal("1000")]


def test_an_item_the_sender_has_too_little_of_refuses_the_whole_shipment(
    site, other_site, lead, bread_lot, pots
):
    item, _ = pots
    before = _state()
    with pytest.raises(DomainError, match=r"Line 2 \(Yoghurt\): .* has only 12 pots"):
        services.propose_shipment(
            source=site,
            destination=other_site,
            lines=[
                Line(item=bread_lot.item, quantity=Decimal("1000")),
                Line(item=item, quantity=Decimal("20")),
            ],
            by=lead,
        )
    assert _state() == before


def test_a_held_lot_and_another_sites_lot_are_refused_with_nothing_written(
    site, other_site, lead, other_lead, bread_lot, pots
):
    item, pot_lot = pots
    elsewhere = stock(other_site, bread_lot.item, "3000", by=other_lead)
    third = SiteFactory(name="Harbour Camp Kitchen", slug="harbour")
    before = _state()
    with pytest.raises(DomainError, match="That lot is at Eastside Food Bank, not Riverside"):
        services.propose_shipment(
            source=site,
            destination=third,
            lines=[
                Line(item=item, quantity=Decimal("2")),
                Line(item=bread_lot.item, quantity=Decimal("1000"), lot=elsewhere),
            ],
            by=lead,
        )
    holds.start_holds([pot_lot], cause="manual", by=lead, note="Lid split")
    before = _state()
    with pytest.raises(DomainError, match="on hold"):
        services.propose_shipment(
            source=site,
            destination=other_site,
            lines=[
                Line(item=bread_lot.item, quantity=Decimal("1000")),
                Line(item=item, quantity=Decimal("2"), lot=pot_lot),
            ],
            by=lead,
        )
    assert _state() == before


def test_a_lead_cannot_send_another_sites_food(site, other_site, other_lead, bread_lot):
    with pytest.raises(DomainError, match="Only leads of Riverside Kitchen and coordinators"):
        services.propose_shipment(
            source=site,
            destination=other_site,
            lines=[Line(item=bread_lot.item, quantity=Decimal("1000"))],
            by=other_lead,
        )
    assert not Transfer.objects.exists()


def test_a_coordinators_shipment_is_held_when_the_source_accepts(
    site, other_site, lead, coordinator, bread_lot, pots
):
    item, _ = pots
    transfer = services.propose_shipment(
        source=site,
        destination=other_site,
        lines=[Line(item=bread_lot.item, quantity=Decimal("2000")), Line(item=item, quantity=2)],
        by=coordinator,
    )
    assert transfer.status == Transfer.Status.PROPOSED
    assert not Reservation.objects.filter(reference=transfer.reference).exists()
    services.accept_transfer(transfer_id=transfer.pk, by=lead)
    assert Reservation.objects.filter(reference=transfer.reference, status="held").count() == 2


def test_cancelling_a_dispatched_shipment_brings_every_line_back(
    site, other_site, lead, bread_lot, pots
):
    item, pot_lot = pots
    transfer = services.propose_shipment(
        source=site,
        destination=other_site,
        lines=[Line(item=bread_lot.item, quantity=Decimal("2000")), Line(item=item, quantity=5)],
        by=lead,
    )
    services.dispatch_transfer(transfer_id=transfer.pk, by=lead, temperature_c=Decimal("2"))
    services.cancel_transfer(transfer_id=transfer.pk, by=lead, reason="Van broke down")
    back = {line.item.name: line.returned_lot.on_hand for line in transfer.lines.all()}
    assert back == {"Bread": Decimal("2000"), "Yoghurt": Decimal("5")}


def test_the_form_adds_another_item_without_writing_and_sends_both(
    site, other_site, lead, bread_lot, pots
):
    item, pot_lot = pots
    client = client_for(lead)
    data = {
        "token": "5b0c7c8e-8d7a-4c38-9a55-3c7f4b0de001",
        "source": site.pk,
        "destination": other_site.pk,
        "item": bread_lot.item.name,
        "quantity": "3",
        "unit": "kg",
        "more-TOTAL_FORMS": "0",
        "more-INITIAL_FORMS": "0",
    }
    page = client.post("/network/transfers/new/", {**data, "add_item": "1"})
    assert page.status_code == 200
    assert "Item 2" in page.content.decode()
    assert not Transfer.objects.exists()

    more = {"more-TOTAL_FORMS": "1", "more-0-item": item.name, "more-0-quantity": "3"}
    more |= {"more-0-unit": "pieces", "more-0-lot": pot_lot.pk}
    response = client.post("/network/transfers/new/", {**data, **more})
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    assert [(si.item.name, si.quantity, si.lot_id) for si in transfer.items.all()] == [
        ("Bread", Decimal("3000"), None),
        ("Yoghurt", Decimal("3"), pot_lot.pk),
    ]
    page = client.get(transfer.get_absolute_url()).content.decode()
    assert "Bread and 1 more item" in page
    assert f"from lot no. {pot_lot.pk}" in page


def test_the_form_says_which_line_is_short_and_writes_nothing(
    site, other_site, lead, bread_lot, pots
):
    item, _ = pots
    response = client_for(lead).post(
        "/network/transfers/new/",
        {
            "token": "5b0c7c8e-8d7a-4c38-9a55-3c7f4b0de002",
            "source": site.pk,
            "destination": other_site.pk,
            "item": bread_lot.item.name,
            "quantity": "3",
            "unit": "kg",
            "more-TOTAL_FORMS": "1",
            "more-INITIAL_FORMS": "0",
            "more-0-item": item.name,
            "more-0-quantity": "50",
            "more-0-unit": "pieces",
        },
    )
    assert response.status_code == 400
    assert "Line 2 (Yoghurt): Riverside Kitchen has only 12 pots" in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_receipt_form_records_damaged_apart_from_short(
    site, other_site, lead, other_lead, bread_lot
):
    transfer = services.propose_shipment(
        source=site,
        destination=other_site,
        lines=[Line(item=bread_lot.item, quantity=Decimal("10000"))],
        by=lead,
    )
    services.dispatch_transfer(transfer_id=transfer.pk, by=lead)
    (line,) = TransferLine.objects.filter(transfer=transfer)
    response = client_for(other_lead).post(
        f"/network/transfers/{transfer.pk}/receive/",
        {
            f"line_{line.pk}": "8",
            f"line_{line.pk}_unit": "kg",
            f"line_{line.pk}_damaged": "1.5",
            "reason": "damaged",
            "destination": "compost",
        },
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.received_quantity, line.damaged, line.shortfall) == (
        Decimal("8000"),
        Decimal("1500"),
        Decimal("500"),
    )
