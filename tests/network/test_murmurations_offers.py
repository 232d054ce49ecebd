"""Shared offers and needs as Murmurations "Offers & Wants" profiles."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pantry.network import services
from pantry.network.models import Need, Offer
from tests.jsonschemas import assert_valid, murmurations_validator
from tests.network.factories import need, offer

pytestmark = pytest.mark.django_db

SCHEMA = "offers_wants_schema-v0.1.0.json"


def shared(thing):
    type(thing).objects.filter(pk=thing.pk).update(share_with_partners=True)
    thing.refresh_from_db()
    return thing


def offer_url(o: Offer) -> str:
    return reverse("network:offer_murmurations", args=[o.pk])


def need_url(n: Need) -> str:
    return reverse("network:need_murmurations", args=[n.pk])


@pytest.fixture
def bread_offer(site, lead, bread_lot):
    site.contact_email = "hello@riverside.example.org"
    site.save()
    return shared(offer(site, bread_lot, "12500", by=lead, cold_chain="chilled"))


def test_a_shared_open_offer_has_a_profile_valid_against_offers_and_wants(
    client, site, bread_offer
):
    response = client.get(offer_url(bread_offer))
    assert response.status_code == 200
    profile = response.json()
    assert_valid(murmurations_validator(SCHEMA), profile)
    assert profile["linked_schemas"] == ["offers_wants_schema-v0.1.0"]
    assert (profile["exchange_type"], profile["item_type"]) == ("offer", "good")
    assert profile["transaction_type"] == ["receive-donate"]
    assert profile["title"] == "12.5 kg of Bread"
    assert profile["description"].startswith("Surplus food from Riverside Kitchen in Bristol")
    day = bread_offer.best_before
    assert profile["description"].endswith(
        f"Best before {day.day} {day:%B %Y}; keep chilled on the way."
    )
    assert profile["geolocation"] == {"lat": 51.45, "lon": -2.6}
    assert profile["contact_details"] == {
        "contact_form": f"{settings.SITE_URL}{site.get_absolute_url()}",
        "email": "hello@riverside.example.org",
    }
    assert profile["expires_at"] == int(bread_offer.closes_at.timestamp())


def test_a_shared_need_has_a_want_profile_valid_against_offers_and_wants(
    client, other_site, other_lead, mapped
):
    wanted = shared(need(other_site, by=other_lead, category="produce", quantity="20000"))
    profile = client.get(need_url(wanted)).json()
    assert_valid(murmurations_validator(SCHEMA), profile)
    assert profile["exchange_type"] == "want"
    assert profile["title"] == "20 kg of any produce"
    assert "produce" in profile["tags"]
    assert profile["geolocation"] == {"lat": 51.5, "lon": -2.5}


def test_a_profile_names_no_person_and_no_donor(client, site, lead, bread_offer):
    body = client.get(offer_url(bread_offer)).content.decode()
    # The factory's lot came from "Harbour bakery"; the lead posted the offer.
    for private in ("Harbour bakery", lead.display_name, lead.username, lead.email):
        assert private not in body


def test_a_site_that_hides_its_place_gives_no_coordinates(client, site, bread_offer):
    site.show_exact_location = False
    site.address = "12 Quay Street"
    site.save()
    profile = client.get(offer_url(bread_offer)).json()
    assert_valid(murmurations_validator(SCHEMA), profile)
    assert "geolocation" not in profile
    body = json.dumps(profile)
    assert "51.45" not in body and "-2.6" not in body and "Quay" not in body
    assert "Bristol" in profile["description"]


def test_an_offer_not_shared_or_no_longer_open_has_no_profile(client, site, lead, bread_lot):
    not_shared = offer(site, bread_lot, "10000", by=lead)
    withdrawn = shared(offer(site, bread_lot, "10000", by=lead))
    services.withdraw_offer(offer_id=withdrawn.pk, by=lead)
    lapsed = shared(offer(site, bread_lot, "10000", by=lead))
    Offer.objects.filter(pk=lapsed.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    for o in (not_shared, withdrawn, lapsed):
        response = client.get(offer_url(o))
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert "error" in response.json()
    assert client.get(reverse("network:offer_murmurations", args=[99999])).status_code == 404


def test_a_need_not_shared_or_closed_has_no_profile(client, other_site, other_lead):
    not_shared = need(other_site, by=other_lead, category="produce")
    met = shared(need(other_site, by=other_lead, category="dairy_eggs"))
    services.close_need(need_id=met.pk, by=other_lead)
    for n in (not_shared, met):
        assert client.get(need_url(n)).status_code == 404


def test_a_site_not_listed_publicly_shares_no_profile(client, site, bread_offer):
    site.is_public = False
    site.save()
    assert client.get(offer_url(bread_offer)).status_code == 404


def test_a_profile_is_json_never_a_page(client, bread_offer):
    for url in (offer_url(bread_offer), reverse("network:need_murmurations", args=[99999])):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response["Content-Type"] == "application/json"
        assert not response.content.lstrip().startswith(b"<")
    assert client.post(offer_url(bread_offer)).status_code == 405


def test_a_profile_is_in_english_whatever_language_is_asked_for(client, bread_offer):
    english = client.get(offer_url(bread_offer)).json()
    response = client.get(offer_url(bread_offer), {"lang": "es"}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.json() == english
    assert response["Content-Language"] == "en"
    assert "Best before" in english["description"]
    assert "grains and bread" in english["tags"]
    # The same visitor's pages are in Spanish: the language was asked for and ignored here.
    page = client.get(reverse("site_directory"), {"lang": "es"}, HTTP_ACCEPT_LANGUAGE="es")
    assert page["Content-Language"] == "es"
