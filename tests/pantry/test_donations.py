"""Logging donations at the door: any unit, lines added in place, recorded once."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from pantry.models import Donation, Lot, StockMove
from tests.conftest import client_for
from tests.pantry.factories import DonorFactory

pytestmark = pytest.mark.django_db


def form_data(site, lines, **extra):
    data = {
        "token": str(uuid.uuid4()),
        "donor": "",
        "received_on": site.today().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "60",
    }
    for i, line in enumerate(lines):
        defaults = {"unit": "kg", "date_kind": "", "storage": "", "best_before": ""}
        for key, value in {**defaults, **line}.items():
            data[f"lines-{i}-{key}"] = value
    data.update(extra)
    return data


def nothing_written():
    return not Donation.objects.exists() and not Lot.objects.exists()


def test_a_lead_logs_a_donation_in_kg_and_lb(site, lead, item_rice, item_beans):
    donor = DonorFactory(site=site, name="Harbourside Co-op")
    best_before = (site.today() + timedelta(days=60)).isoformat()
    data = form_data(
        site,
        [
            {"item": "Rice", "quantity": "5", "unit": "kg", "best_before": best_before},
            {"item": "rice", "quantity": "2.2", "unit": "lb", "best_before": best_before},
            {"item": "Baked beans", "quantity": "24", "unit": "cans"},
        ],
        donor=str(donor.pk),
    )
    response = client_for(lead).post(reverse("pantry:donation_new", args=[site.slug]), data)
    donation = Donation.objects.get()
    assert response.status_code == 302 and response["Location"] == donation.get_absolute_url()
    assert donation.donor == donor and donation.received_by == lead
    # Both rice lines have one date: one lot, with two received moves.
    rice_lot = Lot.objects.get(item=item_rice)
    assert rice_lot.on_hand == Decimal("5997.903")
    assert rice_lot.moves.count() == 2 and rice_lot.source.endswith("Harbourside Co-op")
    assert Lot.objects.get(item=item_beans).on_hand == 24

    page = client_for(lead).get(donation.get_absolute_url()).content.decode()
    assert "2.2 lb" in page and "24 cans" in page
    # 5 kg + 997.903 g + 24 x 415 g
    assert "15.958 kg" in page


def test_the_same_form_submitted_twice_records_once(site, lead, item_rice):
    data = form_data(site, [{"item": "Rice", "quantity": "5"}])
    client = client_for(lead)
    url = reverse("pantry:donation_new", args=[site.slug])
    first = client.post(url, data)
    second = client.post(url, data)
    assert Donation.objects.count() == 1 and StockMove.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ({"item": "Rice", "quantity": "0"}, "more than zero"),
        ({"item": "Rice", "quantity": "-3"}, "more than zero"),
        ({"item": "Rice", "quantity": "a bag"}, "not a number"),
        ({"item": "Rice", "quantity": "3", "unit": "sacks"}, "not a unit we know"),
        ({"item": "Rice", "quantity": "3", "unit": "L"}, "not counted by volume"),
        ({"item": "Soap", "quantity": "3", "unit": "kg"}, "has no weight per bar"),
        ({"item": "Rice", "quantity": "3", "best_before": "next week"}, "Enter a date"),
        ({"item": "Rice", "quantity": "3", "best_before": "2026-02-30"}, "Enter a date"),
        ({"item": "Ryce", "quantity": "3"}, "No item called"),
        ({"item": "Rice", "quantity": "3", "storage": "frozen"}, "Select a valid choice"),
        (
            {"item": "Rice", "quantity": "3", "date_kind": "use_by", "best_before": "2020-01-01"},
            "had passed when it was received",
        ),
    ],
)
def test_a_bad_line_is_refused_beside_it_and_nothing_is_written(
    site, lead, item_rice, item_soap, line, message
):
    data = form_data(site, [line])
    response = client_for(lead).post(reverse("pantry:donation_new", args=[site.slug]), data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert nothing_written()


def test_one_bad_line_of_three_writes_none_of_them(site, lead, item_rice, item_beans):
    data = form_data(
        site,
        [
            {"item": "Rice", "quantity": "5"},
            {"item": "Baked beans", "quantity": "-1", "unit": "cans"},
            {"item": "Rice", "quantity": "1"},
        ],
    )
    response = client_for(lead).post(reverse("pantry:donation_new", args=[site.slug]), data)
    assert "more than zero" in response.content.decode()
    assert nothing_written()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"received_on": "yesterday"}, "Enter a date"),
        ({"received_on": "2199-01-01"}, "cannot be in the future"),
        ({"lines-0-item": "", "lines-0-quantity": ""}, "Add at least one line"),
    ],
)
def test_a_bad_donation_is_refused_with_a_reason(site, lead, item_rice, change, message):
    data = form_data(site, [{"item": "Rice", "quantity": "5"}], **change)
    response = client_for(lead).post(reverse("pantry:donation_new", args=[site.slug]), data)
    assert message in response.content.decode()
    assert nothing_written()


def test_another_sites_donor_cannot_be_picked(site, other_site, lead, item_rice):
    theirs = DonorFactory(site=other_site)
    data = form_data(site, [{"item": "Rice", "quantity": "5"}], donor=str(theirs.pk))
    response = client_for(lead).post(reverse("pantry:donation_new", args=[site.slug]), data)
    assert "Select a valid choice" in response.content.decode()
    assert nothing_written()


def test_a_lead_cannot_log_a_donation_at_another_site(other_site, lead, item_rice):
    data = form_data(other_site, [{"item": "Rice", "quantity": "5"}])
    url = reverse("pantry:donation_new", args=[other_site.slug])
    assert client_for(lead).post(url, data).status_code == 403
    assert nothing_written()


def test_add_a_line_without_javascript_keeps_what_was_typed(site, lead, item_rice):
    data = form_data(site, [{"item": "Rice", "quantity": "5"}], add_line="1")
    response = client_for(lead).post(reverse("pantry:donation_new", args=[site.slug]), data)
    page = response.content.decode()
    assert "Line 2" in page and 'value="Rice"' in page
    assert nothing_written()


def test_add_a_line_with_htmx_returns_the_line_and_the_new_count(site, lead):
    url = reverse("pantry:donation_line", args=[site.slug])
    response = client_for(lead).get(url, {"lines-TOTAL_FORMS": "2"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<legend>Line 3</legend>" in page and 'name="lines-2-item"' in page
    assert 'id="id_lines-TOTAL_FORMS" hx-swap-oob="true"' in page and 'value="3"' in page
    assert "<html" not in page


def test_the_item_picker_suggests_items_with_stock_here(site, lead, item_rice, stock):
    url = reverse("pantry:item_search", args=[site.slug])
    page = client_for(lead).get(url, {"lines-0-item": "ric"}).content.decode()
    assert '<option value="Rice">5 kg here</option>' in page


def test_the_picker_finds_an_item_by_its_barcode(site, lead, item_rice):
    url = reverse("pantry:item_search", args=[site.slug])
    page = client_for(lead).get(url, {"q": "5012345678900"}).content.decode()
    assert 'value="Rice"' in page


def test_the_receipt_is_a_pdf_with_the_total_weight(site, lead, item_rice, item_beans):
    from io import BytesIO

    from pypdf import PdfReader

    data = form_data(
        site,
        [
            {"item": "Rice", "quantity": "5"},
            {"item": "Baked beans", "quantity": "4", "unit": "cans"},
        ],
    )
    client = client_for(lead)
    client.post(reverse("pantry:donation_new", args=[site.slug]), data)
    donation = Donation.objects.get()
    response = client.get(reverse("pantry:donation_receipt", args=[site.slug, donation.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "Total weight" in text and "6.66 kg" in text and "Anonymous" in text


def test_donors_are_kept_per_site_and_a_duplicate_name_is_refused(site, lead):
    url = reverse("pantry:donors", args=[site.slug])
    client = client_for(lead)
    client.post(url, {"name": "Meadow Farm", "kind": "farm"})
    response = client.post(url, {"name": "meadow farm", "kind": "farm"})
    assert "already has a donor called" in response.content.decode()
    assert site.donors.count() == 1
    response = client.post(url, {"name": "Bad phone", "kind": "person", "phone": "call me"})
    assert "does not look like a phone number" in response.content.decode()


def test_the_same_form_sent_again_with_another_quantity_says_the_change_was_not_saved(
    site, lead, item_rice
):
    data = form_data(site, [{"item": "Rice", "quantity": "5"}])
    client = client_for(lead)
    url = reverse("pantry:donation_new", args=[site.slug])
    client.post(url, data, follow=True)
    donation = Donation.objects.get()
    changed = {**data, "lines-0-quantity": "7"}
    response = client.post(url, changed, follow=True)
    assert response.redirect_chain == [(donation.get_absolute_url(), 302)]
    page = response.content.decode()
    assert "This form was already sent; your changes were not saved." in page
    assert "Donation logged" not in page
    assert Donation.objects.count() == 1 and StockMove.objects.get().quantity == 5000


def test_the_same_form_sent_again_with_the_same_figures_written_differently_is_a_replay(
    site, lead, item_rice
):
    data = form_data(site, [{"item": "Rice", "quantity": "5"}])
    client = client_for(lead)
    url = reverse("pantry:donation_new", args=[site.slug])
    first = client.post(url, data)
    second = client.post(url, {**data, "lines-0-quantity": "5.0"}, follow=True)
    assert second.redirect_chain == [(first["Location"], 302)]
    assert "Donation logged" in second.content.decode()
    assert Donation.objects.count() == 1 and StockMove.objects.count() == 1


def test_two_and_a_half_kilos_typed_with_a_comma_is_read_in_spanish_and_refused_in_english(
    site, lead, item_rice
):
    url = reverse("pantry:donation_new", args=[site.slug])
    line = {"item": "Rice", "quantity": "2,5", "unit": "kg"}
    english = client_for(lead).post(url, form_data(site, [line]), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 400
    assert "could be read two ways" in english.content.decode()
    assert nothing_written()
    spanish = client_for(lead)
    spanish.cookies["commonpot_language"] = "es"
    assert spanish.post(url, form_data(site, [line])).status_code == 302
    assert Donation.objects.get().lines.get().lot.on_hand == Decimal("2500")
