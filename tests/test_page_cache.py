"""Every page kept in the page cache (commonpot.pagecache) shows a change made
through a service at once to the person who had it kept. The shift board's own
cases are in tests/volunteers/test_board_cache.py; the suite runs with the cache
on (tests/settings.py)."""

import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonpot import services as core
from kitchen import services as kitchen
from kitchen.services import IngredientLine
from pantry import services as pantry
from tests.conftest import ROOT, client_for
from tests.factories import SiteFactory
from tests.network.factories import bread, offer, stock
from tests.pantry.factories import give_out, rice
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers import services as volunteers

# Kept pages are keyed by the minute too: the clock is held still, so that a
# test's requests never fall either side of a minute.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def version_queries() -> int:
    """Reading the data version costs a query where it is a database sequence."""
    return 1 if django_settings.PAGE_CACHE_VERSION_SEQUENCE else 0


def kept(user, url: str):
    """A client for which `url` now comes from the cache, and a reader of it."""
    client = client_for(user)

    def read() -> str:
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    read()  # the CSRF cookie
    read()  # kept
    with CaptureQueriesContext(connection) as ctx:
        read()
    # The session and the person; for a lead's page also the site and the check that
    # they lead it, which run before the cache is asked; and the data version where it
    # is a database sequence (PostgreSQL without Redis).
    assert len(ctx.captured_queries) <= 4 + version_queries(), "not served from the cache"
    return read


def test_my_shifts_show_a_claim_and_a_cancellation_at_once(site, volunteer):
    shift = ShiftFactory(site=site, role=ShiftRoleFactory(site=site, name="Porter"))
    read = kept(volunteer, reverse("volunteers:my_shifts"))
    assert "Porter" not in read()
    mine = volunteers.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    assert "Porter" in read()
    volunteers.cancel_sign_up(sign_up_id=mine.pk, by=volunteer)
    assert "Porter" not in read()


def test_the_roster_shows_someone_added_at_once(site, lead, volunteer):
    shift = ShiftFactory(site=site, role=ShiftRoleFactory(site=site, name="Porter"))
    read = kept(lead, reverse("volunteers:roster", args=[site.slug, shift.pk]))
    before = read().count(volunteer.name)  # in the list of people to add
    volunteers.add_to_shift(shift_id=shift.pk, volunteer=volunteer, by=lead, reason="walk-in")
    assert read().count(volunteer.name) > before


def test_the_stock_page_shows_food_received_and_given_out_at_once(site, lead):
    item = rice()
    read = kept(lead, reverse("pantry:stock", args=[site.slug]))
    assert "Rice" not in read()
    pantry.receive(site=site, item=item, quantity=Decimal(5000), by=lead, source="Market")
    assert "5 kg" in read()
    pantry.take_stock(site=site, item=item, quantity=Decimal(2000), kind="distributed", by=lead)
    assert "3 kg" in read()


def test_the_donation_and_distribution_lists_show_a_new_record_at_once(site, lead):
    from pantry.services import donations

    item = rice()
    gifts = kept(lead, reverse("pantry:donations", args=[site.slug]))
    given = kept(lead, reverse("pantry:distributions", args=[site.slug]))
    assert "5 kg" not in gifts() and "Harbour households" not in given()
    line = donations.LineInput(item=item, quantity="5", unit="kg")
    donations.receive_donation(
        site=site, donor=None, received_on=site.today(), lines=[line], by=lead
    )
    assert "5 kg" in gifts()
    give_out(site, item, "2", "kg", by=lead)
    assert "Harbour households" in given()


def test_the_catalog_shows_an_item_added_or_renamed_at_once(lead):
    from pantry import catalog

    read = kept(lead, reverse("pantry:items"))
    assert "Tinned peaches" not in read()
    item = catalog.add_item(name="Tinned peaches", category="canned_dry", base_unit="g")
    assert "Tinned peaches" in read()
    catalog.update_item(item, name="Peaches in juice")
    page = read()
    assert "Peaches in juice" in page and "Tinned peaches" not in page


