"""Hostile values posted to every form of an authorization matrix (tests/authz.py).

`fuzz_matrix(rows, actors, resolve)` finds the forms: it opens each GET row's page
as an actor the row lets in and reads the page's post forms (their fields and the
values a browser would send), and for a POST row whose form no page showed, it
takes the row's `data` keys. Then, as every actor, it posts hostile values to each
form and reports every answer that is a 5xx, and every refusal after which the
database is not as it was.

The posts are bounded and the same on every run: each form gets every hostile
value in all its fields at once, one hostile value in one field at a time (a
rotation over its fields, the other fields as shown), an empty post and each field
sent twice. Those go, in turn, to the actors who may post the form; each other
actor gets one of them, also in turn, to show the refusal writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.authz import ACTORS, Row
from tests.conftest import client_for

HOSTILE = (
    "1900-01-01",
    "0001-01-01",
    "9999-12-31",
    "2200-12-31T23:59",
    "a\x00b",
    "9" * 20,
    "-" + "9" * 20,
    "x" * 10000,
    "\u202eevil",
    "e\u0301\u0301\u0301",
    "",
    " ",
    "NaN",
    "Infinity",
    "1e999",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
)

# What a refused post shows on the page it answers with (see commonpot.forms).
ERROR_MARKS = ('class="errorlist', 'class="error', "form-errors", "field--error")

# Tables whose rows the forms write: every table of Commonpot's apps, and the
# task queue's (a form that queues a job on refusal has written something too).
WATCHED_APPS = ("commonpot", "pantry", "network", "kitchen", "volunteers", "django_q")

# Actions that end the very session the next posts are made in.
NOT_FUZZED = {"logout"}

# Pages that are documents (PDF, CSV, calendars, JSON) hold no forms.
DOCUMENT_SUFFIXES = (".pdf", ".csv", ".ics", ".json", ".geojson")

FIELDS_ONE_AT_A_TIME = 4  # at most, per form (a count sheet has a field per lot): time
TOKEN = "token"


# --- Reading forms off a page ----------------------------------------------------


@dataclass
class Form:
    url: str  # where it posts: a path, with its query string
    fields: list[str] = field(default_factory=list)  # every field name, in page order
    shown: dict[str, list[str]] = field(default_factory=dict)  # what a browser sends untouched
    buttons: list[tuple[str, str]] = field(default_factory=list)  # submit buttons: name, value
    files: set[str] = field(default_factory=set)  # file fields: sent as an upload
    allowed: tuple[str, ...] = ()  # actors the page or row is for
    source: str = ""  # the row or page it came from, for the report

    @property
    def view_name(self) -> str:
        return _view_name(self.url)

    def add(self, name: str, value: str | None) -> None:
        if name not in self.fields:
            self.fields.append(name)
        if value is not None:
            self.shown.setdefault(name, []).append(value)


class _FormParser(HTMLParser):
    """The post forms of a page: their action, field names and shown values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._select_first: str | None = None
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(a.get("action", ""))
            return
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                checked = "checked" in a
                self._form.add(name, a.get("value", "on") if checked else None)
            elif kind in ("submit", "image", "button", "reset"):
                self._submit(name, a.get("value", ""), kind)
            elif kind == "file":
                self._form.add(name, "")
                self._form.files.add(name)
            else:
                self._form.add(name, a.get("value", ""))
        elif tag == "button" and name:
            self._submit(name, a.get("value", ""), a.get("type", "submit").lower())
        elif tag == "select" and name:
            self._select = (name, "multiple" in a)
            self._select_first = None
            self._form.add(name, None)
        elif tag == "option" and self._select:
            self._option = a
            self._text = []
        elif tag == "textarea" and name:
            self._textarea = name
            self._text = []

    def _submit(self, name: str, value: str, kind: str) -> None:
        # A browser sends only the button pressed: each post presses one.
        self._form.add(name, None)
        if kind == "submit":
            self._form.buttons.append((name, value))

    def handle_data(self, data):
        if self._option is not None or self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select:
            value = self._option.get("value", "".join(self._text).strip())
            name, _ = self._select
            if "selected" in self._option:
                self._form.add(name, value)
            elif self._select_first is None:
                self._select_first = value
            self._option = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            if not multiple and name not in self._form.shown and self._select_first is not None:
                self._form.add(name, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.add(self._textarea, "".join(self._text).removeprefix("\n"))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def forms_on(page_url: str, html: str) -> Iterator[Form]:
    """Each post form of a page, its action made a path on this server."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        target = urlsplit(urljoin(page_url, form.url))
        if target.netloc not in ("", "testserver"):
            continue
        form.url = target.path + (f"?{target.query}" if target.query else "")
        form.fields = [n for n in form.fields if n != "csrfmiddlewaretoken"]
        form.shown.pop("csrfmiddlewaretoken", None)
        yield form


def _view_name(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return ""


def _refused_by_row(row: Row, actor: str) -> bool:
    status = row.status_for(actor)
    return status in (403, 404, 405) or (status == 302 and actor == "anonymous")


def _post_only(row: Row) -> tuple[str, ...]:
    """The actors a GET row shows past the permission check of a post-only action
    (they get 405); none for a page."""
    return tuple(a for a in ACTORS if row.method == "GET" and row.status_for(a) == 405)


def discover(rows: list[Row], clients: dict[str, Client], resolve_kwargs) -> list[Form]:
    """Every post form the rows' pages show, once per (view, fields); then the
    POST rows (and post-only GET rows) no page showed a form for, with their
    `data` keys as fields."""
    found: dict[tuple[str, frozenset], Form] = {}
    opened = set()
    for row in rows:
        allowed = tuple(a for a in ACTORS if row.status_for(a) == 200)
        if row.method != "GET" or not allowed or row.name in opened:
            continue
        opened.add(row.name)  # one page per view: its other rows are other objects
        url = reverse(row.name, kwargs=resolve_kwargs(row.kwargs))
        if url.endswith(DOCUMENT_SUFFIXES):
            continue
        response = clients[allowed[0]].get(url, row.data)
        if "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_on(url, response.content.decode()):
            if form.view_name in NOT_FUZZED or not form.view_name:
                continue
            form.allowed, form.source = allowed, f"{row.name} page"
            found.setdefault((form.view_name, frozenset(form.fields)), form)
    shown_views = {view for view, _ in found}
    for row in rows:
        if (row.method != "POST" and not _post_only(row)) or row.name in shown_views:
            continue
        url = reverse(row.name, kwargs=resolve_kwargs(row.kwargs))
        allowed = _post_only(row) or tuple(a for a in ACTORS if not _refused_by_row(row, a))
        shown = {k: [str(v)] for k, v in row.data.items()}
        form = Form(url, list(row.data), shown, allowed=allowed, source=f"{row.name} row")
        found.setdefault((row.name, frozenset(row.data)), form)
    return list(found.values())


# --- What the database holds -------------------------------------------------------


def _watched_tables() -> list[tuple[str, str]]:
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in WATCHED_APPS and meta.managed and not meta.proxy:
            tables.append((meta.db_table, meta.pk.column))
    return sorted(set(tables))


def database_state(tables: list[tuple[str, str]]) -> dict[str, tuple[int, str]]:
    """Each watched table's row count and a digest of its rows: an insert, a
    delete or an update anywhere shows."""
    state = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, pk in tables:
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608
            rows = cursor.fetchall()
            state[table] = (len(rows), hashlib.sha1(repr(rows).encode()).hexdigest())
    return state


# How many rows this connection has written, ever: unchanged means nothing was
# written, so most refusals need no digest of every table. (It counts writes that
# were rolled back as well; then the digests decide.)
WRITES_SO_FAR = {
    "sqlite": "SELECT total_changes()",
    "postgresql": "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)"
    " FROM pg_stat_xact_all_tables",
}


def writes_so_far() -> int | None:
    query = WRITES_SO_FAR.get(connection.vendor)
    if query is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(
        f"{table} ({before[table][0]} -> {after[table][0]} rows)"
        for table in before
        if before[table] != after[table]
    )


# --- The payloads --------------------------------------------------------------------


@dataclass
class Post:
    what: str  # for the report: which field, which value
    data: dict[str, str | list[str]]


def _fresh_token(data: dict) -> dict:
    """A token of its own for each post, so an earlier post with the same token is
    not answered as a replay, past the validation under test."""
    if TOKEN in data:
        data[TOKEN] = str(uuid.uuid4())
    return data


def _as_shown(form: Form, press: int) -> dict[str, str | list[str]]:
    """The form as a browser sends it untouched, its `press`th button pressed (in turn)."""
    data = {name: values if len(values) > 1 else values[0] for name, values in form.shown.items()}
    if form.buttons:
        name, value = form.buttons[press % len(form.buttons)]
        data[name] = value
    return data


def describe(value: str) -> str:
    """A hostile value as the report names it: short, and a NUL or a mark shown escaped."""
    if len(value) > 30:
        return f"{value[:5]!r} x {len(value):,}"
    return repr(value)


def payloads(form: Form, seed: int) -> Iterator[Post]:
    """The posts for one form; `seed` turns the rotations so forms differ.

    A form with no fields gets the empty post once, not once per value."""
    posts = []
    fields = [f for f in form.fields if f != TOKEN]
    for value in HOSTILE:
        data = {name: value for name in fields}
        if TOKEN in form.fields:
            data[TOKEN] = ""
        posts.append(Post(f"every field = {describe(value)}", _fresh_token(data)))
    one_by_one = form.fields
    if len(one_by_one) > FIELDS_ONE_AT_A_TIME:
        # Spread over the form, starting where the seed says.
        step, n = len(one_by_one) / FIELDS_ONE_AT_A_TIME, len(one_by_one)
        one_by_one = [one_by_one[(int(i * step) + seed) % n] for i in range(FIELDS_ONE_AT_A_TIME)]
    for i, name in enumerate(one_by_one):
        value = HOSTILE[(seed + i) % len(HOSTILE)]
        # i // 2: the button pressed turns apart from the actor posting.
        data = _fresh_token(_as_shown(form, press=i // 2))
        data[name] = value
        posts.append(Post(f"{name} = {describe(value)}", data))
    posts.append(Post("nothing sent", {}))
    twice = _fresh_token(_as_shown(form, press=seed))
    for name in fields:
        shown = form.shown.get(name, [""])[0]
        twice[name] = [shown, HOSTILE[(seed + len(name)) % len(HOSTILE)]]
    posts.append(Post("every field sent twice", twice))
    for post in _distinct(posts):
        for name in form.files & set(post.data):
            post.data[name] = _upload(post.data[name])
        yield post


def _upload(value: str | list[str]):
    """A file field's value as an uploaded file holding it."""
    if isinstance(value, list):
        return [_upload(v) for v in value]
    return SimpleUploadedFile("hostile.csv", value.encode(), content_type="text/csv")


def _distinct(posts: list[Post]) -> list[Post]:
    seen, kept = set(), []
    for post in posts:
        key = repr(sorted((k, v) for k, v in post.data.items() if k != TOKEN))
        if key not in seen:
            seen.add(key)
            kept.append(post)
    return kept


# --- Posting -------------------------------------------------------------------------


@dataclass
class Outcome:
    posts: int = 0
    forms: list[Form] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def _refused(actor: str, response) -> bool:
    """Did the answer say no? A 4xx, a form shown again with its messages, the login
    page for a visitor, or an error message on the way back to a page."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code in (301, 302, 303):
        if actor == "anonymous" and "login" in response.get("Location", ""):
            return True
        # The messages this request added (Django keeps them there until the response
        # is stored): a redirect with an error message is a refusal too.
        queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
        return any(m.level >= messages.ERROR for m in queued)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        page = response.content.decode(errors="replace")
        return any(mark in page for mark in ERROR_MARKS)
    return False


def _client(user) -> Client:
    """A client that answers a crash with its 500 page, as a server would, so that
    one run reports every crash rather than stopping at the first."""
    return client_for(user, raise_request_exception=False)


def _post(client: Client, url: str, data: dict):
    """One post in a savepoint of its own: a database error in it (PostgreSQL then
    refuses every later statement of the transaction) is undone with it, and the
    next post starts clean."""
    savepoint = transaction.savepoint()
    response = client.post(url, data)
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)
        transaction.set_rollback(False)
    else:
        transaction.savepoint_commit(savepoint)
    return response


def _crash(response) -> str:
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return ""
    return f" {exc_info[0].__name__}: {str(exc_info[1])[:200]}"


def fuzz_matrix(rows: list[Row], actors: dict, resolve_kwargs: Callable[[dict], dict]) -> Outcome:
    """Post hostile values to every form the matrix's pages show, as every actor."""
    with _quiet_refusals():
        return _fuzz(rows, actors, resolve_kwargs)


@contextmanager
def _quiet_refusals():
    """Django logs every 4xx with its traceback: thousands of them here, and each
    one is checked below anyway. Crashes are still logged."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _fuzz(rows: list[Row], actors: dict, resolve_kwargs) -> Outcome:
    clients = {actor: _client(actors[actor]) for actor in ACTORS}
    outcome = Outcome(forms=discover(rows, clients, resolve_kwargs))
    tables = _watched_tables()
    state, writes = database_state(tables), writes_so_far()
    for n, form in enumerate(outcome.forms):
        posts = list(payloads(form, seed=n))
        for actor, post in _who_posts_what(form, posts, seed=n):
            response = _post(clients[actor], form.url, post.data)
            outcome.posts += 1
            where = f"POST {form.url} ({form.source}) as {actor}, {post.what}"
            if response.status_code >= 500:
                outcome.failures.append(f"{where}: {response.status_code}{_crash(response)}")
            refused = _refused(actor, response)
            if writes is not None and writes_so_far() == writes:
                continue
            now, writes = database_state(tables), writes_so_far()
            if refused and now != state:
                changed = ", ".join(changed_tables(state, now))
                outcome.failures.append(
                    f"{where}: refused ({response.status_code}) but wrote {changed}"
                )
            state = now
    _revisit(rows, clients, resolve_kwargs, outcome)
    return outcome


def _revisit(rows, clients, resolve_kwargs, outcome) -> None:
    """Every page of the matrix opens after the posts: what a post was let write
    (a strange name, a far date) must not break a page that shows it."""
    opened = set()
    for row in rows:
        allowed = [a for a in ACTORS if row.status_for(a) == 200]
        if row.method != "GET" or not allowed or row.name in opened:
            continue
        opened.add(row.name)
        url = reverse(row.name, kwargs=resolve_kwargs(row.kwargs))
        response = clients[allowed[0]].get(url, row.data)
        if response.status_code >= 500:
            outcome.failures.append(
                f"GET {url} as {allowed[0]} after the posts: "
                f"{response.status_code}{_crash(response)}"
            )


def _who_posts_what(form: Form, posts: list[Post], seed: int) -> Iterator[tuple[str, Post]]:
    """Every post by one of the actors the form is for, in turn; and a few by each
    of the others, in turn, who must be refused without a trace."""
    allowed = [a for a in ACTORS if a in form.allowed] or list(ACTORS)
    for i, post in enumerate(posts):
        yield allowed[(seed + i) % len(allowed)], post
    others = [a for a in ACTORS if a not in allowed]
    for j, actor in enumerate(others):
        yield actor, posts[(seed + j * 7) % len(posts)]
