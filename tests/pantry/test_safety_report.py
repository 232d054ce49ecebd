"""The food-safety section of the site and network reports: readings, breaches, holds and
how they ended, recalls started and closed, each counted in its site's own period."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commonpot.reports import Period
from pantry import services
from pantry.models import LotHold
from pantry.reports import safety_figures, safety_section
from pantry.services import equipment, holds
from pantry.services.recalls import Criteria, answer_recall, close_recall, start_recall
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


@pytest.fixture
def fridge(site):
    site.pantry_settings.has_chilled_storage = True
    site.pantry_settings.save()
    return equipment.add_equipment(site, name="Fridge 1", kind="fridge")


@pytest.fixture
def a_week_of_safety(site, lead, fridge, item_milk, item_rice):
    """Two readings, one too warm holding two lots of milk (one released, one discarded);
    a recall of a lot of rice, found and discarded, and closed."""
    milk = [
        services.receive(
            site=site, item=item_milk, quantity=Decimal(2000), by=lead, source="Dairy",
            stored_in=fridge,
        ).lot
        for _ in range(2)
    ]  # fmt: skip
    equipment.log_reading(fridge, value_c=Decimal("4.0"), by=lead)
    warm = equipment.log_reading(fridge, value_c=Decimal("9.0"), by=lead)
    first, second = sorted(warm.holds, key=lambda h: h.lot_id)
    holds.release_hold(first, by=lead, reason="Probe was in the door; milk read 4 °C")
    holds.discard_held(second, by=lead, reason="Too warm for too long", destination="compost")
    services.receive(
        site=site, item=item_rice, quantity=Decimal(1000), by=lead, source="Wholesaler", code="R-1"
    )
    recall = start_recall(
        title="Rice lot R-1", criteria=Criteria(item=item_rice, code="R-1"), by=lead, site=site
    )
    answer_recall(recall, site=site, answer="discarded", by=lead, destination="landfill")
    close_recall(recall, by=lead)
    return milk


def test_the_sites_report_counts_readings_breaches_holds_and_recalls(site, a_week_of_safety, today):
    figures = safety_figures(Period((site,), today, today, False))
    assert figures == {
        "readings": 2,
        "breaches": 1,
        "lots_held": 3,  # two of milk for the warm fridge, one of rice for the recall
        "holds_released": 1,
        "holds_discarded": 2,
        "recalls_started": 1,
        "recalls_closed": 1,
    }
    assert LotHold.objects.count() == 3


def test_another_site_and_another_week_have_nothing_to_report(
    site, other_site, a_week_of_safety, today
):
    assert safety_section(Period((other_site,), today, today, False)) is None
    last_week = today - timedelta(days=7)
    assert safety_section(Period((site,), last_week, last_week + timedelta(days=6), False)) is None


def test_the_network_report_adds_up_every_site(site, other_site, a_week_of_safety, today):
    figures = safety_figures(Period((site, other_site), today, today, True))
    assert (figures["readings"], figures["lots_held"], figures["recalls_closed"]) == (2, 3, 1)


def test_the_report_reads_the_same_number_of_queries_however_much_happened(
    site, lead, fridge, a_week_of_safety, today
):
    period = Period((site,), today - timedelta(days=6), today, False)
    with CaptureQueriesContext(connection) as few:
        safety_figures(period)
    for n in range(30):
        equipment.log_reading(fridge, value_c=Decimal(n % 10), by=lead)
    with CaptureQueriesContext(connection) as many:
        figures = safety_figures(period)
    assert figures["readings"] == 32
    assert len(few.captured_queries) == len(many.captured_queries) == 4


def test_the_lead_reads_the_food_safety_figures_on_the_site_report(
    site, lead, a_week_of_safety, today
):
    url = reverse("site_report", args=[site.slug]) + f"?start={today}&end={today}"
    page = client_for(lead).get(url).content.decode()
    assert "Food safety" in page
    assert "Readings outside their limit" in page and "Holds ended by discarding the food" in page
