"""Whole pages kept in the shared cache until the data they show changes.

A page a person opens again and again (the shift board, their shifts) is kept,
per person and address, with the **version of each table it read**: a token per
table, in the cache, that every write to that table replaces. The writes are seen
where they all pass, the database connection (`execute_wrapper`), so no service,
bulk update or raw statement can change what a page shows and leave its copy
standing; so are the tables a page reads, while it is made. A token is replaced
as the write is made (so the writing transaction itself never reads an old copy)
and again once it commits (so a copy made from the data before the commit is
never used after it). The versions are read before a page is made and kept with
it: a write while it is being made leaves it with an older version, and it is
made afresh at the next view. A volunteer claiming a shift ends the shift board,
not the stock page; food received ends the stock page, not the shift board.

What else a page depends on is in its key: the person (and so what they may
see), their CSRF cookie (the page's forms carry tokens made from it), the full
address, the htmx headers (a fragment or the page), the language, the time zone and the minute
(lists of what has not started yet move on with the clock, and so does the home
page's notice of a worker gone quiet). A page is not kept
when it sets a cookie, carries one-off messages, or answers other than 200 or 400
(a filter refused with its reason is as much the address's and the data's as the
page it refuses, and bad input sent again costs no more than a kept page).

Every process that writes or serves pages must see the same versions. With Redis
(REDIS_URL) the versions and the pages live there, for every node. Without it, on
SQLite (one machine by nature), the pages live in files under DATA_DIR and each
table's version in a file beside them, which each write replaces (an atomic
rename) and each page reads: the web processes and the worker all see them. On
PostgreSQL without Redis, where several nodes may share the database, there is
one version for every table, a sequence in it (`nextval` on a write, `last_value`
read by a page: neither waits on a lock nor rolls back), and each process keeps
its own pages in memory. `PAGE_CACHE` in the settings turns it on,
`PAGE_CACHE_ALIAS` names the cache that keeps the pages,
`PAGE_CACHE_VERSION_FILE` the versions' files (the table's name is added to it)
and `PAGE_CACHE_VERSION_SEQUENCE` the sequence (both None: the versions are in
that cache).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext, suppress
from functools import cache, partial, wraps
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

VERSION_KEY = "commonpot:data-version"
KEEP_SECONDS = 120
# A page, and a filter of it refused with the reason.
KEPT_STATUSES = (200, 400)

# Writes that change nothing a kept page shows: sessions, logins' lockout records,
# the job queue. Workers' heartbeats (every few seconds) show only as the home
# page's "no worker is running", which allows minutes and is made afresh each minute.
QUIET_TABLES = (
    "django_session",
    "django_q_",
    "axes_",
    "commonpot_workerheartbeat",
    # A partner network's delivery bookkeeping: retries and seen nonces show on
    # no kept page (the partner pages are made afresh each time).
    "federation_outgoing",
    "federation_seennonce",
    # What the worker writes as it sends reminders and notices (a message's status,
    # a phone's last push, texts coming in): no kept page reads them, and in a
    # network of thousands of volunteers they would end every kept page every few
    # seconds. The site's outbox, which shows them, is made afresh each time.
    # tests/test_page_cache_quiet.py holds every kept page to reading none of these.
    "commonpot_message",
    "commonpot_pushsubscription",
    "commonpot_inboundsms",
    # Which migrations have run: no page reads it (a migration's own writes to the
    # tables it changes count as any write does).
    "django_migrations",
)
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def _pages():
    return caches[settings.PAGE_CACHE_ALIAS]


@cache
def all_tables() -> frozenset[str]:
    """Every table of the project's models (and their many-to-many tables) whose
    writes count (not the quiet ones)."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        tables.add(model._meta.db_table)
    return frozenset(t for t in tables if not t.startswith(QUIET_TABLES))


