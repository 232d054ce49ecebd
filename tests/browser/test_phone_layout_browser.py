"""A lead and a volunteer on a 360 px phone, in the demo network: what is on screen."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from commonpot.models import User
from tests.browser.conftest import log_in
from tests.volunteers.factories import shift_today
from volunteers.models import SignUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server, width=360):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _inside(page, locator, width):
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_a_lead_checks_in_from_a_phone_with_name_and_save_on_screen_together(browser, live_server):
    call_command("seed_demo")
    lead = User.objects.get(username="lead")
    site = lead.memberships.get(role="lead").site
    # A shift of today with people on it, whatever the time of day the test runs.
    shift = shift_today(site, name="Breakfast", people=3)
    page = _phone(browser, live_server)
    log_in(page, "lead", "commonpot-demo")
    page.goto(reverse("volunteers:roster", args=[site.slug, shift.pk]))
    first = SignUp.objects.filter(shift=shift, status="confirmed").order_by("created_at").first()
    row = page.locator(f"#signup-{first.pk}")
    name = row.get_by_role("link", name=first.volunteer.name)
    save = row.get_by_role("button", name=f"Save check-in for {first.volunteer.name}")
    # The name and its check-in are in the same 360 px column: nothing to scroll to.
    for control in (name, row.get_by_label(f"Check-in for {first.volunteer.name}"), save):
        expect(control).to_be_visible()
        assert _inside(page, control, 360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="Everyone attended").click()
    expect(page.get_by_role("status")).to_contain_text("people checked in as attended.")
    confirmed = SignUp.objects.filter(shift=shift, status="confirmed")
    assert set(confirmed.values_list("attendance", flat=True)) == {"attended"}
    expect(page.get_by_role("button", name="Everyone attended")).to_have_count(0)


def test_every_site_tab_is_in_view_on_a_phone_and_a_laptop(browser, live_server):
    call_command("seed_demo")
    for width in (360, 1366):
        page = _phone(browser, live_server, width)
        log_in(page, "lead", "commonpot-demo")
        page.goto(reverse("pantry:stock", args=["riverside-kitchen"]))
        bar = page.get_by_role("navigation", name="Riverside Community Kitchen")
        groups = bar.locator(".site-tabs__groups a")
        expect(groups).to_have_text(["Overview", "Food", "Meals", "People", "Network", "Settings"])
        for link in groups.all() + bar.locator(".site-tabs__tabs a").all():
            assert _inside(page, link, width), link.inner_text()
        # The page's own group is open, with this page marked among its tabs.
        expect(bar.locator('a[aria-current="page"]')).to_have_text("Stock")
        bar.get_by_role("link", name="Settings").click()
        expect(bar.locator('a[aria-current="page"]')).to_have_text("Settings")
        expect(bar.get_by_role("link", name="Outbox")).to_be_visible()
        page.context.close()


def test_filters_wait_behind_a_button_on_a_phone_and_show_on_a_laptop(browser, live_server):
    call_command("seed_demo")
    for width, shown in ((360, False), (1280, True)):
        page = _phone(browser, live_server, width)
        log_in(page, "lead", "commonpot-demo")
        page.goto(reverse("pantry:stock", args=["riverside-kitchen"]))
        milk = page.get_by_label("Milk", exact=True)
        if shown:
            expect(milk).to_be_visible()
        else:
            expect(milk).to_be_hidden()
            page.get_by_text("Filter the stock").click()
            expect(milk).to_be_visible()
        page.goto(reverse("volunteers:board"))
        site_filter = page.get_by_label("Site", exact=True)
        expect(site_filter).to_be_visible() if shown else expect(site_filter).to_be_hidden()
        page.context.close()


def test_a_refused_form_puts_its_problems_first_and_focuses_them(browser, live_server):
    call_command("seed_demo")
    page = _phone(browser, live_server)
    log_in(page, "lead", "commonpot-demo")
    page.goto(reverse("volunteers:shift_create", args=["riverside-kitchen"]))
    page.evaluate(
        "document.querySelectorAll('[required]').forEach(e => e.removeAttribute('required'))"
    )
    page.get_by_role("button", name="Add the shift").click()
    summary = page.get_by_role("alert").filter(has_text="problems")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Date: This field is required.").click()
    expect(page.get_by_label("Date")).to_be_focused()


def test_map_markers_carry_the_sites_name_and_do_not_sit_on_one_another(
    browser, live_server, settings
):
    settings.MAP_TILES_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    call_command("seed_demo")
    page = _phone(browser, live_server, 390)
    page.goto(reverse("site_map"))
    expect(page.locator("#site-map")).to_have_attribute("data-ready", "3")
    markers = page.locator(".leaflet-marker-icon")
    names = sorted(m.get_attribute("alt") for m in markers.all())
    assert names == ["Eastside Food Bank", "Maple Street Pantry", "Riverside Community Kitchen"]
    boxes = [m.bounding_box() for m in markers.all()]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert abs(a["x"] - b["x"]) >= a["width"] or abs(a["y"] - b["y"]) >= a["height"]


def _luminance(rgb: str) -> float:
    parts = [int(x) / 255 for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_stands_out_on_the_green_header_and_on_the_page(browser, live_server):
    """The ring is two colours, one against each background it can sit on: its outer
    edge meets what is around the control, and must reach 3:1 against it."""
    page = _phone(browser, live_server, 1280)
    page.goto("/")
    for selector, around in ((".topbar .brand", ".topbar"), ("main a", "body")):
        page.focus(selector)
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # by keyboard, so :focus-visible applies
        ring = page.eval_on_selector(
            selector,
            """el => { const s = getComputedStyle(el);
                return [s.outlineStyle, s.outlineColor, s.boxShadow]; }""",
        )
        background = page.eval_on_selector(around, "el => getComputedStyle(el).backgroundColor")
        assert ring[0] == "solid", ring
        assert _contrast(ring[1], background) >= 3, (selector, ring, background)
        shadow = ring[2][: ring[2].index(")") + 1]
        # The inner ring stands out against the outer one, so the ring reads as a ring.
        assert _contrast(shadow, ring[1]) >= 3, (selector, ring)