def test_the_meals_week_shows_a_meal_planned_at_once(site, lead):
    recipe = kitchen.create_recipe(
        site=site,
        name="Rice pot",
        yield_servings=10,
        ingredients=[IngredientLine(rice(), "1", "kg")],
        by=lead,
    )
    monday = site.today() - timedelta(days=site.today().weekday()) + timedelta(days=7)
    read = kept(lead, f"{reverse('kitchen:week', args=[site.slug])}?week={monday.isoformat()}")
    assert "Rice pot" not in read()
    kitchen.plan_meal(site=site, date=monday, kind="lunch", servings=10, recipes=[recipe], by=lead)
    assert "Rice pot" in read()


def test_the_network_board_shows_an_offer_at_once(site, other_lead, lead, other_site):
    read = kept(other_lead, reverse("network:board"))
    assert "Bread" not in read()
    offer(site, stock(site, bread(), "4000", by=lead), "2000", by=lead)
    assert "Bread" in read()


def test_the_site_directory_shows_a_new_site_and_a_renamed_one_at_once(site, coordinator):
    for name, user in (("Harbour Kitchen", None), ("Quay Pantry", coordinator)):
        read = kept(user, reverse("site_directory"))
        assert name not in read()
        SiteFactory(name=name)
        assert name in read()
    read = kept(None, reverse("site_directory"))
    core.update_site(site, name="Renamed Pantry")
    assert "Renamed Pantry" in read()


@pytest.fixture
def pages_in_files(tmp_path, settings):
    """The page cache as it runs on SQLite without Redis: pages in files, the data
    version in a file beside them, shared by every process on the machine."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": tmp_path / "page-cache",
        },
    }
    settings.PAGE_CACHE_ALIAS = "pages"
    settings.PAGE_CACHE_VERSION_FILE = tmp_path / "page-cache" / "data-version"
    settings.PAGE_CACHE_VERSION_SEQUENCE = None
    return tmp_path / "page-cache"


def test_without_redis_pages_are_kept_in_files_and_a_write_in_any_process_ends_them(
    site, volunteer, pages_in_files
):
    shift = ShiftFactory(site=site, role=ShiftRoleFactory(site=site, name="Porter"))
    read = kept(volunteer, reverse("volunteers:my_shifts"))
    assert list(pages_in_files.glob("*.djcache")), "the page is kept in a file"
    signups = pages_in_files / "data-version.volunteers_signup"
    version = signups.read_text()
    assert "Porter" not in read()
    # A write in this process replaces the version file of the table it writes...
    volunteers.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    assert signups.read_text() != version
    assert "Porter" in read()
    # ...and so does one in another process (a web process or the worker): the page
    # is made afresh, not served from its file.
    client = client_for(volunteer)
    url = reverse("volunteers:my_shifts")
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    kept_queries = len(ctx.captured_queries)
    script = (
        "import os, sys, tempfile; d = os.path.dirname(sys.argv[1]); "
        "fd, t = tempfile.mkstemp(dir=d); os.write(fd, b'from-elsewhere'); os.close(fd); "
        "os.replace(t, sys.argv[1])"
    )
    subprocess.run([sys.executable, "-c", script, str(signups)], check=True)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) > kept_queries, "made afresh after the other write"


@pytest.fixture
def versions_per_table(settings):
    """Versions kept per table in the cache, as with Redis (on PostgreSQL without it
    there is one version for every table, a database sequence)."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.PAGE_CACHE_ALIAS = "pages"
    settings.PAGE_CACHE_VERSION_FILE = None
    settings.PAGE_CACHE_VERSION_SEQUENCE = None


def is_kept(client, url: str) -> bool:
    """Is `url` served to `client` from the cache now?"""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries) <= 4 + version_queries()