def versions(tables: Iterable[str], *, known: dict[str, str] | None = None) -> dict[str, str]:
    """The current version of each of `tables` (those in `known`, read a moment
    ago, as they were read). A table without one (never written since the versions
    were kept, or one lost from the cache) is given a new one: a page kept under
    the lost one is then made afresh, never trusted."""
    known = known or {}
    tables = list(tables)
    if sequence := settings.PAGE_CACHE_VERSION_SEQUENCE:
        if known:  # one version for every table, just read
            return dict.fromkeys(tables, next(iter(known.values())))
        with connection.cursor() as cursor:
            # The sequence's name is the project's own setting, not anyone's input.
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
            value, called = cursor.fetchone()
        return dict.fromkeys(tables, f"{value}:{called}")
    path = settings.PAGE_CACHE_VERSION_FILE
    wanted = [t for t in tables if t not in known]
    if path is None:
        found = _pages().get_many([f"{VERSION_KEY}:{t}" for t in wanted])
        found = {key.rsplit(":", 1)[1]: version for key, version in found.items()}
    else:
        found = {}
        for table in wanted:
            with suppress(FileNotFoundError):
                found[table] = _read_version(f"{path}.{table}")
    found.update((t, known[t]) for t in tables if t in known)
    missing = [t for t in tables if not found.get(t)]
    if missing:
        found.update(bump(missing))
    return found


def _read_version(path: str) -> str:
    # os.read rather than Path.read_text: a fifth of the time, and a kept page reads
    # one file for each table it shows.
    fd = os.open(path, os.O_RDONLY)
    try:
        return os.read(fd, 64).decode()
    finally:
        os.close(fd)


def bump(tables: Iterable[str]) -> dict[str, str]:
    """Give each of `tables` a new version; the versions given."""
    tables = list(tables)
    if sequence := settings.PAGE_CACHE_VERSION_SEQUENCE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [sequence])
            return dict.fromkeys(tables, f"{cursor.fetchone()[0]}:True")
    made = {table: uuid.uuid4().hex for table in tables}
    path = settings.PAGE_CACHE_VERSION_FILE
    if path is None:
        _pages().set_many({f"{VERSION_KEY}:{t}": v for t, v in made.items()}, None)
        return made
    # Written beside it and renamed over it: a reader sees the old or the new, whole.
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    for table, version in made.items():
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".data-version-")
        with os.fdopen(fd, "w") as f:
            f.write(version)
        os.replace(temporary, f"{path}.{table}")
    return made


def watch_writes(execute, sql, params, many, context):
    """An execute wrapper on every connection: a write to a table pages show
    replaces its version as it is made and again when its transaction commits
    (or just after it, outside a transaction, where it commits as it is made)."""
    found = WRITE.match(sql)
    if not found or found.group(1).startswith(QUIET_TABLES):
        return execute(sql, params, many, context)
    table = found.group(1)
    if table.startswith("new__"):
        # SQLite's migrations rebuild a table as "new__<table>", then rename it.
        table = table.removeprefix("new__")
    # A name that is not a model's table as written (a schema before it, another
    # case): every table's version, as no page's own may be the one it means.
    tables = [table] if table in all_tables() else all_tables()
    connection = context["connection"]
    if not connection.in_atomic_block:
        try:
            return execute(sql, params, many, context)
        finally:
            bump(tables)
    bump(tables)
    written = connection.__dict__.setdefault("_pagecache_written", set())
    written.update(tables)
    if not any(getattr(f, "func", None) is _after_commit for _, f, _ in connection.run_on_commit):
        transaction.on_commit(partial(_after_commit, connection), using=connection.alias)
    return execute(sql, params, many, context)


def _after_commit(connection) -> None:
    written = connection.__dict__.pop("_pagecache_written", set())
    if written:
        bump(written)


def install(sender, connection, **kwargs) -> None:
    """connection_created: watch this connection's writes (and, on PostgreSQL without
    Redis, make sure the version's sequence is there: before the first migration
    writes, and whatever database the node is pointed at)."""
    sequence = settings.PAGE_CACHE_VERSION_SEQUENCE
    if sequence and connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {sequence}")
        except DatabaseError:
            # Another node made it in the same moment (PostgreSQL's IF NOT EXISTS
            # can still collide on the catalog): it is there now.
            pass
    if watch_writes not in connection.execute_wrappers:
        # First, not last: a connection opened inside a request is opened inside
        # NoteReadsMiddleware's wrapper, and Django's own `execute_wrapper` takes off
        # whatever is last when it ends.
        connection.execute_wrappers.insert(0, watch_writes)


