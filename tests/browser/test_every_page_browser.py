"""Every page of the authorization matrices, on a phone and on a laptop.

The walk opens each GET row of every matrix (tests/<app>/test_authz.py) that the
matrix lets the person open (status 200), as a visitor, a volunteer, a lead and a
coordinator, in the demo network (`seed_demo`, what a new install shows, with a recall and two
transfers added), and:

- at 360 px wide, fails when the page scrolls sideways:
  `document.documentElement.scrollWidth <= 360`. A table wider than a phone is
  allowed only inside an element that scrolls itself (`.table-container`, with
  the first column fixed or as cards on a phone): such an element's overflow does
  not widen the document, so this one number catches everything else.
- at 360 px and at 1280 px, runs axe-core (vendored in tests/browser/vendor) on
  the page and fails on any serious or critical finding against WCAG 2.2 AA.

One browser context a person, one page reused from address to address; the
width changes without reloading. Files that are not pages (CSV, PDF, calendar
feeds, JSON) and HTML fragments that htmx swaps into a page are not walked.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.browser.conftest import log_in
from tests.test_every_url_in_a_matrix import MATRICES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE, DESKTOP = 360, 1280

# The demo's people, one for each role a matrix names.
PEOPLE = {"anonymous": None, "volunteer": "volunteer", "lead": "lead", "coordinator": "coordinator"}

# Not pages: files, feeds, APIs, fragments, and Django's own admin.
NOT_PAGES = {
    "admin:index",
    "healthz",
    "manifest",
    "service_worker",
    "hsds_root",
    "hsds_service",
    "hsds_services",
    "murmurations_profile",
    "sites_geojson",
    "network:sites_geojson",
    "site_hours_ics",
    "volunteers:feed",
    "volunteers:site_feed",
    "volunteers:certificate_pdf",
    "volunteers:day_sheet",
    "volunteers:shift_sheet",
    "pantry:stock_csv",
    "pantry:moves_csv",
    "pantry:count_sheet",
    "pantry:lot_label",
    "pantry:donation_receipt",
    "pantry:recall_pdf",
    "pantry:item_search",
    "pantry:donation_line",
    "pantry:distribution_line",
    "pantry:barcode_fill",
    "kitchen:recipe_line",
    "kitchen:meal_labels",
    "network:transfer_manifest",
    "network:offer_murmurations",
    "network:need_murmurations",
    "federation:actor",
    "federation:context",
}


def _add_what_the_demo_leaves_out() -> None:
    """A recall and two transfers (proposed, on the road) at the lead's site: the
    demo holds none, and their pages are the ones a driver and a lead open outside."""
    from commonpot.models import User
    from pantry.models import Lot
    from pantry.network import services as network
    from pantry.services import recalls
    from tests.network.factories import offer, stock

    lead = User.objects.get(username="lead")
    site = lead.memberships.get(role="lead").site
    camp_lead = User.objects.get(username="camp-lead")
    camp = camp_lead.memberships.get(role="lead").site
    item = Lot.objects.filter(site=site, on_hand__gt=0).order_by("pk").first().item
    lot = stock(site, item, "2000", by=lead)
    network.claim_offer(offer_id=offer(site, lot, "500", by=lead).pk, site=camp, by=camp_lead)
    moving = network.claim_offer(
        offer_id=offer(site, lot, "500", by=lead).pk, site=camp, by=camp_lead
    )
    network.accept_transfer(transfer_id=moving.pk, by=lead)
    network.dispatch_transfer(transfer_id=moving.pk, by=lead)
    recalls.start_recall(
        title=f"{item.name}, from today's date on",
        criteria=recalls.Criteria(item=item, dated_from=site.today()),
        by=lead,
        site=site,
    )
    _add_a_partner_network(site)


def _add_a_partner_network(site) -> None:
    """A partner network the lead's site takes part with: its offer on the board, and
    a transfer from it on the road to the lead's site (the demo is one install)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from pantry.federation.models import (
        Partner,
        PartnerOffer,
        PartnerTransfer,
        PartnerTransferLine,
    )

    partner = Partner.objects.create(
        name="Harbour Food Network",
        url="http://127.0.0.1:9",
        key_id="http://127.0.0.1:9/federation/actor#key",
        public_key_pem="",
    )
    partner.sites.set([site])
    later = timezone.now() + timedelta(days=1)
    food = {
        "item_name": "Apples",
        "category": "produce",
        "base_unit": "g",
        "quantity": Decimal("12000"),
    }
    offer = PartnerOffer.objects.create(
        partner=partner,
        uri="http://127.0.0.1:9/federation/offers/1",
        version=1,
        site_name="Harbour Pantry",
        locality="Portishead",
        latitude=Decimal("51.48"),
        longitude=Decimal("-2.76"),
        closes_at=later,
        pickup_from=timezone.now(),
        pickup_until=later,
        status="open",
        **food,
    )
    transfer = PartnerTransfer.objects.create(
        partner=partner,
        direction=PartnerTransfer.Direction.IN,
        site=site,
        partner_site_name="Harbour Pantry",
        partner_offer=offer,
        status=PartnerTransfer.Status.DISPATCHED,
        dispatched_at=timezone.now(),
        **food,
    )
    PartnerTransferLine.objects.create(
        transfer=transfer, quantity=Decimal("12000"), best_before=site.today(), lot_code="AP-7"
    )


