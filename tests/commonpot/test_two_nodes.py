"""Two web nodes and two workers on one PostgreSQL and one Redis, started exactly as
docs/deploy/ says: the ExecStart and Environment lines of its systemd units, with
its commonpot.env. Only the servers, the key and the install's paths are this
machine's own.

People reach the nodes as they would through the proxy (its Host header and
X-Forwarded-Proto, with HTTPS=true as in production), and:

- a session made on one node is good on the other, and a log-out on one ends it
  on both;
- a dozen volunteers claiming the same shift through both nodes at once fill
  exactly its places, the rest on the waitlist;
- donations posted through both nodes at once, and one form sent again to the
  other node, all add up in the ledger;
- a worker killed while it decides the reminders decides nothing, and a worker
  killed while it holds deliveries it took from the queue loses none: each
  volunteer gets exactly one reminder.

It makes its own database (dropped afterwards) and uses a Redis database number of
its own (flushed before and after), so it disturbs neither the suite's test
database nor a Redis anyone else uses. On SQLite it is skipped: several nodes
means PostgreSQL.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings

from commonpot.mail import DELIVERY_CHUNK
from tests.factories import PASSWORD
from tests.processes import Inbox, free_port, mail_server, wait_for

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
# The install's own paths in the units, and where they are on this machine.
PATHS = {
    "/srv/commonpot/venv/bin/": f"{Path(sys.executable).parent}/",
    "/srv/commonpot/app": str(ROOT),
    "/etc/commonpot.env": str(DEPLOY / "commonpot.env"),
}
HOST = "commonpot.example.org"  # ALLOWED_HOSTS in docs/deploy/commonpot.env
REDIS_SERVER = os.environ.get("REDIS_TEST_SERVER", "redis://127.0.0.1:6379")
REDIS_DATABASES = (14, 13, 12, 11)  # tests/commonpot/test_scale_out.py uses 15
# The statement with which a reminder run writes its decisions.
INSERT_OUTBOX = 'INSERT INTO "commonpot_message"%'
WAIT = 60  # seconds, for one step on a busy two-core machine

PLACES = 5  # on the shift everyone claims at once
CLAIMERS = 12
ALREADY_IN = 26  # confirmed on a second shift: with the claims, two delivery tasks
DONATIONS = 6

on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# --- The documented layout ----------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as systemd's EnvironmentFile reads them."""
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip().strip("'\"")
    return env


def on_this_machine(text: str) -> str:
    for documented, here in PATHS.items():
        text = text.replace(documented, here)
    return text


@dataclass
class Unit:
    argv: list[str]
    env: dict[str, str]
    cwd: str


def read_unit(name: str, instance: str, servers: dict[str, str]) -> Unit:
    """The [Service] of docs/deploy/<name>, for one instance, on this machine's servers."""
    lines = {}
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/"), "LANG": "C.UTF-8"}
    for line in (DEPLOY / name).read_text().splitlines():
        key, sep, value = line.partition("=")
        if not sep or line.startswith("#"):
            continue
        value = on_this_machine(value.replace("%i", instance))
        if key == "EnvironmentFile":
            env_file = read_env_file(Path(value))
            missing = set(servers) - set(env_file)
            assert not missing, f"{value} no longer names {sorted(missing)}"
            env.update(env_file)
        elif key == "Environment":
            env.update([value.split("=", 1)])
        lines[key] = value
    env.update(servers)
    argv = shlex.split(lines["ExecStart"])
    assert Path(argv[0]).exists(), f"{argv[0]} is missing: install Commonpot with pip first"
    return Unit(argv=argv, env=env, cwd=lines["WorkingDirectory"])


