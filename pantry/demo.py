"""Believable demo stock for every demo site (run by `manage.py seed_demo`, safe twice).

Each site gets donations from its own donors, some lots expiring within three
days, one or two already past their date, an item below its low-stock level, a
distribution and a little waste, all through the same services people use, so
every lot's history adds up.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from commonpot.demo import DemoNetwork
from pantry import catalog, services
from pantry.models import Donor, Item, Lot, Measures, PantrySettings, PaperSize
from pantry.services import donations, equipment
from pantry.units import to_base

# What each demo site can store, the paper it prints on and the measures it works in
# (the rest keep the defaults). The two Brooklyn sites work in pounds, on US letter.
STORES = {
    "riverside-kitchen": {"has_chilled_storage": True, "has_frozen_storage": True},
    "harbour-camp": {"has_chilled_storage": True},
    "eastside-food-bank": {
        "has_chilled_storage": True,
        "has_frozen_storage": True,
        "paper_size": PaperSize.LETTER,
        "measures": Measures.US,
    },
    "maple-street-pantry": {"paper_size": PaperSize.LETTER, "measures": Measures.US},
}

# name, category, base unit, piece name, weight per piece (g), g/ml, storage, allergens, gtin
CATALOG = [
    ("Rice", "grains_bread", "g", "", None, None, "dry", [], "5012345678900"),
    ("Pasta", "grains_bread", "g", "", None, None, "dry", ["wheat"], ""),
    ("Porridge oats", "grains_bread", "g", "", None, None, "dry", ["gluten"], ""),
    ("Flour", "grains_bread", "g", "", None, None, "dry", ["wheat"], ""),
    ("Bread", "grains_bread", "piece", "loaf", "800", None, "dry", ["wheat", "sesame"], ""),
    ("Red lentils", "canned_dry", "g", "", None, None, "dry", [], ""),
    ("Baked beans", "canned_dry", "piece", "can", "415", None, "dry", [], "5000157024671"),
    ("Chopped tomatoes", "canned_dry", "piece", "can", "400", None, "dry", [], ""),
    ("Chickpeas", "canned_dry", "piece", "can", "400", None, "dry", [], ""),
    ("Tuna", "canned_dry", "piece", "can", "145", None, "dry", ["fish"], ""),
    ("Peanut butter", "canned_dry", "piece", "jar", "340", None, "dry", ["peanuts"], ""),
    ("Sunflower oil", "canned_dry", "ml", "", None, "0.920", "dry", [], ""),
    ("Tea bags", "canned_dry", "piece", "box", "250", None, "dry", [], ""),
    ("Sugar", "canned_dry", "g", "", None, None, "dry", [], ""),
    ("Potatoes", "produce", "g", "", None, None, "dry", [], ""),
    ("Onions", "produce", "g", "", None, None, "dry", [], ""),
    ("Carrots", "produce", "g", "", None, None, "chilled", [], ""),
    ("Apples", "produce", "g", "", None, None, "dry", [], ""),
    ("Bananas", "produce", "g", "", None, None, "dry", [], ""),
    ("Spinach", "produce", "g", "", None, None, "chilled", [], ""),
    ("Milk", "dairy_eggs", "ml", "", None, "1.030", "chilled", ["milk"], ""),
    ("Eggs", "dairy_eggs", "piece", "egg", "60", None, "chilled", ["eggs"], ""),
    ("Cheddar", "dairy_eggs", "g", "", None, None, "chilled", ["milk"], ""),
    ("Yoghurt", "dairy_eggs", "g", "", None, None, "chilled", ["milk"], ""),
    ("Chicken thighs", "meat_fish", "g", "", None, None, "frozen", [], ""),
    ("Fish fingers", "meat_fish", "g", "", None, None, "frozen", ["fish", "wheat"], ""),
    ("Frozen peas", "produce", "g", "", None, None, "frozen", [], ""),
    ("Vegetable soup", "prepared", "piece", "portion", "350", None, "chilled", ["celery"], ""),
    ("Orange juice", "drinks", "ml", "", None, "1.040", "dry", [], ""),
    ("Infant formula", "baby", "g", "", None, None, "dry", ["milk"], ""),
    ("Nappies", "hygiene", "piece", "pack", None, None, "dry", [], ""),
    ("Soap", "hygiene", "piece", "bar", "100", None, "dry", [], ""),
]

DONORS = {
    "riverside-kitchen": [
        ("Harbourside Co-op", "shop"),
        ("Meadow Farm", "farm"),
        ("City Food Rescue", "food_rescue"),
    ],
    "harbour-camp": [("Bristol Bakers", "shop"), ("St Mary's collection", "anonymous")],
    "eastside-food-bank": [
        ("Fulton Grocers", "shop"),
        ("Greenpoint Farms", "farm"),
        ("Rescue Route NYC", "food_rescue"),
    ],
    "maple-street-pantry": [("Maple Street Church", "person"), ("Corner Deli", "restaurant")],
}

# (item, quantity, unit, days until its date or None, use-by?) per intake; negative days: passed.
INTAKE = [
    ("Rice", "6", "kg", 300, False),
    ("Pasta", "8", "kg", 240, False),
    ("Baked beans", "24", "cans", 400, False),
    ("Chopped tomatoes", "18", "cans", 380, False),
    ("Tuna", "12", "cans", 500, False),
    ("Red lentils", "5", "kg", 200, False),
    ("Potatoes", "15", "kg", 12, False),
    ("Onions", "6", "kg", 20, False),
    ("Apples", "4", "kg", 2, False),
    ("Bananas", "3", "kg", -2, False),
    ("Bread", "10", "loaves", -2, False),
    ("Bread", "6", "loaves", -6, False),
    ("Bread", "12", "loaves", 3, False),
    ("Milk", "12", "L", 2, True),
    ("Yoghurt", "3", "kg", 1, True),
    ("Yoghurt", "2", "kg", -1, True),
    ("Spinach", "1.5", "kg", 2, True),
    ("Carrots", "8", "kg", 9, False),
    ("Cheddar", "2", "kg", 25, False),
    ("Eggs", "60", "eggs", 14, False),
    ("Chicken thighs", "10", "kg", 90, False),
    ("Frozen peas", "5", "kg", 180, False),
    ("Sunflower oil", "6", "L", 365, False),
    ("Nappies", "8", "packs", None, False),
    ("Soap", "20", "bars", None, False),
    ("Infant formula", "4", "kg", 150, False),
]
THRESHOLDS = [("Rice", "10", "kg"), ("Eggs", "30", "eggs"), ("Milk", "6", "L")]


def _catalog() -> dict[str, Item]:
    items = {}
    for name, category, unit, piece, weight, density, storage, allergens, gtin in CATALOG:
        item = Item.objects.filter(name__iexact=name).first()
        if item is None:
            fields = {
                "name": name,
                "category": category,
                "base_unit": unit,
                "storage": storage,
                "allergens": allergens,
                "gtin": gtin,
            }
            if piece:
                fields["piece_name"] = piece
            if weight:
                fields["weight_per_piece_g"] = Decimal(weight)
            if density:
                fields["grams_per_ml"] = Decimal(density)
            item = catalog.add_item(**fields)
        items[name] = item
    return items


@transaction.atomic
def seed_pantry(network: DemoNetwork, stdout=None) -> None:
    items = _catalog()
    rng = random.Random(7)  # the same believable stock on every fresh install
    for slug, site in network.sites.items():
        PantrySettings.objects.get_or_create(site=site, defaults=STORES.get(slug, {}))
        if Lot.objects.filter(site=site).exists():
            continue  # already seeded: leave the site's stock as people left it
        lead = network.leads.get(slug)
        today = site.today()
        us = PantrySettings.for_site(site).measures == Measures.US
        donors = []
        for name, kind in DONORS.get(slug, []):
            donor = Donor.objects.filter(site=site, name=name).first()
            donors.append(donor or donations.add_donor(site=site, name=name, kind=kind))
        areas = PantrySettings.for_site(site).storage_areas
        _units(site, slug, lead)
        lines = [row for row in INTAKE if items[row[0]].storage in areas]
        # Three donations over the last week, the lines shared out between them.
        for n in range(3):
            batch = lines[n::3]
            donations.receive_donation(
                site=site,
                donor=donors[n % len(donors)] if donors and n < 2 else None,
                received_on=today - timedelta(days=6 - 2 * n),
                lines=[
                    donations.LineInput(
                        item=items[name],
                        quantity=_us(quantity, unit)[0] if us else quantity,
                        unit=_us(quantity, unit)[1] if us else unit,
                        best_before=None if days is None else today + timedelta(days=days),
                        date_kind="use_by" if use_by else "best_before",
                    )
                    for name, quantity, unit, days, use_by in batch
                ],
                by=lead,
            )
        for name, minimum, unit in THRESHOLDS:
            item = items[name]
            if item.storage in areas:
                minimum, unit = _us(minimum, unit) if us else (minimum, unit)
                catalog.set_threshold(site=site, item=item, minimum=to_base(minimum, unit, item))
        # Some food has gone out already, and one lot was found damaged.
        services.distribute(
            site=site,
            recipient="households",
            households=rng.randint(8, 20),
            people=rng.randint(25, 50),
            given_on=today - timedelta(days=1),
            lines=[
                services.OutLine(items["Rice"], *(_us("3", "kg") if us else ("3", "kg"))),
                services.OutLine(items["Baked beans"], "6", "cans"),
            ],
            by=lead,
        )
        beans = Lot.objects.at(site).of(items["Baked beans"]).first()
        if beans is not None:
            services.discard(beans, reason="damaged", destination="landfill", by=lead, quantity=2)
        if stdout is not None:
            stdout.write(f"  pantry: stock for {site.name}")


# A fridge and a freezer at Riverside, checked twice a day, every reading passing:
# the demo's milk is in the fridge, so a reading of 9 °C typed by hand holds it.
UNITS = {
    "riverside-kitchen": [
        ("Fridge 1", "fridge", ["3.5", "4.0", "3.8"]),
        ("Chest freezer", "freezer", ["-19.5", "-20.0", "-19.0"]),
    ],
}


def _units(site, slug: str, lead) -> None:
    """The site's units (before its donations, so chilled and frozen food goes in
    them) and readings from yesterday morning, yesterday afternoon and this morning."""
    now = timezone.now()
    for name, kind, values in UNITS.get(slug, []):
        unit = equipment.add_equipment(site, name=name, kind=kind)
        local = site.local(now)
        yesterday = local - timedelta(days=1)
        times = [
            yesterday.replace(hour=8, minute=10),
            yesterday.replace(hour=15, minute=30),
            local.replace(hour=8, minute=5) if local.hour >= 9 else local - timedelta(minutes=30),
        ]
        for value, at in zip(values, times, strict=True):
            equipment.log_reading(unit, value_c=Decimal(value), by=lead, at=at)


def _us(quantity: str, unit: str) -> tuple[str, str]:
    """The demo's metric figure as a US site would have typed it: whole pounds for
    kilograms, gallons to the half for litres (5 lb of rice, 3 gal of milk)."""
    if unit == "kg":
        return str((Decimal(quantity) * Decimal("2.2")).quantize(Decimal("1"))), "lb"
    if unit == "L":
        gallons = (Decimal(quantity) / Decimal("3.785") * 2).quantize(Decimal("1")) / 2
        return f"{gallons:f}".removesuffix(".0"), "gal"
    return quantity, unit
