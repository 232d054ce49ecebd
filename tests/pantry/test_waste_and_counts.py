"""Waste with a reason and a destination; counts that change only what was counted."""

import uuid
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from commonpot.dates import OUTSIDE, day
from pantry import services
from pantry.models import CountLine, StockCount, StockMove
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def on_hand(lot):
    lot.refresh_from_db()
    return lot.on_hand


def test_the_waste_page_lists_expired_lots_first_and_those_expiring_soon(site, lead, stock):
    expired = stock["make"]("700", -3, date_kind="use_by")
    page = client_for(lead).get(reverse("pantry:waste", args=[site.slug]), {"days": 7})
    text = page.content.decode()
    assert f'id="lot-{expired.pk}"' in text and "Discard to compost" in text
    assert "Date within 7 days" in text and f"?lot={stock['soon'].pk}" in text


def test_one_tap_discard_with_htmx_answers_with_the_card(site, lead, stock):
    expired = stock["make"]("700", -3, date_kind="use_by")
    url = reverse("pantry:lot_discard", args=[site.slug, expired.pk])
    response = client_for(lead).post(
        url,
        {"reason": "expired", "destination": "compost", "next": "waste"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "Discarded 700 g of Rice to compost." in page and "<html" not in page
    assert on_hand(expired) == 0
    move = StockMove.objects.get(kind="wasted")
    assert (move.quantity, move.reason, move.destination) == (-700, "expired", "compost")


def test_discard_without_javascript_returns_to_the_waste_page(site, lead, stock):
    expired = stock["make"]("700", -3, date_kind="use_by")
    url = reverse("pantry:lot_discard", args=[site.slug, expired.pk])
    response = client_for(lead).post(
        url, {"reason": "expired", "destination": "compost", "next": "waste"}
    )
    assert response["Location"] == reverse("pantry:waste", args=[site.slug])


def test_part_of_a_lot_is_discarded_in_any_unit_with_a_reason(site, lead, stock):
    url = reverse("pantry:lot_discard", args=[site.slug, stock["soon"].pk])
    client_for(lead).post(
        url, {"reason": "spoiled", "destination": "animal_feed", "quantity": "1", "unit": "lb"}
    )
    assert on_hand(stock["soon"]) == Decimal("1546.408")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": "bored", "destination": "compost"}, "Select a valid choice"),
        ({"reason": "spoiled", "destination": ""}, "This field is required"),
        ({"reason": "spoiled", "destination": "compost", "quantity": "-1"}, "more than zero"),
        (
            {"reason": "spoiled", "destination": "compost", "quantity": "3", "unit": "kg"},
            "Only 2 kg",
        ),
        (
            {"reason": "spoiled", "destination": "compost", "happened_on": "2999-01-01"},
            OUTSIDE,
        ),
        (
            {"reason": "spoiled", "destination": "compost", "happened_on": "yesterday"},
            "Enter a date",
        ),
    ],
)
def test_a_bad_discard_is_refused_and_nothing_is_wasted(site, lead, stock, data, message):
    url = reverse("pantry:lot_discard", args=[site.slug, stock["soon"].pk])
    response = client_for(lead).post(url, data)
    assert message in response.content.decode()
    assert on_hand(stock["soon"]) == 2000 and not StockMove.objects.filter(kind="wasted").exists()


def test_a_lead_cannot_discard_another_sites_lot(site, other_site, lead, item_rice):
    theirs = services.receive(site=other_site, item=item_rice, quantity=1000, by=None, source="x")
    data = {"reason": "expired", "destination": "compost"}
    for slug in (site.slug, other_site.slug):
        url = reverse("pantry:lot_discard", args=[slug, theirs.lot_id])
        assert client_for(lead).post(url, data).status_code in (403, 404)
    assert on_hand(theirs.lot) == 1000


def count_data(entries: dict, token=None):
    data = {"token": str(token or uuid.uuid4())}
    for lot, (value, unit) in entries.items():
        data[f"lot_{lot.pk}"] = value
        data[f"unit_{lot.pk}"] = unit
    return data


def test_a_count_of_one_shelf_changes_only_the_counted_lot(site, lead, stock):
    url = reverse("pantry:count_area", args=[site.slug, "dry"])
    data = count_data({stock["soon"]: ("1.8", "kg"), stock["later"]: ("", "kg")})
    response = client_for(lead).post(url, data)
    assert response.status_code == 302
    assert (on_hand(stock["soon"]), on_hand(stock["later"])) == (1800, 3000)
    move = StockMove.objects.get(kind="counted")
    assert (move.quantity, move.by, move.count.storage) == (-200, lead, "dry")
    assert CountLine.objects.get().counted == 1800


