"""Chilled and frozen transfers: a temperature at pickup and on arrival. Food too warm
at pickup is not sent; too warm on arrival, it is held at once and the leads told."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.errors import DomainError
from commonpot.models import Message
from pantry.models import Item, LotHold, Measures, Reading, StockMove, Storage
from pantry.network import services
from pantry.network.models import Transfer
from tests.conftest import client_for
from tests.network.factories import offer, stock, yoghurt
from tests.network.test_pages import pdf_text, text
from tests.pantry.factories import ItemFactory

pytestmark = pytest.mark.django_db


def accepted_transfer(site, other_site, lead, other_lead, item, quantity="30") -> Transfer:
    lot = stock(site, item, quantity, by=lead)
    o = offer(site, lot, by=lead)
    transfer = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    return services.accept_transfer(transfer_id=transfer.pk, by=lead)


@pytest.fixture
def chilled(site, other_site, lead, other_lead, mapped):
    """30 pots of yoghurt from Riverside to Eastside, accepted, not yet sent."""
    return accepted_transfer(site, other_site, lead, other_lead, yoghurt())


@pytest.fixture
def frozen(site, other_site, lead, other_lead, mapped):
    peas = ItemFactory(name="Frozen peas", category=Item.Category.PRODUCE, storage=Storage.FROZEN)
    for s in (site, other_site):
        s.pantry_settings.has_frozen_storage = True
        s.pantry_settings.save()
    return accepted_transfer(site, other_site, lead, other_lead, peas, "5000")


def dispatch(client, transfer, temperature=None):
    data = {} if temperature is None else {"temperature": temperature}
    return client.post(reverse("network:transfer_dispatch", args=[transfer.pk]), data)


def receive(client, transfer, temperature=None):
    transfer.refresh_from_db()
    data = {}
    for line in transfer.lines.all():
        data[f"line_{line.pk}"] = str(line.quantity)
        data[f"line_{line.pk}_unit"] = "pieces" if line.item.base_unit == "piece" else "g"
    if temperature is not None:
        data["temperature"] = temperature
    return client.post(reverse("network:transfer_receive", args=[transfer.pk]), data)


def nothing_left(transfer) -> bool:
    transfer.refresh_from_db()
    return (
        transfer.status == Transfer.Status.ACCEPTED
        and not StockMove.objects.filter(kind=StockMove.Kind.TRANSFER_OUT).exists()
        and not Reading.objects.exists()
    )


def test_dispatching_chilled_food_without_its_temperature_is_refused(chilled, lead):
    page = client_for(lead).get(chilled.get_absolute_url())
    assert "Temperature of the food at pickup (°C)" in text(page)
    response = dispatch(client_for(lead), chilled)
    assert response.status_code == 400
    assert "Take the food&#x27;s temperature and enter it." in text(response)
    assert nothing_left(chilled)
    with pytest.raises(DomainError) as refused:
        services.dispatch_transfer(transfer_id=chilled.pk, by=lead)
    assert refused.value.field == "temperature"
    assert nothing_left(chilled)


def test_chilled_food_already_warm_at_pickup_is_not_sent(chilled, lead):
    response = dispatch(client_for(lead), chilled, "8")
    assert response.status_code == 400
    assert "The food reads 8.0 °C: chilled food travels at 5.0 °C or colder" in text(response)
    assert nothing_left(chilled)


def test_a_cold_pickup_is_recorded_and_shown(chilled, lead):
    assert dispatch(client_for(lead), chilled, "3.5").status_code == 302
    chilled.refresh_from_db()
    assert chilled.status == Transfer.Status.DISPATCHED
    assert chilled.pickup_reading.value_c == Decimal("3.5") and chilled.pickup_reading.passed
    assert chilled.pickup_reading.equipment is None
    assert "reading 3.5 °C at pickup" in text(client_for(lead).get(chilled.get_absolute_url()))


def test_arrival_too_warm_holds_what_arrived_and_tells_the_leads_once(
    chilled, lead, other_lead, other_site
):
    dispatch(client_for(lead), chilled, "3")
    response = receive(client_for(other_lead), chilled, "9")
    assert response.status_code == 302
    chilled.refresh_from_db()
    reading = chilled.arrival_reading
    assert reading.value_c == Decimal("9.0") and not reading.passed
    (line,) = chilled.lines.all()
    lot = line.received_lot
    assert lot.on_hold and lot.on_hand == 30
    hold = LotHold.objects.get(lot=lot)
    assert (hold.cause, hold.reading) == (LotHold.Cause.TEMPERATURE, reading)
    told = Message.objects.filter(kind="pantry.breach")
    assert [(m.site, m.to_user) for m in told] == [(other_site, other_lead)]
    assert "arrived at 9.0 °C" in told.get().subject
    # Sent again (a second tab, a replayed form): refused, and nobody is told twice.
    assert receive(client_for(other_lead), chilled, "9").status_code == 400
    assert told.count() == 1
    lot_page = client_for(other_lead).get(reverse("pantry:lot", args=[other_site.slug, lot.pk]))
    assert (
        f"On arrival of transfer #{chilled.pk} from Riverside Kitchen: read 9.0 °C "
        "(limit 5.0 °C)" in text(lot_page)
    )
    with pytest.raises(DomainError, match="on hold"):
        offer(other_site, lot, 1, by=other_lead)


def test_a_cold_arrival_holds_nothing(chilled, lead, other_lead):
    dispatch(client_for(lead), chilled, "3")
    assert receive(client_for(other_lead), chilled, "4").status_code == 302
    chilled.refresh_from_db()
    assert chilled.arrival_reading.passed
    assert not LotHold.objects.exists() and not Message.objects.filter(kind="pantry.breach")


def test_receiving_chilled_food_without_its_temperature_is_refused(chilled, lead, other_lead):
    dispatch(client_for(lead), chilled, "3")
    response = receive(client_for(other_lead), chilled)
    assert response.status_code == 400
    assert "Take the food&#x27;s temperature and enter it." in text(response)
    chilled.refresh_from_db()
    assert chilled.status == Transfer.Status.DISPATCHED
    assert not StockMove.objects.filter(kind=StockMove.Kind.TRANSFER_IN).exists()


def test_the_manifest_has_boxes_for_the_temperatures_filled_in_when_known(
    chilled, lead, other_lead
):
    url = reverse("network:transfer_manifest", args=[chilled.pk])
    before = pdf_text(client_for(lead).get(url))
    assert "Temperature at pickup" in before and "on arrival" in before
    assert "Allowed in transport: 5.0 °C or colder" in before
    dispatch(client_for(lead), chilled, "3.5")
    receive(client_for(other_lead), chilled, "4.5")
    after = pdf_text(client_for(lead).get(url))
    assert "3.5 °C" in after and "4.5 °C" in after


def test_an_ambient_manifest_has_no_temperature_boxes(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    transfer = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    manifest = pdf_text(
        client_for(lead).get(reverse("network:transfer_manifest", args=[transfer.pk]))
    )
    assert "Temperature at pickup" not in manifest
    services.accept_transfer(transfer_id=transfer.pk, by=lead)
    with pytest.raises(DomainError, match="not kept cold"):
        services.dispatch_transfer(transfer_id=transfer.pk, by=lead, temperature_c=Decimal(4))
    assert dispatch(client_for(lead), transfer).status_code == 302


def test_frozen_food_travels_at_minus_15_or_colder(frozen, lead, other_lead):
    refused = dispatch(client_for(lead), frozen, "-12")
    assert refused.status_code == 400
    assert "frozen food travels at −15.0 °C or colder" in text(refused)
    assert dispatch(client_for(lead), frozen, "-16").status_code == 302
    receive(client_for(other_lead), frozen, "-14")
    frozen.refresh_from_db()
    assert not frozen.arrival_reading.passed
    assert frozen.lines.get().received_lot.on_hold


def test_a_us_site_reads_fahrenheit(chilled, lead, other_lead, site, other_site):
    for s in (site, other_site):
        s.pantry_settings.measures = Measures.US
        s.pantry_settings.save()
    page = text(client_for(lead).get(chilled.get_absolute_url()))
    assert "Temperature of the food at pickup (°F)" in page
    refused = dispatch(client_for(lead), chilled, "45")
    assert "The food reads 45.0 °F: chilled food travels at 41.0 °F or colder" in text(refused)
    assert dispatch(client_for(lead), chilled, "38").status_code == 302
    chilled.refresh_from_db()
    assert chilled.pickup_reading.value_c == Decimal("3.3")
    receive(client_for(other_lead), chilled, "44")
    chilled.refresh_from_db()
    assert chilled.arrival_reading.value_c == Decimal("6.7")
    assert chilled.lines.get().received_lot.on_hold
