"""Named actors shared by every test: a coordinator, a lead, another site's lead,
a volunteer, an outsider and an anonymous visitor."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib import auth
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from commonpot.models import Membership
from tests.factories import MembershipFactory, SiteFactory, UserFactory

BROWSER_TESTS = os.path.join(os.path.dirname(__file__), "browser", "")


def pytest_collection_modifyitems(config, items):
    """Every test under tests/browser is a browser test, marked or not; under
    pytest-xdist they share one worker (one Chromium, one live server).

    The longest tests go first, so that two workers do not end with one of them
    still busy with a benchmark while the other waits."""
    for item in items:
        if str(item.path).startswith(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))
    first = ("benchmark", "browser", "slow")

    def order(item):
        marks = {m.name for m in item.iter_markers()}
        return next((n for n, name in enumerate(first) if name in marks), len(first))

    items.sort(key=order)


ROOT = Path(__file__).resolve().parents[1]
SCHEMA_CACHE = ROOT / "var" / "test-databases"
# Settings a subprocess must not inherit from the test run: it uses its own SQLite file.
SUBPROCESS_CLEARED = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG"}


@functools.cache
def _migrated_template() -> Path:
    """Where a migrated SQLite database is kept between runs, named by what the
    schema depends on: every migration file of Commonpot and the versions of the
    packages whose migrations run too."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for package in ("django", "django-q2", "django-axes"):
        digest.update(f"{package}={version(package)};".encode())
    for path in sorted(ROOT.glob("**/migrations/*.py")):
        if ".venv" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return SCHEMA_CACHE / f"{digest.hexdigest()[:16]}.sqlite3"


