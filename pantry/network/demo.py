"""Demo surplus for `manage.py seed_demo` (safe to run twice).

Harbour Camp Kitchen has 40 kg of bread that expires in two days and offers
all of it; Eastside Food Bank needs grains and bread, Maple Street Pantry
needs canned and dry goods, Riverside needs dairy. So the whole journey can be
walked by hand: the food bank's lead claims the bread, the camp's lead accepts
it and prints the manifest, dispatches it, and the food bank records 38 kg
arrived and 2 kg damaged.

Matching: the camp needs 10 L of milk. Riverside, half a kilometre away, offers
6 L; Eastside Food Bank in Brooklyn offers 12 L, enough for all of it but 5,400
km away. The camp's need is matched to Riverside's 6 L first ("covers 6 of
10 L"), and Eastside's milk is not suggested at all (beyond the camp's 30 km).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from commonpot.demo import DemoNetwork
from pantry import services as pantry
from pantry.models import Item, Lot, Storage
from pantry.network import services
from pantry.network.models import Need, NetworkSettings, Offer
from pantry.units import to_base

BREAD_SOURCE = "Harbour Bakery (end-of-day bread)"
NEEDS = [
    # site slug, category, kg, needed in days, note
    ("eastside-food-bank", Item.Category.GRAINS_BREAD, 30, 1, "For Saturday's partner pantry run."),
    ("maple-street-pantry", Item.Category.CANNED_DRY, 25, 7, "Tins and dry pasta for the shelves."),
    ("riverside-kitchen", Item.Category.DAIRY_EGGS, 10, 3, "Milk and eggs for breakfast club."),
]
# Milk: site slug, litres on offer (from the site's soonest-dated milk)
MILK_OFFERS = [("riverside-kitchen", "6"), ("eastside-food-bank", "12")]
MILK_SOURCE = "School kitchen (milk left over at term's end)"
MILK_NEED = ("harbour-camp", "10", 1, "Milk for the children's breakfast.")


def _bread() -> Item:
    bread = Item.objects.filter(name__iexact="Bread").first()
    if bread is None:
        bread = Item.objects.create(
            name="Bread",
            category=Item.Category.GRAINS_BREAD,
            base_unit=Item.Unit.GRAM,
            storage=Storage.DRY,
        )
    return bread


@transaction.atomic
def seed_network_surplus(network: DemoNetwork, stdout=None) -> None:
    for site in network.sites.values():
        NetworkSettings.objects.get_or_create(site=site)  # the default 30 km, to see and change
    camp = network.sites.get("harbour-camp")
    if camp is None:
        return
    lead = network.leads["harbour-camp"]
    if not Offer.objects.filter(site=camp).exists():
        bread = _bread()
        best_before = camp.today() + timedelta(days=2)
        lot = pantry.receive(
            site=camp,
            item=bread,
            quantity=to_base("40", "kg", bread),
            by=lead,
            source=BREAD_SOURCE,
            best_before=best_before,
        ).lot
        services.post_offer(
            site=camp,
            by=lead,
            lot=lot,
            quantity=lot.on_hand,
            pickup_until=timezone.now() + timedelta(days=2),
            notes="Ten crates by the camp gate. Ring the camp's number on arrival.",
        )
    for slug, category, kg, days, note in NEEDS:
        site = network.sites.get(slug)
        if site is None or Need.objects.filter(site=site, reference="demo").exists():
            continue
        services.post_need(
            site=site,
            by=network.leads[slug],
            category=category,
            quantity=str(kg),
            unit="kg",
            needed_by=site.today() + timedelta(days=days),
            note=note,
            reference="demo",
        )
    _seed_milk(network)
    if stdout is not None:
        stdout.write(
            "Network: Harbour Camp offers 40 kg of bread and needs 10 L of milk; "
            "Riverside and Eastside offer milk; three sites post needs."
        )


def _seed_milk(network: DemoNetwork) -> None:
    milk = Item.objects.filter(name__iexact="Milk").first()
    if milk is None:
        return
    for slug, litres in MILK_OFFERS:
        site = network.sites.get(slug)
        if site is None or Offer.objects.filter(site=site, item=milk).exists():
            continue
        # A lot of its own, so the site's shelf of milk stays free to count and cook.
        lot = pantry.receive(
            site=site,
            item=milk,
            quantity=to_base(litres, "L", milk),
            by=network.leads[slug],
            source=MILK_SOURCE,
            best_before=site.today() + timedelta(days=3),
            date_kind=Lot.DateKind.USE_BY,
        ).lot
        services.post_offer(
            site=site,
            by=network.leads[slug],
            lot=lot,
            quantity=lot.on_hand,
            # Closes after the camp's bread, which stays the first offer to close.
            pickup_until=timezone.now() + timedelta(days=3),
            notes="In the cold room; bring a cool box.",
        )
    slug, litres, days, note = MILK_NEED
    site = network.sites.get(slug)
    if site is not None and not Need.objects.filter(site=site, reference="demo").exists():
        services.post_need(
            site=site,
            by=network.leads[slug],
            item=milk,
            quantity=litres,
            unit="L",
            needed_by=site.today() + timedelta(days=days),
            note=note,
            reference="demo",
        )


@transaction.atomic
def seed_demo_run(network: DemoNetwork, stdout=None) -> None:
    """A pickup run for tomorrow from Harbour Camp: bread at Harbour Bakery (60 kg
    offered; Riverside claimed 40 kg, the camp 20 kg), dropped at Riverside and at
    the camp, ordered by the solver. On the driver's page the first stop is the
    bakery: "Took part", 30 of 40 kg, and the other 10 kg is back on the offer."""
    from pantry.network.models import Run
    from pantry.network.services import runs

    camp = network.sites.get("harbour-camp")
    riverside = network.sites.get("riverside-kitchen")
    bakery = network.sites.get("harbour-bakery")
    coordinator = network.coordinator
    if camp is None or riverside is None or bakery is None or coordinator is None:
        return
    if Run.objects.filter(stops__site=bakery).exists():
        return
    baker = network.leads["harbour-bakery"]
    bread = _bread()
    lot = pantry.receive(
        site=bakery,
        item=bread,
        quantity=to_base("60", "kg", bread),
        by=baker,
        source="Harbour Bakery (today's bake)",
        best_before=bakery.today() + timedelta(days=2),
    ).lot
    offer = services.post_offer(
        site=bakery,
        by=baker,
        lot=lot,
        quantity=lot.on_hand,
        pickup_until=timezone.now() + timedelta(days=2),
        notes="Crates at the back door; ring the bell.",
    )
    claims = []
    for site, kg in ((riverside, "40"), (camp, "20")):
        t = services.claim_offer(
            offer_id=offer.pk,
            site=site,
            by=network.leads[site.slug],
            quantity=to_base(kg, "kg", bread),
        )
        services.accept_transfer(transfer_id=t.pk, by=baker)
        claims.append(t)
    day = camp.today() + timedelta(days=1)

    def at(hour: int, minute: int = 0):
        from datetime import datetime

        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=camp.tz)

    run = runs.plan_run(
        site=camp,
        by=coordinator,
        day=day,
        starts_at=at(9),
        ends_at=at(13),
        capacity_kg="400",
        chilled_kg="100",
        note="Bread from the bakery to Riverside and back to the camp.",
    )
    # Entered as a person might: the drops first, the pickup last; the solver fixes it.
    runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="drop",
        site=riverside,
        window_from=at(9, 30),
        window_until=at(12, 30),
    )
    runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="drop",
        site=camp,
        window_from=at(9),
        window_until=at(13),
    )
    runs.add_stop(
        run_id=run.pk,
        by=coordinator,
        kind="pickup",
        site=bakery,
        transfers=claims,
        window_from=at(9),
        window_until=at(10, 30),
    )
    runs.order_run(run_id=run.pk, by=coordinator)
    if stdout is not None:
        stdout.write(
            "Network: a pickup run tomorrow from Harbour Camp: bread at Harbour Bakery, "
            "dropped at Riverside and the camp."
        )