def _demo_names() -> dict:
    """What the matrices' kwargs name, found in the demo network."""
    from commonpot.models import Site, User
    from kitchen.models import MealService, Recipe
    from pantry.federation.models import Partner, PartnerOffer, PartnerTransfer
    from pantry.models import Distribution, Donation, Donor, Equipment, Item, Lot, Recall
    from pantry.network.models import Need, Offer, Transfer
    from volunteers.models import HoursCertificate, Rota, Shift

    lead = User.objects.get(username="lead")
    site = Site.objects.get(memberships__user=lead, memberships__role="lead")
    other = Site.objects.exclude(pk=site.pk).order_by("pk").first()
    today = site.today()
    shifts = Shift.objects.filter(site=site, is_published=True)
    shift = shifts.filter(starts_at__date=today).first() or shifts.order_by("starts_at").first()
    lot = Lot.objects.filter(site=site, on_hand__gt=0).order_by("pk").first()
    meal = MealService.objects.filter(site=site).order_by("date", "pk").first()
    cooked = MealService.objects.filter(site=site, status="cooked").first()
    names = {
        "site": site.slug,
        "other": other.slug,
        "day": (shift.local_date if shift else today).isoformat(),
        "shift": shift.pk if shift else None,
        "role": shift.role_id if shift else None,
        "volunteer": User.objects.get(username="volunteer").pk,
        "rota": Rota.objects.filter(site=site).values_list("pk", flat=True).first(),
        "certificate": HoursCertificate.objects.values_list("code", flat=True).first(),
        "recipe": Recipe.objects.filter(site=site).values_list("pk", flat=True).first(),
        "meal": meal.pk if meal else None,
        "cooked": cooked.pk if cooked else None,
        "item": lot.item_id if lot else Item.objects.values_list("pk", flat=True).first(),
        "lot": lot.pk if lot else None,
        "donation": Donation.objects.filter(site=site).values_list("pk", flat=True).first(),
        "distribution": Distribution.objects.filter(site=site).values_list("pk", flat=True).first(),
        "donor": Donor.objects.filter(site=site).values_list("pk", flat=True).first(),
        "unit": Equipment.objects.filter(site=site).values_list("pk", flat=True).first(),
        "recall": Recall.objects.values_list("pk", flat=True).first(),
        "need": Need.objects.values_list("pk", flat=True).first(),
        "offer": Offer.objects.values_list("pk", flat=True).first(),
        "proposed": Transfer.objects.filter(status="proposed").values_list("pk", flat=True).first(),
        "dispatched": Transfer.objects.filter(status="dispatched")
        .values_list("pk", flat=True)
        .first(),
        "partner": Partner.objects.values_list("pk", flat=True).first(),
        "partner_offer": PartnerOffer.objects.values_list("pk", flat=True).first(),
        "incoming": PartnerTransfer.objects.values_list("pk", flat=True).first(),
    }
    return names


