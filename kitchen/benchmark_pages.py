"""The kitchen's pages in `manage.py benchmark pages` (see commonpot.benchmark_pages).

A lead's meals week at one kitchen with a full week planned: three meals a day,
each of two recipes (one of them the 20-ingredient stew), against the site's own
stock of LOTS_PER_SITE lots at scale 1 (the pantry benchmark's site), so the
stock column checks every ingredient against thousands of lots. Each scale has
its own site ("bench-kitchen-week-<lots>"), so a second run at any scale reuses
what the first made; the week is planned again only when it has moved on.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.urls import reverse

from commonpot.benchmark_pages import Page, bench_lead
from kitchen.benchmark import bench_recipe, plan_bench_week
from kitchen.models import MealService

MEALS = 21  # three a day


def seed(*, scale: float, out) -> list[Page]:
    # The pantry's seeder, imported here as kitchen.benchmark does.
    from pantry import benchmark as pantry_bench

    n_lots = max(200, round(pantry_bench.LOTS_PER_SITE * scale))
    items = pantry_bench.bench_items(
        max(pantry_bench.STAPLES + 10, round(pantry_bench.FULL_ITEMS * scale))
    )
    site = pantry_bench.bench_site(
        f"bench-kitchen-week-{n_lots}", f"Benchmark kitchen, {n_lots} lots"
    )
    pantry_bench.seed_lots(site, items, n_lots, random.Random(n_lots))
    lead = bench_lead("bench-kitchen-lead", site)
    staples = items[: pantry_bench.STAPLES]
    recipes = [
        bench_recipe(site, "Bench stew (20 ingredients)", staples),
        bench_recipe(site, "Bench soup", staples[:5]),
        bench_recipe(site, "Bench salad", staples[5:9]),
    ]
    today = site.today()
    monday = today + timedelta(days=7 - today.weekday())
    plan_bench_week(site, monday, MEALS, recipes, lead)
    week_meals = MealService.objects.at(site).between(monday, monday + timedelta(days=6))
    out(f"meals_week_meals: {week_meals.count()}")
    out(f"meals_week_site_lots: {n_lots}")
    week = reverse("kitchen:week", args=[site.slug])
    far = monday + timedelta(days=365 * 50)
    return [
        Page("meals_week", f"{week}?week={monday.isoformat()}", lead, target_ms=8),
        Page("meals_week_50_years", f"{week}?week={far.isoformat()}", lead, expect=(200, 400, 404)),
    ]