class Service:
    """One started unit: its own process group, so that all of it can be killed."""

    def __init__(self, name: str, unit: Unit, log: Path):
        self.name, self.unit, self.log = name, unit, log
        self.start()

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.unit.argv,
                cwd=self.unit.cwd,
                env=self.unit.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        """SIGKILL every process of the service: no clean-up runs."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def output(self) -> str:
        return f"--- {self.name}\n" + self.log.read_text(errors="replace")[-4000:]


# --- The servers ----------------------------------------------------------------------


@pytest.fixture
def database():
    """A fresh PostgreSQL database for the nodes, dropped afterwards."""
    import psycopg

    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"])
    server = f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    name = f"commonpot_two_nodes_{os.getpid()}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_db():
    """A Redis database of this test's own, empty: the first of a few numbers that no
    other run of this test has claimed (two runs of the suite may share a machine)."""
    import redis

    claim = "commonpot-two-nodes-test"
    for number in REDIS_DATABASES:
        client = redis.Redis.from_url(REDIS_SERVER, db=number)
        try:
            if client.set(claim, os.getpid(), nx=True, ex=600):
                break
        except redis.ConnectionError as e:
            pytest.fail(f"Redis does not answer at {REDIS_SERVER} ({e}): the nodes share it.")
        client.close()
    else:
        pytest.fail(f"Redis databases {REDIS_DATABASES} are all taken by other runs.")
    client.flushdb()
    client.set(claim, os.getpid(), ex=600)
    yield f"{REDIS_SERVER.rstrip('/')}/{number}"
    client.flushdb()
    client.close()


@pytest.fixture
def smtp():
    with mail_server() as inbox:
        yield f"smtp://127.0.0.1:{inbox.port}", inbox


CONSOLE = """
import json, sys, traceback
namespace = {}
for line in sys.stdin:
    try:
        exec(json.loads(line), namespace)
        answer = {"result": namespace.pop("result", None)}
    except Exception:
        answer = {"error": traceback.format_exc()}
    print("CONSOLE " + json.dumps(answer, default=str), flush=True)
"""


class Console:
    """`manage.py shell` on the nodes' settings, kept open: an operator's console,
    for seeding and reading the database and running a schedule now."""

    def __init__(self, unit: Unit, log: Path):
        self.log = log
        with log.open("ab") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "shell", "-c", CONSOLE],
                cwd=ROOT,
                env={**unit.env, "PGAPPNAME": "commonpot-console"},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                start_new_session=True,
            )

    def run(self, code: str):
        """Run code; what it leaves in `result` comes back (through JSON)."""
        self.process.stdin.write(json.dumps(code) + "\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith("CONSOLE "):
                answer = json.loads(line[len("CONSOLE ") :])
                assert "error" not in answer, answer["error"]
                return answer["result"]
        raise AssertionError("The console stopped:\n" + self.log.read_text()[-4000:])

    def run_schedule(self, *names: str) -> None:
        """What a worker's scheduler does when these schedules come due (it looks
        only every thirty seconds)."""
        self.run(
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from django_q.brokers import get_broker\n"
            "from django_q.models import Schedule\n"
            "from django_q.scheduler import scheduler\n"
            f"names = {list(names)!r}\n"
            "later = timezone.now() + timedelta(hours=1)\n"
            "Schedule.objects.exclude(name__in=names).update(next_run=later)\n"
            "Schedule.objects.filter(name__in=names).update(\n"
            "    next_run=timezone.now() - timedelta(seconds=1))\n"
            "scheduler(broker=get_broker())\n"
        )

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@dataclass
class Layout:
    web: list[Service]
    workers: dict[str, Service]  # by PGAPPNAME, as pg_stat_activity shows it
    console: Console
    database_url: str
    inbox: Inbox

    def ports(self) -> list[int]:
        return [int(service.name.rsplit("@", 1)[1]) for service in self.web]


@pytest.fixture
def layout(database, redis_db, smtp, tmp_path):
    """Migrate once, then two web nodes and two workers, as in docs/deployment.md."""
    email_url, inbox = smtp
    servers = {
        "SECRET_KEY": secrets.token_urlsafe(60),
        "DATABASE_URL": database,
        "REDIS_URL": redis_db,
        "EMAIL_URL": email_url,
        "EMAIL_USE_TLS": "false",  # the test's mail server speaks plain SMTP
        "WEB_CONCURRENCY": "2",  # two cores shared by four services
    }
    started: list[Service] = []
    console = None
    try:
        worker_unit = read_unit("commonpot-worker@.service", "1", servers)
        subprocess.run(
            [*worker_unit.argv[:2], "migrate", "--noinput", "-v0"],
            cwd=worker_unit.cwd,
            env=worker_unit.env,
            check=True,
            timeout=300,
        )
        console = Console(worker_unit, tmp_path / "console.log")
        # migrate made every schedule due now; the workers' schedulers would run them
        # at a moment of their own choosing. The test runs each when it means to.
        console.run(
            "from datetime import timedelta\n"
            "from django.utils import timezone\n"
            "from django_q.models import Schedule\n"
            "Schedule.objects.update(next_run=timezone.now() + timedelta(hours=1))\n"
        )
        for port in (free_port(), free_port()):
            name = f"commonpot-web@{port}"
            unit = read_unit("commonpot-web@.service", str(port), servers)
            started.append(Service(name, unit, tmp_path / f"{name}.log"))
        workers = {}
        for instance in ("1", "2"):
            unit = read_unit("commonpot-worker@.service", instance, servers)
            service = Service(f"commonpot-worker@{instance}", unit, tmp_path / f"w{instance}.log")
            started.append(service)
            workers[unit.env["PGAPPNAME"]] = service
        here = Layout(started[:2], workers, console, database, inbox)
        for service, port in zip(here.web, here.ports(), strict=True):
            wait_for(lambda port=port: answers(port), f"{service.name} to answer", service)
        for service in workers.values():
            wait_for(lambda s=service: "running" in s.output(), f"{service.name}", service)
        yield here
    finally:
        for service in started:
            service.kill()
        if console:
            console.close()


def answers(port: int) -> bool:
    try:
        return Browser().get(port, "/healthz").status == 200
    except OSError:
        return False


# --- People at their browsers, behind the proxy -----------------------------------------


@dataclass
class Response:
    status: int
    location: str
    text: str


class Browser:
    """One person's browser: keeps its cookies, and reaches a node as the proxy would
    (the public Host, X-Forwarded-Proto: https)."""

    def __init__(self, cookies: dict[str, str] | None = None):
        self.cookies = dict(cookies or {})

    def get(self, port: int, path: str) -> Response:
        return self._request(port, "GET", path)

    def post(self, port: int, path: str, form: dict[str, str]) -> Response:
        return self._request(port, "POST", path, form)

    def form_token(self, port: int, path: str) -> str:
        page = self.get(port, path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert page.status == 200 and found, f"No form on {path}: {page.status}"
        return found.group(1)

    def _request(self, port: int, method: str, path: str, form=None) -> Response:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{HOST}"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return Response(response.status, response.headers.get("Location", ""), text)


def all_at_once(jobs: list) -> list:
    """Run each job(barrier) in its own thread; they wait on the barrier to go together."""
    barrier = threading.Barrier(len(jobs))
    with ThreadPoolExecutor(len(jobs)) as pool:
        return list(pool.map(lambda job: job(barrier), jobs))


# --- Seeding and reading ----------------------------------------------------------------

SEED = """
from datetime import timedelta
from django.test import Client, override_settings
from django.utils import timezone
from commonpot.models import Membership
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.pantry.factories import rice
from tests.volunteers.factories import ShiftFactory, ShiftRoleFactory
from volunteers import services

