"""`manage.py benchmark network`: the board's and dashboard's cost, matching, transfers.

Runs in a scratch database made for the run (the same engine as the configured
one, created and dropped by this command), so the network's real data is never
touched. At scale 1 it seeds 50 sites and then prints `name: value` lines:

- board and dashboard query counts with 10 and with 1,000 open offers (must be equal);
- their median render time at 1,000 open offers;
- the median time to compute matches (best three offers per need) for 1,000
  open needs against 5,000 open offers, loaded once;
- transfers completed per second: claim, accept, dispatch and receive, each step
  its own transaction, one after another on one connection;
- a race: 20 sites claim one offer at once on their own connections; one wins;
- pickup runs of 12 and 50 stops routed by the solver: its time, and the
  distance against the order the stops were entered in.

Offers, needs and stock are made through the services; the match emails that
posting an offer queues are switched off while seeding (they would be 5,000 tasks).
"""

from __future__ import annotations

import logging
import random
import threading
import time as clock
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonpot.benchmarking import median_ms
from commonpot.errors import DomainError
from commonpot.models import Membership, Site
from pantry import services as pantry
from pantry.models import Item, Lot, PantrySettings, Storage
from pantry.network import services
from pantry.network.matches import best_matches
from pantry.network.models import Need, Offer, Transfer

SITES = 50
PREFIX = "bench-net-"
OFFERS_SMALL, OFFERS_BOARD, OFFERS_MATCH, NEEDS_MATCH = 10, 1000, 5000, 1000
TRANSFERS = 200
RACERS = 20
REPEATS = 7
CATEGORIES = [c for c, _ in Item.Category.choices if c != Item.Category.HYGIENE]


@contextmanager
def scratch_database(out):
    creation = connection.creation
    real_name = connection.settings_dict["NAME"]
    started = clock.perf_counter()
    # The tables made from the models as they stand, not by replaying every
    # migration: a second instead of several, and the same tables and constraints
    # (tests/commonpot/test_migrations.py holds the two equal).
    connection.settings_dict.setdefault("TEST", {})["MIGRATE"] = False
    creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    out.write(f"scratch_database_seconds: {clock.perf_counter() - started:.1f}\n")
    try:
        yield
    finally:
        connections.close_all()
        creation.destroy_test_db(real_name, verbosity=0)


