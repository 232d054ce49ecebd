"""`manage.py benchmark shifts`: the board's cost and the claim path under load.

Seeds (or reuses) 50 sites, 5,000 volunteers and 20,000 shifts (times `scale`),
then prints `name: value` lines:

- the board's query count with 10 and with 500 shifts in range (must be equal);
- the board's median render time over repeated requests;
- claims per second with 50 volunteers claiming one 10-place shift at once, each
  on its own thread and database connection, and how many were confirmed (must
  be 10).
"""

from __future__ import annotations

import re
import threading
import time as clock
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonpot.benchmarking import median_ms
from commonpot.errors import DomainError
from commonpot.models import Site
from volunteers import services
from volunteers.models import Shift, ShiftRole, SignUp

PREFIX = "bench-"
SITES, VOLUNTEERS, SHIFTS = 50, 5000, 20000
BOARD_SITE = f"{PREFIX}board"
BOARD_SHIFTS, BOARD_DAYS = 500, 50  # ten a day, for 50 days
CLAIMERS, PLACES = 50, 10
RENDERS = 15
BATCH = 2000


def _seed(scale: float, out) -> None:
    User = get_user_model()
    n_sites = max(2, round(SITES * scale))
    n_volunteers = max(CLAIMERS, round(VOLUNTEERS * scale))
    n_shifts = max(n_sites, round(SHIFTS * scale))

    have = Site.objects.filter(slug__startswith=f"{PREFIX}site-").count()
    Site.objects.bulk_create(
        [
            Site(
                slug=f"{PREFIX}site-{i}",
                name=f"Benchmark kitchen {i}",
                kind=Site.Kind.COMMUNITY_KITCHEN,
                city="Benchtown",
                time_zone=("Europe/London", "America/New_York", "Europe/Berlin")[i % 3],
            )
            for i in range(have, n_sites)
        ]
    )
    board_site, _ = Site.objects.get_or_create(
        slug=BOARD_SITE,
        defaults={
            "name": "Benchmark board kitchen",
            "kind": Site.Kind.COMMUNITY_KITCHEN,
            "time_zone": "Europe/London",
        },
    )
    sites = list(Site.objects.filter(slug__startswith=f"{PREFIX}site-").order_by("pk")[:n_sites])
    for site in [*sites, board_site]:
        ShiftRole.objects.get_or_create(site=site, name="Cook")
        ShiftRole.objects.get_or_create(site=site, name="Server")
    roles = {
        r.site_id: r for r in ShiftRole.objects.filter(site__slug__startswith=PREFIX, name="Cook")
    }

    have = User.objects.filter(username__startswith=f"{PREFIX}volunteer-").count()
    User.objects.bulk_create(
        [
            User(
                username=f"{PREFIX}volunteer-{i}",
                display_name=f"Bench Volunteer{i}",
                email=f"{PREFIX}volunteer-{i}@example.org",
                password="!",
            )
            for i in range(have, n_volunteers)
        ],
        batch_size=BATCH,
    )

    now = timezone.now()
    have = Shift.objects.filter(site__in=sites).count()
    if have < n_shifts:
        new = []
        for i in range(have, n_shifts):
            site = sites[i % len(sites)]
            day = (now + timedelta(days=1 + (i // len(sites)) % 60)).date()
            start = datetime.combine(day, time(8 + (i % 10)), tzinfo=site.tz)
            new.append(
                Shift(
                    site=site,
                    role=roles[site.pk],
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    min_people=2,
                    max_people=6,
                )
            )
        Shift.objects.bulk_create(new, batch_size=BATCH)

    board = Shift.objects.filter(site=board_site, notes="bench board")
    if board.filter(starts_at__gt=now).count() < BOARD_SHIFTS:
        board.delete()
        volunteers = list(
            User.objects.filter(username__startswith=f"{PREFIX}volunteer-").order_by("pk")[:20]
        )
        shifts = []
        for i in range(BOARD_SHIFTS):
            day = board_site.today() + timedelta(days=1 + i // 10)
            start = datetime.combine(day, time(7 + i % 10), tzinfo=board_site.tz)
            shifts.append(
                Shift(
                    site=board_site,
                    role=roles[board_site.pk],
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    min_people=2,
                    max_people=4,
                    places_taken=2,
                    notes="bench board",
                )
            )
        shifts = Shift.objects.bulk_create(shifts, batch_size=BATCH)
        SignUp.objects.bulk_create(
            [
                SignUp(
                    shift=s,
                    volunteer=volunteers[(i * 2 + k) % len(volunteers)],
                    status=SignUp.Status.CONFIRMED,
                    confirmed_at=now,
                )
                for i, s in enumerate(shifts)
                for k in range(2)
            ],
            batch_size=BATCH,
        )
    network = Site.objects.filter(slug__startswith=f"{PREFIX}site-")
    out.write(f"sites: {network.count()}\n")
    out.write(f"volunteers: {User.objects.filter(username__startswith=PREFIX).count()}\n")
    out.write(f"shifts: {Shift.objects.filter(site__in=network).count()}\n")
    out.write(f"board_site_shifts: {Shift.objects.filter(site=board_site).count()}\n")


def _board_url(days: int) -> str:
    site = Site.objects.get(slug=BOARD_SITE)
    first = site.today() + timedelta(days=1)
    last = first + timedelta(days=days - 1)
    return f"{reverse('volunteers_board')}?site={BOARD_SITE}&start={first}&end={last}"


def _measure_board(out) -> None:
    viewer = get_user_model().objects.get(username=f"{PREFIX}volunteer-0")
    client = Client(HTTP_HOST="localhost")
    client.force_login(viewer, backend="commonpot.auth.UsernameOrEmailBackend")
    counts = {}
    for label, days in (("10", 1), ("500", BOARD_DAYS)):
        url = _board_url(days)
        client.get(url)  # warm up
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        counts[label] = len(ctx.captured_queries)
        found = re.search(r"(\d+) shifts? found", response.content.decode()).group(1)
        out.write(f"board_shifts_in_range_{label}: {found}\n")
        out.write(f"board_queries_at_{label}_shifts: {counts[label]}\n")
    out.write(f"board_queries_equal: {'yes' if counts['10'] == counts['500'] else 'NO'}\n")
    url = _board_url(BOARD_DAYS)
    out.write(f"board_median_render_ms: {median_ms(lambda: client.get(url), RENDERS):.1f}\n")


def _measure_claims(out) -> None:
    User = get_user_model()
    # Its own site, so the board figures never count this shift.
    site, _ = Site.objects.get_or_create(
        slug=f"{PREFIX}claims",
        defaults={"name": "Benchmark claims kitchen", "kind": Site.Kind.COMMUNITY_KITCHEN},
    )
    ShiftRole.objects.get_or_create(site=site, name="Server")
    # Earlier runs' claim shifts go (their sign-ups would overlap this one).
    Shift.objects.filter(notes="bench claims").delete()
    start = timezone.now() + timedelta(days=2)
    shift = Shift.objects.create(
        site=site,
        role=ShiftRole.objects.get(site=site, name="Server"),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        min_people=1,
        max_people=PLACES,
        notes="bench claims",
    )
    claimers = list(
        User.objects.filter(username__startswith=f"{PREFIX}volunteer-").order_by("-pk")[:CLAIMERS]
    )
    barrier = threading.Barrier(len(claimers))
    errors: list[str] = []

    def claim(person) -> None:
        try:
            barrier.wait()
            services.claim_shift(shift_id=shift.pk, volunteer=person)
        except DomainError as e:  # pragma: no cover - reported below
            errors.append(e.message)
        except Exception as e:  # noqa: BLE001 - a benchmark reports every failure
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(p,)) for p in claimers]
    started = clock.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = clock.perf_counter() - started
    close_old_connections()
    shift.refresh_from_db()
    confirmed = shift.sign_ups.confirmed().count()
    waitlisted = shift.sign_ups.waitlisted().count()
    out.write(f"claimers: {len(claimers)}\n")
    out.write(f"claims_per_second: {len(claimers) / elapsed:.1f}\n")
    out.write(f"confirmed_on_10_place_shift: {confirmed}\n")
    out.write(f"waitlisted_on_10_place_shift: {waitlisted}\n")
    out.write(f"places_taken_on_10_place_shift: {shift.places_taken}\n")
    out.write(f"claim_errors: {len(errors)}\n")
    for message in sorted(set(errors))[:5]:
        out.write(f"claim_error_example: {message}\n")


def run(*, stdout, scale: float = 1.0) -> None:
    stdout.write(f"database: {connection.vendor}\n")
    Shift.objects.filter(notes="bench claims").delete()
    started = clock.perf_counter()
    _seed(scale, stdout)
    stdout.write(f"seed_seconds: {clock.perf_counter() - started:.1f}\n")
    _measure_board(stdout)
    _measure_claims(stdout)
