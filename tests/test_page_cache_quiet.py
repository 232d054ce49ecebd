"""The tables whose writes keep kept pages (commonpot.pagecache.QUIET_TABLES) are
read by no kept page: every kept page, shown with a bit of everything on it, is
read here and the tables it asks for are compared with them. And the worker's
sending of reminders, which writes them, keeps the pages people have open."""

import re
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commonpot.mail import deliver, queue_email
from commonpot.pagecache import QUIET_TABLES
from kitchen import services as kitchen
from kitchen.services import IngredientLine
from pantry import services as pantry
from tests.conftest import client_for
from tests.network.factories import bread, need, offer, stock
from tests.pantry.factories import give_out, rice
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers import services as volunteers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]
READ = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)


def _kept_pages(resolver=None, namespace=""):
    """The names of the URLs whose view keeps its pages (`cached_page`)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _kept_pages(entry, inner)
        elif isinstance(entry, URLPattern) and getattr(entry.callback, "kept_page", False):
            yield namespace + entry.name


@pytest.fixture
def busy(site, other_site, lead, other_lead, volunteer):
    """A site with a bit of everything: a shift with a volunteer on it, stock, a
    donation and a distribution, a meal planned, an offer and a need, and messages
    sent and waiting."""
    from pantry.services import donations

    shift = ShiftFactory(site=site, role=ShiftRoleFactory(site=site, name="Porter"))
    volunteers.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    item = rice()
    pantry.receive(site=site, item=item, quantity=Decimal(5000), by=lead, source="Market")
    donations.receive_donation(
        site=site,
        donor=None,
        received_on=site.today(),
        lines=[donations.LineInput(item=item, quantity="5", unit="kg")],
        by=lead,
    )
    give_out(site, item, "2", "kg", by=lead)
    recipe = kitchen.create_recipe(
        site=site,
        name="Rice pot",
        yield_servings=10,
        ingredients=[IngredientLine(item, "1", "kg")],
        by=lead,
    )
    kitchen.plan_meal(
        site=site, date=site.today(), kind="lunch", servings=10, recipes=[recipe], by=lead
    )
    offer(site, stock(site, bread(), "4000", by=lead), "2000", by=lead)
    need(other_site, by=other_lead, item=item, quantity="1000")
    return shift


def _reminder(site, key: str):
    message, _created = queue_email(
        key=f"reminder:{key}",
        kind="reminder",
        to="vera@example.org",
        subject="Your shift tomorrow",
        text="See you at the kitchen.",
        site=site,
    )
    return message


def _pages(site, lead, volunteer, coordinator, shift):
    day = site.today()
    return {
        "home": [(volunteer, reverse("home")), (lead, reverse("home")), (coordinator, "/")],
        "site_directory": [(None, reverse("site_directory")), (coordinator, "/sites/")],
        "volunteers:board": [(volunteer, reverse("volunteers:board"))],
        "volunteers:my_shifts": [(volunteer, reverse("volunteers:my_shifts"))],
        "volunteers:day": [(lead, reverse("volunteers:day", args=[site.slug, day.isoformat()]))],
        "volunteers:roster": [(lead, reverse("volunteers:roster", args=[site.slug, shift.pk]))],
        "pantry:stock": [(lead, reverse("pantry:stock", args=[site.slug]))],
        "pantry:donations": [(lead, reverse("pantry:donations", args=[site.slug]))],
        "pantry:distributions": [(lead, reverse("pantry:distributions", args=[site.slug]))],
        "pantry:items": [(lead, reverse("pantry:items"))],
        "kitchen:week": [(lead, reverse("kitchen:week", args=[site.slug]))],
        "network:board": [(lead, reverse("network:board")), (coordinator, "/network/")],
        "network:dashboard": [(coordinator, reverse("network:dashboard"))],
    }


def test_no_kept_page_reads_a_table_whose_writes_keep_it(
    busy, site, lead, volunteer, coordinator, settings
):
    settings.PAGE_CACHE = False
    _reminder(site, "waiting")
    deliver(_reminder(site, "sent").pk)
    pages = _pages(site, lead, volunteer, coordinator, busy)
    assert set(pages) == set(_kept_pages()), "a kept page this test does not read"
    for name, visits in pages.items():
        for user, url in visits:
            with CaptureQueriesContext(connection) as ctx:
                response = client_for(user).get(url)
            assert response.status_code == 200, url
            read = {t for q in ctx.captured_queries for t in READ.findall(q["sql"])}
            assert read, url  # the capture is real
            # The session is read for the person, who is in the kept page's key.
            quiet = sorted(t for t in read - {"django_session"} if t.startswith(QUIET_TABLES))
            assert not quiet, f"{name} ({url}) reads {quiet}, whose writes keep kept pages"


def test_sending_reminders_keeps_the_pages_people_have_open(busy, site, volunteer):
    url = reverse("volunteers:my_shifts")
    client = client_for(volunteer)
    client.get(url)  # the CSRF cookie
    page = client.get(url).content  # now kept
    assert deliver(_reminder(site, "sent").pk)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).content == page
    assert len(ctx.captured_queries) <= 3, "made afresh after a message was sent"
    # A write the page shows still ends it at once.
    volunteers.cancel_sign_up(sign_up_id=busy.sign_ups.get().pk, by=volunteer)
    assert b"Porter" not in client.get(url).content


def test_every_kept_page_is_kept_with_the_version_of_every_table_its_request_read(
    busy, site, lead, volunteer, coordinator, monkeypatch
):
    """Tables read before the view (the person, their site, its time zone and
    measures, read by middleware and permission checks) count as much as the
    view's own: a change to any of them ends the page."""
    from commonpot import pagecache

    stored = []
    pages = pagecache._pages()
    real_set = pages.set

    def noting_set(key, value, *args, **kwargs):
        if key.startswith("commonpot:page:"):
            stored.append(value)
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(pages, "set", noting_set)
    for name, visits in _pages(site, lead, volunteer, coordinator, busy).items():
        for user, url in visits:
            client = client_for(user)
            client.get(url)  # the CSRF cookie
            stored.clear()
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            assert len(stored) == 1, f"{name} ({url}) was not kept"
            read = {t for q in ctx.captured_queries for t in READ.findall(q["sql"])}
            read = {t for t in read if not t.startswith(QUIET_TABLES)}
            read.discard(django_settings.PAGE_CACHE_VERSION_SEQUENCE)
            _content, _headers, seen, _status = stored[0]
            assert read and read <= seen.keys(), f"{name} ({url}) misses {read - seen.keys()}"
