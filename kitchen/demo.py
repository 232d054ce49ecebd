"""Demo recipes and meals for `manage.py seed_demo` (safe to run twice).

Riverside gets recipes that fit the pantry's demo stock, a lunch cooked today
(so there is a label to print and a lot of leftovers in the pantry, held while
they cool, with a first cooling reading), and a
dinner for 80 today that the stock cannot quite cover: the rice and the spinach
run short. Harbour camp gets one recipe of its own. The items come from the
pantry's demo catalog (its seeder runs first); a recipe whose items are not
there is left out, with a note.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import transaction

from commonpot.demo import DemoNetwork
from commonpot.models import Site
from kitchen import cooking, services
from kitchen.cooling import log_cooling_reading
from kitchen.models import MealService, Recipe
from kitchen.services import IngredientLine
from pantry.models import Item

# site slug -> [(name, serves, dietary, method, [(item, quantity, unit, note)])]
RECIPES = {
    "riverside-kitchen": [
        (
            "Red lentil dal",
            10,
            ["vegetarian", "vegan"],
            "Soften the onions and carrots in the oil. Add the lentils, tomatoes and "
            "1.5 L of water; simmer 25 minutes, stirring. Stir in the spinach at the end.",
            [
                ("Red lentils", "500", "g", "rinsed"),
                ("Onions", "300", "g", "diced"),
                ("Carrots", "300", "g", "diced"),
                ("Chopped tomatoes", "2", "cans", ""),
                ("Sunflower oil", "50", "ml", ""),
                ("Spinach", "200", "g", "washed"),
            ],
        ),
        (
            "Steamed rice",
            10,
            ["vegetarian", "vegan"],
            "Rinse, then cook in 1.5 times its volume of water, lid on, 12 minutes.",
            [("Rice", "750", "g", "")],
        ),
        (
            "Cheesy potato bake",
            8,
            ["vegetarian"],
            "Slice the potatoes and onions thinly, layer with the cheese, pour over the "
            "milk and bake at 180 °C for an hour.",
            [
                ("Potatoes", "1.6", "kg", "thinly sliced"),
                ("Onions", "200", "g", "sliced"),
                ("Cheddar", "300", "g", "grated"),
                ("Milk", "500", "ml", ""),
            ],
        ),
        (
            "Chicken and vegetable stew",
            10,
            [],
            "Brown the chicken in the oil, add the vegetables and 1 L of water, simmer an "
            "hour. Add the peas for the last five minutes.",
            [
                ("Chicken thighs", "1.2", "kg", "defrosted, diced"),
                ("Potatoes", "1.5", "kg", "cubed"),
                ("Carrots", "500", "g", "sliced"),
                ("Onions", "300", "g", "diced"),
                ("Frozen peas", "300", "g", ""),
                ("Sunflower oil", "30", "ml", ""),
            ],
        ),
        (
            "Tuna pasta bake",
            8,
            [],
            "Cook the pasta. Make a sauce of the onions and tomatoes, stir in the tuna and "
            "pasta, top with the cheese and bake 20 minutes.",
            [
                ("Pasta", "800", "g", ""),
                ("Tuna", "3", "cans", "drained"),
                ("Chopped tomatoes", "2", "cans", ""),
                ("Onions", "150", "g", "diced"),
                ("Cheddar", "200", "g", "grated"),
            ],
        ),
    ],
    "harbour-camp": [
        (
            "Beans on toast",
            4,
            ["vegetarian", "vegan"],
            "Warm the beans; toast the bread. Two slices each.",
            [("Baked beans", "2", "cans", ""), ("Bread", "1", "loaf", "sliced")],
        ),
    ],
}


def _recipes(site: Site, specs, by, stdout) -> None:
    catalog = {i.name.lower(): i for i in Item.objects.all()}
    for name, serves, dietary, method, lines in specs:
        if Recipe.objects.filter(site=site, name__iexact=name).exists():
            continue
        missing = [item for item, *_ in lines if item.lower() not in catalog]
        if missing:
            # The pantry's demo seeder makes the catalog; say so rather than guess items.
            if stdout is not None:
                stdout.write(f"  kitchen: no {name!r}: the catalog has no {', '.join(missing)}")
            continue
        services.create_recipe(
            site=site,
            name=name,
            yield_servings=serves,
            ingredients=[
                IngredientLine(catalog[item.lower()], quantity, unit, note)
                for item, quantity, unit, note in lines
            ],
            by=by,
            method=method,
            dietary=dietary,
        )


def _token(site: Site, what: str) -> uuid.UUID:
    # The same meal on the same day whatever the number of runs.
    return uuid.uuid5(uuid.NAMESPACE_URL, f"commonpot-demo:{site.slug}:{site.today()}:{what}")


@transaction.atomic
def seed_kitchen(network: DemoNetwork, stdout=None) -> None:
    for slug, specs in RECIPES.items():
        site = network.sites.get(slug)
        if site is not None:
            _recipes(site, specs, network.leads.get(slug), stdout)
    site = network.sites.get("riverside-kitchen")
    if site is None:
        return
    lead = network.leads.get("riverside-kitchen")
    recipes = {r.name: r for r in Recipe.objects.filter(site=site)}
    if not {"Cheesy potato bake", "Red lentil dal", "Steamed rice"} <= set(recipes):
        return
    today = site.today()

    lunch = services.plan_meal(
        site=site,
        date=today,
        kind=MealService.Kind.LUNCH,
        servings=24,
        recipes=[recipes["Cheesy potato bake"]],
        by=lead,
        token=_token(site, "lunch"),
    )
    if lunch.is_planned:
        try:
            cooking.cook_meal(
                lunch, servings_made=24, servings_served=18, leftover_servings=6, by=lead
            )
        except cooking.ShortOfStock as e:  # the pantry's demo stock changed
            if stdout is not None:
                stdout.write(f"  kitchen: today's demo lunch is not cooked ({e.message})")
        else:
            # Its leftovers start cooling, on hold until they reach 21 °C and 5 °C in
            # time: the first reading, straight off the stove.
            log_cooling_reading(
                lunch, value_c=Decimal("63"), by=lead, token=_token(site, "lunch-cooling")
            )

    dinner = services.plan_meal(
        site=site,
        date=today,
        kind=MealService.Kind.DINNER,
        name="Community dinner",
        servings=80,
        recipes=[recipes["Red lentil dal"], recipes["Steamed rice"]],
        by=lead,
        token=_token(site, "dinner"),
    )
    if stdout is not None:
        stdout.write(
            f"  kitchen: {Recipe.objects.count()} recipes; at {site.name} a lunch cooked "
            f"and {dinner} planned for {dinner.planned_servings}"
        )
