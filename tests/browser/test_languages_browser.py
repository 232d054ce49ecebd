"""On a phone in another language: a Spanish phone opens Commonpot in Spanish, the
footer switches it to Arabic, read right to left, and a volunteer's choice follows
them to their shifts."""

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from commonpot.models import User
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said(language: str, english: str, context: str | None = None) -> str:
    """`english` as the catalog of `language` says it (never the English itself)."""
    with translation.override(language):
        text = translation.pgettext(context, english) if context else translation.gettext(english)
    assert text != english, f"{english!r} is not translated into {language}"
    return text


@pytest.fixture
def spanish_phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 780},
        is_mobile=True,
        has_touch=True,
        locale="es-ES",
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_spanish_phone_reads_spanish_and_switches_to_arabic_right_to_left(spanish_phone):
    phone = spanish_phone
    call_command("seed_demo")
    phone.goto("/")
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    expect(phone.get_by_role("link", name=said("es", "Log in"), exact=True)).to_be_visible()

    phone.get_by_label(said("es", "Language")).select_option("ar")
    phone.get_by_role("button", name=said("es", "Change")).click()
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.get_by_role("link", name=said("ar", "Log in"), exact=True)).to_be_visible()
    # Mirrored: the name of the app sits at the right-hand end of the top bar.
    brand = phone.get_by_role("link", name="Commonpot", exact=True).bounding_box()
    assert brand["x"] > 390 / 2, brand
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path="var/screenshots/home-ar-390.png", full_page=True)

    # Logged in, the choice made before logging in stays (the cookie), and once
    # chosen again in the footer it is the volunteer's own, on any phone.
    log_in(phone, "volunteer", "commonpot-demo")
    expect(phone.locator("html")).to_have_attribute("lang", "ar")
    phone.get_by_label(said("ar", "Language")).select_option("uk")
    phone.get_by_role("button", name=said("ar", "Change")).click()
    expect(phone.locator("html")).to_have_attribute("lang", "uk")
    assert User.objects.get(username="volunteer").language == "uk"
    phone.goto("/me/shifts/")
    expect(phone.get_by_role("heading", name=said("uk", "Your shifts"), exact=True)).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path="var/screenshots/my-shifts-uk-390.png", full_page=True)


def test_a_lead_works_through_the_stock_page_in_arabic_on_a_phone(phone):
    call_command("seed_demo")
    User.objects.filter(username="lead").update(language="ar")
    log_in(phone, "lead", "commonpot-demo")
    phone.goto("/sites/riverside-kitchen/stock/")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.get_by_role("heading", level=1)).to_contain_text(said("ar", "Stock"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path="var/screenshots/stock-ar-390.png", full_page=True)


def test_the_map_mirrors_its_controls_in_arabic_and_still_marks_every_site(
    phone, settings, live_server
):
    settings.MAP_TILES_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"  # tiles cannot load here
    call_command("seed_demo")
    phone.context.add_cookies(
        [{"name": "commonpot_language", "value": "ar", "url": live_server.url}]
    )
    phone.goto("/map/")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    the_map = phone.locator("#site-map")
    expect(the_map).to_have_attribute("data-ready", "3")
    expect(phone.locator(".leaflet-marker-icon")).to_have_count(3)
    zoom = phone.locator(".leaflet-control-zoom").bounding_box()
    assert zoom["x"] > 390 / 2, zoom
    expect(phone.locator(".leaflet-control-attribution")).to_contain_text("OpenStreetMap")
