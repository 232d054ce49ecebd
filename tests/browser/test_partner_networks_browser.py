"""Two partner networks in Chromium, on phones: Leeds and Bradford pair, Leeds
shares bread, Bradford claims it on the board, Leeds dispatches it and Bradford
records it arrived.

Each network is a whole install (tests/federation/installs.py): its own server,
database and django-q2 worker, on its own loopback address, so each person's
browser keeps the cookies of the install they use. The installs reach each other
only over HTTP, and every message between them is sent by the sending install's
worker, as it is in production: right after the change commits. Nobody presses
"Send now" and nobody runs `manage.py federation deliver`: a person waits for the
partner's answer by opening the page again, and so does this test.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _refused_by_policy, log_in
from tests.federation.installs import Install, create_site, create_user, template_for_installs

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

PASSWORD = "a-long-federation-password"
PHONE = {"width": 390, "height": 844}
WAIT = 90  # seconds for a message to cross (a busy two-core machine runs four servers)

# Two sites some 15 km apart, as Leeds and Bradford are.
LEEDS_SITE = {
    "name": "Leeds Community Kitchen",
    "slug": "leeds-kitchen",
    "city": "Leeds",
    "latitude": "53.79960",
    "longitude": "-1.54920",
    "show_exact_location": True,
}
BRADFORD_SITE = {
    "name": "Bradford Community Pantry",
    "slug": "bradford-pantry",
    "city": "Bradford",
    "latitude": "53.79600",
    "longitude": "-1.77800",
    "show_exact_location": True,
}
LOAVES = 40

BREAD = f"""
from datetime import timedelta
from decimal import Decimal

from pantry.services.ledger import receive

site = Site.objects.get(slug="leeds-kitchen")
bread = Item.objects.create(
    name="Bread", category="grains_bread", base_unit="piece", piece_name="loaf",
    weight_per_piece_g=Decimal("800"),
)
receive(site=site, item=bread, quantity=Decimal({LOAVES}), by=None, source="Kirkgate bakery",
        best_before=site.today() + timedelta(days=3))
print(json.dumps(bread_on_hand()))
"""

# What the ledgers hold: the sum of the bread lots' on_hand at each site.
ON_HAND = """
from decimal import Decimal
from django.db.models import Sum


def bread_on_hand():
    total = Lot.objects.filter(item__name="Bread").aggregate(t=Sum("on_hand"))["t"]
    return format(Decimal(total or 0).normalize(), "f")
"""


def on_hand(install: Install) -> str:
    return json.loads(install.python(ON_HAND + "print(json.dumps(bread_on_hand()))"))


def set_up(install: Install, coordinator: str, site: dict, lead: str) -> None:
    """Migrated, its static files collected (it runs as in production, DEBUG off),
    its people and site made, and its servers started with the worker."""
    install.migrate()
    install.manage("collectstatic", "--noinput", "-v0")
    create_user(install, coordinator, PASSWORD, role="coordinator")
    create_site(install, **site)
    create_user(install, lead, PASSWORD, role="lead", site=site["slug"])
    install.start(worker=True)


@pytest.fixture
def networks(tmp_path):
    template = template_for_installs()
    leeds = Install("Leeds Food Network", tmp_path / "leeds", template=template)
    bradford = Install(
        "Bradford Food Network", tmp_path / "bradford", template=template, host="127.0.0.2"
    )
    try:
        with ThreadPoolExecutor(2) as pool:
            made = [
                pool.submit(set_up, leeds, "rosa", LEEDS_SITE, "lena"),
                pool.submit(set_up, bradford, "bea", BRADFORD_SITE, "ben"),
            ]
        for done in made:
            done.result()
        yield leeds, bradford
    finally:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(Install.close, (leeds, bradford)))


@contextlib.contextmanager
def server_logs_on_failure(*installs: Install):
    """A failure's report ends with the installs' server and worker logs."""
    try:
        yield
    except BaseException as e:
        for install in installs:
            e.add_note(install.output())
        raise


class People:
    """One phone (a browser context of its own) for each person, failing the test
    if the Content-Security-Policy refused anything on any of them."""

    def __init__(self, browser):
        self.browser = browser
        self.contexts = []
        self.refused: list[list[str]] = []

    def phone(self, install: Install, username: str):
        context = self.browser.new_context(
            base_url=install.site_url, viewport=PHONE, is_mobile=True, has_touch=True
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        self.refused.append(_refused_by_policy(page))
        log_in(page, username, PASSWORD)
        return page

    def close(self) -> None:
        for context in self.contexts:
            context.close()

    def assert_policy_kept(self) -> None:
        refused = [text for each in self.refused for text in each]
        assert not refused, refused


def reload_until(page, locator, what: str, timeout: float = WAIT) -> None:
    """Open the page again (as a person would) until `locator` shows: the partner's
    answer comes by its worker, a moment after."""
    deadline = time.monotonic() + timeout
    while True:
        if locator.count() and locator.first.is_visible():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"After {timeout} s, still no {what} on {page.url}")
        time.sleep(1)
        page.reload()


def shot(page, tmp_path, name: str) -> None:
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    """Nothing on the page is wider than the phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def test_two_networks_pair_and_move_bread_between_them_on_phones(browser, networks, tmp_path):
    """Screenshots of the steps are in the test's temporary folder."""
    leeds, bradford = networks
    with server_logs_on_failure(leeds, bradford):
        people = People(browser)
        try:
            journey(people, leeds, bradford, tmp_path)
        finally:
            people.close()
        people.assert_policy_kept()


