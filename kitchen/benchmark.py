"""`manage.py benchmark kitchen`: the week view's cost and cooking against a big pantry.

Reuses the pantry benchmark's network (50 sites, 2,000 items, 200,000 lots at
full scale; sites "bench-pantry-..."), seeding what is missing with its own
resumable seeder, then on its first site:

- plans a week with 5 meals and a week with 50 and counts the week view's
  queries for each (they must be equal), with the median render time;
- cooks a 20-ingredient meal (the pantry's 20 staples, each in dozens of lots
  there) again and again and prints the median time of `cook_meal`.

Prints `name: value` lines. `--scale 0.05` seeds a fraction of the pantry.
Run it on a database you can spare.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonpot.benchmarking import median_ms
from commonpot.models import Site, User
from kitchen import cooking, cooling, services
from kitchen.models import MealService, Recipe, RecipeIngredient
from pantry.models import Item, Lot

COOKS = 15
RENDERS = 15
WEEKS = {"5": 5, "50": 50}


def _pantry(scale: float) -> tuple[list[Site], list[Item]]:
    # The pantry's own seeder (imported here, not at module level: a change there
    # must not stop the project from starting).
    from pantry import benchmark as pantry_bench

    n_sites = max(1, round(pantry_bench.FULL_SITES * scale))
    n_items = max(pantry_bench.STAPLES + 10, round(pantry_bench.FULL_ITEMS * scale))
    items = pantry_bench.bench_items(n_items)
    sites = [
        pantry_bench.bench_site(f"bench-pantry-{i:02d}", f"Bench site {i:02d}")
        for i in range(n_sites)
    ]
    for i, site in enumerate(sites):
        pantry_bench.seed_lots(site, items, pantry_bench.LOTS_PER_SITE, random.Random(i))
    return sites, items[: pantry_bench.STAPLES]


def _unit(item: Item) -> str:
    return {"g": "g", "ml": "ml"}.get(item.base_unit, item.piece_name)


def bench_recipe(site: Site, name: str, items: list[Item]) -> Recipe:
    recipe = Recipe.objects.filter(site=site, name=name).first()
    if recipe is not None:
        return recipe
    recipe = Recipe.objects.create(site=site, name=name, yield_servings=10)
    RecipeIngredient.objects.bulk_create(
        RecipeIngredient(
            recipe=recipe,
            item=item,
            quantity_entered=Decimal(100 if item.base_unit != "piece" else 1),
            unit_entered=_unit(item),
            quantity=Decimal(100 if item.base_unit != "piece" else 1),
            position=n,
        )
        for n, item in enumerate(items)
    )
    return recipe


def plan_bench_week(site: Site, monday, n: int, recipes: list[Recipe], by: User) -> None:
    meals = MealService.objects.at(site).between(monday, monday + timedelta(days=6))
    if meals.count() == n:
        return
    meals.filter(status=MealService.Status.PLANNED).delete()
    kinds = MealService.Kind.values
    for i in range(n):
        services.plan_meal(
            site=site,
            date=monday + timedelta(days=i % 7),
            kind=kinds[i % len(kinds)],
            servings=20 + i,
            recipes=[recipes[i % len(recipes)], recipes[(i + 1) % len(recipes)]],
            by=by,
        )


def _client(user: User) -> Client:
    client = Client(HTTP_HOST="localhost")
    client.force_login(user, backend="commonpot.auth.UsernameOrEmailBackend")
    return client


def _week_queries(client: Client, site: Site, monday) -> int:
    url = f"{reverse('kitchen:week', args=[site.slug])}?week={monday.isoformat()}"
    client.get(url)  # warm caches that are not per request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"The week view answered {response.status_code}.")
    return len(ctx.captured_queries)


def _median_ms(times: list[float]) -> str:
    return f"{statistics.median(times) * 1000:.1f}"


def run(*, stdout, scale: float = 1.0) -> None:
    started = time.perf_counter()
    stdout.write(f"database: {connection.vendor}")
    sites, staples = _pantry(scale)
    site = sites[0]
    pantry_lots = Lot.objects.filter(site__slug__startswith="bench-pantry-").count()
    stdout.write(f"pantry_lots: {pantry_lots}")
    stdout.write(f"lots_at_cooking_site: {Lot.objects.at(site).count()}")
    stdout.write(
        f"lots_of_the_20_ingredients_at_site: "
        f"{Lot.objects.at(site).filter(item__in=staples).count()}"
    )
    stdout.write(f"seed_seconds: {time.perf_counter() - started:.1f}")

    user, _ = User.objects.get_or_create(
        username="bench-coordinator",
        defaults={"display_name": "Benchmark", "is_coordinator": True},
    )
    stew = bench_recipe(site, "Bench stew (20 ingredients)", staples)
    small = [
        bench_recipe(site, "Bench soup", staples[:5]),
        bench_recipe(site, "Bench salad", staples[5:9]),
    ]
    today = site.today()
    next_monday = today + timedelta(days=7 - today.weekday())
    weeks = {label: next_monday + timedelta(days=7 * (k + 1)) for k, label in enumerate(WEEKS)}
    for label, monday in weeks.items():
        plan_bench_week(site, monday, WEEKS[label], [stew, *small], user)

    client = _client(user)
    counts = {label: _week_queries(client, site, monday) for label, monday in weeks.items()}
    for label, count in counts.items():
        stdout.write(f"week_view_queries_{label}_meals: {count}")
    stdout.write(f"week_view_queries_equal: {'yes' if len(set(counts.values())) == 1 else 'NO'}")
    url = f"{reverse('kitchen:week', args=[site.slug])}?week={weeks['50'].isoformat()}"
    renders = median_ms(lambda: client.get(url), RENDERS)
    stdout.write(f"week_view_50_meals_median_ms: {renders:.1f}")

    cooks = []
    for _ in range(COOKS):
        meal = services.plan_meal(
            site=site, date=today, kind="lunch", servings=10, recipes=[stew], by=user
        )
        start = time.perf_counter()
        cooking.cook_meal(meal, servings_made=10, servings_served=8, leftover_servings=2, by=user)
        cooks.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as ctx:
        meal = services.plan_meal(
            site=site, date=today, kind="lunch", servings=10, recipes=[stew], by=user
        )
        cooking.cook_meal(meal, servings_made=10, servings_served=8, leftover_servings=2, by=user)
    stdout.write("cook_ingredients: 20")
    stdout.write(f"cook_20_ingredients_median_ms: {_median_ms(cooks)}")
    stdout.write(f"cook_20_ingredients_max_ms: {max(cooks) * 1000:.1f}")
    stdout.write(f"plan_and_cook_queries: {len(ctx.captured_queries)}")
    stdout.write(f"total_seconds: {time.perf_counter() - started:.1f}")


def cook_leftovers(*, lot: Lot, quantity: Decimal, servings: int, leftovers: int, by: User) -> Lot:
    """The pantry benchmark's trace chain: cook `quantity` (base unit) of `lot` into a
    meal at its site, through the kitchen's own services, keeping `leftovers`
    portions. Returns the lot of leftovers."""
    site, item = lot.site, lot.item
    unit = cooking.base_unit_word(item)
    n = Recipe.objects.filter(site=site).count()
    recipe = services.create_recipe(
        site=site,
        name=f"Bench trace dish {n + 1}",
        yield_servings=servings,
        ingredients=[services.IngredientLine(item, quantity, unit)],
        by=by,
    )
    meal = services.plan_meal(
        site=site, date=site.today(), kind="lunch", servings=servings, recipes=[recipe], by=by
    )
    meal = cooking.cook_meal(
        meal,
        servings_made=servings,
        servings_served=servings - leftovers,
        leftover_servings=leftovers,
        by=by,
        lines=[cooking.CookLine(item, quantity, unit, lot=lot)],
    )
    # Cooled as the rules ask (21 °C within 2 hours, 5 °C within 6): the leftovers
    # come off their cooling hold and can be given out further down the chain.
    for value in ("20", "4"):
        cooling.log_cooling_reading(meal, value_c=Decimal(value), at=meal.cooked_at, by=by)
    meal.leftover_lot.refresh_from_db()
    return meal.leftover_lot
