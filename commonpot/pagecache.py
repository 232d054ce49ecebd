"""Whole pages kept in the shared cache until any of the network's data changes.

A page a person opens again and again (the shift board, their shifts) is kept,
per person and address, under the **data version**: a token in the cache that
every write to the network's tables replaces. The writes are seen where they all
pass, the database connection (`execute_wrapper`), so no service, bulk update or
raw statement can change what a page shows and leave its copy standing. The
token is replaced as the write is made (so the writing transaction itself never
reads an old copy) and again once it commits (so a copy made from the data
before the commit is never used after it).

What else a page depends on is in its key: the person (and so what they may
see), their CSRF cookie (the page's forms carry tokens made from it), the full
address, the htmx headers (a fragment or the page), the language, the time zone and the minute
(lists of what has not started yet move on with the clock, and so does the home
page's notice of a worker gone quiet). A page is not kept
when it sets a cookie, carries one-off messages, or answers other than 200.

Every process that writes or serves pages must see one data version. With Redis
(REDIS_URL) the version and the pages live there, for every node. Without it, on
SQLite (one machine by nature), the pages live in files under DATA_DIR and the
version in a file beside them, which each write replaces (an atomic rename) and
each page reads: the web processes and the worker all see it. On PostgreSQL
without Redis, where several nodes may share the database, the version is a
sequence in it (`nextval` on a write, `last_value` read by a page: neither waits
on a lock nor rolls back) and each process keeps its own pages in memory.
`PAGE_CACHE` in the settings turns it on, `PAGE_CACHE_ALIAS` names the cache
that keeps the pages, `PAGE_CACHE_VERSION_FILE` the version's file and
`PAGE_CACHE_VERSION_SEQUENCE` its sequence (both None: the version is in that cache).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

VERSION_KEY = "commonpot:data-version"
KEEP_SECONDS = 120

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
)
WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)


def _pages():
    return caches[settings.PAGE_CACHE_ALIAS]


def data_version() -> str:
    if sequence := settings.PAGE_CACHE_VERSION_SEQUENCE:
        with connection.cursor() as cursor:
            # The sequence's name is the project's own setting, not anyone's input.
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
            value, called = cursor.fetchone()
        return f"{value}:{called}"
    path = settings.PAGE_CACHE_VERSION_FILE
    if path is None:
        version = _pages().get(VERSION_KEY)
    else:
        try:
            version = Path(path).read_text() or None
        except FileNotFoundError:
            version = None
    if version is None:
        version = new_version()
    return version


def new_version() -> str:
    if sequence := settings.PAGE_CACHE_VERSION_SEQUENCE:
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [sequence])
            return f"{cursor.fetchone()[0]}:True"
    version = uuid.uuid4().hex
    path = settings.PAGE_CACHE_VERSION_FILE
    if path is None:
        _pages().set(VERSION_KEY, version, None)
        return version
    # Written beside it and renamed over it: a reader sees the old or the new, whole.
    folder = Path(path).parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".data-version-")
    with os.fdopen(fd, "w") as f:
        f.write(version)
    os.replace(temporary, path)
    return version


def watch_writes(execute, sql, params, many, context):
    """An execute wrapper on every connection: a write to a table pages show
    replaces the data version now and again when its transaction commits."""
    found = WRITE.match(sql)
    if found and not found.group(1).startswith(QUIET_TABLES):
        connection = context["connection"]
        if connection.in_atomic_block:
            new_version()
        if not any(func is _after_commit for _, func, _ in connection.run_on_commit):
            transaction.on_commit(_after_commit, using=connection.alias)
    return execute(sql, params, many, context)


def _after_commit() -> None:
    new_version()


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
        connection.execute_wrappers.append(watch_writes)


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
        data_version(),
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
        if kept is not None:
            content, headers = kept
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        render = getattr(response, "render", None)
        if render is not None and not getattr(response, "is_rendered", True):
            response = render()
        if response.status_code == 200 and not response.cookies and not response.streaming:
            headers = [(k, v) for k, v in response.items() if k.lower() != "set-cookie"]
            _pages().set(key, (response.content, headers), KEEP_SECONDS)
        return response

    # Marked for tests/test_page_cache_quiet.py, which finds every kept page by it.
    wrapper.kept_page = True
    return wrapper
