"""Giving food out: first expiring first, all lines or none, recorded once."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from pantry import services
from pantry.models import Distribution, Lot, StockMove
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def form_data(site, lines, **extra):
    data = {
        "token": str(uuid.uuid4()),
        "recipient": "households",
        "households": "3",
        "people": "9",
        "partner": "",
        "given_on": site.today().isoformat(),
        "note": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "60",
    }
    for i, line in enumerate(lines):
        for key, value in {"unit": "kg", "lot": "", **line}.items():
            data[f"lines-{i}-{key}"] = value
    data.update(extra)
    return data


def on_hand(lot):
    lot.refresh_from_db()
    return lot.on_hand


def test_food_goes_to_households_first_expiring_first(site, lead, item_rice, stock):
    data = form_data(site, [{"item": "Rice", "quantity": "2.5"}])
    response = client_for(lead).post(reverse("pantry:distribution_new", args=[site.slug]), data)
    distribution = Distribution.objects.get()
    assert response["Location"] == distribution.get_absolute_url()
    assert (on_hand(stock["soon"]), on_hand(stock["later"])) == (0, 2500)
    assert distribution.recipient_label == "3 households, 9 people"
    page = client_for(lead).get(distribution.get_absolute_url()).content.decode()
    assert "2 kg" in page and "500 g" in page


def test_food_to_a_partner_from_a_lot_the_lead_picked(site, lead, item_rice, stock):
    data = form_data(
        site,
        [{"item": "Rice", "quantity": "1", "lot": str(stock["later"].pk)}],
        recipient="partner",
        partner="Northside Shelter",
    )
    client_for(lead).post(reverse("pantry:distribution_new", args=[site.slug]), data)
    assert (on_hand(stock["soon"]), on_hand(stock["later"])) == (2000, 2000)
    assert Distribution.objects.get().partner == "Northside Shelter"


def test_the_form_opened_from_a_lot_names_the_lot(site, lead, item_rice, stock):
    url = reverse("pantry:distribution_new", args=[site.slug])
    page = client_for(lead).get(url, {"lot": stock["later"].pk}).content.decode()
    assert f"from lot #{stock['later'].pk}" in page and 'value="Rice"' in page


@pytest.mark.parametrize(
    ("line", "extra", "message"),
    [
        ({"item": "Rice", "quantity": "6"}, {}, "Only 5 kg of Rice is free"),
        ({"item": "Rice", "quantity": "0"}, {}, "more than zero"),
        ({"item": "Rice", "quantity": "2", "unit": "cans"}, {}, "counted by weight"),
        ({"item": "Rice", "quantity": "1"}, {"households": ""}, "how many households"),
        ({"item": "Rice", "quantity": "1"}, {"people": "1"}, "at least as many people"),
        ({"item": "Rice", "quantity": "1"}, {"recipient": "partner"}, "Name the partner"),
        ({"item": "Rice", "quantity": "1"}, {"given_on": "31/12/2026"}, "Enter a date"),
    ],
)
def test_a_bad_distribution_is_refused_and_takes_nothing(
    site, lead, item_rice, stock, line, extra, message
):
    data = form_data(site, [line], **extra)
    response = client_for(lead).post(reverse("pantry:distribution_new", args=[site.slug]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Distribution.objects.exists()
    assert not StockMove.objects.filter(kind="distributed").exists()


def test_the_second_line_short_undoes_the_first(site, lead, item_rice, item_beans, stock):
    data = form_data(
        site,
        [
            {"item": "Rice", "quantity": "1"},
            {"item": "Baked beans", "quantity": "1", "unit": "cans"},
        ],
    )
    response = client_for(lead).post(reverse("pantry:distribution_new", args=[site.slug]), data)
    assert "Only 0 cans of Baked beans are free" in response.content.decode()
    assert not StockMove.objects.filter(kind="distributed").exists()
    assert on_hand(stock["soon"]) == 2000


def test_another_sites_lot_cannot_be_given_out_from_here(site, other_site, lead, item_rice, stock):
    theirs = services.receive(
        site=other_site, item=item_rice, quantity=Decimal(4000), by=None, source="x"
    ).lot
    data = form_data(site, [{"item": "Rice", "quantity": "1", "lot": str(theirs.pk)}])
    response = client_for(lead).post(reverse("pantry:distribution_new", args=[site.slug]), data)
    assert "belongs to Eastside Food Bank" in response.content.decode()
    assert on_hand(theirs) == 4000 and not Distribution.objects.exists()


def test_an_expired_lot_is_skipped_when_giving_out(site, lead, item_rice, stock):
    expired = stock["make"]("9000", -1, date_kind="use_by")
    data = form_data(site, [{"item": "Rice", "quantity": "5.5"}])
    response = client_for(lead).post(reverse("pantry:distribution_new", args=[site.slug]), data)
    assert "Only 5 kg of Rice is free" in response.content.decode()
    assert on_hand(expired) == 9000


def test_giving_out_twice_from_the_same_form_takes_once(site, lead, item_rice, stock):
    data = form_data(site, [{"item": "Rice", "quantity": "1"}])
    client = client_for(lead)
    url = reverse("pantry:distribution_new", args=[site.slug])
    client.post(url, data)
    client.post(url, data)
    assert Distribution.objects.count() == 1
    assert sum(Lot.objects.values_list("on_hand", flat=True)) == 4000


def test_the_same_form_sent_again_for_more_households_says_the_change_was_not_saved(
    site, lead, item_rice, stock
):
    data = form_data(site, [{"item": "Rice", "quantity": "1"}])
    client = client_for(lead)
    url = reverse("pantry:distribution_new", args=[site.slug])
    client.post(url, data)
    distribution = Distribution.objects.get()
    response = client.post(url, {**data, "households": "4", "people": "12"}, follow=True)
    assert response.redirect_chain == [(distribution.get_absolute_url(), 302)]
    assert "This form was already sent; your changes were not saved." in response.content.decode()
    distribution.refresh_from_db()
    assert distribution.households == 3 and Distribution.objects.count() == 1
    assert sum(Lot.objects.values_list("on_hand", flat=True)) == 4000
