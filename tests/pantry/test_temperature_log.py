"""The weekly temperature log a lead prints for an inspector: every unit, every reading of
the week by day with who took it, the missed checks, and each breach with what it held
and how each hold ended."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from pantry import services
from pantry.models import PantrySettings
from pantry.services import equipment, holds
from pantry.temperature_log import temperature_log, week_of
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def at(day: int, hour: int):
    """A moment in the week of Monday 23 November 2026 (London is on UTC then)."""
    return time_machine.travel(datetime(2026, 11, day, hour, tzinfo=UTC), tick=False)


def log_url(site, **params) -> str:
    return reverse("pantry:temperature_log", args=[site.slug])


def pdf_text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def week(site, lead, item_milk):
    """A fridge and a freezer from the Friday before; the fridge read twice on Monday,
    too warm on Tuesday morning (two lots of milk held: one released, one discarded)."""
    PantrySettings.objects.filter(site=site).update(
        has_chilled_storage=True, has_frozen_storage=True
    )
    with at(20, 10):
        fridge = equipment.add_equipment(site, name="Walk-in fridge", kind="fridge")
        equipment.add_equipment(site, name="Chest freezer", kind="freezer", checks_per_day=1)
        milk = [
            services.receive(
                site=site, item=item_milk, quantity=Decimal(2000), by=lead, source="Dairy",
                stored_in=fridge,
            ).lot
            for _ in range(2)
        ]  # fmt: skip
    with at(23, 8):
        equipment.log_reading(fridge, value_c=Decimal("3.5"), by=lead)
    with at(23, 16):
        equipment.log_reading(fridge, value_c=Decimal("4.0"), by=lead)
    with at(24, 9):
        warm = equipment.log_reading(fridge, value_c=Decimal("9.0"), by=lead)
    first, second = sorted(warm.holds, key=lambda h: h.lot_id)
    with at(24, 11):
        holds.release_hold(first, by=lead, reason="Door left open; milk probed at 4 °C")
        holds.discard_held(
            second, by=lead, reason="Too warm since the night", destination="compost"
        )
    return {"fridge": fridge, "milk": milk}


def test_the_log_lists_every_reading_by_day_with_who_and_the_breaches_with_their_holds(
    site, lead, week
):
    response = client_for(lead).get(log_url(site), {"week": "2026-11-25"})
    text = pdf_text(response)
    assert "Temperature log: Riverside Kitchen" in text
    assert "Week of Monday 23 November to Sunday 29 November" in text
    assert "Walk-in fridge" in text and "Chest freezer" in text
    assert "08:00 3.5 °C 5.0 °C Pass Lena Lead" in text
    assert "16:00 4.0 °C 5.0 °C Pass Lena Lead" in text
    assert "09:00 9.0 °C 5.0 °C FAIL Lena Lead" in text
    # Every day the freezer went unread shows as a missed check; the fridge's Tuesday too.
    assert text.count("No reading: 1 check missed") == 7
    assert "1 more check missed" in text
    assert "Walk-in fridge read 9.0 °C (limit 5.0 °C)" in text
    milk = week["milk"]
    assert f"Milk, lot #{milk[0].pk}" in text and f"Milk, lot #{milk[1].pk}" in text
    assert "Released" in text and "Door left open; milk probed at 4 °C" in text
    assert "Discarded" in text and "Too warm since the night" in text
    assert response["Content-Disposition"].endswith('temperature-log-riverside-2026-11-23.pdf"')


def test_the_log_reads_a_fixed_number_of_queries_however_many_readings(site, lead, week):
    with CaptureQueriesContext(connection) as few:
        temperature_log(site, MONDAY)
    with at(26, 9):
        for n in range(30):
            equipment.log_reading(week["fridge"], value_c=Decimal(n % 8), by=lead)
    with CaptureQueriesContext(connection) as many:
        log = temperature_log(site, MONDAY)
    assert log.readings == 33
    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_log_defaults_to_this_week_on_the_sites_clock(site, lead, noon):
    monday, _ = week_of(site.today())
    response = client_for(lead).get(log_url(site))
    assert response["Content-Disposition"].endswith(f'temperature-log-riverside-{monday}.pdf"')
    assert "None: every reading this week was within its unit's limit." in pdf_text(response)


def test_a_week_that_is_not_a_date_is_refused_on_the_temperatures_page(site, lead):
    response = client_for(lead).get(log_url(site), {"week": "last tuesday"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "is not a date. Write it as YYYY-MM-DD." in response.content.decode()


def test_a_site_in_us_measures_reads_its_log_in_fahrenheit(site, lead, week):
    PantrySettings.objects.filter(site=site).update(measures="us", paper_size="letter")
    text = pdf_text(client_for(lead).get(log_url(site), {"week": "2026-11-23"}))
    assert "48.2 °F" in text  # the 9.0 °C breach


def test_the_temperatures_page_offers_the_lead_the_weekly_log(site, lead, volunteer, noon):
    page = client_for(lead).get(reverse("pantry:temperatures", args=[site.slug]))
    assert "Temperature log (PDF)" in page.content.decode()
    assert f'value="{site.today().isoformat()}"' in page.content.decode()
