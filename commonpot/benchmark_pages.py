"""`manage.py benchmark pages`: what the pages people open daily cost the server.

Each app registers the pages it owns (`registry.add_page_benchmark(seed)`): `seed`
makes (or reuses) the data at the given scale and returns the pages to measure,
each with the person who opens it. For each page and for a bare view answering
"ok" through the same middleware, in the same process, this prints one
`name: value` line each for:

- `<page>_cpu_ms`: the median server CPU per request (`time.process_time`) over
  REQUESTS requests after WARM_UP requests;
- `<page>_bare_cpu_ms` and `<page>_ratio`: the bare view's median, timed after
  each of the page's requests (the machine's speed drifts over a run), and the
  page's divided by it;
- `<page>_queries` and `<page>_bytes`: of one request;
- `<page>_target_ms` and `<page>_target_met`, where the page has a target.

With the page cache on (commonpot.pagecache: with Redis, or on SQLite in files),
pages kept in it are timed
as a person opening them again finds them, and `<page>_uncached_cpu_ms` gives the
same page made afresh.

CPU time rather than wall time: the machine may be shared, and wall times swing
twofold between runs while CPU per request does not.

`--scale 10` seeds ten times the data (500 sites, 200,000 shifts, 50,000
volunteers): the times may grow a little, the query counts not at all.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from commonpot.models import Membership, Site, User
from commonpot.registry import registry

WARM_UP = 20
REQUESTS = 200
BARE = "/benchmark/bare/"


@dataclass(frozen=True)
class Page:
    """One page to measure: its address, who opens it, and its target if it has one."""

    name: str
    url: str
    user: User | None
    target_ms: float | None = None
    # Bad input the page must answer quickly: 200 (a bounded page) or a 4xx.
    expect: tuple[int, ...] = (200,)
    # A write made before each request (not timed): what the page costs while
    # others work, for example food moving at a site while a volunteer reads shifts.
    between: Callable[[], object] | None = None


def bench_lead(username: str, *sites: Site) -> User:
    """A lead of `sites` (a Membership, as a real lead is), made once and reused."""
    lead, _ = User.objects.get_or_create(username=username, defaults={"display_name": "Bench Lead"})
    for site in sites:
        Membership.objects.update_or_create(
            user=lead, site=site, defaults={"role": Membership.Role.LEAD}
        )
    return lead


def client_for(user: User | None) -> Client:
    client = Client(HTTP_HOST="localhost")
    if user is not None:
        client.force_login(user, backend="commonpot.auth.UsernameOrEmailBackend")
    return client


@dataclass
class Figures:
    cpu_ms: float
    queries: int
    size: int
    status: int
    # The bare view's median, timed between this page's requests (None: not asked).
    bare_ms: float | None = None


def measure(
    client: Client,
    url: str,
    *,
    requests: int = REQUESTS,
    warm_up: int = WARM_UP,
    between: Callable[[], object] | None = None,
    beside: Callable[[], object] | None = None,
) -> Figures:
    """The median CPU ms of `requests` GETs of `url` after `warm_up` of them (each
    after a call of `between`, not timed, when given). With `beside` (a request of
    the bare view), that is timed after each of them too: on a shared machine, the
    same minute's bare view is the fair measure to compare a page with, as the
    machine's speed drifts over a run."""
    between = between or (lambda: None)
    for _ in range(warm_up):
        between()
        client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    # Now: the log is emptied at the start of each request.
    queries = len(ctx.captured_queries)
    times, bare = [], []
    for _ in range(requests):
        between()
        started = time.process_time()
        client.get(url)
        times.append((time.process_time() - started) * 1000)
        if beside is not None:
            started = time.process_time()
            beside()
            bare.append((time.process_time() - started) * 1000)
    return Figures(
        cpu_ms=statistics.median(times),
        queries=queries,
        size=len(response.content),
        status=response.status_code,
        bare_ms=statistics.median(bare) if bare else None,
    )


