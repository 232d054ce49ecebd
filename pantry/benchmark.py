"""`manage.py benchmark pantry`: seed a large network's stock, then time what people do.

At full scale: 50 sites, 2,000 items, 200,000 lots and 1,000,000 moves, written
with bulk_create in batches (a site at a time, so an interrupted seed resumes
where it stopped). A second run reuses what is there. `--scale 0.05` seeds a
fraction for a quick look. Prints `name: value` lines.

It also times a recall's trace (pantry.trace.trace, forward and back) of one lot
in the middle of a realistic chain, made through the services on two sites of
its own: donated at one, sent by transfer to the other, part given out there and
part cooked into a meal (through the kitchen's step, when it is installed) whose
leftovers are given out too. Its query count is read once before the big ledger
is seeded and once after: it must not change.

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
from commonpot.registry import registry
from pantry import services, stockfigures
from pantry.models import Donor, Item, Lot, PantrySettings, StockMove
from pantry.network import services as network
from pantry.network.models import TransferLine
from pantry.services import donations
from pantry.services.distributions import OutLine, distribute
from pantry.trace import trace

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
    coordinator = bench_coordinator()
    chain = trace_chain(items, coordinator)
    before = _trace_queries(chain)
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
    after = _trace_queries(chain)
    found = trace([chain])
    out["trace_sites"] = len(
        {lot.site_id for lot in [*found.lots.values(), *found.sources.values()]}
    )
    out["trace_lots"] = len(found.lots) + len(found.sources)
    out["trace_uses"] = len(found.uses)
    out["trace_households"] = found.households
    out["trace_ledger_moves_before_seeding"] = before[0]
    out["trace_queries_before_seeding"] = before[1]
    out["trace_ledger_moves"] = after[0]
    out["trace_queries"] = after[1]
    out["trace_queries_equal"] = "yes" if before[1] == after[1] else "NO"
    out["trace_median_ms"] = _ms(lambda: trace([Lot.objects.get(pk=chain.pk)]), 21)
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
    # Loaded in bulk, past the ledger: their sites' stock figures are made from them.
    stockfigures.rebuild({lot.site_id for lot in lots})
    for lot, move in moves:
        move.lot_id = lot.pk
    StockMove.objects.bulk_create([m for _, m in moves], batch_size=BATCH)
    return 1


# --- Measuring -----------------------------------------------------------------------


def bench_coordinator() -> User:
    user, _ = User.objects.get_or_create(
        username="bench-coordinator",
        defaults={"display_name": "Benchmark", "is_coordinator": True},
    )
    return user


def coordinator_client() -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(bench_coordinator(), backend="commonpot.auth.UsernameOrEmailBackend")
    return client


# --- A recall's trace ------------------------------------------------------------------

TRACE_FROM = ("bench-pantry-trace-from", "Bench trace: the food bank")
TRACE_TO = ("bench-pantry-trace-to", "Bench trace: the kitchen")


def trace_chain(items: list[Item], by: User) -> Lot:
    """The lot that arrived at the kitchen by transfer: the middle of its food's journey.

    Made once (a second run finds it): 20 kg donated at the food bank, 10 kg sent
    to the kitchen; there 2 kg given out to 5 households and 5 kg cooked into a
    meal for 50 with 20 portions kept, 10 of which are given out to 10 households.
    """
    source = bench_site(*TRACE_FROM)
    kitchen = bench_site(*TRACE_TO)
    made = TransferLine.objects.filter(transfer__destination=kitchen).first()
    if made is not None and made.received_lot is not None:
        return made.received_lot
    item = next(i for i in items if i.base_unit == "g" and i.storage == "dry")
    today = source.today()
    donor = Donor.objects.filter(site=source, name="Bench trace grocer").first()
    donor = donor or donations.add_donor(site=source, name="Bench trace grocer", kind="shop")
    donations.receive_donation(
        site=source,
        donor=donor,
        received_on=today,
        lines=[donations.LineInput(item, "20", "kg", today + timedelta(days=200))],
        by=by,
    )
    transfer = network.propose_transfer(
        source=source, destination=kitchen, item=item, quantity=Decimal(10_000), by=by
    )
    network.accept_transfer(transfer_id=transfer.pk, by=by)
    network.dispatch_transfer(transfer_id=transfer.pk, by=by)
    network.receive_transfer(
        transfer_id=transfer.pk,
        by=by,
        received={line.pk: line.quantity for line in transfer.lines.all()},
    )
    arrived = TransferLine.objects.get(transfer=transfer).received_lot
    given = {"site": kitchen, "recipient": "households", "given_on": today, "by": by}
    distribute(**given, lines=[OutLine(item, "2", "kg", lot=arrived)], households=5)
    cook = registry.benchmark_steps.get("cook_leftovers")
    if cook is not None:
        kept = cook(lot=arrived, quantity=Decimal(5000), servings=50, leftovers=20, by=by)
        portion = kept.item.piece_name or "piece"
        distribute(**given, lines=[OutLine(kept.item, "10", portion, lot=kept)], households=10)
    return arrived


def _trace_queries(lot: Lot) -> tuple[int, int]:
    """(moves in the whole ledger, queries of one full trace of `lot`)."""
    with CaptureQueriesContext(connection) as ctx:
        trace([Lot.objects.get(pk=lot.pk)])
    return StockMove.objects.count(), len(ctx.captured_queries)


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