def journey(people: People, leeds: Install, bradford: Install, tmp_path) -> None:
    before = json.loads(leeds.python(ON_HAND + BREAD))
    assert before == str(LOAVES)

    # Leeds' coordinator makes an invitation.
    rosa = people.phone(leeds, "rosa")
    rosa.get_by_role("link", name="Network", exact=True).click()
    rosa.get_by_role("link", name="Partner networks").click()
    expect(rosa.get_by_text("No partner networks yet.")).to_be_visible()
    rosa.get_by_role("button", name="Make an invitation").click()
    invitation = rosa.get_by_label("Invitation", exact=True).input_value()
    assert invitation.startswith("commonpot-pair:")

    # Bradford's coordinator pastes it and pairs, then chooses Bradford's site.
    bea = people.phone(bradford, "bea")
    bea.get_by_role("link", name="Network", exact=True).click()
    bea.get_by_role("link", name="Partner networks").click()
    bea.get_by_label("Invitation from the other network").fill(invitation)
    bea.get_by_role("button", name="Pair with this network").click()
    expect(bea.get_by_role("heading", level=1)).to_have_text("Leeds Food Network")
    expect(bea.get_by_text("Paired with Leeds Food Network.")).to_be_visible()
    bea.get_by_label("Bradford Community Pantry").check()
    bea.get_by_role("button", name="Save").click()
    expect(bea.get_by_text("Saved what is shared with Leeds Food Network.")).to_be_visible()
    expect(bea.get_by_label("Bradford Community Pantry")).to_be_checked()

    # Leeds' coordinator finds Bradford among its partners and chooses Leeds' site.
    rosa.get_by_role("link", name="Partner networks").click()
    rosa.get_by_role("link", name="Bradford Food Network").click()
    rosa.get_by_label("Leeds Community Kitchen").check()
    rosa.get_by_role("button", name="Save").click()
    expect(rosa.get_by_text("Saved what is shared with Bradford Food Network.")).to_be_visible()

    # Leeds' lead offers the bread and shares it with partner networks.
    lena = people.phone(leeds, "lena")
    lena.get_by_role("link", name="Surplus", exact=True).first.click()
    lena.get_by_role("link", name="Offer surplus food").click()
    lena.get_by_label("Food to offer").select_option(index=1)
    lena.get_by_label("Quantity", exact=True).fill(str(LOAVES))
    lena.get_by_label("Unit", exact=True).select_option("pieces")
    lena.get_by_label("Share with partner networks").check()
    lena.get_by_role("button", name="Offer it").click()
    expect(lena.get_by_text(f"{LOAVES} loaves of Bread are on offer")).to_be_visible()

    # Bradford's lead sees it on the board, from Leeds, some 15 km off.
    ben = people.phone(bradford, "ben")
    ben.get_by_role("link", name="Network", exact=True).click()
    near = ben.get_by_label("Distance from")
    if near.input_value() != BRADFORD_SITE["slug"]:
        near.select_option(BRADFORD_SITE["slug"])
    expect(ben.get_by_text("Distances from Bradford Community Pantry.")).to_be_visible()
    partners = ben.locator("section.partner-cards")
    reload_until(ben, partners, "partner offers")
    expect(partners.get_by_role("heading", level=2)).to_have_text("Offers of partner networks")
    card = partners.locator(".partner-card").filter(has_text="Bread")
    expect(card).to_contain_text(f"{LOAVES} loaves of Bread")
    expect(card).to_contain_text("Leeds Food Network")
    expect(card).to_contain_text("Leeds Community Kitchen")
    km = re.search(r"([\d.,]+) km", card.inner_text())
    assert km, card.inner_text()
    assert 13 <= float(km.group(1).replace(",", "")) <= 17, km.group(0)
    card.scroll_into_view_if_needed()
    shot(ben, tmp_path, "1-bradford-board")
    no_sideways_scroll(ben)

    # It claims it all; Leeds holds the food and accepts.
    card.get_by_role("button", name=re.compile(rf"^Claim all {LOAVES} loaves")).click()
    expect(ben.get_by_role("heading", level=1)).to_have_text(
        f"{LOAVES} loaves of Bread from Leeds Community Kitchen"
    )
    reload_until(ben, ben.locator(".badge", has_text=re.compile(r"^Accepted$")), "acceptance")
    expect(ben.get_by_text("Leeds Food Network accepted and holds the food")).to_be_visible()
    transfer_page = ben.url

    # Leeds' lead finds it on the Surplus tab and dispatches it.
    lena.goto("/")
    lena.get_by_role("link", name="Surplus", exact=True).first.click()
    with_partners = lena.get_by_role("region", name="With partner networks")
    with_partners.get_by_role("link", name="Bread").click()
    expect(lena.get_by_role("heading", level=1)).to_have_text(
        f"{LOAVES} loaves of Bread to Bradford Community Pantry"
    )
    lena.get_by_role("button", name="Dispatch").click()
    expect(lena.get_by_text("Dispatched: the food is in transit")).to_be_visible()
    shot(lena, tmp_path, "2-leeds-dispatched")
    no_sideways_scroll(lena)

    # Bradford's lead sees it on the way and records that all of it arrived.
    ben.goto(transfer_page)
    reload_until(ben, ben.locator(".badge", has_text=re.compile(r"^In transit$")), "dispatch")
    lines = ben.get_by_role("table", name="What left, lot by lot")
    expect(lines).to_contain_text(f"{LOAVES} loaves")
    shot(ben, tmp_path, "3-bradford-in-transit")
    no_sideways_scroll(ben)
    ben.get_by_label("Arrived in good condition").fill(str(LOAVES))
    ben.get_by_label("Unit", exact=True).select_option("pieces")
    ben.get_by_role("button", name="Received").click()
    expect(ben.get_by_text("Received at Bradford Community Pantry")).to_be_visible()
    expect(ben.locator(".badge", has_text=re.compile(r"^Received$"))).to_be_visible()
    shot(ben, tmp_path, "4-bradford-received")
    no_sideways_scroll(ben)

    # Leeds hears that it arrived.
    reload_until(lena, lena.locator(".badge", has_text=re.compile(r"^Received$")), "receipt")
    arrived = lena.get_by_role("table", name="What left, lot by lot").locator("tbody td").last
    expect(arrived).to_have_text(f"{LOAVES} loaves")
    shot(lena, tmp_path, "5-leeds-received")

    # The ledgers: Leeds is short of exactly what left; Bradford has it in a lot
    # of its own, with the Leeds lot's date and Leeds as its source.
    assert Decimal(before) - Decimal(on_hand(leeds)) == LOAVES
    assert on_hand(bradford) == str(LOAVES)
    code = """
        print(json.dumps([
            [format(lot.on_hand.normalize(), "f"), lot.site.slug, lot.item.base_unit,
             lot.best_before.isoformat(), lot.source]
            for lot in Lot.objects.filter(item__name="Bread")
        ]))
        """
    (leeds_lot,) = json.loads(leeds.python(code))
    (bradford_lot,) = json.loads(bradford.python(code))
    assert bradford_lot == [
        str(LOAVES),
        BRADFORD_SITE["slug"],
        "piece",
        leeds_lot[3],
        "Leeds Community Kitchen (Leeds Food Network)",
    ]
