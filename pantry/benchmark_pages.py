"""The pantry's pages in `manage.py benchmark pages` (see commonpot.benchmark_pages).

- The lead's stock page of a site with 1,000 lots (`benchmark pantry`'s
  "bench-pantry-1000-lots"): 1,000 lots whatever the scale, since the target is
  set for that size; the catalog around it grows with the scale (2,000 items at
  scale 1).
- The donation and distribution lists of a site with 300 of each at scale 1
  ("bench-pantry-lists"), written with bulk_create as the services would have
  left them: each donation line a lot with its received move, each distribution
  line a distributed move from one of those lots, so the ledger adds up.
- The catalog (2,000 items at scale 1, 20,000 at scale 10): its first page, a
  search, `?page=999999`, and the item picker's suggestions.
- Bad input: the stock page at `?page=999999` and `?per_page=100000`.

The viewer is a lead of both sites (a Membership), not a coordinator. A second
run reuses the data; a run at a larger scale adds what is missing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commonpot.benchmark_pages import Page, bench_lead
from commonpot.models import Site
from pantry import stockfigures
from pantry.benchmark import BATCH, FULL_ITEMS, STAPLES, bench_items, bench_site, seed_lots
from pantry.models import (
    Distribution,
    DistributionLine,
    Donation,
    DonationLine,
    Donor,
    Item,
    Lot,
    StockMove,
)

STOCK_SITE = "bench-pantry-1000-lots"
STOCK_LOTS = 1000
LISTS_SITE = "bench-pantry-lists"
RECORDS = 300  # donations, and distributions, at scale 1
LINES = 2
DONORS = 12
LEAD = "bench-pantry-lead"


def seed(*, scale: float, out) -> list[Page]:
    items = bench_items(max(STAPLES + 10, round(FULL_ITEMS * scale)))
    stock_site = bench_site(STOCK_SITE, "Bench site with 1,000 lots")
    seed_lots(stock_site, items, STOCK_LOTS, random.Random(1002))
    lists_site = bench_site(LISTS_SITE, "Bench site with many donations")
    records = max(20, round(RECORDS * scale))
    added = seed_lists(lists_site, items, records, random.Random(2001))
    lead = bench_lead(LEAD, stock_site, lists_site)
    out(f"pantry_stock_site_lots: {Lot.objects.at(stock_site).in_stock().count()}")
    out(f"pantry_list_site_donations: {Donation.objects.filter(site=lists_site).count()}")
    out(f"pantry_list_site_distributions: {Distribution.objects.filter(site=lists_site).count()}")
    out(f"pantry_list_records_added_this_run: {added}")
    out(f"pantry_catalog_items: {Item.objects.count()}")
    stock = reverse("pantry:stock", args=[stock_site.slug])
    catalog = reverse("pantry:items")
    picker = reverse("pantry:item_search", args=[stock_site.slug])
    return [
        Page("pantry_stock_1000_lots", stock, lead, target_ms=5),
        Page("pantry_donations", reverse("pantry:donations", args=[lists_site.slug]), lead),
        Page("pantry_distributions", reverse("pantry:distributions", args=[lists_site.slug]), lead),
        Page(
            "pantry_stock_page_999999",
            f"{stock}?page=999999",
            lead,
        ),
        Page("pantry_stock_per_page_100000", f"{stock}?per_page=100000", lead),
        # The catalog of thousands of items: a page of it, a search, the item picker.
        Page("pantry_catalog", catalog, lead),
        Page("pantry_catalog_search", f"{catalog}?q=bench", lead),
        Page("pantry_catalog_page_999999", f"{catalog}?page=999999", lead),
        Page("pantry_item_picker", f"{picker}?q=bench", lead),
    ]


@transaction.atomic
def seed_lists(site: Site, items: list[Item], n: int, rng: random.Random) -> int:
    """Bring the site up to n donations and n distributions; returns how many were added."""
    missing = n - Donation.objects.filter(site=site).count()
    if missing <= 0:
        return 0
    donors = [
        Donor.objects.get_or_create(
            site=site, name=f"Bench donor {i:02d}", defaults={"kind": Donor.Kind.SHOP}
        )[0]
        for i in range(DONORS)
    ]
    today, now = site.today(), timezone.now()
    donations = Donation.objects.bulk_create(
        [
            Donation(
                site=site,
                donor=rng.choice(donors + [None]),
                received_on=today - timedelta(days=rng.randint(0, 365)),
            )
            for _ in range(missing)
        ],
        batch_size=BATCH,
    )
    distributions = Distribution.objects.bulk_create(
        [
            Distribution(
                site=site,
                recipient=Distribution.Recipient.HOUSEHOLDS,
                households=rng.randint(1, 40),
                given_on=today - timedelta(days=rng.randint(0, 365)),
            )
            for _ in range(missing)
        ],
        batch_size=BATCH,
    )
    # Each donation line is a lot; each distribution takes a quarter of one of them.
    lots, lines, moves, out_lines = [], [], [], []
    for i, donation in enumerate(donations):
        for _ in range(LINES):
            item = rng.choice(items)
            received = Decimal(rng.randint(10, 100) * 100)
            taken = received / 4
            lot = Lot(
                item=item,
                site=site,
                best_before=today + timedelta(days=rng.randint(5, 300)),
                storage=item.storage,
                source="Benchmark donation",
                donor=donation.donor,
                received_on=donation.received_on,
                on_hand=received - taken,
            )
            lots.append(lot)
            lines.append(
                DonationLine(
                    donation=donation,
                    item=item,
                    lot=lot,
                    quantity_entered=received,
                    unit_entered=item.base_unit,
                    quantity=received,
                    weight_g=item.weight_g(received),
                )
            )
            moves.append(
                StockMove(
                    lot=lot,
                    kind=StockMove.Kind.RECEIVED,
                    quantity=received,
                    weight_g=item.weight_g(received),
                    on_hand_after=received,
                    at=now - timedelta(days=2),
                    happened_on=donation.received_on,
                    donation=donation,
                )
            )
            distribution = distributions[i]
            moves.append(
                StockMove(
                    lot=lot,
                    kind=StockMove.Kind.DISTRIBUTED,
                    quantity=-taken,
                    weight_g=item.weight_g(-taken),
                    on_hand_after=received - taken,
                    at=now - timedelta(days=1),
                    happened_on=distribution.given_on,
                    distribution=distribution,
                )
            )
            out_lines.append(
                DistributionLine(
                    distribution=distribution,
                    item=item,
                    quantity_entered=taken,
                    unit_entered=item.base_unit,
                    quantity=taken,
                )
            )
    Lot.objects.bulk_create(lots, batch_size=BATCH)
    # Loaded in bulk, past the ledger: their sites' stock figures are made from them.
    stockfigures.rebuild({lot.site_id for lot in lots})
    for line in lines:
        line.lot_id = line.lot.pk
    for move in moves:
        move.lot_id = move.lot.pk
    DonationLine.objects.bulk_create(lines, batch_size=BATCH)
    StockMove.objects.bulk_create(moves, batch_size=BATCH)
    DistributionLine.objects.bulk_create(out_lines, batch_size=BATCH)
    return missing
