"""Transfers made before shipments become shipments of one line, and going back folds
a line's damaged figure into its short one, so every line still adds up."""

from datetime import date
from decimal import Decimal

import pytest

from tests.migrating import migrate, migrate_to_latest

BEFORE = [("network", "0005_transfer_temperature_readings")]
AFTER = [("network", "0006_shipments_of_several_items")]


def _sites_item_lot(old):
    Site = old.get_model("commonpot", "Site")
    Item = old.get_model("pantry", "Item")
    Lot = old.get_model("pantry", "Lot")
    a = Site.objects.create(name="Riverside", slug="riverside", kind="kitchen")
    b = Site.objects.create(name="Eastside", slug="eastside", kind="food_bank")
    bread = Item.objects.create(name="Bread", category="grains_bread", base_unit="g", storage="dry")
    lot = Lot.objects.create(
        item=bread, site=a, storage="dry", source="Bakery", received_on=date(2026, 11, 1)
    )
    return a, b, bread, lot


@pytest.mark.django_db(transaction=True)
def test_existing_transfers_become_one_line_shipments_and_back():
    old = migrate(BEFORE)
    a, b, bread, lot = _sites_item_lot(old)
    Transfer = old.get_model("network", "Transfer")
    TransferLine = old.get_model("network", "TransferLine")
    proposed = Transfer.objects.create(
        source_id=a.pk, destination_id=b.pk, item_id=bread.pk, quantity=Decimal("4000")
    )
    received = Transfer.objects.create(
        source_id=a.pk,
        destination_id=b.pk,
        item_id=bread.pk,
        quantity=Decimal("5000"),
        status="received",
    )
    line = TransferLine.objects.create(
        transfer=received,
        item_id=bread.pk,
        origin_lot_id=lot.pk,
        quantity=Decimal("5000"),
        storage="dry",
        origin="Bakery",
        received_quantity=Decimal("4000"),
        shortfall=Decimal("1000"),
    )

    new = migrate(AFTER)
    ShipmentItem = new.get_model("network", "ShipmentItem")
    NewLine = new.get_model("network", "TransferLine")
    assert sorted(ShipmentItem.objects.values_list("transfer_id", "item_id", "quantity")) == [
        (proposed.pk, bread.pk, Decimal("4000")),
        (received.pk, bread.pk, Decimal("5000")),
    ]
    moved = NewLine.objects.get(pk=line.pk)
    assert moved.shipment_item.transfer_id == received.pk
    assert moved.damaged == 0
    # Received after the change: 500 g short, 500 g damaged.
    NewLine.objects.filter(pk=line.pk).update(shortfall=Decimal("500"), damaged=Decimal("500"))

    back = migrate(BEFORE)
    OldLine = back.get_model("network", "TransferLine")
    assert OldLine.objects.get(pk=line.pk).shortfall == Decimal("1000")
    migrate_to_latest()