def _copy_sqlite(source: str | Path, target: str | Path) -> None:
    """SQLite's online backup: a consistent copy of what is committed."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as to:
        reading.backup(to)


def _sqlite_test_name() -> str | None:
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    return connection.settings_dict["TEST"]["NAME"]


def _sqlite_test_database() -> str | None:
    """The SQLite test database, if this run has set it up: pytest-django sets up
    none when no collected test asks for the database (say, the benchmark tests
    alone), and copying the unmade file would keep an empty schema."""
    from django.db import connection

    name = _sqlite_test_name()
    return name if name is not None and connection.settings_dict["NAME"] == name else None


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings):
    """On SQLite, a database migrated by an earlier run with the same migrations is
    copied in and kept (Django's migrate then finds nothing to do): about six
    seconds a worker, on every run but the first after a migration changes.
    `var/test-databases/` holds one file per set of migrations."""
    if request.config.getvalue("reuse_db"):
        return True
    name = _sqlite_test_name()
    template = _migrated_template()
    if name is None or not template.is_file():
        return False
    shutil.copyfile(template, name)

    def remove():
        from django.db import connections

        connections.close_all()
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)

    request.addfinalizer(remove)
    return True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_keepdb):
    """Keep a copy of a freshly migrated SQLite database for the next run."""
    name = _sqlite_test_database()
    template = _migrated_template()
    if name is not None and not django_db_keepdb and not template.exists():
        SCHEMA_CACHE.mkdir(parents=True, exist_ok=True)
        partial = template.with_suffix(f".{os.getpid()}.partial")
        _copy_sqlite(name, partial)
        os.replace(partial, template)  # whole or not at all, if two workers race
    yield


@pytest.fixture(scope="session")
def migrated_data_dir(request, tmp_path_factory):
    """A data folder holding a migrated SQLite database, made once per test process.

    Tests that start `manage.py` in a subprocess (the benchmarks, `make run`) copy
    it with `fresh_data_dir` instead of migrating again: a whole migrate is the
    slowest step they have. They share an xdist group, so one worker makes it.
    When the suite itself runs on SQLite its database was just made by the same
    migrations, so it is copied (SQLite's online backup: committed rows only,
    and the suite leaves none behind); on PostgreSQL, or when this run set up
    no database, a migrate of its own.
    """
    data = tmp_path_factory.mktemp("migrated") / "var"
    if _sqlite_test_name() is not None:
        request.getfixturevalue("django_db_setup")
    if _sqlite_test_database() is not None:
        data.mkdir()
        _copy_sqlite(_sqlite_test_database(), data / "commonpot.sqlite3")
        return data
    env = {k: v for k, v in os.environ.items() if k not in SUBPROCESS_CLEARED}
    env["DATA_DIR"] = str(data)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return data


def fresh_data_dir(template: Path, into: Path) -> Path:
    """A copy of a migrated data folder, for one subprocess's own database."""
    target = into / "var"
    shutil.copytree(template, target)
    return target


@pytest.fixture(autouse=True)
def _fast_and_synchronous(settings, monkeypatch):
    # django-q2 reads its settings once, at import: run tasks inline in tests.
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    # Each test starts with empty caches (site time zones, rate limits, kept pages).
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.AXES_ENABLED = True


@pytest.fixture
def noon():
    """The clock held still at noon UTC today: far from midnight in the test sites'
    time zones (London, New York), so a date worked out in a test and the one the
    code works out cannot fall either side of midnight, nor "now" move between them."""
    today_noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(today_noon, tick=False) as traveller:
        yield traveller


@pytest.fixture
def site(db):
    return SiteFactory(name="Riverside Kitchen", slug="riverside", time_zone="Europe/London")


@pytest.fixture
def other_site(db):
    return SiteFactory(
        name="Eastside Food Bank",
        slug="eastside",
        kind="food_bank",
        time_zone="America/New_York",
    )


@pytest.fixture
def private_site(db):
    return SiteFactory(name="Hidden Camp", slug="hidden-camp", kind="camp_kitchen", is_public=False)


@pytest.fixture
def coordinator(db):
    return UserFactory(username="rosa", display_name="Rosa Coordinator", is_coordinator=True)


@pytest.fixture
def lead(site):
    user = UserFactory(username="lena", display_name="Lena Lead")
    MembershipFactory(user=user, site=site, role=Membership.Role.LEAD)
    return user


@pytest.fixture
def other_lead(other_site):
    user = UserFactory(username="olly", display_name="Olly Otherlead")
    MembershipFactory(user=user, site=other_site, role=Membership.Role.LEAD)
    return user


@pytest.fixture
def volunteer(site):
    user = UserFactory(username="vera", display_name="Vera Volunteer", phone="+447700900123")
    MembershipFactory(user=user, site=site, role=Membership.Role.VOLUNTEER)
    return user


@pytest.fixture
def outsider(db):
    """Has an account but belongs to no site."""
    return UserFactory(username="otto", display_name="Otto Outsider")


def client_for(user, **options) -> Client:
    """A test client logged in as `user` (None: a visitor); `options` go to Client.

    The session is written as `login()` writes it, without the signals behind a
    login (the lockout's access log, last_login): those cost more than the rest of
    a short test, and the tests of logging in post to the real login page."""
    client = Client(**options)
    if user is not None:
        session = import_module(django_settings.SESSION_ENGINE).SessionStore()
        session[auth.SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[auth.BACKEND_SESSION_KEY] = "commonpot.auth.UsernameOrEmailBackend"
        session[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
        client.cookies[django_settings.SESSION_COOKIE_NAME].update(
            {"path": "/", "domain": django_settings.SESSION_COOKIE_DOMAIN or ""}
        )
    return client


@pytest.fixture
def actors(coordinator, lead, other_lead, volunteer, outsider):
    """Every actor by name, for authorization matrices."""
    return {
        "coordinator": coordinator,
        "lead": lead,
        "other_lead": other_lead,
        "volunteer": volunteer,
        "outsider": outsider,
        "anonymous": None,
    }


# Property tests touch the database: no per-example deadline, and a size that
# keeps a run while working quick on a two-core machine; CI (CI=true) runs more
# than three times as many examples.
hypothesis_settings.register_profile(
    "default",
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
hypothesis_settings.register_profile(
    "ci",
    parent=hypothesis_settings.get_profile("default"),
    max_examples=80,
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")


def page_queries(client: Client, url: str, params: dict | None = None) -> int:
    """Queries one page runs to make itself, after a first request has filled what it
    fills once (the page cache is off here: a kept page runs none of them)."""
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext

    with override_settings(PAGE_CACHE=False):
        client.get(url, params or {})
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)
