"""The board: open offers and needs, filters, distance, the HTMX claim and its plain form."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot.models import Membership
from pantry.network.models import Offer, Transfer
from tests.conftest import client_for, page_queries
from tests.factories import MembershipFactory, SiteFactory
from tests.network.factories import need, offer, stock

pytestmark = pytest.mark.django_db
BOARD = reverse("network:board")


def test_the_board_lists_open_offers_soonest_expiring_first(
    site, lead, other_lead, item_bread, mapped
):
    later = offer(site, stock(site, item_bread, "5000", by=lead, days=6), by=lead, hours=24 * 9)
    sooner = offer(site, stock(site, item_bread, "7000", by=lead, days=1), by=lead, hours=24 * 9)
    html = client_for(other_lead).get(BOARD).content.decode()
    assert html.index(f'id="offer-{sooner.pk}"') < html.index(f'id="offer-{later.pk}"')
    assert "7 kg of Bread" in html and "Offers (2)" in html
    # Distances from the viewer's own site.
    assert "Distances from Eastside Food Bank" in html and "9 km" in html


def test_lapsed_and_withdrawn_offers_are_not_on_the_board(site, lead, other_lead, bread_lot):
    o = offer(site, bread_lot, "1000", by=lead, hours=1)
    Offer.objects.filter(pk=o.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    html = client_for(other_lead).get(BOARD).content.decode()
    assert f'id="offer-{o.pk}"' not in html and "No open offers match" in html


def test_the_board_filters_by_category_site_distance_and_expiry(
    site, other_site, lead, other_lead, item_bread, mapped
):
    far = SiteFactory(name="Far Pantry", latitude=Decimal("55.9"), longitude=Decimal("-3.2"))
    far_lead = MembershipFactory(site=far, role=Membership.Role.LEAD).user
    near_offer = offer(site, stock(site, item_bread, "5000", by=lead, days=6), by=lead, hours=200)
    far_offer = offer(far, stock(far, item_bread, "5000", by=far_lead, days=1), by=far_lead)
    client = client_for(other_lead)

    def shown(**params):
        html = client.get(BOARD, params).content.decode()
        return {o.pk for o in (near_offer, far_offer) if f'id="offer-{o.pk}"' in html}

    assert shown() == {near_offer.pk, far_offer.pk}
    assert shown(within="25") == {near_offer.pk}
    assert shown(near=far.slug, within="10") == {far_offer.pk}
    assert shown(site=far.slug) == {far_offer.pk}
    assert shown(expiring="2") == {far_offer.pk}
    assert shown(category="dairy_eggs") == set()


def test_the_needs_tab_lists_open_needs(site, other_site, other_lead, item_bread, mapped):
    need(other_site, by=other_lead, category="grains_bread", quantity="12000")
    html = client_for(other_lead).get(BOARD, {"show": "needs"}).content.decode()
    assert "12 kg of any grains and bread" in html and "Needs (1)" in html


def test_an_htmx_claim_answers_with_the_card_saying_what_happened(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    response = client_for(other_lead).post(
        reverse("network:offer_claim", args=[o.pk]),
        {"for_site": other_site.pk, "token": "3f2b3c1e-8d6a-4c8e-9d7a-1b2c3d4e5f60"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    t = Transfer.objects.get()
    assert f"transfer #{t.pk}</a> now waits for Riverside Kitchen" in html
    assert "<html" not in html and 'id="offer-' in html
    assert (t.destination, t.quantity) == (other_site, 40000)


def test_a_claim_without_javascript_goes_to_the_transfer(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    response = client_for(other_lead).post(
        reverse("network:offer_claim", args=[o.pk]),
        {"for_site": other_site.pk, "token": "3f2b3c1e-8d6a-4c8e-9d7a-1b2c3d4e5f61"},
        follow=True,
    )
    t = Transfer.objects.get()
    assert response.redirect_chain[-1][0] == t.get_absolute_url()
    assert "Claimed 40 kg of Bread for Eastside Food Bank" in response.content.decode()


def test_claiming_a_taken_offer_says_so_and_writes_nothing(
    site, other_site, lead, other_lead, coordinator, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    client_for(other_lead).post(
        reverse("network:offer_claim", args=[o.pk]),
        {"for_site": other_site.pk, "token": "3f2b3c1e-8d6a-4c8e-9d7a-1b2c3d4e5f62"},
    )
    third = SiteFactory(name="Third Kitchen")
    url = reverse("network:offer_claim", args=[o.pk])
    data = {"for_site": third.pk, "token": "3f2b3c1e-8d6a-4c8e-9d7a-1b2c3d4e5f63"}
    plain = client_for(coordinator).post(url, data)
    assert plain.status_code == 400
    assert "Someone else claimed all of this Bread first" in plain.content.decode()
    htmx = client_for(coordinator).post(url, data, HTTP_HX_REQUEST="true")
    assert "Someone else claimed all of this Bread first" in htmx.content.decode()
    assert Transfer.objects.count() == 1


def test_a_lead_cannot_claim_for_a_site_they_do_not_lead(
    site, other_site, lead, other_lead, bread_lot
):
    o = offer(site, bread_lot, by=lead)
    third = SiteFactory(name="Third Kitchen")
    response = client_for(other_lead).post(
        reverse("network:offer_claim", args=[o.pk]),
        {"for_site": third.pk, "token": "3f2b3c1e-8d6a-4c8e-9d7a-1b2c3d4e5f64"},
    )
    assert response.status_code == 400
    assert not Transfer.objects.exists()


def test_a_double_click_on_claim_claims_once(site, other_site, lead, other_lead, bread_lot):
    o = offer(site, bread_lot, by=lead)
    data = {
        "for_site": other_site.pk,
        "token": "3f2b3c1e-8d6a-4c8e-9d7a-1b2c3d4e5f65",
        "quantity": "10",
        "unit": "kg",
    }
    client = client_for(other_lead)
    url = reverse("network:offer_claim", args=[o.pk])
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert Transfer.objects.count() == 1
    o.refresh_from_db()
    assert o.remaining == 30000


def test_the_board_runs_the_same_queries_for_10_and_40_offers(
    site, other_site, lead, other_lead, item_bread, mapped
):

    lot = stock(site, item_bread, "100000", by=lead, days=5)
    client = client_for(other_lead)

    def count() -> int:
        return page_queries(client, BOARD, {"within": "500"})

    for _ in range(10):
        offer(site, lot, "1000", by=lead)
    small = count()
    assert small > 3  # the count is real, not an empty capture
    for _ in range(30):
        offer(site, lot, "1000", by=lead)
    assert Offer.objects.open().count() == 40
    assert count() == small


def test_the_site_lists_name_the_sites_with_something_open_and_keep_the_choice(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot
):
    offer(site, bread_lot, by=lead)
    closed = SiteFactory(name="Closed pantry", is_active=False)
    idle = SiteFactory(name="Idle pantry")
    html = client_for(other_lead).get(BOARD).content.decode()
    site_list = re.search(r'<select id="id_site" name="site">(.*?)</select>', html, re.S)[1]
    assert site_list.startswith('<option value="" selected>All sites</option>')
    assert f'<option value="{site.slug}">{site.name}</option>' in site_list
    assert other_site.slug not in site_list and idle.slug not in site_list  # nothing on offer
    assert closed.slug not in site_list
    # Distances from the viewer's own site, chosen for them; a lead's own sites listed.
    near = re.search(r'<select id="id_near" name="near">(.*?)</select>', html, re.S)[1]
    assert f'<option value="{other_site.slug}" selected>' in near
    assert site.slug not in near and idle.slug not in near
    # A site chosen (say from a bookmark) stays chosen although nothing is open there.
    html = client_for(other_lead).get(BOARD, {"site": idle.slug}).content.decode()
    assert f'<option value="{idle.slug}" selected>{idle.name}</option>' in html
    # A coordinator measures distances from any site.
    html = client_for(coordinator).get(BOARD).content.decode()
    near = re.search(r'<select id="id_near" name="near">(.*?)</select>', html, re.S)[1]
    assert idle.slug in near and site.slug in near and closed.slug not in near
    # Needs list the sites that need something.
    need(other_site, by=other_lead, item=item_bread, quantity="1000")
    html = client_for(other_lead).get(BOARD, {"show": "needs"}).content.decode()
    site_list = re.search(r'<select id="id_site" name="site">(.*?)</select>', html, re.S)[1]
    assert other_site.slug in site_list and site.slug not in site_list


def test_the_board_runs_the_same_queries_for_2_sites_and_for_12(
    site, other_site, lead, other_lead, coordinator, item_bread, mapped
):
    client = client_for(coordinator)
    few = page_queries(client, BOARD)
    for n in range(10):
        SiteFactory(name=f"Another pantry {n}")
    html = client.get(BOARD).content.decode()
    assert "Another pantry 9" in html  # in the coordinator's "Distance from"
    assert page_queries(client, BOARD) == few


def test_the_other_tabs_count_keeps_to_the_same_distance(
    site, other_site, lead, other_lead, item_bread, mapped
):
    """A lead's board loads only the sites with something open (and their own): the
    needs counted beside the offers, within 25 km, are still every such need."""
    viewer = SiteFactory(name="Viewer Hall", latitude=Decimal("51.46"), longitude=Decimal("-2.59"))
    viewer_lead = MembershipFactory(site=viewer, role=Membership.Role.LEAD).user
    far = SiteFactory(name="Far Pantry", latitude=Decimal("55.9"), longitude=Decimal("-3.2"))
    far_lead = MembershipFactory(site=far, role=Membership.Role.LEAD).user
    offer(site, stock(site, item_bread, "5000", by=lead), by=lead)
    # Needs at sites with no offer: one near, one far.
    need(other_site, by=other_lead, item=item_bread, quantity="1000")
    need(far, by=far_lead, item=item_bread, quantity="1000")
    html = client_for(viewer_lead).get(BOARD, {"within": "25"}).content.decode()
    assert "Offers (1)" in html and "Needs (1)" in html
    html = client_for(viewer_lead).get(BOARD).content.decode()
    assert "Offers (1)" in html and "Needs (2)" in html


def test_a_coordinator_of_many_sites_claims_from_the_offers_page(
    site, other_site, lead, coordinator, bread_lot
):
    """A list of every site on each card would make the board of a large network
    megabytes long: past 30 sites, a card links to the offer's page instead."""
    o = offer(site, bread_lot, by=lead)
    html = client_for(coordinator).get(BOARD).content.decode()
    card = re.search(rf'<article[^>]*id="offer-{o.pk}".*?</article>', html, re.S)[0]
    assert 'name="for_site"' in card and "Claim all" in card  # a few sites: on the card
    for n in range(30):
        SiteFactory(name=f"Another pantry {n}")
    html = client_for(coordinator).get(BOARD).content.decode()
    card = re.search(rf'<article[^>]*id="offer-{o.pk}".*?</article>', html, re.S)[0]
    assert "for_site" not in card and "Claim all" not in card
    assert f'href="{reverse("network:offer", args=[o.pk])}">Claim for a site' in card
    offer_page = client_for(coordinator).get(reverse("network:offer", args=[o.pk]))
    assert "Another pantry 29" in offer_page.content.decode()