def test_a_count_with_htmx_answers_with_the_form_and_what_changed(site, lead, stock):
    url = reverse("pantry:count_area", args=[site.slug, "dry"])
    data = count_data({stock["soon"]: ("2", "kg"), stock["later"]: ("0", "kg")})
    response = client_for(lead).post(url, data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "2 lots counted, 1 adjusted" in page and "<html" not in page
    assert on_hand(stock["later"]) == 0


def test_a_count_of_one_lot_says_1_lot_counted(site, lead, stock):
    url = reverse("pantry:count_area", args=[site.slug, "dry"])
    data = count_data({stock["soon"]: ("2", "kg"), stock["later"]: ("", "kg")})
    page = client_for(lead).post(url, data, HTTP_HX_REQUEST="true").content.decode()
    assert "1 lot counted, 0 adjusted" in page and "1 lots" not in page


def test_a_count_submitted_twice_records_once(site, lead, stock):
    url = reverse("pantry:count_area", args=[site.slug, "dry"])
    data = count_data({stock["soon"]: ("1", "kg")})
    client = client_for(lead)
    client.post(url, data)
    client.post(url, data)
    assert StockCount.objects.count() == 1 and on_hand(stock["soon"]) == 1000


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("-1", "kg", "more than zero"),
        ("lots", "kg", "not a number"),
        ("3", "L", "not counted by volume"),
        ("", "", "at least one lot"),
    ],
)
def test_a_bad_count_is_refused_and_nothing_changes(site, lead, stock, value, unit, message):
    url = reverse("pantry:count_area", args=[site.slug, "dry"])
    response = client_for(lead).post(url, count_data({stock["soon"]: (value, unit)}))
    assert message in response.content.decode()
    assert on_hand(stock["soon"]) == 2000 and not StockCount.objects.exists()


def test_the_count_sheet_is_a_pdf_listing_the_areas_lots(site, lead, stock):
    response = client_for(lead).get(reverse("pantry:count_sheet", args=[site.slug, "dry"]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "Count sheet: dry storage" in text
    assert f"#{stock['soon'].pk}" in text and "Rice" in text and "2 kg" in text


@pytest.mark.usefixtures("noon")
def test_waste_thrown_out_days_ago_is_counted_on_that_day_and_the_history_says_so(
    site, lead, stock
):
    lot = stock["soon"]
    three_days_ago = site.today() - timedelta(days=3)
    url = reverse("pantry:lot_discard", args=[site.slug, lot.pk])
    form = client_for(lead).get(url).content.decode()
    assert "Day it was thrown out" in form and f'value="{site.today().isoformat()}"' in form
    client_for(lead).post(
        url,
        {
            "reason": "spoiled",
            "destination": "compost",
            "quantity": "500",
            "unit": "g",
            "happened_on": three_days_ago.isoformat(),
        },
    )
    move = StockMove.objects.get(kind="wasted")
    assert move.happened_on == three_days_ago and site.local(move.at).date() == site.today()
    history = client_for(lead).get(lot.get_absolute_url()).content.decode()
    assert f"for {day(three_days_ago)}" in history
    response = client_for(lead).get(reverse("pantry:moves_csv", args=[site.slug]))
    csv = b"".join(response.streaming_content).decode()
    assert f",{three_days_ago.isoformat()},{lot.pk},Rice,wasted," in csv


def test_waste_on_a_day_to_come_is_refused_on_the_form(site, lead, stock):
    lot = stock["soon"]
    tomorrow = site.today() + timedelta(days=1)
    response = client_for(lead).post(
        reverse("pantry:lot_discard", args=[site.slug, lot.pk]),
        {"reason": "spoiled", "destination": "compost", "happened_on": tomorrow.isoformat()},
    )
    assert "cannot be in the future" in response.content.decode()
    assert on_hand(lot) == 2000 and not StockMove.objects.filter(kind="wasted").exists()


# --- A count on paper, typed up days later ---------------------------------------


@pytest.fixture
def counted_shelf(site, lead, item_rice, today):
    """10 kg of rice in since a week ago; 3 kg given out yesterday."""
    lot = services.receive(
        site=site,
        item=item_rice,
        quantity=Decimal(10000),
        by=lead,
        source="x",
        best_before=today + timedelta(days=90),
        received_on=today - timedelta(days=7),
    ).lot
    services.take_stock(
        site=site,
        item=item_rice,
        quantity=Decimal(3000),
        kind="distributed",
        by=lead,
        lot=lot,
        on=today - timedelta(days=1),
    )
    return lot


def test_a_count_typed_up_later_is_dated_its_day_and_carries_what_moved_since(
    site, lead, counted_shelf, today
):
    """Counted 9 kg three days ago (the ledger said 10 then); 3 kg went out since:
    6 kg now, and the 1 kg missing is counted on the day it was found missing."""
    url = reverse("pantry:count_area", args=[site.slug, "dry"])
    data = count_data({counted_shelf: ("9", "kg")})
    data["happened_on"] = (today - timedelta(days=3)).isoformat()
    response = client_for(lead).post(url, data)
    assert response.status_code == 302
    assert on_hand(counted_shelf) == 6000
    line = CountLine.objects.get()
    assert (line.expected, line.counted) == (10000, 9000)
    move = StockMove.objects.get(kind="counted")
    assert (move.quantity, move.happened_on) == (-1000, today - timedelta(days=3))


@pytest.mark.parametrize(
    ("days_ago", "value", "message"),
    [
        (8, "9", "came in on"),  # before the lot arrived
        (3, "2", "3 kg of the lot of Rice went out, more than the 2 kg counted"),
        (-1, "9", "cannot be in the future"),
    ],
)
def test_a_count_for_a_day_it_cannot_be_is_refused_and_nothing_changes(
    site, lead, counted_shelf, today, days_ago, value, message
):
    url = reverse("pantry:count_area", args=[site.slug, "dry"])
    data = count_data({counted_shelf: (value, "kg")})
    data["happened_on"] = (today - timedelta(days=days_ago)).isoformat()
    response = client_for(lead).post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert on_hand(counted_shelf) == 7000
    assert not StockCount.objects.exists()
