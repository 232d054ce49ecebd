"""The ledger traced: a donated lot followed to the meal it was cooked into, the site it
was sent to and the households it was given out to, and a leftover traced back to its donor."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kitchen.cooking import cook_meal
from pantry.models import Lot, StockMove
from pantry.network import services as network
from pantry.services.distributions import OutLine, distribute
from pantry.services.donations import LineInput, add_donor, receive_donation
from pantry.services.ledger import reverse_move
from pantry.trace import trace
from tests.network.factories import offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def donated_tomatoes(site, lead, items, today):
    grocer = add_donor(site=site, name="Corner Greengrocer", kind="shop")
    donation = receive_donation(
        site=site,
        donor=grocer,
        received_on=today,
        lines=[LineInput(items["tomatoes"], "40", "cans", today + timedelta(days=300))],
        by=lead,
    )
    return donation.lines.get().lot


@pytest.fixture
def journey(site, other_site, lead, other_lead, items, stocked, dinner, donated_tomatoes, today):
    """10 cans go to the other site, 3 of them out to 4 households; dinner cooks the rest."""
    tomatoes = donated_tomatoes
    posted = offer(site, tomatoes, Decimal("10"), by=lead)
    transfer = network.claim_offer(offer_id=posted.pk, site=other_site, by=other_lead)
    network.accept_transfer(transfer_id=transfer.pk, by=lead)
    network.dispatch_transfer(transfer_id=transfer.pk, by=lead)
    (line,) = transfer.lines.all()
    network.receive_transfer(
        transfer_id=transfer.pk, by=other_lead, received={line.pk: Decimal("10")}
    )
    line.refresh_from_db()
    distribute(
        site=other_site,
        recipient="households",
        households=4,
        given_on=today,
        lines=[OutLine(items["tomatoes"], "3", "cans", lot=line.received_lot)],
        by=other_lead,
    )
    # The older cans go first: cook from the donated lot by using up the others.
    Lot.objects.filter(pk=stocked["tomatoes"].pk).update(best_before=today + timedelta(days=400))
    cook_meal(dinner, servings_made=40, servings_served=30, leftover_servings=8, by=lead)
    dinner.refresh_from_db()
    return {"transfer": transfer, "arrived": line.received_lot, "dinner": dinner}


def test_forward_reaches_every_site_meal_and_household(journey, donated_tomatoes, site, other_site):
    found = trace([donated_tomatoes])
    arrived, dinner = journey["arrived"], journey["dinner"]
    assert set(found.lots) == {donated_tomatoes.pk, arrived.pk, dinner.leftover_lot_id}
    assert found.site_ids == {site.pk, other_site.pk}
    assert found.households == 4
    labels = [use.label for use in found.uses]
    assert f"Transfer #{journey['transfer'].pk} to {other_site.name}" in labels
    assert any(label.startswith("Cooked in Chilli and rice") for label in labels)
    assert "Given out to 4 households" in labels
    # What is left on shelves: the arrived cans not given out, the leftovers; the donated lot
    # was used up (40 cans: 10 sent, 16 cooked, the rest still there).
    left = {lot.pk: lot.on_hand for lot in found.lots_with_food}
    assert left[arrived.pk] == 7
    assert left[dinner.leftover_lot_id] == 8


def test_back_from_leftovers_reaches_the_donor(journey, donated_tomatoes):
    leftovers = journey["dinner"].leftover_lot
    found = trace([leftovers])
    assert donated_tomatoes.pk in found.sources
    assert "Corner Greengrocer" in {origin.donor_name for origin in found.origins}
    # The other ingredients came in by a plain receipt: their source text is their origin.
    assert "Test intake" in {origin.donor_name for origin in found.origins}


def test_back_from_the_other_site_crosses_the_transfer(journey, donated_tomatoes):
    found = trace([journey["arrived"]])
    assert set(found.sources) == {donated_tomatoes.pk}
    assert [o.donor_name for o in found.origins] == ["Corner Greengrocer"]


def test_an_undone_distribution_is_not_a_use(journey, other_lead):
    arrived = journey["arrived"]
    given = StockMove.objects.get(lot=arrived, kind=StockMove.Kind.DISTRIBUTED)
    reverse_move(given, by=other_lead, note="typed in error")
    found = trace([arrived])
    assert found.households == 0
    assert not [use for use in found.uses if use.kind == StockMove.Kind.DISTRIBUTED]


def test_the_trace_reads_the_same_number_of_queries_however_long_the_ledger(
    journey, other_site, other_lead, items, today
):
    arrived = journey["arrived"]

    def queries():
        with CaptureQueriesContext(connection) as captured:
            trace([journey["arrived"]])
        return len(captured)

    before = queries()
    for _ in range(5):
        distribute(
            site=other_site,
            recipient="households",
            households=1,
            given_on=today,
            lines=[OutLine(items["tomatoes"], "1", "cans", lot=arrived)],
            by=other_lead,
        )
    assert queries() == before
    assert trace([arrived]).households == 4 + 5
