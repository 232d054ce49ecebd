"""The stock ledger services that every app uses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from commonpot.errors import DomainError
from pantry import services
from pantry.models import Lot, Reservation, StockMove
from pantry.services import NotEnoughStock
from tests.pantry.factories import ItemFactory

pytestmark = pytest.mark.django_db
Kind = StockMove.Kind


def moves_of(lot):
    return list(lot.moves.order_by("pk").values_list("kind", "quantity"))


def test_receiving_makes_a_lot_with_one_move_and_its_weight(site, lead, item_beans):
    move = services.receive(
        site=site, item=item_beans, quantity=Decimal("12"), by=lead, source="Tesco"
    )
    lot = Lot.objects.get()
    assert (lot.on_hand, lot.reserved, lot.site, lot.storage) == (12, 0, site, "dry")
    assert move.kind == "received" and move.weight_g == Decimal("4980.000")
    assert move.on_hand_after == 12 and move.by == lead


def test_receiving_into_storage_the_site_does_not_have_is_refused(site, lead, item_rice):
    with pytest.raises(DomainError, match="has no frozen storage"):
        services.receive(
            site=site, item=item_rice, quantity=1, by=lead, source="x", storage="frozen"
        )
    assert not Lot.objects.exists()


def test_a_take_comes_first_from_the_lot_that_expires_first(site, lead, item_rice, stock):
    taken = services.take_stock(
        site=site, item=item_rice, quantity=Decimal("2500"), kind=Kind.DISTRIBUTED, by=lead
    )
    assert [(t.lot, t.quantity) for t in taken] == [(stock["soon"], 2000), (stock["later"], 500)]
    stock["soon"].refresh_from_db()
    stock["later"].refresh_from_db()
    assert (stock["soon"].on_hand, stock["later"].on_hand) == (0, 2500)


def test_a_take_skips_expired_lots_and_undated_lots_go_last(site, lead, item_rice, stock):
    expired = stock["make"]("1000", -1, date_kind="use_by")
    undated = stock["make"]("1000", None)
    taken = services.take_stock(
        site=site, item=item_rice, quantity=Decimal("6000"), kind=Kind.COOKED, by=lead
    )
    assert [t.lot for t in taken] == [stock["soon"], stock["later"], undated]
    expired.refresh_from_db()
    assert expired.on_hand == 1000


def test_taking_more_than_is_available_says_how_much_there_is_and_writes_nothing(
    site, lead, item_rice, stock
):
    before = StockMove.objects.count()
    with pytest.raises(NotEnoughStock, match=r"Only 5 kg of Rice is free at .*you asked for 6 kg"):
        services.take_stock(
            site=site, item=item_rice, quantity=Decimal("6000"), kind=Kind.DISTRIBUTED, by=lead
        )
    assert StockMove.objects.count() == before
    assert sorted(Lot.objects.values_list("on_hand", flat=True)) == [2000, 3000]


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "NaN"])
def test_a_take_of_nothing_or_less_is_refused(site, lead, item_rice, stock, bad):
    with pytest.raises(DomainError):
        services.take_stock(site=site, item=item_rice, quantity=bad, kind="cooked", by=lead)
    assert StockMove.objects.filter(kind="cooked").count() == 0


def test_a_take_from_a_chosen_lot_takes_only_from_it(site, lead, item_rice, stock):
    (taken,) = services.take_stock(
        site=site, item=item_rice, quantity=500, kind="distributed", by=lead, lot=stock["later"]
    )
    assert taken.lot == stock["later"] and taken.lot.on_hand == 2500


def test_a_lot_from_another_site_cannot_be_taken_from(site, other_site, lead, item_rice, stock):
    theirs = services.receive(
        site=other_site, item=item_rice, quantity=1000, by=None, source="x"
    ).lot
    with pytest.raises(DomainError, match="belongs to Eastside Food Bank"):
        services.take_stock(
            site=site, item=item_rice, quantity=100, kind="distributed", by=lead, lot=theirs
        )
    theirs.refresh_from_db()
    assert theirs.on_hand == 1000


def test_an_expired_lot_is_not_given_out_but_can_be_discarded(site, lead, item_rice, stock):
    expired = stock["make"]("1000", -2, date_kind="use_by")
    with pytest.raises(DomainError, match="passed its use-by date on .*only be discarded"):
        services.take_stock(
            site=site, item=item_rice, quantity=100, kind="distributed", by=lead, lot=expired
        )
    move = services.discard(expired, reason="expired", destination="compost", by=lead)
    assert (move.kind, move.quantity, move.destination) == ("wasted", -1000, "compost")
    expired.refresh_from_db()
    assert expired.on_hand == 0


def test_waste_needs_a_reason_and_a_destination(site, lead, item_rice, stock):
    with pytest.raises(DomainError, match="why"):
        services.discard(stock["soon"], reason="", destination="compost", by=lead)
    with pytest.raises(DomainError, match="where"):
        services.discard(stock["soon"], reason="spoiled", destination="moon", by=lead)
    assert not StockMove.objects.filter(kind="wasted").exists()


def test_reserved_stock_is_on_hand_but_not_available(site, lead, item_rice, stock):
    held = services.reserve_stock(
        site=site, item=item_rice, quantity=2500, reference="meal-service:1", by=lead
    )
    assert [(r.lot, r.quantity) for r in held] == [(stock["soon"], 2000), (stock["later"], 500)]
    assert services.available(site, item_rice) == 2500
    with pytest.raises(NotEnoughStock, match="Only 2.5 kg"):
        services.take_stock(site=site, item=item_rice, quantity=3000, kind="cooked", by=lead)
    with pytest.raises(DomainError, match="held for a planned use"):
        services.discard(stock["soon"], reason="spoiled", destination="compost", by=lead)


def test_held_stock_is_taken_or_released_once(site, lead, item_rice, stock):
    first, second = services.reserve_stock(
        site=site, item=item_rice, quantity=2500, reference="transfer:9", by=lead
    )
    taken = services.take_reserved(first, kind="transfer_out", by=lead, quantity=1500)
    assert taken.move.reference == "transfer:9" and taken.quantity == 1500
    stock["soon"].refresh_from_db()
    # 500 left of the 2000 hold went back to the shelf.
    assert (stock["soon"].on_hand, stock["soon"].reserved) == (500, 0)
    with pytest.raises(DomainError, match="already used"):
        services.take_reserved(first, kind="transfer_out", by=lead)
    assert services.release_reservations("transfer:9") == 1
    stock["later"].refresh_from_db()
    assert stock["later"].reserved == 0
    assert set(Reservation.objects.values_list("status", flat=True)) == {"used", "released"}


def test_a_count_adjusts_only_the_counted_lots_with_who_and_when(site, lead, item_rice, stock):
    count = services.record_count(
        site=site, storage="dry", counted={stock["soon"].pk: Decimal("1800")}, by=lead
    )
    stock["soon"].refresh_from_db()
    stock["later"].refresh_from_db()
    assert (stock["soon"].on_hand, stock["later"].on_hand) == (1800, 3000)
    move = StockMove.objects.get(kind="counted")
    assert (move.quantity, move.by, move.count) == (-200, lead, count)
    assert count.lines.get().expected == 2000


def test_a_count_that_matches_writes_no_move_and_the_same_form_records_once(
    site, lead, item_rice, stock
):
    import uuid

    token = uuid.uuid4()
    for _ in range(2):
        services.record_count(
            site=site, storage="dry", counted={stock["soon"].pk: 2000}, by=lead, token=token
        )
    assert not StockMove.objects.filter(kind="counted").exists()
    assert site.stock_counts.count() == 1


def test_a_count_of_another_sites_lot_or_below_zero_is_refused(
    site, other_site, lead, item_rice, stock
):
    theirs = services.receive(site=other_site, item=item_rice, quantity=1, by=None, source="x")
    with pytest.raises(DomainError, match="not at this site"):
        services.record_count(site=site, storage="dry", counted={theirs.lot_id: 0}, by=lead)
    with pytest.raises(DomainError, match="below zero"):
        services.record_count(site=site, storage="dry", counted={stock["soon"].pk: -1}, by=lead)
    assert not site.stock_counts.exists()


def test_undo_records_a_reversing_move_and_only_once(site, lead, item_rice, stock):
    (taken,) = services.take_stock(
        site=site, item=item_rice, quantity=300, kind="distributed", by=lead
    )
    undo = services.reverse_move(taken.move, by=lead)
    assert (undo.kind, undo.quantity, undo.reverses) == ("reversed", 300, taken.move)
    stock["soon"].refresh_from_db()
    assert stock["soon"].on_hand == 2000
    with pytest.raises(DomainError, match="already undone"):
        services.reverse_move(taken.move, by=lead)
    with pytest.raises(DomainError, match="itself an undo"):
        services.reverse_move(undo, by=lead)


def test_undoing_a_receipt_whose_food_is_gone_is_refused(site, lead, item_rice, stock):
    received = stock["soon"].moves.get()
    services.take_stock(site=site, item=item_rice, quantity=2000, kind="cooked", by=lead)
    with pytest.raises(DomainError, match="cannot be undone"):
        services.reverse_move(received, by=lead)


def test_an_old_move_is_put_right_by_a_count_not_an_undo(site, lead, item_rice, stock):
    old = stock["soon"].moves.get()
    StockMove.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=8))
    old.refresh_from_db()
    with pytest.raises(DomainError, match="count the"):
        services.reverse_move(old, by=lead)


def test_other_apps_record_moves_with_a_reference(site, other_site, lead, item_rice, stock):
    out = services.take_stock(
        site=site,
        item=item_rice,
        quantity=1000,
        kind="transfer_out",
        by=lead,
        reference="transfer:3",
    )
    arrived = services.receive(
        site=other_site,
        item=item_rice,
        quantity=1000,
        by=None,
        kind="transfer_in",
        source="Transfer from Riverside Kitchen",
        reference="transfer:3",
        best_before=out[0].lot.best_before,
    )
    assert StockMove.objects.filter(reference="transfer:3").count() == 2
    assert arrived.lot.best_before == stock["soon"].best_before


def test_the_ledger_adds_up_after_every_kind_of_move(site, lead, item_rice, stock):
    services.take_stock(site=site, item=item_rice, quantity=100, kind="cooked", by=lead)
    services.reserve_stock(site=site, item=item_rice, quantity=200, reference="m:1", by=lead)
    services.discard(stock["later"], reason="damaged", destination="landfill", by=lead, quantity=50)
    services.record_count(site=site, storage="dry", counted={stock["later"].pk: 2900}, by=lead)
    for lot in Lot.objects.all():
        assert services.ledger_is_consistent(lot)


def test_the_database_refuses_stock_below_zero_whatever_the_code_does(item_rice, stock):
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=stock["soon"].pk).update(on_hand=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Lot.objects.filter(pk=stock["soon"].pk).update(reserved=2001)


def test_moves_are_never_edited_or_deleted(stock):
    move = stock["soon"].moves.get()
    with pytest.raises(TypeError):
        move.save()
    with pytest.raises(TypeError):
        move.delete()
    with pytest.raises(TypeError):
        StockMove.objects.all().delete()


def test_a_piece_item_without_weight_still_moves_with_weight_unknown(site, lead, item_soap):
    move = services.receive(site=site, item=item_soap, quantity=6, by=lead, source="x")
    assert move.weight_g is None


def test_allergen_free_items(db):
    from pantry.models import Item

    ItemFactory(name="Bread", allergens=["wheat"])
    cheese = ItemFactory(name="Cheese", allergens=["milk"])
    apples = ItemFactory(name="Apples")
    assert set(Item.objects.free_from(["gluten"])) == {cheese, apples}
    assert set(Item.objects.free_from(["milk", "wheat"])) == {apples}