def run(*, stdout, scale: float = 1.0, requests: int = REQUESTS, only: str = "") -> None:
    write = stdout.write
    write(f"database: {connection.vendor}")
    write(f"scale: {scale:g}")
    started = time.perf_counter()
    pages: list[Page] = []
    for seed in registry.page_benchmarks:
        pages += seed(scale=scale, out=write)
    pages = [page for page in pages if only in page.name]
    write(f"seed_seconds: {time.perf_counter() - started:.1f}")
    # Django logs each 4xx; the bad-input pages answer hundreds of them on purpose.
    request_log = logging.getLogger("django.request")
    level, request_log.level = request_log.level, logging.ERROR
    try:
        _measure(pages, write, requests)
    finally:
        request_log.setLevel(level)
    write(f"total_seconds: {time.perf_counter() - started:.1f}")


def _measure(pages: list[Page], write, requests: int) -> None:
    with override_settings(ROOT_URLCONF="commonpot.benchmark_urls", DEBUG=False):
        write(f"requests_per_page: {requests}")
        if settings.PAGE_CACHE_VERSION_FILE is not None:
            where = "files"
        elif settings.PAGE_CACHE_VERSION_SEQUENCE:
            where = "each process's memory, versioned by a database sequence"
        else:
            where = "Redis"
        on = f"on, in {where}" if settings.PAGE_CACHE else "off"
        write(f"page_cache: {on}")
        bare_client = client_for(None)
        base = measure(bare_client, BARE, requests=requests)
        write(f"bare_cpu_ms: {base.cpu_ms:.2f}")

        def bare() -> None:
            bare_client.get(BARE)

        clients: dict[int | None, Client] = {}
        missed = []
        for page in pages:
            key = page.user.pk if page.user else None
            if key not in clients:
                clients[key] = client_for(page.user)
            got = measure(
                clients[key], page.url, requests=requests, between=page.between, beside=bare
            )
            if got.status not in page.expect:
                raise RuntimeError(f"{page.name}: {page.url} answered {got.status}.")
            write(f"{page.name}_cpu_ms: {got.cpu_ms:.2f}")
            # Against the bare view timed between this page's own requests.
            write(f"{page.name}_bare_cpu_ms: {got.bare_ms:.2f}")
            write(f"{page.name}_ratio: {got.cpu_ms / got.bare_ms:.1f}")
            write(f"{page.name}_queries: {got.queries}")
            write(f"{page.name}_bytes: {got.size}")
            if settings.PAGE_CACHE:
                # The same page made afresh: what a first view, or one after a change, costs.
                with override_settings(PAGE_CACHE=False):
                    fresh = measure(clients[key], page.url, requests=max(20, requests // 4))
                write(f"{page.name}_uncached_cpu_ms: {fresh.cpu_ms:.2f}")
                write(f"{page.name}_uncached_queries: {fresh.queries}")
            if page.expect != (200,):
                write(f"{page.name}_status: {got.status}")
            if page.target_ms is not None:
                met = got.cpu_ms <= page.target_ms
                write(f"{page.name}_target_ms: {page.target_ms:g}")
                write(f"{page.name}_target_met: {'yes' if met else 'NO'}")
                if not met:
                    missed.append(page.name)
        write(f"targets_missed: {', '.join(missed) or 'none'}")


# --- The network core's own pages ------------------------------------------------

NETWORK_SITES = 200


def seed(*, scale: float, out) -> list[Page]:
    """200 public sites (times `scale`): the directory and the open data's look-ups."""
    from django.urls import reverse

    wanted = max(2, round(NETWORK_SITES * scale))
    have = Site.objects.filter(slug__startswith="bench-network-").count()
    Site.objects.bulk_create(
        [
            Site(
                name=f"Bench network kitchen {n:04d}",
                slug=f"bench-network-{n:04d}",
                kind=Site.Kind.COMMUNITY_KITCHEN,
                city="Benchtown",
            )
            for n in range(have, wanted)
        ],
        batch_size=2000,
    )
    middle = Site.objects.get(slug=f"bench-network-{wanted // 2:04d}")
    out(f"network_sites: {Site.objects.public().count()}")
    services = reverse("hsds_services")
    return [
        Page("site_directory", reverse("site_directory"), None, target_ms=8),
        Page("site_directory_page_999999", reverse("site_directory") + "?page=999999", None),
        Page("hsds_service", reverse("hsds_service", args=[middle.service_id]), None),
        Page("hsds_services", services, None),
        Page("hsds_services_page_999999", f"{services}?page=999999", None, expect=(400,)),
        Page("hsds_services_per_page_100000", f"{services}?per_page=100000", None, expect=(400,)),
    ]
