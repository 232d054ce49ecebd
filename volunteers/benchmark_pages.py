"""The volunteers' pages in `manage.py benchmark pages` (see commonpot.benchmark_pages).

The data is `benchmark shifts`'s: 50 sites, 5,000 volunteers and 20,000 shifts at
scale 1 (about seven shifts a site-day), and a board site with 500 shifts over 50
days, two volunteers on each.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.urls import reverse

from commonpot.benchmark_pages import Page, bench_lead
from commonpot.models import Site, User
from pantry import services as pantry
from pantry.models import Item
from volunteers import benchmark
from volunteers.models import Shift, ShiftRole, SignUp


def seed(*, scale: float, out) -> list[Page]:
    benchmark.seed_shifts(scale, out)
    board_site = Site.objects.get(slug=benchmark.BOARD_SITE)
    day_site = Site.objects.filter(slug__startswith=f"{benchmark.PREFIX}site-").order_by("pk")[0]
    volunteer = User.objects.get(username=f"{benchmark.PREFIX}volunteer-0")
    day_of_500 = _day_of_500(volunteer)
    lead = bench_lead(f"{benchmark.PREFIX}lead", board_site, day_of_500)
    board = reverse("volunteers:board")
    day = day_site.today() + timedelta(days=1)
    first = board_site.today() + timedelta(days=1)
    last = first + timedelta(days=benchmark.BOARD_DAYS - 1)
    full = f"{board}?site={board_site.slug}&start={first}&end={last}"
    shift = Shift.objects.filter(site=board_site, starts_at__date__gte=first).order_by("pk")[0]
    start = datetime.combine(day, time.min, tzinfo=day_site.tz)
    on_the_day = Shift.objects.at(day_site).between(start, start + timedelta(days=1))
    out(f"board_site_day_shifts: {on_the_day.count()}")
    return [
        Page(
            "board_site_day",
            f"{board}?site={day_site.slug}&start={day}&end={day}",
            volunteer,
            target_ms=3,
        ),
        # The same page while food comes in and goes out at its site before each
        # request: still kept (its queries are the kept page's), as it shows no
        # stock. No target: the writes run in this process just before each request,
        # and any work there (even none but a garbage collection) leaves the next
        # request some tenths of a millisecond to a millisecond slower.
        Page(
            "board_site_day_while_food_moves",
            f"{board}?site={day_site.slug}&start={day}&end={day}",
            volunteer,
            between=_food_moving(day_site, lead),
        ),
        Page("board_500_shifts", full, volunteer, target_ms=6),
        Page("my_shifts", reverse("volunteers:my_shifts"), volunteer, target_ms=8),
        Page(
            "roster",
            reverse("volunteers:roster", args=[board_site.slug, shift.pk]),
            lead,
            target_ms=8,
        ),
        Page("lead_home", reverse("home"), lead, target_ms=8),
        Page(
            "lead_day_500_shifts",
            reverse("volunteers:day", args=[day_of_500.slug, _tomorrow(day_of_500)]),
            lead,
            target_ms=60,
        ),
        Page("board_page_999999", f"{full}&page=999999", volunteer),
        Page("board_per_page_100000", f"{full}&per_page=100000", volunteer),
        Page(
            "board_50_years",
            f"{board}?start={first}&end={first + timedelta(days=365 * 50)}",
            volunteer,
            expect=(200, 400),
        ),
    ]


DAY_SITE, DAY_SHIFTS = f"{benchmark.PREFIX}day-of-500", 500


def _tomorrow(site: Site) -> str:
    return (site.today() + timedelta(days=1)).isoformat()


def _day_of_500(volunteer: User) -> Site:
    """An event's day: 500 shifts tomorrow at one site, two people on each."""
    site, _ = Site.objects.get_or_create(
        slug=DAY_SITE, defaults={"name": "Benchmark event kitchen", "kind": Site.Kind.CAMP_KITCHEN}
    )
    role, _ = ShiftRole.objects.get_or_create(site=site, name="Steward")
    day = site.today() + timedelta(days=1)
    start = datetime.combine(day, time(6), tzinfo=site.tz)
    on_the_day = Shift.objects.at(site).between(
        start - timedelta(hours=6), start + timedelta(hours=18)
    )
    if on_the_day.count() >= DAY_SHIFTS:
        return site
    Shift.objects.filter(site=site).delete()
    people = list(User.objects.filter(username__startswith=f"{benchmark.PREFIX}volunteer-")[:40])
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                site=site,
                role=role,
                starts_at=start + timedelta(minutes=2 * i),
                ends_at=start + timedelta(minutes=2 * i, hours=1),
                min_people=2,
                max_people=4,
                places_taken=2,
            )
            for i in range(DAY_SHIFTS)
        ]
    )
    SignUp.objects.bulk_create(
        [
            SignUp(shift=shift, volunteer=people[(2 * i + k) % len(people)], status="confirmed")
            for i, shift in enumerate(shifts)
            for k in range(2)
        ]
    )
    return site


def _food_moving(site: Site, lead: User):
    """Ten kilograms of rice received at `site` and given out again: two writes to
    its stock, none to its shifts."""
    rice, _ = Item.objects.get_or_create(
        name=f"{benchmark.PREFIX}rice", defaults={"category": "grains_bread", "base_unit": "g"}
    )
    ten_kg = Decimal(10000)

    def move() -> None:
        pantry.receive(site=site, item=rice, quantity=ten_kg, by=lead, source="Market")
        pantry.take_stock(site=site, item=rice, quantity=ten_kg, kind="distributed", by=lead)

    return move