class Seeder:
    """The network's sites, leads, foods and stock; a second one on the same database
    reuses what the first made (sites "bench-net-<n>", leads "bench-net-lead-<n>")."""

    def __init__(self, scale: float):
        self.rng = random.Random(7)
        self.scale = scale
        User = get_user_model()
        self.coordinator, _ = User.objects.get_or_create(
            username="bench-coordinator", defaults={"is_coordinator": True}
        )
        if not self.coordinator.is_coordinator:
            raise RuntimeError("bench-coordinator exists but is not a coordinator.")
        n_sites = max(3, round(SITES * scale))
        rng = random.Random(11)
        places = [(rng.uniform(-1.5, 1.5), rng.uniform(-2, 2)) for _ in range(n_sites)]
        have = set(Site.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
        Site.objects.bulk_create(
            [
                Site(
                    slug=f"{PREFIX}{i}",
                    name=f"Bench site {i}",
                    kind=Site.Kind.FOOD_BANK if i % 5 == 0 else Site.Kind.PANTRY,
                    latitude=Decimal(f"{51 + lat:.5f}"),
                    longitude=Decimal(f"{-2 + lng:.5f}"),
                    time_zone="Europe/London",
                )
                for i, (lat, lng) in enumerate(places)
                if f"{PREFIX}{i}" not in have
            ]
        )
        slugs = [f"{PREFIX}{i}" for i in range(n_sites)]
        self.sites = list(Site.objects.filter(slug__in=slugs).order_by("pk"))
        settled = set(
            PantrySettings.objects.filter(site__in=self.sites).values_list("site_id", flat=True)
        )
        PantrySettings.objects.bulk_create(
            PantrySettings(site=site, has_chilled_storage=True, has_frozen_storage=True)
            for site in self.sites
            if site.pk not in settled
        )
        names = {site.pk: f"{PREFIX}lead-{site.slug.removeprefix(PREFIX)}" for site in self.sites}
        have = set(
            User.objects.filter(username__in=names.values()).values_list("username", flat=True)
        )
        User.objects.bulk_create(User(username=n) for n in names.values() if n not in have)
        users = {u.username: u for u in User.objects.filter(username__in=names.values())}
        self.leads = {pk: users[name] for pk, name in names.items()}
        led = set(
            Membership.objects.filter(site__in=self.sites, role=Membership.Role.LEAD).values_list(
                "user_id", "site_id"
            )
        )
        Membership.objects.bulk_create(
            Membership(user=lead, site_id=pk, role=Membership.Role.LEAD)
            for pk, lead in self.leads.items()
            if (lead.pk, pk) not in led
        )
        self.items = [
            Item.objects.get_or_create(
                name=f"Bench food {i}",
                defaults={
                    "category": CATEGORIES[i % len(CATEGORIES)],
                    "base_unit": Item.Unit.GRAM,
                    "storage": Storage.DRY,
                },
            )[0]
            for i in range(20)
        ]
        self.lots = {
            (lot.site_id, lot.item_id): lot
            for lot in Lot.objects.filter(
                site__in=self.sites, item__in=self.items, source="Bench donor"
            )
        }

    def open_offers(self):
        return Offer.objects.open().filter(site__in=self.sites)

    def open_needs(self):
        return Need.objects.open().filter(site__in=self.sites)

    def n(self, count: int) -> int:
        return max(2, round(count * self.scale))

    def _lot(self, site, item):
        key = (site.pk, item.pk)
        if key not in self.lots:
            self.lots[key] = pantry.receive(
                site=site,
                item=item,
                quantity=Decimal(10_000_000),
                by=self.leads[site.pk],
                source="Bench donor",
                best_before=site.today() + timedelta(days=self.rng.randint(2, 10)),
            ).lot
        return self.lots[key]

    def offers(self, total: int) -> None:
        """Bring the number of open offers up to `total`."""
        have = self.open_offers().count()
        now = timezone.now()
        with mock.patch("pantry.network.services.offers.on_commit"), transaction.atomic():
            for _ in range(have, total):
                site = self.rng.choice(self.sites)
                item = self.rng.choice(self.items)
                services.post_offer(
                    site=site,
                    by=self.leads[site.pk],
                    lot=self._lot(site, item),
                    quantity=Decimal(self.rng.randint(5, 80) * 1000),
                    pickup_until=now + timedelta(days=self.rng.randint(1, 9)),
                )

    def needs(self, total: int) -> None:
        with transaction.atomic():
            for i in range(self.open_needs().count(), total):
                site = self.rng.choice(self.sites)
                kwargs = (
                    {"item": self.rng.choice(self.items)}
                    if i % 2
                    else {"category": self.rng.choice(CATEGORIES)}
                )
                services.post_need(
                    site=site,
                    by=self.leads[site.pk],
                    quantity=str(self.rng.randint(5, 60)),
                    unit="kg",
                    needed_by=site.today() + timedelta(days=self.rng.randint(0, 6)),
                    **kwargs,
                )


def _queries_and_time(client: Client, url: str) -> tuple[int, float]:
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    # Counted now: the next request empties the connection's query log.
    queries = len(ctx.captured_queries)
    return queries, median_ms(lambda: client.get(url), REPEATS)


def _measure_pages(seed: Seeder, out) -> None:
    coordinator = Client(HTTP_HOST="localhost")
    coordinator.force_login(seed.coordinator, backend="commonpot.auth.UsernameOrEmailBackend")
    lead = Client(HTTP_HOST="localhost")
    lead.force_login(seed.leads[seed.sites[0].pk], backend="commonpot.auth.UsernameOrEmailBackend")
    board, dashboard = reverse("network:board"), reverse("network:dashboard")
    counts: dict[str, dict[int, int]] = {"board": {}, "lead_board": {}, "dashboard": {}}
    for size in (OFFERS_SMALL, seed.n(OFFERS_BOARD)):
        seed.offers(size)
        for name, client, url in (
            ("board", coordinator, board),
            ("lead_board", lead, f"{board}?within=500"),
            ("dashboard", coordinator, dashboard),
        ):
            queries, ms = _queries_and_time(client, url)
            counts[name][size] = queries
            out.write(f"{name}_queries_at_{size}_open_offers: {queries}\n")
            if size != OFFERS_SMALL:
                out.write(f"{name}_median_ms_at_{size}_open_offers: {ms:.1f}\n")
    for name, by_size in counts.items():
        out.write(f"{name}_queries_equal: {'yes' if len(set(by_size.values())) == 1 else 'NO'}\n")


def _measure_matching(seed: Seeder, out) -> None:
    seed.offers(seed.n(OFFERS_MATCH))
    seed.needs(seed.n(NEEDS_MATCH))
    started = clock.perf_counter()
    offers = list(Offer.objects.open().for_cards())
    needs = list(Need.objects.open().for_cards().with_limits())
    loaded = clock.perf_counter() - started
    matching_ms = median_ms(lambda: best_matches(needs, offers, per_need=3), REPEATS)
    found = best_matches(needs, offers, per_need=3)
    out.write(f"open_offers: {len(offers)}\n")
    out.write(f"open_needs: {len(needs)}\n")
    out.write(f"matches_load_ms: {loaded * 1000:.1f}\n")
    out.write(f"matches_median_ms: {matching_ms:.1f}\n")
    out.write(f"needs_with_a_match: {sum(1 for m in found.values() if m)}\n")


def _measure_transfers(seed: Seeder, out) -> None:
    total = seed.n(TRANSFERS)
    offers = list(Offer.objects.open().select_related("site").order_by("pk")[:total])
    started = clock.perf_counter()
    done = 0
    for i, offer in enumerate(offers):
        others = [s for s in seed.sites if s.pk != offer.site_id]
        destination = others[i % len(others)]
        to_lead, from_lead = seed.leads[destination.pk], seed.leads[offer.site_id]
        t = services.claim_offer(offer_id=offer.pk, site=destination, by=to_lead)
        services.accept_transfer(transfer_id=t.pk, by=from_lead)
        services.dispatch_transfer(transfer_id=t.pk, by=from_lead)
        lines = {line.pk: line.quantity for line in t.lines.all()}
        services.receive_transfer(transfer_id=t.pk, by=to_lead, received=lines)
        done += 1
    elapsed = clock.perf_counter() - started
    received = Transfer.objects.filter(status=Transfer.Status.RECEIVED).count()
    out.write(f"transfers_completed: {received}\n")
    out.write(f"transfers_completed_per_second: {done / elapsed:.1f}\n")


def _measure_race(seed: Seeder, out) -> None:
    (offer,) = Offer.objects.open().order_by("-pk")[:1]
    racers = [s for s in seed.sites if s.pk != offer.site_id][:RACERS]
    barrier = threading.Barrier(len(racers))
    won, told = [], []

    def claim(site) -> None:
        try:
            barrier.wait()
            services.claim_offer(offer_id=offer.pk, site=site, by=seed.leads[site.pk])
            won.append(site.pk)
        except DomainError:
            told.append(site.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(s,)) for s in racers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.write(f"claim_race_sites: {len(racers)}\n")
    out.write(f"claim_race_winners: {len(won)}\n")
    out.write(f"claim_race_told_taken: {len(told)}\n")


def _measure_runs(out) -> None:
    """Route pickup runs of 12 and 50 stops (half pickups, each paired with a drop,
    on a 20 km square of town, wide windows) with the solver the app uses; print its
    time and the distance against the order the stops were entered in. Always full
    size: it needs no database and takes seconds."""
    from pantry.network import routing

    rng = random.Random(11)
    for size in (12, 50):
        depot = (51.45, -2.59)
        points = [(51.36 + rng.random() * 0.18, -2.73 + rng.random() * 0.28) for _ in range(size)]
        places = []
        for n, point in enumerate(points):
            pickup = n % 2 == 0
            places.append(
                routing.Place(
                    key=n + 1,
                    name=f"stop {n + 1}",
                    point=point,
                    opens=0,
                    closes=12 * 3600,
                    service=300,
                    loads={n + 2: routing.amounts(Decimal(40000), "dry")} if pickup else {},
                    drops_for=None if pickup else n + 1,
                )
            )
        matrix = routing.straight_line([depot, *points])
        capacity = (routing.amounts(Decimal(400000), "dry")[0], 0)
        entered = routing.evaluate(depot, places, [p.key for p in places], matrix, capacity, 10**6)
        plan = routing.solve(depot, places, matrix, capacity, 12 * 3600)
        out.write(f"run_{size}_stops_solve_seconds: {plan.solve_seconds:.2f}\n")
        out.write(f"run_{size}_stops_km: {plan.metres / 1000:.1f}\n")
        out.write(f"run_{size}_stops_entered_order_km: {entered.metres / 1000:.1f}\n")
        out.write(f"run_{size}_stops_unplaced: {len(plan.late)}\n")
        shorter = "yes" if plan.metres <= entered.metres else "no"
        out.write(f"run_{size}_stops_no_longer_than_entered: {shorter}\n")


def run(*, stdout, scale: float = 1.0) -> None:
    # A claim queues an email task; the queue's log line per task is not a figure.
    logging.getLogger("django-q").setLevel(logging.WARNING)
    stdout.write(f"database: {connection.vendor}\n")
    with scratch_database(stdout):
        started = clock.perf_counter()
        seed = Seeder(scale)
        stdout.write(f"sites: {len(seed.sites)}\n")
        _measure_pages(seed, stdout)
        _measure_matching(seed, stdout)
        stdout.write(f"seed_and_pages_seconds: {clock.perf_counter() - started:.1f}\n")
        _measure_transfers(seed, stdout)
        _measure_race(seed, stdout)
    _measure_runs(stdout)
