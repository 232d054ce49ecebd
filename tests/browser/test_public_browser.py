import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_visitor_finds_sites_on_the_map_even_without_map_tiles(phone, settings):
    settings.MAP_TILES_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # tiles cannot load here
    call_command("seed_demo")
    phone.goto("/")
    phone.get_by_role("link", name="Map", exact=True).click()
    expect(phone.get_by_role("heading", name="Find a site")).to_be_visible()
    the_map = phone.get_by_role("region", name="Map of sites")
    expect(the_map).to_be_visible()
    # Three sites publish their place; the camp is listed by town only.
    expect(the_map).to_have_attribute("data-ready", "3")
    expect(phone.locator(".leaflet-marker-icon")).to_have_count(3)
    expect(phone.get_by_text("The map background could not load")).to_be_visible()
    expect(phone.get_by_text("location shared on contact")).to_be_visible()

    # Markers are reachable by keyboard; two in Brooklyn overlap at this zoom.
    phone.locator(".leaflet-marker-icon").last.focus()
    phone.keyboard.press("Enter")
    popup = phone.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    # Followed by keyboard too: a tap can land on a marker while the map pans to the popup.
    link = popup.get_by_role("link")
    href = link.get_attribute("href")
    link.focus()
    phone.keyboard.press("Enter")
    expect(phone).to_have_url(re.compile(re.escape(href) + "$"))
    expect(phone.get_by_text("Opening hours and meals")).to_be_visible()


def test_a_map_of_more_sites_than_one_answer_carries_asks_for_the_area_in_view(
    phone, settings, monkeypatch
):
    from commonpot import maps

    settings.MAP_TILES_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    monkeypatch.setattr(maps, "MAP_SITES_MAX", 1)
    call_command("seed_demo")
    phone.goto("/map/")
    the_map = phone.get_by_role("region", name="Map of sites")
    expect(the_map).to_have_attribute("data-ready", "1")
    expect(phone.get_by_text("There are more sites than the map shows at once")).to_be_visible()
    # Moved (zoomed out with the keyboard): the map asks for the sites in view.
    with phone.expect_request(lambda request: "bbox=" in request.url) as asked:
        the_map.focus()
        phone.keyboard.press("-")
    assert re.search(r"bbox=-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+$", asked.value.url)
    expect(phone.locator(".leaflet-marker-icon")).to_have_count(1)
