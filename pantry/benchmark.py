"""`manage.py benchmark pantry`: seed a large network's stock, then time what people do.

At full scale: 50 sites, 2,000 items, 200,000 lots and 1,000,000 moves, written
with bulk_create in batches (a site at a time, so an interrupted seed resumes
where it stopped). A second run reuses what is there. `--scale 0.05` seeds a
fraction for a quick look. Prints `name: value` lines.

The data is marked by its names (sites "bench-pantry-...", items "Bench item
..."), so it sits beside real data without being confused with it; run it on a
database you can spare.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonpot.benchmarking import median_ms
from commonpot.models import Site, User
from pantry import services
from pantry.models import Item, Lot, PantrySettings, StockMove
from pantry.services import donations

FULL_SITES = 50
FULL_ITEMS = 2000
LOTS_PER_SITE = 4000
MOVES_PER_LOT = 5
STAPLES = 20  # a quarter of each site's lots are of these: realistic first-expiring-first work
BATCH = 5000


def run(stdout, scale: float = 1.0) -> None:
    started = time.perf_counter()
    n_sites = max(1, round(FULL_SITES * scale))
    n_items = max(STAPLES + 10, round(FULL_ITEMS * scale))
    items = bench_items(n_items)
    sites = [bench_site(f"bench-pantry-{i:02d}", f"Bench site {i:02d}") for i in range(n_sites)]
    seeded = 0
    for i, site in enumerate(sites):
        seeded += seed_lots(site, items, LOTS_PER_SITE, random.Random(i))
    small = bench_site("bench-pantry-10-lots", "Bench site with 10 lots")
    large = bench_site("bench-pantry-1000-lots", "Bench site with 1,000 lots")
    seed_lots(small, items, 10, random.Random(1001))
    seed_lots(large, items, 1000, random.Random(1002))

    bench_lots = Lot.objects.filter(site__slug__startswith="bench-pantry-")
    out = {
        "sites": len(sites),
        "items": len(items),
        "lots": bench_lots.count(),
        "moves": StockMove.objects.filter(lot__site__slug__startswith="bench-pantry-").count(),
        "seed_seconds": f"{time.perf_counter() - started:.1f}",
        "seeded_sites_this_run": seeded,
    }
    client = coordinator_client()
    out["stock_page_queries_10_lots"] = _queries(client, small)
    out["stock_page_queries_1000_lots"] = _queries(client, large)
    out["stock_page_queries_equal"] = (
        "yes" if out["stock_page_queries_10_lots"] == out["stock_page_queries_1000_lots"] else "NO"
    )
    busy = sites[0]
    out["stock_page_lots_on_timed_site"] = Lot.objects.at(busy).in_stock().count()
    out["stock_page_median_ms"] = _ms(lambda: _get(client, busy), 21)
    out["stock_page_filtered_median_ms"] = _ms(
        lambda: _get(client, busy, {"expiring_within": "7", "free_from": "milk"}), 21
    )
    out["lot_page_median_ms"] = _ms(
        lambda: client.get(Lot.objects.at(busy).first().get_absolute_url()), 21
    )
    out["fefo_take_lots_of_item"] = Lot.objects.at(busy).of(items[0]).count()
    out["fefo_take_median_ms"] = _ms(lambda: _take(busy, items[0]), 51)
    out["donations_per_second"] = _donations_per_second(busy, items, 100)
    out["total_seconds"] = f"{time.perf_counter() - started:.1f}"
    for name, value in out.items():
        stdout.write(f"{name}: {value}")


# --- Seeding ------------------------------------------------------------------------


def bench_items(n: int) -> list[Item]:
    existing = {i.name: i for i in Item.objects.filter(name__startswith="Bench item ")}
    rng = random.Random(0)
    new = []
    for i in range(n):
        name = f"Bench item {i:04d}"
        if name in existing:
            continue
        kind = rng.random()
        item = Item(
            name=name,
            category=rng.choice(Item.Category.values),
            base_unit="g" if kind < 0.8 else ("piece" if kind < 0.9 else "ml"),
            storage=rng.choice(["dry", "dry", "chilled", "frozen"]),
            allergen_mask=rng.choice([0, 0, 0, 1, 2, 256, 512]),
        )
        if item.base_unit == "piece":
            item.piece_name, item.weight_per_piece_g = "can", Decimal(400)
        new.append(item)
    Item.objects.bulk_create(new, batch_size=BATCH)
    return list(Item.objects.filter(name__startswith="Bench item ").order_by("name")[:n])


def bench_site(slug: str, name: str) -> Site:
    site, _ = Site.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "kind": Site.Kind.FOOD_BANK,
            "is_public": False,
        },
    )
    PantrySettings.objects.get_or_create(
        site=site, defaults={"has_chilled_storage": True, "has_frozen_storage": True}
    )
    return site


@transaction.atomic
def seed_lots(site: Site, items: list[Item], n_lots: int, rng: random.Random) -> int:
    """Give a site n_lots lots of MOVES_PER_LOT moves each, unless it has them already."""
    held = Lot.objects.filter(site=site).count()
    if held >= n_lots:
        return 0
    if held:
        raise RuntimeError(
            f"{site.slug} holds some benchmark lots but not all: it was changed by hand. "
            "Use a fresh database for the benchmark."
        )
    today = site.today()
    now = timezone.now()
    staples, others = items[:STAPLES], items[STAPLES:]
    lots = []
    for _ in range(n_lots):
        item = rng.choice(staples) if rng.random() < 0.25 else rng.choice(others)
        lots.append(
            Lot(
                item=item,
                site=site,
                best_before=today + timedelta(days=rng.randint(-10, 300)),
                storage=item.storage,
                source="Benchmark intake",
                received_on=today - timedelta(days=rng.randint(1, 60)),
            )
        )
    moves = []
    for lot in lots:
        received = Decimal(rng.randint(20, 200) * 100)
        steps = [
            ("received", received),
            ("distributed", -received / 10),
            ("cooked", -received / 5),
            ("counted", Decimal(rng.choice([-50, -30, -10, 10, 20, 40]))),
            ("distributed", -received / 4),
        ][:MOVES_PER_LOT]
        balance = Decimal(0)
        for n, (kind, quantity) in enumerate(steps):
            balance += quantity
            at = now - timedelta(days=30 - n, minutes=rng.randint(0, 600))
            moves.append(
                (
                    lot,
                    StockMove(
                        kind=kind,
                        quantity=quantity,
                        weight_g=lot.item.weight_g(quantity),
                        on_hand_after=balance,
                        at=at,
                        happened_on=site.local(at).date(),
                    ),
                )
            )
        lot.on_hand = balance
    Lot.objects.bulk_create(lots, batch_size=BATCH)
    for lot, move in moves:
        move.lot_id = lot.pk
    StockMove.objects.bulk_create([m for _, m in moves], batch_size=BATCH)
    return 1


# --- Measuring -----------------------------------------------------------------------


def coordinator_client() -> Client:
    user, _ = User.objects.get_or_create(
        username="bench-coordinator",
        defaults={"display_name": "Benchmark", "is_coordinator": True},
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="commonpot.auth.UsernameOrEmailBackend")
    return client


def _get(client: Client, site: Site, params: dict | None = None):
    response = client.get(reverse("pantry:stock", args=[site.slug]), params or {})
    if response.status_code != 200:
        raise RuntimeError(f"The stock page answered {response.status_code}.")
    return response


def _queries(client: Client, site: Site) -> int:
    _get(client, site)  # warm caches that are not per request
    with CaptureQueriesContext(connection) as ctx:
        _get(client, site)
    return len(ctx.captured_queries)


def _take(site: Site, item: Item) -> None:
    services.take_stock(site=site, item=item, quantity=Decimal(1), kind="distributed", by=None)


def _donations_per_second(site: Site, items: list[Item], n: int) -> str:
    lines = [
        donations.LineInput(item, "2", "kg" if item.base_unit == "g" else _unit(item))
        for item in items[:5]
    ]
    start = time.perf_counter()
    for _ in range(n):
        donations.receive_donation(
            site=site, donor=None, received_on=site.today(), lines=lines, by=None
        )
    return f"{n / (time.perf_counter() - start):.1f}"


def _unit(item: Item) -> str:
    return "cans" if item.base_unit == "piece" else "L"


def _ms(action, repeat: int) -> str:
    return f"{median_ms(action, repeat):.1f}"