def _key(request: HttpRequest) -> str | None:
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not csrf:
        # The page would set one, and its forms carry tokens made from it.
        return None
    storage = messages.get_messages(request)
    if getattr(storage, "_queued_messages", None) or getattr(storage, "_loaded_messages", None):
        return None
    now = timezone.now()
    parts = [
        str(request.user.pk),
        csrf,
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        request.headers.get("HX-History-Restore-Request", ""),
        request.headers.get("HX-Target", ""),
        timezone.get_current_timezone_name(),
        translation.get_language() or "",
        now.strftime("%Y%m%d%H%M"),
    ]
    return "commonpot:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


READ = re.compile(r'(?:FROM|JOIN)\s+"?(\w+)', re.IGNORECASE)


def _note_reads(read: set[str], execute, sql, params, many, context):
    read.update(READ.findall(sql))
    return execute(sql, params, many, context)


@contextmanager
def noting_reads(read: set[str]):
    """Note in `read` the tables the queries made meanwhile read. Taken off by
    identity when done (whatever was added to the connection's wrappers since)."""
    wrappers = connection.execute_wrappers
    noting = partial(_note_reads, read)
    wrappers.append(noting)
    try:
        yield
    finally:
        for i in range(len(wrappers) - 1, -1, -1):
            if wrappers[i] is noting:
                del wrappers[i]
                break


class NoteReadsMiddleware:
    """Notes the tables each request reads, from its first query (the session, the
    person, their site's time zone and measures, read before any view), for
    `cached_page` to keep a page with the versions of every table it depends on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.PAGE_CACHE or request.method != "GET":
            return self.get_response(request)
        request.tables_read = read = set()
        with noting_reads(read):
            return self.get_response(request)


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s GET answers from the cache while no data has changed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.PAGE_CACHE or request.method != "GET":
            return view(request, *args, **kwargs)
        key = _key(request)
        if key is None:
            return view(request, *args, **kwargs)
        kept = _pages().get(key)
        now = {}
        if kept is not None:
            content, headers, seen, *status = kept  # kept before 400s were: no status
            now = versions(seen)
            if now == seen:
                response = HttpResponse(content, status=status[0] if status else 200)
                for name, value in headers:
                    response[name] = value
                return response
        # Before the view reads anything: a write from now on leaves the page older.
        # What the request read before the view (the person, their site and its
        # settings) it read a moment ago; a write to those in that moment is not
        # seen, and such a page lives until that table is written again or the
        # minute turns (its key holds the minute).
        before = versions(all_tables(), known=now)  # what was just read, as it was
        read = getattr(request, "tables_read", None)
        if read is None:  # without NoteReadsMiddleware: the view's own reads only
            read = set()
            noting = noting_reads(read)
        else:
            noting = nullcontext()
        with noting:
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if render is not None and not getattr(response, "is_rendered", True):
                response = render()
        # Not the versions' own sequence, nor what no page's version follows.
        read = {
            t
            for t in read
            if t != settings.PAGE_CACHE_VERSION_SEQUENCE and not t.startswith(QUIET_TABLES)
        }
        if (
            response.status_code in KEPT_STATUSES
            and not response.cookies
            and not response.streaming
            and read <= before.keys()  # a table outside the models: not kept
        ):
            headers = [(k, v) for k, v in response.items() if k.lower() != "set-cookie"]
            seen = {t: before[t] for t in read}
            _pages().set(key, (response.content, headers, seen, response.status_code), KEEP_SECONDS)
        return response

    # Marked for tests/test_page_cache_quiet.py, which finds every kept page by it.
    wrapper.kept_page = True
    return wrapper