def _pages(names: dict) -> dict[str, list[str]]:
    """role -> the addresses the matrices let them open, each once."""
    pages: dict[str, list[str]] = {role: [] for role in PEOPLE}
    for module in MATRICES:
        for row in importlib.import_module(module).ROWS:
            if row.method != "GET" or row.name in NOT_PAGES:
                continue
            kwargs = {}
            for key, value in row.kwargs.items():
                # A row names its records by words its own fixture knows; the meal rows
                # pass {"slug": "site", "pk": "meal"} under the name MEAL.
                kwargs[key] = names.get(value, value) if isinstance(value, str) else value
            if any(v is None for v in kwargs.values()) or any(
                isinstance(v, str) and v not in names.values() and k != "storage"
                for k, v in kwargs.items()
            ):
                continue  # a record the demo does not hold (another site's, a private one)
            url = reverse(row.name, kwargs=kwargs)
            if row.data:
                url += "?" + urlencode(row.data)
            for role in PEOPLE:
                if row.expect.get(role) == 200 and url not in pages[role]:
                    pages[role].append(url)
    return pages


def _findings(page, width: int) -> list[str]:
    page.set_viewport_size({"width": width, "height": 800})
    results = page.evaluate(
        """async (tags) => {
            const only = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            const r = await axe.run(document, only);
            const where = (v) => v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")
              + (v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : "");
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => `${v.id} (${v.impact}): ${where(v)}`);
        }""",
        WCAG_22_AA,
    )
    return [f"{width}px {r}" for r in results]


def _walk(browser, live_server, language: str | None = None):
    """Each demo person's pages in turn, as (role, url, page, response); logged in,
    and in `language` when given. A fragment for htmx (no <main>) is left out."""
    call_command("seed_demo")
    _add_what_the_demo_leaves_out()
    pages = _pages(_demo_names())
    for role, username in PEOPLE.items():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": PHONE, "height": 800}
        )
        if language:
            context.add_cookies(
                [{"name": "commonpot_language", "value": language, "url": live_server.url}]
            )
        else:
            # Injected by the browser, not by a <script>: the Content-Security-Policy
            # stays as it is.
            context.add_init_script(script=AXE)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if username:
            log_in(page, username, "commonpot-demo")
        for url in pages[role]:
            page.set_viewport_size({"width": PHONE, "height": 800})
            response = page.goto(url)
            if response.status == 200 and not page.locator("main").count():
                continue
            yield role, url, page, response
        context.close()


def _too_wide(page) -> str | None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    return f"scrolls sideways at {PHONE}px ({wide}px wide)" if wide > PHONE else None


def test_every_page_fits_a_phone_and_passes_the_accessibility_audit(browser, live_server):
    failures: list[str] = []
    walked = 0
    for role, url, page, response in _walk(browser, live_server):
        where = f"{url} as {role}"
        if response.status != 200:
            failures.append(f"{where}: answered {response.status}")
            continue
        walked += 1
        if problem := _too_wide(page):
            failures.append(f"{where}: {problem}")
        for width in (PHONE, DESKTOP):
            failures += [f"{where}: {f}" for f in _findings(page, width)]
    assert walked > 150, f"only {walked} pages walked: the demo lost records the rows name?"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


def test_the_walk_reaches_the_pages_people_use_most():
    call_command("seed_demo")
    _add_what_the_demo_leaves_out()
    pages = _pages(_demo_names())
    lead = " ".join(pages["lead"])
    for part in ("/shifts/", "/meals/", "/stock/"):
        assert part in lead
    assert "/network/dashboard/" in pages["coordinator"]
    assert "/shifts/" in pages["anonymous"] and "/" in pages["anonymous"]
    from pantry.models import Recall
    from pantry.network.models import Transfer

    added = [
        reverse("network:transfer", args=[Transfer.objects.get(status="proposed").pk]),
        reverse("network:transfer_receive", args=[Transfer.objects.get(status="dispatched").pk]),
        reverse("pantry:recall", args=[Recall.objects.get().pk]),
    ]
    assert set(added) <= set(pages["coordinator"])


@pytest.mark.parametrize("language", ["ar", "uk", "pt-br"])
def test_every_page_fits_a_phone_in_a_long_or_right_to_left_language(
    browser, live_server, language
):
    """Arabic reads right to left; Ukrainian's and Portuguese's words run long. Every
    page still fits a 360 px phone in them."""
    failures: list[str] = []
    walked = 0
    for role, url, page, response in _walk(browser, live_server, language):
        if response.status != 200:
            continue
        walked += 1
        if page.evaluate("document.documentElement.lang") != language:
            failures.append(f"{url} as {role}: not in {language}")
        if problem := _too_wide(page):
            failures.append(f"{url} as {role}: {problem}")
    assert walked > 150, f"only {walked} pages walked"
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