site = SiteFactory(name="Riverside Kitchen", slug="riverside")
lead = UserFactory(username="lena", display_name="Lena Lead")
MembershipFactory(user=lead, site=site, role=Membership.Role.LEAD)
rice()
cook = ShiftRoleFactory(site=site, name="Cook")
soon = (timezone.now() + timedelta(hours=5)).replace(second=0, microsecond=0)

def shift(starts_at, places):
    return ShiftFactory(site=site, role=cook, starts_at=starts_at,
                        ends_at=starts_at + timedelta(hours=3), min_people=1, max_people=places)

contested = shift(soon, PLACES)
other = shift(soon + timedelta(hours=4), ALREADY_IN)

def volunteer(name):
    user = UserFactory(display_name=name)
    MembershipFactory(user=user, site=site, role=Membership.Role.VOLUNTEER)
    return user

# Only the lead logs in with a password; the others arrive with a session.
with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    claimers = [volunteer(f"Claimer {i}") for i in range(CLAIMERS)]
    already = [volunteer(f"Regular {i}") for i in range(ALREADY_IN)]
for person in already:
    services.claim_shift(shift_id=other.pk, volunteer=person)
sessions = []
for person in claimers:
    client = Client()
    client.force_login(person, backend="commonpot.auth.UsernameOrEmailBackend")
    sessions.append(client.cookies["sessionid"].value)
result = {"contested": contested.pk, "sessions": sessions,
          "today": site.today().isoformat(),
          "best_before": (site.today() + timedelta(days=90)).isoformat()}
