"""`manage.py benchmark reports`: the network's monthly report over the pantry's
benchmark ledger (1,000,000 moves at full scale, seeded by — or reused from —
`benchmark pantry`), and the HSDS services page. Prints `name: value` lines.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonpot.benchmarking import median_ms
from commonpot.reports import Period, build_sections
from pantry import benchmark as pantry_benchmark
from pantry.models import StockMove

HSDS_SITES = 100


def _public_sites(n: int) -> None:
    """Public sites with hours, so the HSDS page has a full page to serialise."""
    from commonpot.models import Site

    have = set(Site.objects.filter(slug__startswith="bench-hsds-").values_list("slug", flat=True))
    Site.objects.bulk_create(
        Site(
            slug=f"bench-hsds-{i:03d}",
            name=f"Bench public kitchen {i:03d}",
            kind=Site.Kind.COMMUNITY_KITCHEN,
            address=f"{i} Bench Street",
            city="Bristol",
            country="GB",
            latitude=51.45,
            longitude=-2.6,
            contact_phone="+441179460000",
            opening_hours="Mon-Fri 10:00-16:00\nDaily 18:00-19:30 Dinner",
        )
        for i in range(n)
        if f"bench-hsds-{i:03d}" not in have
    )


def run(stdout, scale: float = 1.0) -> None:
    started = time.perf_counter()
    n_sites = max(1, round(pantry_benchmark.FULL_SITES * scale))
    items = pantry_benchmark.bench_items(
        max(pantry_benchmark.STAPLES + 10, round(pantry_benchmark.FULL_ITEMS * scale))
    )
    sites = [
        pantry_benchmark.bench_site(f"bench-pantry-{i:02d}", f"Bench site {i:02d}")
        for i in range(n_sites)
    ]
    for i, site in enumerate(sites):
        pantry_benchmark.seed_lots(site, items, pantry_benchmark.LOTS_PER_SITE, random.Random(i))
    client = pantry_benchmark.coordinator_client()  # a coordinator

    today = timezone.localdate()
    start = today - timedelta(days=31)
    period = Period(tuple(sites), start, today, True)
    moves = StockMove.objects.filter(
        period.q_dates(site_field="lot__site", date_field="happened_on")
    ).count()
    url = reverse("network_report") + f"?start={start}&end={today}"

    _public_sites(HSDS_SITES)
    hsds = client.get("/api/hsds/services?per_page=100")
    assert hsds.status_code == 200, hsds.content
    with CaptureQueriesContext(connection) as ctx:
        sections = build_sections(period)
    with CaptureQueriesContext(connection) as page_ctx:
        assert client.get(url).status_code == 200
    out = {
        "report_sites": len(sites),
        "report_moves_in_period": moves,
        "report_sections": len(sections),
        "hsds_services_listed": hsds.json()["total_items"],
        "report_queries": len(ctx.captured_queries),
        "report_page_queries": len(page_ctx.captured_queries),
        "report_build_median_ms": _ms(lambda: build_sections(period), 5),
        "report_page_median_ms": _ms(lambda: client.get(url), 5),
        "report_pdf_median_ms": _ms(lambda: client.get(url + "&download=pdf"), 3),
        "hsds_services_page_median_ms": _ms(
            lambda: client.get("/api/hsds/services?per_page=100"), 21
        ),
        "total_seconds": f"{time.perf_counter() - started:.1f}",
    }
    for name, value in out.items():
        stdout.write(f"{name}: {value}")


def _ms(action, repeat: int) -> str:
    return f"{median_ms(action, repeat):.1f}"