def test_a_network_of_many_sites_gets_boxes_to_type_a_site_in_with_suggestions(
    site, other_site, lead, other_lead, coordinator, item_bread, mapped, monkeypatch
):
    from commonpot import forms

    monkeypatch.setattr(forms, "SITES_LISTED", 2)
    far = SiteFactory(name="Far Pantry", latitude=Decimal("55.9"), longitude=Decimal("-3.2"))
    far_lead = MembershipFactory(site=far, role=Membership.Role.LEAD).user
    near_offer = offer(site, stock(site, item_bread, "5000", by=lead, days=6), by=lead)
    far_offer = offer(far, stock(far, item_bread, "5000", by=far_lead, days=6), by=far_lead)
    offer(other_site, stock(other_site, item_bread, "5000", by=other_lead, days=6), by=other_lead)
    client = client_for(coordinator)
    html = client.get(BOARD).content.decode()
    start = html.index('<form method="get"')
    form = html[start : html.index("</form>", start)]
    # Three sites with offers and four to measure from, past the two a list offers.
    assert "Far Pantry" not in form
    for name in ("site", "near"):
        assert f'<select id="id_{name}"' not in form
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', form)[0]
        assert 'type="search"' in box and f'list="id_{name}-suggestions"' in box

    suggest = reverse("network:sites_suggested")
    assert client.get(suggest, {"site": "far"}).content.decode() == (
        f'<option value="{far.slug}">Far Pantry</option>\n'
    )
    assert "Riverside Kitchen" in client.get(suggest, {"near": "river"}).content.decode()

    def shown(**params):
        response = client.get(BOARD, params)
        html = response.content.decode()
        return response.status_code, {
            o.pk for o in (near_offer, far_offer) if f'id="offer-{o.pk}"' in html
        }

    assert shown(site=far.slug) == (200, {far_offer.pk})
    assert shown(site="far pantry") == (200, {far_offer.pk})  # the whole name typed out
    assert shown(near="Far Pantry", within="10") == (200, {far_offer.pk})
    response = client.get(BOARD, {"site": "Nowhere"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "No site is called “Nowhere”: pick one from the suggestions." in html
    assert f'id="offer-{near_offer.pk}"' not in html and f'id="offer-{far_offer.pk}"' not in html
