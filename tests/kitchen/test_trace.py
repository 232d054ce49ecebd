"""The ledger traced: a donated lot followed to the meal it was cooked into, the site it
was sent to and the households it was given out to, and a leftover traced back to its donor."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pantry.models import StockMove
from pantry.services.distributions import OutLine, distribute
from pantry.services.ledger import reverse_move
from pantry.trace import trace

pytestmark = pytest.mark.django_db


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
    # Only what left a lot is a use: the leftovers' own making is not.
    assert found.uses_of(dinner.leftover_lot_id) == []
    # Back from the lot it started at only, not from every lot the food reached.
    assert [origin.donor_name for origin in found.origins] == ["Corner Greengrocer"]
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
            given_on=other_site.today(),
            lines=[OutLine(items["tomatoes"], "1", "cans", lot=arrived)],
            by=other_lead,
        )
    assert queries() == before
    assert trace([arrived]).households == 4 + 5
