"""The coordinator's dashboard and its map data."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pantry.network import services
from pantry.network.views_dashboard import SHOWN
from tests.conftest import client_for, page_queries
from tests.network.factories import need, offer, stock, yoghurt

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("network:dashboard")


def test_stock_is_shown_by_site_and_category_in_kg_with_food_in_transit(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot
):
    stock(other_site, yoghurt(), "10", by=other_lead)  # 10 pots of 500 g
    o = offer(site, bread_lot, "15000", by=lead)
    t = services.claim_offer(offer_id=o.pk, site=other_site, by=other_lead)
    services.accept_transfer(transfer_id=t.pk, by=lead)
    services.dispatch_transfer(transfer_id=t.pk, by=lead)
    html = client_for(coordinator).get(DASHBOARD).content.decode()
    assert "<strong>30 kg</strong> on hand" in html  # 25 kg bread + 5 kg yoghurt
    assert "<strong>15 kg</strong> in transit" in html
    assert "<strong>45 kg</strong> in the network" in html
    assert "Grains and bread" in html and "Dairy and eggs" in html


def test_surplus_expiring_soon_and_needs_with_their_best_match_are_listed(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot
):
    offer(site, bread_lot, "20000", by=lead, hours=24)
    need(other_site, by=other_lead, category="grains_bread", quantity="5000")
    html = client_for(coordinator).get(DASHBOARD).content.decode()
    expiring = html[html.index("Surplus expiring") : html.index("Open needs")]
    assert "Bread" in expiring and "20 kg" in expiring
    needs = html[html.index("Open needs") : html.index("Transfers in flight")]
    assert "Eastside Food Bank: 5 kg of any grains and bread" in needs
    assert "20 kg of Bread at Riverside Kitchen" in needs and "9 km" in needs


def test_the_dashboard_runs_the_same_queries_for_few_and_many_offers_and_needs(
    site, other_site, lead, other_lead, coordinator, item_bread, mapped
):
    lot = stock(site, item_bread, "500000", by=lead, days=5)
    client = client_for(coordinator)

    def count() -> int:
        return page_queries(client, DASHBOARD)

    for _ in range(3):
        offer(site, lot, "1000", by=lead)
        need(other_site, by=other_lead, category="grains_bread", quantity="500")
    small = count()
    assert small > 3  # the count is real, not an empty capture
    for _ in range(30):
        offer(site, lot, "1000", by=lead)
        need(other_site, by=other_lead, category="grains_bread", quantity="500")
    assert count() == small


def test_the_map_data_has_every_placed_site_with_its_offers_and_needs(
    site, other_site, private_site, lead, coordinator, bread_lot
):
    private_site.latitude, private_site.longitude = Decimal("51.4"), Decimal("-2.7")
    private_site.save()
    offer(site, bread_lot, by=lead)
    data = client_for(coordinator).get(reverse("network:sites_geojson")).json()
    by_name = {f["properties"]["name"]: f for f in data["features"]}
    assert set(by_name) == {"Riverside Kitchen", "Eastside Food Bank", "Hidden Camp"}
    assert "1 open offer" in by_name["Riverside Kitchen"]["properties"]["kind"]
    assert by_name["Riverside Kitchen"]["geometry"]["coordinates"] == [-2.6, 51.45]


def test_the_needs_past_the_first_50_are_counted_and_the_shown_ones_keep_their_matches(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot
):
    offer(site, bread_lot, "20000", by=lead, hours=48)
    for _ in range(SHOWN + 2):
        need(other_site, by=other_lead, category="grains_bread", quantity="500")
    html = client_for(coordinator).get(DASHBOARD).content.decode()
    needs = html[html.index("Open needs") : html.index("Transfers in flight")]
    assert needs.count("Eastside Food Bank: 500 g of any grains and bread") == SHOWN
    assert needs.count("20 kg of Bread at Riverside Kitchen") == SHOWN
    assert "No offer fits" not in needs
    assert "And 2 more on" in needs


def test_sites_without_food_are_counted_under_the_stock_table_not_listed_in_it(
    site, other_site, private_site, coordinator, bread_lot
):
    html = client_for(coordinator).get(DASHBOARD).content.decode()
    table = html[html.index("stock-heading") : html.index("map-heading")]
    assert "Riverside Kitchen" in table
    assert "Eastside Food Bank" not in table and "Hidden Camp" not in table
    assert "2 other sites hold no food just now" in table
    assert "All 3 sites as a list" in html
    directory = client_for(coordinator).get(reverse("site_directory")).content.decode()
    assert "Eastside Food Bank" in directory and "Hidden Camp" in directory
    assert "Not listed publicly" in directory  # the camp, for the coordinator only


def test_the_public_directory_lists_public_sites_only(client, site, private_site):
    html = client.get(reverse("site_directory")).content.decode()
    assert "Riverside Kitchen" in html and "Hidden Camp" not in html
    assert "Not listed publicly" not in html


def test_transfers_in_flight_past_the_first_50_are_counted_with_the_oldest_shown(
    site, other_site, lead, other_lead, coordinator, item_bread, mapped
):
    lot = stock(site, item_bread, "500000", by=lead, days=5)
    made = [
        services.claim_offer(
            offer_id=offer(site, lot, "1000", by=lead).pk, site=other_site, by=other_lead
        )
        for _ in range(SHOWN + 2)
    ]
    services.accept_transfer(transfer_id=made[-1].pk, by=lead)
    html = client_for(coordinator).get(DASHBOARD).content.decode()
    flight = html[html.index("Transfers in flight") :]
    assert f"{SHOWN + 1} proposed" in flight and "1 accepted" in flight
    assert f">#{made[0].pk}<" in flight and f">#{made[-1].pk}<" not in flight
    assert "2 more are on" in flight


def test_food_on_hold_is_shown_apart_from_the_food_on_hand(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot
):
    from pantry.models import LotHold
    from pantry.services.holds import start_holds

    held = stock(other_site, yoghurt(), "10", by=other_lead)  # 5 kg
    start_holds([held], cause=LotHold.Cause.MANUAL, by=other_lead, note="Fridge door left open")
    html = client_for(coordinator).get(DASHBOARD).content.decode()
    assert "<strong>45 kg</strong> on hand" in html  # 40 kg bread, 5 kg yoghurt
    assert "<strong>5 kg</strong> of it on hold" in html
    surplus = reverse("network:site_surplus", args=[other_site.slug])
    page = client_for(other_lead).get(surplus).content.decode()
    assert "<strong>5 kg</strong> of it on hold, not free to offer" in page
    # Nothing held: nothing said.
    assert (
        "on hold"
        not in client_for(lead)
        .get(reverse("network:site_surplus", args=[site.slug]))
        .content.decode()
    )


def test_the_coordinators_map_is_bounded_and_refuses_a_bad_box(
    site, other_site, lead, coordinator, bread_lot, monkeypatch
):
    from commonpot import maps

    offer(site, bread_lot, by=lead)
    url = reverse("network:sites_geojson")
    client = client_for(coordinator)
    lon, lat = float(site.longitude), float(site.latitude)
    box = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    boxed = client.get(url, {"bbox": box}).json()
    assert [f["properties"]["name"] for f in boxed["features"]] == ["Riverside Kitchen"]
    assert "1 open offer" in boxed["features"][0]["properties"]["kind"]
    monkeypatch.setattr(maps, "MAP_SITES_MAX", 1)
    assert client.get(url).json()["truncated"] is True
    bad = client.get(url, {"bbox": "0,10,1,5"})
    assert bad.status_code == 400 and "south not north of north" in bad.json()["error"]


def test_the_stock_table_shows_the_sites_a_page_at_a_time(
    site, other_site, lead, other_lead, coordinator, item_bread, bread_lot, monkeypatch
):
    from pantry.network import views_dashboard

    stock(other_site, yoghurt(), "10", by=other_lead)
    monkeypatch.setattr(views_dashboard, "SHOWN", 1)
    client = client_for(coordinator)

    def stock_rows(page):
        html = client.get(DASHBOARD, {"page": page}).content.decode()
        return html[html.index('id="stock-heading"') : html.index('id="map-heading"')]

    first, second = stock_rows(1), stock_rows(2)
    assert "Eastside Food Bank" in first and "Riverside Kitchen" not in first
    assert "Riverside Kitchen" in second and "Eastside Food Bank" not in second
    assert "Page 1 of 2 (2 sites holding or moving food)" in first
    assert "<strong>45 kg</strong> on hand" in client.get(DASHBOARD, {"page": 2}).content.decode()
    assert "Riverside Kitchen" in stock_rows(99)  # past the end: the last page


def test_the_dashboards_matches_are_those_found_among_every_open_offer(coordinator):
    """The dashboard reads only the offers of the foods its needs ask for at sites
    within reach of a need of that food: its matches are the same as those chosen
    from every open offer in the network, with needs of items and of categories,
    limits from 5 to 80 km, and sites off the map (offers there and a need there)."""
    import random

    from pantry.models import Item
    from pantry.network.matches import Distances, best_matches
    from pantry.network.models import Need, Offer
    from pantry.network.progress import attach_on_the_way
    from pantry.network.views_dashboard import _candidates, _matches
    from tests.factories import MembershipFactory, SiteFactory
    from tests.pantry.factories import ItemFactory

    rng = random.Random(5)
    sites = [
        SiteFactory(
            name=f"Site {i}",
            latitude=Decimal(f"{51 + rng.uniform(-0.6, 0.6):.5f}"),
            longitude=Decimal(f"{-2 + rng.uniform(-0.9, 0.9):.5f}"),
        )
        for i in range(14)
    ] + [SiteFactory(name=f"Off the map {i}") for i in range(2)]
    leads = {s.pk: MembershipFactory(site=s, role="lead").user for s in sites}
    items = [
        ItemFactory(name="Bread", category=Item.Category.GRAINS_BREAD),
        ItemFactory(name="Rice", category=Item.Category.GRAINS_BREAD),
        ItemFactory(name="Beans", category=Item.Category.CANNED_DRY),
        ItemFactory(name="Apples", category=Item.Category.PRODUCE),
    ]
    for _ in range(60):
        s, item = rng.choice(sites), rng.choice(items)
        lot = stock(s, item, "100000", by=leads[s.pk], days=rng.randint(1, 6))
        offer(s, lot, str(rng.randint(1, 40) * 1000), by=leads[s.pk])
    for i in range(16):
        s = sites[-1] if i == 0 else rng.choice(sites)
        food = {"item": rng.choice(items)} if i % 2 else {"category": rng.choice(items).category}
        need(
            s,
            by=leads[s.pk],
            quantity=str(rng.randint(1, 30) * 1000),
            days=rng.randint(0, 4),
            within_km=rng.choice([5, 20, None, 80]),
            **food,
        )
    open_offers = Offer.objects.open().filter(site__is_active=True)
    needs = list(Need.objects.open().for_cards().with_limits())
    attach_on_the_way(needs)
    distances = Distances()
    candidates = _candidates(open_offers, needs, distances)
    shown = _matches(needs, candidates, distances)
    every = best_matches(needs, list(open_offers.select_related("site", "item")), per_need=3)

    def found(matches):
        return {n: [(m.offer.pk, m.distance_km, m.covers) for m in ms] for n, ms in matches.items()}

    assert found(shown) == found(every)
    assert sum(len(ms) for ms in every.values()) > 16  # the needs are matched, not all empty
    assert any(m.distance_km is None for ms in every.values() for m in ms)
    assert candidates.count() < open_offers.count()  # and fewer offers were read