@pytest.mark.parametrize("where", ["versions_per_table", "pages_in_files"])
def test_a_write_to_what_a_page_does_not_show_keeps_it_and_one_to_what_it_shows_ends_it(
    site, lead, volunteer, where, request
):
    request.getfixturevalue(where)
    shift = ShiftFactory(site=site, role=ShiftRoleFactory(site=site, name="Porter"))
    mine, stock_page = reverse("volunteers:my_shifts"), reverse("pantry:stock", args=[site.slug])
    vera, lena = client_for(volunteer), client_for(lead)
    for client, url in ((vera, mine), (lena, stock_page)):
        client.get(url)  # the CSRF cookie
        client.get(url)
        assert is_kept(client, url)
    # Food received: the stock page is made afresh, the volunteer's shifts are kept.
    pantry.receive(site=site, item=rice(), quantity=Decimal(5000), by=lead, source="Market")
    assert is_kept(vera, mine)
    assert not is_kept(lena, stock_page)
    assert "5 kg" in lena.get(stock_page).content.decode()
    # A shift claimed: the other way round.
    volunteers.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    assert is_kept(lena, stock_page)
    assert "Porter" in vera.get(mine).content.decode()


def test_a_page_made_while_a_write_commits_is_not_kept_past_it(site, volunteer, settings):
    """The versions are read before the view reads its data: a claim made as they
    are read is in the page, or the page is kept under an older version. Were they
    read after the view, the claim here would come between the page's data and its
    versions, and the page kept under the claim's version would miss it."""
    from commonpot import pagecache
    from volunteers.views_volunteer import my_shifts

    shift = ShiftFactory(site=site, role=ShiftRoleFactory(site=site, name="Porter"))
    url = reverse("volunteers:my_shifts")
    client = client_for(volunteer)
    client.get(url)  # the CSRF cookie
    real = pagecache.versions
    claimed = []

    def claim_then_versions(tables, **kwargs):
        tables = list(tables)
        if not claimed and len(tables) > 20:  # every table's: a page is being made
            claimed.append(volunteers.claim_shift(shift_id=shift.pk, volunteer=volunteer))
        return real(tables, **kwargs)

    assert my_shifts  # the view this reaches
    pagecache.versions = claim_then_versions
    try:
        client.get(url)  # made with the claim in it or not: kept under the older version
    finally:
        pagecache.versions = real
    assert claimed
    assert "Porter" in client.get(url).content.decode()