"""


def seed(console: Console) -> dict:
    constants = f"PLACES = {PLACES}\nCLAIMERS = {CLAIMERS}\nALREADY_IN = {ALREADY_IN}\n"
    return console.run(constants + SEED)


def sql(database_url: str, query: str, *params) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        return connection.execute(query, params or None).fetchall()


def waiting_on_a_lock(database_url: str, query_like: str) -> list[str]:
    """Which workers have a connection waiting on a lock, in a statement like this."""
    return [
        name
        for (name,) in sql(
            database_url,
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND application_name LIKE 'commonpot-worker-%%'"
            " AND query LIKE %s",
            query_like,
        )
    ]


def finished(console: Console, func: str) -> int:
    return console.run(
        "from django_q.models import Success\n"
        f"result = Success.objects.filter(func={func!r}).count()"
    )


def connected(database_url: str, name: str) -> bool:
    return bool(
        sql(database_url, "SELECT 1 FROM pg_stat_activity WHERE application_name = %s", name)
    )


def reminders(database_url: str) -> dict[str, int]:
    return dict(
        sql(
            database_url,
            "SELECT status, count(*) FROM commonpot_message"
            " WHERE kind = 'reminder' GROUP BY status",
        )
    )


# --- The test ---------------------------------------------------------------------------


def test_the_deployment_guide_shows_the_units_as_they_are():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    for name in ("commonpot-web@.service", "commonpot-worker@.service"):
        service = (DEPLOY / name).read_text().split("[Service]\n")[1].split("\n[")[0]
        lines = [line for line in service.splitlines() if line and not line.startswith("#")]
        shown = f"# /etc/systemd/system/{name}"
        assert shown in guide
        assert "\n".join(lines) in guide.split(shown)[1], f"{name} differs from the guide"


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(
    not on_postgres,
    reason="Several nodes share one PostgreSQL database: set DATABASE_URL=postgres://...",
)
def test_two_web_nodes_and_two_workers_share_sessions_places_stock_and_reminders(layout):
    node_a, node_b = layout.ports()
    seeded = seed(layout.console)

    # Sessions: Lena logs in on node A and is logged in on node B.
    lena = Browser()
    token = lena.form_token(node_a, "/accounts/login/")
    login = lena.post(
        node_a,
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "lena", "password": PASSWORD},
    )
    assert (login.status, login.location) == (302, "/")
    profile = lena.get(node_b, "/accounts/profile/")
    assert profile.status == 200 and "Lena Lead" in profile.text

    # Claims: everyone at once, half through each node; the shift fills exactly.
    shift = seeded["contested"]

    def card(page: Response) -> str:
        found = re.search(rf'id="shift-{shift}".*?</article>', page.text, re.S)
        assert page.status == 200 and found, page.text[:500]
        return found.group(0)

    # Lena's board on node A is kept in the shared cache (pages there) before the claims.
    assert f"{PLACES} places left" in card(lena.get(node_a, "/shifts/"))
    assert f"{PLACES} places left" in card(lena.get(node_a, "/shifts/"))

    def claimer(session: str, port: int):
        def claim(barrier: threading.Barrier) -> int:
            browser = Browser({"sessionid": session})
            token = browser.form_token(port, f"/shifts/{shift}/")
            barrier.wait()
            form = {"csrfmiddlewaretoken": token, "guests": "0"}
            return browser.post(port, f"/shifts/{shift}/claim/", form).status

        return claim

    ports = [node_a, node_b] * CLAIMERS
    statuses = all_at_once([claimer(s, p) for s, p in zip(seeded["sessions"], ports, strict=False)])
    assert statuses == [302] * CLAIMERS
    assert dict(
        sql(
            layout.database_url,
            "SELECT status, count(*) FROM volunteers_signup WHERE shift_id = %s GROUP BY status",
            shift,
        )
    ) == {"confirmed": PLACES, "waitlisted": CLAIMERS - PLACES}
    assert sql(
        layout.database_url, "SELECT places_taken FROM volunteers_shift WHERE id = %s", shift
    ) == [(PLACES,)]
    # Node A's kept board heard of the claims made through node B as well.
    assert "Full" in card(lena.get(node_a, "/shifts/"))

    # Donations: Lena logs six at once through both nodes, then sends the first
    # form again to the other node (a retry through the proxy): it records once.
    def form(kilos: int) -> dict[str, str]:
        return {
            "token": str(uuid.uuid4()),
            "donor": "",
            "received_on": seeded["today"],
            "note": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "60",
            "lines-0-item": "Rice",
            "lines-0-quantity": str(kilos),
            "lines-0-unit": "kg",
            "lines-0-best_before": seeded["best_before"],
            "lines-0-date_kind": "best_before",
            "lines-0-storage": "",
        }

    forms = [form(kilos) for kilos in range(1, DONATIONS + 1)]
    new_donation = "/sites/riverside/donations/new/"

    def donor(data: dict[str, str], port: int):
        def give(barrier: threading.Barrier) -> Response:
            data["csrfmiddlewaretoken"] = lena.form_token(port, new_donation)
            barrier.wait()
            return lena.post(port, new_donation, data)

        return give

    logged = all_at_once([donor(f, p) for f, p in zip(forms, ports, strict=False)])
    assert [r.status for r in logged] == [302] * DONATIONS
    again = lena.post(node_b, new_donation, forms[0])
    assert (again.status, again.location) == (302, logged[0].location)
    total_grams = Decimal(sum(range(1, DONATIONS + 1)) * 1000)
    assert sql(layout.database_url, "SELECT count(*) FROM pantry_donation") == [(DONATIONS,)]
    assert sql(layout.database_url, "SELECT count(*), sum(quantity) FROM pantry_stockmove") == [
        (DONATIONS, total_grams)
    ]
    lots = sql(
        layout.database_url,
        "SELECT lot.on_hand, (SELECT sum(quantity) FROM pantry_stockmove WHERE lot_id = lot.id)"
        " FROM pantry_lot lot",
    )
    assert sum(on_hand for on_hand, _ in lots) == total_grams
    assert all(on_hand == moves for on_hand, moves in lots)

    # Log out on node B: node A no longer knows her either.
    token = lena.form_token(node_b, "/accounts/profile/")
    assert lena.post(node_b, "/accounts/logout/", {"csrfmiddlewaretoken": token}).status == 302
    assert lena.get(node_a, "/accounts/profile/").status == 302

    remind_everyone_once(layout, expected=PLACES + ALREADY_IN)


def remind_everyone_once(layout: Layout, expected: int) -> None:
    import psycopg

    url = layout.database_url
    # A worker killed while it decides: a lock on the outbox holds its run at the
    # point where it writes its decisions.
    gate = psycopg.connect(url)
    gate.execute("LOCK TABLE commonpot_message IN SHARE MODE")
    layout.console.run_schedule("volunteers.reminders")
    wait_for(lambda: waiting_on_a_lock(url, INSERT_OUTBOX), "a worker to decide the reminders")
    (deciding,) = waiting_on_a_lock(url, INSERT_OUTBOX)
    layout.workers[deciding].kill()
    gate.rollback()
    wait_for(lambda: not connected(url, deciding), "the killed worker's connections to end")
    assert reminders(url) == {}, "a killed run decided something"
    layout.workers[deciding].start()

    # Again, and this time the next lock is queued before the decisions commit, so
    # it holds every delivery at its first step; then one of the workers that hold
    # deliveries is killed.
    gate.execute("LOCK TABLE commonpot_message IN SHARE MODE")
    layout.console.run_schedule("volunteers.reminders")
    wait_for(lambda: waiting_on_a_lock(url, INSERT_OUTBOX), "a worker to decide the reminders")
    hold = psycopg.connect(url)
    holding = threading.Thread(
        target=hold.execute, args=("LOCK TABLE commonpot_message IN EXCLUSIVE MODE",)
    )
    holding.start()
    wait_for(
        lambda: sql(
            url,
            "SELECT 1 FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
            hold.info.backend_pid,
        ),
        "the hold to queue",
    )
    gate.rollback()
    holding.join(WAIT)
    assert not holding.is_alive()
    assert reminders(url) == {"queued": expected}
    deliveries = math.ceil(expected / DELIVERY_CHUNK)
    wait_for(
        lambda: len(waiting_on_a_lock(url, "%FOR UPDATE%")) == deliveries,
        f"the {deliveries} delivery tasks to start",
    )
    # The run that decided them has finished (and its worker has recorded so) before
    # a worker is killed: the kill is of a delivery, not of that run's last steps.
    wait_for(
        lambda: finished(layout.console, "volunteers.tasks.send_reminders") == 1,
        "the deciding run to finish",
    )
    victim = waiting_on_a_lock(url, "%FOR UPDATE%")[0]
    layout.workers[victim].kill()
    hold.rollback()
    wait_for(lambda: not connected(url, victim), "the killed worker's connections to end")
    layout.workers[victim].start()

    # What it held is still queued; the outbox's retry sends it, and the next
    # reminder run decides nothing again.
    layout.console.run_schedule("commonpot.retry_messages", "volunteers.reminders")
    wait_for(
        lambda: reminders(url) == {"sent": expected} and len(layout.inbox) >= expected,
        "every reminder to go out",
    )
    # The run killed while deciding never finished; the other two did.
    wait_for(lambda: finished(layout.console, "volunteers.tasks.send_reminders") == 2, "the runs")
    time.sleep(3)  # anything sent twice would arrive now
    addresses = [m["To"] for m in layout.inbox.received]
    assert len(addresses) == expected == len(set(addresses))
    assert sql(url, "SELECT DISTINCT attempts FROM commonpot_message") == [(1,)]
    retried = layout.console.run(
        "from django_q.models import Success\n"
        "result = [t.result for t in Success.objects.filter(func='commonpot.tasks.retry_messages')]"
    )
    assert sum(run["sent"] for run in retried) > 0, "the kill held nothing back"
    gate.close()
    hold.close()
