"""Whole Commonpot installs side by side, for the tests of federation between them.

Each `Install` is one network as its operators run it: gunicorn on `commonpot.wsgi`
with the project's own settings (not the suite's), on a loopback port of its own,
with a database and a data folder of its own and no Redis (so its own local cache,
and django-q2's queue in its own database). What one install knows, the other can
only learn over HTTP, as two installs on two machines would.

    a = Install("Leeds Food Network", tmp_path / "leeds", template=template_for_installs())
    a.migrate()
    a.start()
    create_user(a, "rosa", "a-long-password", role="coordinator")
    rosa = a.client("rosa", "a-long-password")
    rosa.submit("/accounts/profile/", {"display_name": "Rosa"})  # the page's form, filled in
    a.python("print(json.dumps(list(Site.objects.values_list('slug', flat=True))))")
    a.stop()  # the database stays: a later start() is the same install
    a.close()  # stops everything, drops a PostgreSQL database

On SQLite (the suite's default) an install's database is a file in its data
folder. When the suite runs on PostgreSQL each install gets a database of its own
on the same server (`cp_fed_<random>`), dropped by `close()`. Either way a
migrated template (see `template_for_installs`) makes a new install's `migrate()`
a matter of seconds instead of a whole migrate's twenty.

`a.manage("seed_demo")` fills an install with the demo network in about six
seconds (log in as "coordinator", password "commonpot-demo"); nothing requires it.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
import weakref
from contextlib import closing
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import requests

from tests.processes import free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "commonpot.settings"
LOGIN = "/accounts/login/"
COMMAND_TIMEOUT = 300  # seconds, for one manage.py command on a busy two-core machine
HTTP_TIMEOUT = 60
TEMPLATE_URL = "http://127.0.0.1:8000"  # no server runs on a template
STOP_GRACE = 10  # seconds gunicorn has to finish its requests before it is killed

# What the test run's environment must not hand to an install: it configures its
# own database, data, address and key, and has no Redis.
CLEARED = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "RUN_MAIN",
    "DATABASE_URL",
    "REDIS_URL",
    "DATA_DIR",
    "SECRET_KEY",
    "DEBUG",
    "SITE_URL",
    "NETWORK_NAME",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "EMAIL_URL",
    "SMS_URL",
    "WEB_CONCURRENCY",
    "WORKERS",
    "QUEUE_POLL_MS",
}


class CommandFailed(AssertionError):
    """A manage.py command of an install ended in failure; the message holds its output."""


# --- Databases ------------------------------------------------------------------------


def suite_database() -> dict:
    from django.conf import settings

    return settings.DATABASES["default"]


def on_postgres() -> bool:
    return suite_database()["ENGINE"] == "django.db.backends.postgresql"


def postgres_server() -> str:
    """postgres://user:password@host:port of the suite's own database, without a name."""
    db = suite_database()
    user = quote(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"])
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"


def _admin(server: str):
    import psycopg

    return psycopg.connect(f"{server}/postgres", autocommit=True)


def template_for_installs() -> Path | str:
    """A migrated database for new installs to start from, made once and kept
    between runs, named by the migrations it holds (as the suite keeps its own in
    var/test-databases/): on SQLite a file, on PostgreSQL a database on the
    suite's server. One xdist worker makes it while the other waits."""
    from tests.conftest import SCHEMA_CACHE, _migrated_template

    suite_template = _migrated_template()
    digest = suite_template.stem
    if on_postgres():
        return _postgres_template(f"cp_fed_template_{digest}")
    # The suite's own migrated copy serves as well, when it holds the schema: it is
    # made only by a run that sets up the suite's database, which one of only
    # tests like these does not.
    if _holds_schema(suite_template):
        return suite_template
    ours = SCHEMA_CACHE / f"installs-{digest}.sqlite3"
    SCHEMA_CACHE.mkdir(parents=True, exist_ok=True)
    with (SCHEMA_CACHE / "installs.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _holds_schema(ours):
            with tempfile.TemporaryDirectory() as data:
                env = install_env(
                    data_dir=Path(data), database_url=None, site_url=TEMPLATE_URL, name="template"
                )
                run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env, "migrate")
                partial = ours.with_suffix(f".{os.getpid()}.partial")
                source = Path(data) / "commonpot.sqlite3"
                with (
                    closing(sqlite3.connect(source)) as reading,
                    closing(sqlite3.connect(partial)) as to,
                ):
                    reading.backup(to)
                os.replace(partial, ours)
    return ours


def _holds_schema(path: Path) -> bool:
    if not path.is_file():
        return False
    try:
        # immutable: read it as a plain file, with no lock and no -wal beside it.
        with closing(sqlite3.connect(f"file:{path}?immutable=1", uri=True)) as db:
            return db.execute("SELECT count(*) FROM django_migrations").fetchone()[0] > 0
    except sqlite3.Error:
        return False


def _postgres_template(name: str) -> str:
    server = postgres_server()
    with _admin(server) as admin:
        admin.execute("SELECT pg_advisory_lock(hashtext('commonpot federation template'))")
        try:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if not exists.fetchone():
                _make_postgres_template(admin, server, name)
        finally:
            admin.execute("SELECT pg_advisory_unlock(hashtext('commonpot federation template'))")
    return name


def _make_postgres_template(admin, server: str, name: str) -> None:
    partial = f"cp_fed_partial_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{partial}"')
    try:
        with tempfile.TemporaryDirectory() as data:
            env = install_env(
                data_dir=Path(data),
                database_url=f"{server}/{partial}",
                site_url=TEMPLATE_URL,
                name="template",
            )
            run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env, "migrate")
        # Whole or not at all: only a finished migrate takes the template's name.
        admin.execute(f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
    except BaseException:
        admin.execute(f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
        raise
    # Templates of migrations no longer in the code; one in use is left alone.
    stale = admin.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE 'cp\\_fed\\_template\\_%%'"
        " AND datname <> %s",
        [name],
    ).fetchall()
    for (old,) in stale:
        with contextlib.suppress(Exception):
            admin.execute(f'DROP DATABASE "{old}"')


# --- Processes --------------------------------------------------------------------------


def install_env(
    *, data_dir: Path, database_url: str | None, site_url: str, name: str, extra=None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE=SETTINGS,
        DATA_DIR=str(data_dir),
        SECRET_KEY=secrets.token_urlsafe(60),
        SITE_URL=site_url,
        NETWORK_NAME=name,
        DEBUG="false",
        PYTHONUNBUFFERED="1",
        # Installs reach each other on loopback, never through a proxy of the machine's.
        NO_PROXY=",".join(filter(None, [os.environ.get("NO_PROXY"), "127.0.0.1", "localhost"])),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra or {})
    return env


def run(argv: list[str], env: dict[str, str], what: str, timeout: float = COMMAND_TIMEOUT) -> str:
    """Run a command in the project's folder; its stdout, or CommandFailed with its output."""
    try:
        done = subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as e:
        raise CommandFailed(f"{what} took more than {timeout} s.\n{e.stdout}\n{e.stderr}") from e
    if done.returncode:
        raise CommandFailed(
            f"{what} failed (exit {done.returncode}).\n--- stdout\n{done.stdout[-4000:]}"
            f"\n--- stderr\n{done.stderr[-6000:]}"
        )
    return done.stdout


class Process:
    """A started command in a process group of its own, so that all of it is stopped."""

    def __init__(self, argv: list[str], env: dict[str, str], log: Path):
        self.log = log
        self.terminated = False
        with log.open("ab") as out:
            out.write(f"--- {' '.join(argv[1:4])}\n".encode())
            out.flush()
            self.log_from = out.tell()  # what this start wrote comes after
            self.process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def running(self) -> bool:
        return self.process.poll() is None

    def said(self, text: str) -> bool:
        """Whether this start of it has written `text` to its log."""
        with self.log.open("rb") as log:
            log.seek(self.log_from)
            return text in log.read().decode(errors="replace")

    def terminate(self) -> None:
        """TERM to the main process alone, as systemd's KillMode=mixed (docs/deploy/)
        sends it: gunicorn lets its workers finish their requests, the job cluster
        its workers their tasks. (A TERM to every process of a cluster leaves its
        sentinel waiting for workers it no longer has.)"""
        if self.running() and not self.terminated:
            self.terminated = True
            self.process.terminate()

    def stop(self, grace: float = STOP_GRACE) -> None:
        """TERM, then KILL to whatever of its group is left after `grace`."""
        self.terminate()
        if self.running():
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        # Whatever of the group is left (a worker that outlived its master).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


_live: weakref.WeakSet[Install] = weakref.WeakSet()


@atexit.register
def _stop_what_is_left() -> None:
    """A run interrupted before its fixtures' teardown leaves no server running."""
    for install in list(_live):
        with contextlib.suppress(Exception):
            install.close()


# --- An install ---------------------------------------------------------------------------


class Install:
    """One Commonpot install: its own database, data folder, port and processes.

    `template`: from `template_for_installs` (a migrated SQLite file, or the name of
    a migrated PostgreSQL database); None: an empty database, which `migrate()`
    then takes some twenty seconds to build. `env`: more settings for this install
    (e.g. {"LOG_LEVEL": "DEBUG"}). `web_workers`: gunicorn's; two, so that a request
    that waits on the other install does not keep out one that install makes back.
    `host`: the loopback address it serves on. Browsers keep cookies by host, not
    port: a browser test that visits two installs in one browser context gives them
    different hosts (127.0.0.1, 127.0.0.2), or each its own context.
    """

    def __init__(
        self,
        name: str,
        root: Path,
        *,
        template: Path | str | None = None,
        env: dict[str, str] | None = None,
        web_workers: int = 2,
        host: str = "127.0.0.1",
    ):
        self.name = name
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.data_dir = root / "var"
        # With its static folder (empty until collectstatic), which whitenoise looks for.
        (self.data_dir / "static").mkdir(parents=True, exist_ok=True)
        self.host = host
        self.port = free_port()
        self.site_url = f"http://{host}:{self.port}"
        self.web_workers = web_workers
        self.web: Process | None = None
        self.worker: Process | None = None
        self.postgres_name: str | None = None
        self._server = ""
        database_url = None
        if on_postgres():
            self._server = postgres_server()
            self.postgres_name = f"cp_fed_{uuid.uuid4().hex[:12]}"
            with _admin(self._server) as admin:
                copy = f' TEMPLATE "{template}"' if template else ""
                admin.execute(f'CREATE DATABASE "{self.postgres_name}"{copy}')
            database_url = f"{self._server}/{self.postgres_name}"
            self.database = self.postgres_name
        else:
            self.database = str(self.data_dir / "commonpot.sqlite3")
            if template:
                shutil.copyfile(template, self.database)
        _live.add(self)
        self.env = install_env(
            data_dir=self.data_dir,
            database_url=database_url,
            site_url=self.site_url,
            name=name,
            extra={"ALLOWED_HOSTS": host, **(env or {})},
        )

    def __repr__(self) -> str:
        return f"<Install {self.name!r} at {self.site_url}>"

    def __enter__(self) -> Install:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- Commands

    def manage(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> str:
        """`manage.py <args>` in this install's environment; its stdout."""
        argv = [sys.executable, "manage.py", *args]
        return run(argv, self.env, f"{self.name}: manage.py {' '.join(args)}", timeout)

    def migrate(self) -> str:
        """`manage.py migrate --noinput` (with a template, only what is newer); its output."""
        return self.manage("migrate", "--noinput")

    def python(self, code: str) -> str:
        """Run Python in this install's Django (`manage.py shell -c`: every model
        already imported, and json); what it prints. Print JSON to hand data back."""
        return self.manage("shell", "-v", "0", "-c", "import json\n" + textwrap.dedent(code))

    # --- Servers

    def start(self, *, worker: bool = False) -> None:
        """Start the web server and wait until it answers; `worker`: the background
        job cluster too (`manage.py qcluster`, one worker), for tests that need
        queued tasks to run on their own."""
        if self.web is None or not self.web.running():
            self.web = Process(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "commonpot.wsgi",
                    "--chdir",
                    str(ROOT),
                    "--bind",
                    f"{self.host}:{self.port}",
                    "--workers",
                    str(self.web_workers),
                    "--graceful-timeout",
                    str(STOP_GRACE),
                    "--access-logfile",
                    "-",
                    # Else every gunicorn on the machine shares ~/.gunicorn/gunicorn.ctl.
                    "--no-control-socket",
                ],
                self.env,
                self.root / "web.log",
            )
        if worker and (self.worker is None or not self.worker.running()):
            self.worker = Process(
                [sys.executable, "manage.py", "qcluster"],
                {**self.env, "WORKERS": "1", "QUEUE_POLL_MS": "200"},
                self.root / "worker.log",
            )
        wait_for(lambda: self._answers(), f"{self.name} to answer at {self.site_url}", self)
        if worker:
            wait_for(lambda: self.worker.said("running"), f"{self.name}'s worker to start", self)

    def _answers(self) -> bool:
        if not self.web.running():
            raise AssertionError(f"{self.name}'s web server stopped.\n{self.output()}")
        try:
            return Client(self).get("/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        """Stop its processes; the database and data folder stay for the next start()."""
        started = [p for p in (self.web, self.worker) if p is not None]
        # All told at once, so that their grace periods run together.
        for process in started:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for process in started:
            process.stop(grace=max(0.0, deadline - time.monotonic()))
        self.web = self.worker = None

    def close(self) -> None:
        """Stop everything and drop its PostgreSQL database (the data folder is the
        test's temporary folder's to remove)."""
        self.stop()
        if self.postgres_name:
            with _admin(self._server) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.postgres_name}" WITH (FORCE)')
            self.postgres_name = None
        _live.discard(self)

    def output(self) -> str:
        """The end of its servers' logs, for a failure's message."""
        parts = []
        for log in (self.root / "web.log", self.root / "worker.log"):
            if log.exists():
                tail = log.read_text(errors="replace")[-4000:]
                parts.append(f"--- {self.name}: {log.name}\n{tail}")
        return "\n".join(parts)

    # --- HTTP

    def url(self, path: str = "/") -> str:
        return urljoin(self.site_url + "/", path.lstrip("/"))

    def client(self, username: str | None = None, password: str | None = None) -> Client:
        """A browser's worth of HTTP (cookies, CSRF), logged in if given a username."""
        client = Client(self)
        if username is not None:
            client.login(username, password or "")
        return client


# --- A person's browser, without the browser ----------------------------------------------


class Client(requests.Session):
    """requests on one install: paths for addresses, the form token on every POST,
    and `submit` to fill in a form on a page as a person would."""

    def __init__(self, install: Install):
        super().__init__()
        self.install = install
        self.trust_env = False  # loopback: no proxy from the environment

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(method, self.install.url(url), *args, **kwargs)

    def csrf_token(self) -> str:
        if "csrftoken" not in self.cookies:
            self.get(LOGIN)
        assert "csrftoken" in self.cookies, f"{LOGIN} set no CSRF cookie"
        return self.cookies["csrftoken"]

    def post(self, url, data=None, json=None, **kwargs):
        """POST with the form token: in the form data (unless it has one) and in
        the X-CSRFToken header (for JSON and htmx-style posts)."""
        token = self.csrf_token()
        if isinstance(data, dict):
            data = {"csrfmiddlewaretoken": token, **data}
        headers = {"X-CSRFToken": token, **(kwargs.pop("headers", None) or {})}
        return super().post(url, data=data, json=json, headers=headers, **kwargs)

    def form(self, path: str, action: str | None = None) -> tuple[str, dict]:
        """The POST form on the page at `path` (the one whose action is `action`, else
        the one that posts to the page itself): where it posts, and what it would
        send untouched (hidden fields, values, ticked boxes, selected options)."""
        page = self.get(path)
        here = urlsplit(page.url).path
        assert page.status_code == 200, f"GET {path}: {page.status_code}"
        assert here == urlsplit(self.install.url(path)).path, f"GET {path} led to {page.url}"
        forms = _Forms.read(page.text)
        for form in forms:
            target = urlsplit(urljoin(page.url, form["action"])).path
            if (action is None and target == here) or (action is not None and target == action):
                return target, dict(form["fields"])
        found = [urlsplit(urljoin(page.url, f["action"])).path for f in forms]
        raise AssertionError(f"No form posting to {action or here} on {path}; forms: {found}")

    def submit(
        self, path: str, data: dict, *, action: str | None = None, **kwargs
    ) -> requests.Response:
        """Open the page, fill in its form with `data` over what it holds, send it.
        A list sends a name several times (boxes to tick); [] unticks them all."""
        target, fields = self.form(path, action)
        fields.update(data)
        return self.post(target, data=fields, headers={"Referer": self.install.url(path)}, **kwargs)

    def login(self, username: str, password: str) -> requests.Response:
        """Log in through the real login form; fails with the page's errors if refused."""
        answer = self.submit(LOGIN, {"username": username, "password": password})
        if urlsplit(answer.url).path == LOGIN or "sessionid" not in self.cookies:
            errors = re.findall(r'class="error[^"]*"[^>]*>([^<]+)<', answer.text)
            raise AssertionError(
                f"{username} could not log in to {self.install.name}: "
                f"{answer.status_code} {errors or answer.text[:500]}"
            )
        return answer


class _Forms(HTMLParser):
    """The POST forms of a page and the values they would send as they are: a
    name's one value, or a list where it has several (ticked boxes of one name,
    a multiple select)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: dict | None = None  # name, multiple, options, selected
        self._textarea: str | None = None
        self._text: list[str] = []

    @classmethod
    def read(cls, html: str) -> list[dict]:
        parser = cls()
        parser.feed(html)
        parser.close()
        for form in parser.forms:
            values: dict[str, str | list[str]] = {}
            for name, value in form.pop("pairs"):
                if name not in values:
                    values[name] = value
                elif isinstance(values[name], list):
                    values[name].append(value)
                else:
                    values[name] = [values[name], value]
            form["fields"] = values
        return parser.forms

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = {"action": a.get("action", ""), "pairs": []}
                self.forms.append(self._form)
            return
        if self._form is None:
            return
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select["options"].append(value)
            if "selected" in a:
                self._select["selected"].append(value)
            return
        if "name" not in a or "disabled" in a:
            return
        pairs = self._form["pairs"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            pairs.append((a["name"], a.get("value", default)))
        elif tag == "select":
            self._select = {
                "name": a["name"],
                "multiple": "multiple" in a,
                "options": [],
                "selected": [],
            }
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["selected"]
            if not chosen and not self._select["multiple"] and self._select["options"]:
                chosen = self._select["options"][:1]  # a browser sends the first
            if self._form is not None:
                self._form["pairs"] += [(self._select["name"], value) for value in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form["pairs"].append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


# --- People and sites -------------------------------------------------------------------


def _run_with(install: Install, values: dict, code: str):
    """Run `code` in the install with `values` as `args`; what it printed, as JSON."""
    prelude = f"args = json.loads({json.dumps(values)!r})\n"
    return json.loads(install.python(prelude + textwrap.dedent(code)).strip().splitlines()[-1])


def create_user(
    install: Install,
    username: str,
    password: str,
    role: str = "coordinator",
    site: str | None = None,
    *,
    name: str = "",
    email: str = "",
) -> int:
    """An account on the install: a network coordinator (role "coordinator"), or a
    "lead" or "volunteer" of the site with slug `site`. Its id."""
    if role not in ("coordinator", "lead", "volunteer"):
        raise ValueError(f"role is coordinator, lead or volunteer, not {role!r}")
    if (role == "coordinator") == (site is not None):
        raise ValueError("a lead or volunteer needs a site; a coordinator has none")
    values = {
        "username": username,
        "password": password,
        "role": role,
        "site": site,
        "name": name or username.title(),
        "email": email or f"{username}@example.org",
    }
    return _run_with(
        install,
        values,
        """
        from django.db import transaction
        from commonpot.models import Membership, Site, User

        with transaction.atomic():
            user = User.objects.create_user(
                args["username"],
                email=args["email"],
                password=args["password"],
                display_name=args["name"],
                is_coordinator=args["role"] == "coordinator",
            )
            if args["site"]:
                Membership.objects.create(
                    user=user, site=Site.objects.get(slug=args["site"]), role=args["role"]
                )
        print(json.dumps(user.pk))
        """,
    )


def create_site(install: Install, name: str, slug: str, **fields) -> int:
    """A site on the install, added as a coordinator adds one (there must be one:
    create_user first); `fields` as the Site model names them. Its id."""
    values = {"kind": "community_kitchen", "city": "Leeds", "time_zone": "Europe/London"}
    values.update(fields, name=name, slug=slug)
    return _run_with(
        install,
        values,
        """
        from commonpot.models import User
        from commonpot.services import create_site

        by = User.objects.filter(is_coordinator=True).order_by("pk").first()
        assert by, "Only a coordinator adds sites: create_user(install, ...) first."
        print(json.dumps(create_site(by=by, **args).pk))
        """,
    )
