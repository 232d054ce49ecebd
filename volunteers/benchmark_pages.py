"""The volunteers' pages in `manage.py benchmark pages` (see commonpot.benchmark_pages).

The data is `benchmark shifts`'s: 50 sites, 5,000 volunteers and 20,000 shifts at
scale 1 (about seven shifts a site-day), and a board site with 500 shifts over 50
days, two volunteers on each.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.urls import reverse

from commonpot.benchmark_pages import Page, bench_lead
from commonpot.models import Site, User
from volunteers import benchmark
from volunteers.models import Shift


def seed(*, scale: float, out) -> list[Page]:
    benchmark.seed_shifts(scale, out)
    board_site = Site.objects.get(slug=benchmark.BOARD_SITE)
    day_site = Site.objects.filter(slug__startswith=f"{benchmark.PREFIX}site-").order_by("pk")[0]
    volunteer = User.objects.get(username=f"{benchmark.PREFIX}volunteer-0")
    lead = bench_lead(f"{benchmark.PREFIX}lead", board_site)
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
        Page("board_500_shifts", full, volunteer, target_ms=6),
        Page("my_shifts", reverse("volunteers:my_shifts"), volunteer, target_ms=8),
        Page(
            "roster",
            reverse("volunteers:roster", args=[board_site.slug, shift.pk]),
            lead,
            target_ms=8,
        ),
        Page("lead_home", reverse("home"), lead, target_ms=8),
        Page("board_page_999999", f"{full}&page=999999", volunteer),
        Page("board_per_page_100000", f"{full}&per_page=100000", volunteer),
        Page(
            "board_50_years",
            f"{board}?start={first}&end={first + timedelta(days=365 * 50)}",
            volunteer,
            expect=(200, 400),
        ),
    ]
