"""Moves recorded before the ledger kept the day things happened get a sensible day:
their donation's or distribution's, their meal's, the undone move's, or else the
site's own day when they were recorded."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from tests.migrating import migrate, migrate_to_latest

BEFORE = [
    ("commonpot", "0006_site_service_id"),
    ("pantry", "0005_donation_imports_remember_their_file"),
    ("kitchen", "0003_token_digest"),
]


@pytest.mark.django_db(transaction=True)
def test_existing_moves_get_the_day_they_happened():
    old = migrate(BEFORE)
    Site = old.get_model("commonpot", "Site")
    Item = old.get_model("pantry", "Item")
    Lot = old.get_model("pantry", "Lot")
    Donation = old.get_model("pantry", "Donation")
    Distribution = old.get_model("pantry", "Distribution")
    StockMove = old.get_model("pantry", "StockMove")
    MealService = old.get_model("kitchen", "MealService")

    site = Site.objects.create(
        name="Eastside", slug="eastside", kind="food_bank", time_zone="America/New_York"
    )
    rice = Item.objects.create(name="Rice", category="grains_bread", base_unit="g", storage="dry")
    lot = Lot.objects.create(
        item=rice, site=site, storage="dry", source="Shop", received_on=date(2026, 11, 1)
    )
    # Typed in on 12 Nov at 02:00 UTC: still 11 Nov in New York.
    typed = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
    donation = Donation.objects.create(site=site, received_on=date(2026, 11, 1))
    given = Distribution.objects.create(
        site=site, recipient="households", households=2, given_on=date(2026, 11, 5)
    )
    # Recorded as cooked days after its day.
    meal = MealService.objects.create(
        site=site,
        date=date(2026, 11, 8),
        kind="dinner",
        planned_servings=10,
        status="cooked",
        cooked_at=typed,
        servings_made=10,
        servings_served=10,
        leftover_servings=0,
    )

    def move(kind, quantity, after, **fields):
        return StockMove.objects.create(
            lot=lot,
            kind=kind,
            quantity=Decimal(quantity),
            weight_g=abs(Decimal(quantity)),
            on_hand_after=Decimal(after),
            at=typed,
            **fields,
        )

    received = move("received", 5000, 5000, donation=donation)
    out = move("distributed", -1000, 4000, distribution=given)
    cooked = move("cooked", -500, 3500, reference=f"meal-service:{meal.pk}")
    wasted = move("wasted", -100, 3400, reason="spoiled", destination="compost")
    undo = move("reversed", 1000, 4400, reverses=out)

    migrate_to_latest()

    from pantry.models import StockMove as Current

    def day(m):
        return Current.objects.get(pk=m.pk).happened_on

    assert day(received) == date(2026, 11, 1)
    assert day(out) == date(2026, 11, 5)
    assert day(undo) == date(2026, 11, 5)
    assert day(cooked) == date(2026, 11, 8)
    assert day(wasted) == date(2026, 11, 11)
    assert Current.objects.get(pk=received.pk).at == typed
