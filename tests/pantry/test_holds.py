"""Breach means hold: a fridge read too warm holds every lot in it; nothing but waste
takes from a held lot until a lead releases it or discards it, with a reason."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.errors import DomainError
from commonpot.models import Message
from pantry import services
from pantry.models import Item, LotHold, StockMove
from pantry.services import equipment, holds
from tests.conftest import client_for, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def fridge(site):
    site.pantry_settings.has_chilled_storage = True
    site.pantry_settings.save()
    return equipment.add_equipment(site, name="Fridge 1", kind="fridge")


@pytest.fixture
def milk_in_fridge(site, lead, item_milk, fridge):
    """Two lots of milk in the fridge, one of rice on the dry shelf."""
    lots = [
        services.receive(
            site=site,
            item=item_milk,
            quantity=Decimal(2000),
            by=lead,
            source="Dairy",
            stored_in=fridge,
        ).lot
        for _ in range(2)
    ]
    return lots


def breach(fridge, lead, token=None):
    return equipment.log_reading(fridge, value_c=Decimal("9.0"), by=lead, token=token)


def test_a_failing_reading_holds_exactly_the_lots_in_that_unit(fridge, lead, milk_in_fridge, stock):
    logged = breach(fridge, lead)
    assert {h.lot_id for h in logged.holds} == {lot.pk for lot in milk_in_fridge}
    for lot in milk_in_fridge:
        lot.refresh_from_db()
        assert lot.on_hold
    stock["soon"].refresh_from_db()
    assert not stock["soon"].on_hold


def test_the_refusal_names_the_lot_and_the_reading(site, fridge, lead, milk_in_fridge, item_milk):
    breach(fridge, lead)
    with pytest.raises(DomainError, match=r"This lot of Milk is on hold: Fridge 1 read 9.0 °C on"):
        services.take_stock(
            site=site,
            item=item_milk,
            quantity=Decimal(10),
            kind="distributed",
            by=lead,
            lot=milk_in_fridge[0],
        )


def test_giving_out_cannot_take_from_a_held_lot(site, fridge, lead, milk_in_fridge, item_milk):
    breach(fridge, lead)
    with pytest.raises(services.LineErrors, match="Only 0 ml of Milk is free"):
        services.distribute(
            site=site,
            recipient="households",
            households=1,
            given_on=site.today(),
            lines=[services.OutLine(item_milk, "1", "L")],
            by=lead,
        )
    assert not StockMove.objects.filter(kind="distributed").exists()


def test_nothing_can_be_reserved_from_a_held_lot(site, fridge, lead, milk_in_fridge, item_milk):
    breach(fridge, lead)
    with pytest.raises(DomainError, match="on hold"):
        services.reserve_stock(
            site=site,
            item=item_milk,
            quantity=Decimal(10),
            reference="meal-service:1",
            by=lead,
            lot=milk_in_fridge[0],
        )
    with pytest.raises(services.NotEnoughStock):
        services.reserve_stock(
            site=site, item=item_milk, quantity=Decimal(10), reference="meal-service:1", by=lead
        )


def test_a_reservation_made_before_the_hold_stays_but_cannot_be_taken(
    site, fridge, lead, milk_in_fridge, item_milk
):
    (held,) = services.reserve_stock(
        site=site,
        item=item_milk,
        quantity=Decimal(500),
        reference="meal-service:1",
        by=lead,
        lot=milk_in_fridge[0],
    )
    breach(fridge, lead)
    with pytest.raises(DomainError, match="on hold"):
        services.take_reserved(held, kind="cooked", by=lead)
    held.refresh_from_db()
    assert held.status == "held"


def test_waste_may_still_take_from_a_held_lot(site, fridge, lead, milk_in_fridge):
    breach(fridge, lead)
    move = services.discard(
        milk_in_fridge[0],
        reason="temperature",
        destination="landfill",
        by=lead,
        quantity=Decimal(100),
    )
    assert move.quantity == Decimal(-100)


def test_releasing_makes_the_lot_usable_again(site, fridge, lead, milk_in_fridge, item_milk):
    logged = breach(fridge, lead)
    with pytest.raises(DomainError, match="Say why"):
        holds.release_hold(logged.holds[0], by=lead, reason=" ")
    holds.release_hold(logged.holds[0], by=lead, reason="Probe was in the door; milk read 4 °C")
    lot = milk_in_fridge[0]
    lot.refresh_from_db()
    assert not lot.on_hold
    services.take_stock(
        site=site, item=item_milk, quantity=Decimal(10), kind="distributed", by=lead, lot=lot
    )
    with pytest.raises(DomainError, match="already released"):
        holds.release_hold(logged.holds[0], by=lead, reason="again")


def test_discarding_wastes_what_is_left_for_temperature_and_closes_the_hold(
    site, fridge, lead, milk_in_fridge, item_milk
):
    lot = milk_in_fridge[0]
    services.reserve_stock(
        site=site,
        item=item_milk,
        quantity=Decimal(500),
        reference="meal-service:1",
        by=lead,
        lot=lot,
    )
    logged = breach(fridge, lead)
    hold = next(h for h in logged.holds if h.lot_id == lot.pk)
    move = holds.discard_held(hold, by=lead, reason="Over 8 °C for 3 hours", destination="landfill")
    lot.refresh_from_db()
    assert (
        move.kind == "wasted" and move.reason == "temperature" and move.quantity == Decimal(-2000)
    )
    assert lot.on_hand == 0 and lot.reserved == 0 and not lot.on_hold
    hold.refresh_from_db()
    assert hold.outcome == "discarded" and hold.outcome_reason == "Over 8 °C for 3 hours"
    assert services.ledger_is_consistent(lot)


def test_one_message_per_breach_even_when_the_reading_is_sent_twice(
    site, fridge, lead, milk_in_fridge
):
    token = uuid.uuid4()
    first = breach(fridge, lead, token=token)
    second = breach(fridge, lead, token=token)
    assert first.reading.pk == second.reading.pk
    assert LotHold.objects.count() == 2
    message = Message.objects.get()
    assert message.to_user == lead and message.kind == "pantry.breach"
    assert "Fridge 1" in message.subject and "9.0 °C" in message.subject
    assert "Milk, lot" in message.body_text and "/holds/" in message.body_text


def test_a_double_post_of_the_form_holds_and_tells_once(site, fridge, lead, milk_in_fridge):
    client = client_for(lead)
    url = reverse("pantry:reading_new", args=[site.slug, fridge.pk])
    data = {"value": "9", "token": str(uuid.uuid4())}
    client.post(url, data)
    client.post(url, data)
    assert fridge.readings.count() == 1 and Message.objects.count() == 1


def test_held_stock_shows_apart_on_the_stock_page_and_the_lot_page(
    site, fridge, lead, milk_in_fridge, item_milk
):
    breach(fridge, lead)
    client = client_for(lead)
    stock_page = client.get(reverse("pantry:stock", args=[site.slug])).content.decode()
    assert "4 L on hold" in stock_page
    row = Item.objects.stock_at(site).get(pk=item_milk.pk)
    assert row.held_total == Decimal(4000) and row.available_total == 0 and row.past_total == 0
    lot_page = client.get(milk_in_fridge[0].get_absolute_url()).content.decode()
    assert "on hold" in lot_page and "Fridge 1 read 9.0 °C" in lot_page


def test_the_lead_releases_from_the_holds_page_and_volunteers_may_not(
    site, fridge, lead, volunteer, milk_in_fridge
):
    logged = breach(fridge, lead)
    hold = logged.holds[0]
    url = reverse("pantry:hold_decide", args=[site.slug, hold.pk])
    data = {"reason": "Checked: 4 °C", "destination": "landfill", "action": "release"}
    assert client_for(volunteer).post(url, data).status_code == 403
    assert client_for(lead).post(url, {**data, "reason": ""}).status_code == 400
    assert client_for(lead).post(url, data).status_code == 302
    hold.refresh_from_db()
    assert hold.outcome == "released" and hold.released_by == lead


def test_the_lead_discards_from_the_holds_page(site, fridge, lead, milk_in_fridge):
    hold = breach(fridge, lead).holds[0]
    url = reverse("pantry:hold_decide", args=[site.slug, hold.pk])
    client_for(lead).post(
        url, {"reason": "Warm for hours", "destination": "compost", "action": "discard"}
    )
    assert StockMove.objects.filter(lot=hold.lot, kind="wasted", reason="temperature").exists()


def test_the_holds_page_runs_the_same_queries_for_2_or_12_holds(site, fridge, lead, item_milk):
    client = client_for(lead)
    url = reverse("pantry:holds", args=[site.slug])

    def hold(n):
        for _ in range(n):
            services.receive(
                site=site,
                item=item_milk,
                quantity=Decimal(1000),
                by=lead,
                source="x",
                stored_in=fridge,
            )
        breach(fridge, lead)

    hold(2)
    few = page_queries(client, url)
    hold(10)
    holds.release_hold(LotHold.objects.open().first(), by=lead, reason="fine")
    assert page_queries(client, url) == few


def test_a_lot_moves_into_a_unit_of_its_kind_only(site, fridge, lead, stock, milk_in_fridge):
    freezer_site = site.pantry_settings
    freezer_site.has_frozen_storage = True
    freezer_site.save()
    freezer = equipment.add_equipment(site, name="Freezer", kind="freezer")
    with pytest.raises(DomainError, match="is not kept in a freezer"):
        equipment.store_lot(milk_in_fridge[0], freezer, by=lead)
    url = reverse("pantry:lot_store", args=[site.slug, milk_in_fridge[0].pk])
    client_for(lead).post(url, {"stored_in": ""})
    milk_in_fridge[0].refresh_from_db()
    assert milk_in_fridge[0].stored_in is None


def test_a_donation_of_chilled_food_goes_in_the_sites_only_fridge(site, fridge, lead, item_milk):
    from pantry.services import donations

    donation = donations.receive_donation(
        site=site,
        donor=None,
        received_on=site.today(),
        lines=[donations.LineInput(item_milk, "2", "L")],
        by=lead,
    )
    assert donation.lines.get().lot.stored_in == fridge
