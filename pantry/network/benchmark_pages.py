"""The network's pages in `manage.py benchmark pages` (see commonpot.benchmark_pages).

The data is `benchmark network`'s, made by its Seeder on the benchmark database
itself (sites "bench-net-<n>"): at scale 1, 50 sites, 1,000 open offers, 300 open
needs and 20 transfers in flight. A second run reuses them and tops up what has
closed since. The board is measured as the lead of one site (distances from
their site, 30 cards a page), the dashboard as a coordinator.
"""

from __future__ import annotations

from django.urls import reverse

from commonpot.benchmark_pages import Page
from pantry.network import services
from pantry.network.benchmark import OFFERS_BOARD, Seeder
from pantry.network.models import Transfer

NEEDS = 300
IN_FLIGHT = 20


def seed(*, scale: float, out) -> list[Page]:
    seeder = Seeder(scale)
    seeder.offers(seeder.n(OFFERS_BOARD))
    seeder.needs(seeder.n(NEEDS))
    _in_flight(seeder, seeder.n(IN_FLIGHT))
    seeder.offers(seeder.n(OFFERS_BOARD))  # again: claims took some
    out(f"network_sites: {len(seeder.sites)}")
    out(f"network_open_offers: {seeder.open_offers().count()}")
    out(f"network_open_needs: {seeder.open_needs().count()}")
    lead = seeder.leads[seeder.sites[0].pk]
    board, dashboard = reverse("network:board"), reverse("network:dashboard")
    return [
        Page("network_board", board, lead, target_ms=8),
        Page("network_board_needs", f"{board}?show=needs", lead, target_ms=8),
        Page("network_dashboard", dashboard, seeder.coordinator, target_ms=8),
        Page("network_board_page_999999", f"{board}?page=999999", lead),
        Page(
            "network_board_expiring_50_years",
            f"{board}?expiring={365 * 50}",
            lead,
            expect=(200, 400),
        ),
    ]


def _in_flight(seeder: Seeder, total: int) -> None:
    """Claim offers (each a proposed transfer) until `total` are in flight."""
    moving = Transfer.objects.in_flight().filter(source__in=seeder.sites)
    have = moving.count()
    offers = list(seeder.open_offers().order_by("pk")[: max(total - have, 0)])
    for i, offer in enumerate(offers):
        others = [s for s in seeder.sites if s.pk != offer.site_id]
        destination = others[i % len(others)]
        services.claim_offer(offer_id=offer.pk, site=destination, by=seeder.leads[destination.pk])