def test_the_page_cache_keeps_its_data_version_where_every_process_sees_it():
    project = {
        "sqlite": ({}, "file"),
        "postgres": ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x"}, "sequence"),
        "postgres and redis": (
            {
                "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
                "REDIS_URL": "redis://127.0.0.1:6379/0",
            },
            "redis",
        ),
    }
    for name, (env, where) in project.items():
        code = (
            "from django.conf import settings as s; print(s.PAGE_CACHE, "
            "'file' if s.PAGE_CACHE_VERSION_FILE else 'sequence' "
            "if s.PAGE_CACHE_VERSION_SEQUENCE else 'redis')"
        )
        environ = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
        }
        environ.update(env, DJANGO_SETTINGS_MODULE="commonpot.settings")
        out = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=environ,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        assert out == f"True {where}", name


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the data version kept in a PostgreSQL sequence"
)
def test_on_postgresql_without_redis_a_write_on_any_node_ends_kept_pages(site, volunteer, settings):
    """Several nodes share the database: the version is a sequence there, so a write
    made through another connection (another node) ends the pages this one keeps."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    settings.PAGE_CACHE_ALIAS = "pages"
    settings.PAGE_CACHE_VERSION_FILE = None
    settings.PAGE_CACHE_VERSION_SEQUENCE = "commonpot_page_version"
    shift = ShiftFactory(site=site, role=ShiftRoleFactory(site=site, name="Porter"))
    read = kept(volunteer, reverse("volunteers:my_shifts"))
    assert "Porter" not in read()
    volunteers.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    assert "Porter" in read()
    client = client_for(volunteer)
    url = reverse("volunteers:my_shifts")
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    kept_queries = len(ctx.captured_queries)
    assert kept_queries <= 3, "kept: the session, the person and the version"
    # Another node's write: nextval on a connection of its own.
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT nextval('commonpot_page_version')")
    finally:
        other.close()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    assert len(ctx.captured_queries) > kept_queries, "made afresh after the other node's write"


def test_a_connection_opened_during_a_request_still_watches_its_writes(rf):
    """A connection opened by a request's first query is opened inside the wrapper
    that notes what the request reads; when that wrapper is taken off, the one that
    watches writes stays, and no noting wrapper is left behind."""
    from commonpot import pagecache

    wrappers = connection.execute_wrappers
    saved = list(wrappers)
    wrappers.remove(pagecache.watch_writes)  # as on a connection not yet opened
    try:

        def first_query(request):
            pagecache.install(sender=None, connection=connection)  # connection_created
            return HttpResponse("ok")

        middleware = pagecache.NoteReadsMiddleware(first_query)
        for _ in range(3):
            middleware(rf.get("/"))
        assert wrappers.count(pagecache.watch_writes) == 1
        # And inside another's wrapper (Django's own takes off whatever is last).
        wrappers.remove(pagecache.watch_writes)
        with connection.execute_wrapper(lambda execute, *args: execute(*args)):
            pagecache.install(sender=None, connection=connection)
        assert wrappers.count(pagecache.watch_writes) == 1
        assert not any(getattr(w, "func", None) is pagecache._note_reads for w in wrappers)
    finally:
        wrappers[:] = saved


def test_a_write_to_a_name_that_is_not_a_tables_own_ends_every_page(settings):
    """`UPDATE public.volunteers_shift` is the shift table all the same: a write to a
    name that is not a model's table as written replaces every table's version."""
    from commonpot import pagecache

    before = pagecache.versions(pagecache.all_tables())
    with connection.cursor() as cursor:
        schema = "main" if connection.vendor == "sqlite" else "public"
        cursor.execute(f"UPDATE {schema}.volunteers_shift SET max_people = 3 WHERE id = -1")  # noqa: S608
    after = pagecache.versions(pagecache.all_tables())
    assert after["volunteers_shift"] != before["volunteers_shift"]
    assert after["pantry_lot"] != before["pantry_lot"]


def test_a_migration_rebuilding_a_table_ends_the_pages_of_that_table_only():
    """SQLite's migrations copy a table into "new__<table>" and rename it, and record
    each migration in django_migrations: the first is a write to that table alone,
    the second to none a page shows. (Each used to replace all 76 versions.)"""
    from commonpot import pagecache

    before = pagecache.versions(pagecache.all_tables())
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE new__volunteers_shift (id integer)")
        cursor.execute("INSERT INTO new__volunteers_shift (id) VALUES (1)")
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) "
            "VALUES ('commonpot', 'zz_test', CURRENT_TIMESTAMP)"
        )
    after = pagecache.versions(pagecache.all_tables())
    changed = {t for t in after if after[t] != before[t]}
    if django_settings.PAGE_CACHE_VERSION_SEQUENCE:  # one version for all tables
        assert changed == set(after)
    else:
        assert changed == {"volunteers_shift"}


def test_a_refused_filter_is_kept_with_its_400_until_the_site_it_names_exists(site, volunteer):
    ShiftFactory(site=site)
    client = client_for(volunteer)
    url = reverse("volunteers:board") + "?site=Northside+Pantry"
    for _ in range(2):  # the CSRF cookie, then kept
        assert client.get(url).status_code == 400
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 400
    # A short list of sites: its own words for a choice not among its options.
    assert "Select a valid choice" in response.content.decode()
    assert len(ctx.captured_queries) <= 4 + version_queries(), "not served from the cache"
    north = SiteFactory(name="Northside Pantry", slug="north")
    ShiftFactory(site=north)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<article class="shift-card') == 1
