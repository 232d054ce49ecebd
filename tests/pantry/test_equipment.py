"""Fridges, freezers and hot-holding units, and the temperatures read off them."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot.models import Message
from pantry import services, temperatures
from pantry.models import Equipment, LotHold, Measures, Reading
from pantry.services import equipment
from tests.conftest import client_for, page_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def cold(site):
    site.pantry_settings.has_chilled_storage = True
    site.pantry_settings.has_frozen_storage = True
    site.pantry_settings.save()
    return site


@pytest.fixture
def fridge(cold):
    return equipment.add_equipment(cold, name="Fridge 1", kind="fridge")


def read_url(site, unit):
    return reverse("pantry:reading_new", args=[site.slug, unit.pk])


def typed(value, token=None):
    """What the reading form posts: the value typed and the form's one-time token."""
    return {"value": value, "token": str(token or uuid.uuid4())}


def test_each_kind_of_unit_gets_its_usual_limit(cold):
    freezer = equipment.add_equipment(cold, name="Freezer", kind="freezer")
    hot = equipment.add_equipment(cold, name="Bain-marie", kind="hot_holding")
    fridge = equipment.add_equipment(cold, name="Fridge", kind="fridge")
    assert (fridge.limit_c, freezer.limit_c, hot.limit_c) == (
        Decimal("5.0"),
        Decimal("-18.0"),
        Decimal("63.0"),
    )
    assert fridge.checks_per_day == 2


def test_a_reading_passes_or_fails_against_the_units_limit(fridge, lead):
    ok = equipment.log_reading(fridge, value_c=Decimal("4.0"), by=lead).reading
    warm = equipment.log_reading(fridge, value_c=Decimal("9.0"), by=lead).reading
    assert ok.passed and not warm.passed
    assert warm.by == lead and warm.limit_c == Decimal("5.0")
    hot = equipment.add_equipment(fridge.site, name="Hot cupboard", kind="hot_holding")
    assert equipment.log_reading(hot, value_c=Decimal("70"), by=lead).reading.passed
    assert not equipment.log_reading(hot, value_c=Decimal("55"), by=lead).reading.passed


def test_a_volunteer_of_the_site_logs_a_reading_in_one_post(fridge, volunteer):
    client = client_for(volunteer)
    page = client.get(reverse("pantry:temperatures", args=[fridge.site.slug]))
    assert page.status_code == 200 and "Fridge 1" in page.content.decode()
    response = client.post(
        read_url(fridge.site, fridge),
        typed("3.5", page.context["rows"][0]["form"]["token"].value()),
    )
    assert response.status_code == 302
    reading = Reading.objects.get()
    assert reading.value_c == Decimal("3.5") and reading.passed and reading.by == volunteer


def test_htmx_gets_the_units_row_back_with_the_saved_reading(fridge, volunteer):
    response = client_for(volunteer).post(
        read_url(fridge.site, fridge), typed("4"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<li") and "Saved: 4.0 °C" in html


@pytest.mark.parametrize("value", ["500", "-300", "warm", ""])
def test_an_impossible_reading_is_a_field_error_and_nothing_is_written(fridge, lead, value):
    response = client_for(lead).post(read_url(fridge.site, fridge), typed(value))
    assert response.status_code == 400
    assert response.context["rows"][0]["form"].errors["value"]
    assert not Reading.objects.exists()


def test_the_service_refuses_an_impossible_reading_too(fridge, lead):
    with pytest.raises(Exception, match="not a temperature"):
        equipment.log_reading(fridge, value_c=Decimal("500"), by=lead)
    assert not Reading.objects.exists()


def test_another_sites_unit_is_not_found_and_nothing_is_written(
    fridge, other_site, other_lead, lead
):
    theirs = equipment.add_equipment(other_site, name="Their fridge", kind="fridge")
    response = client_for(lead).post(read_url(fridge.site, theirs), typed("4"))
    assert response.status_code == 404
    response = client_for(other_lead).post(read_url(fridge.site, fridge), typed("4"))
    assert response.status_code == 403
    assert not Reading.objects.exists()


def test_a_us_site_reads_and_shows_fahrenheit_and_stores_celsius(fridge, lead):
    settings = fridge.site.pantry_settings
    settings.measures = Measures.US
    settings.save()
    client = client_for(lead)
    client.post(read_url(fridge.site, fridge), typed("41"))
    assert Reading.objects.get().value_c == Decimal("5.0")
    page = client.get(reverse("pantry:temperatures", args=[fridge.site.slug])).content.decode()
    assert "41.0 °F" in page
    assert temperatures.default_limit_c("hot_holding", "us") == Decimal("60.0")


def test_only_leads_add_edit_and_retire_units(cold, lead, volunteer):
    url = reverse("pantry:equipment", args=[cold.slug])
    assert (
        client_for(volunteer)
        .post(url, {"name": "X", "kind": "fridge", "checks_per_day": "2"})
        .status_code
        == 403
    )
    response = client_for(lead).post(
        url, {"name": "Fridge 2", "kind": "fridge", "limit": "", "checks_per_day": "3"}
    )
    assert response.status_code == 302
    unit = Equipment.objects.get(name="Fridge 2")
    assert unit.limit_c == Decimal("5.0") and unit.checks_per_day == 3
    edit = reverse("pantry:equipment_edit", args=[cold.slug, unit.pk])
    client_for(lead).post(edit, {"name": "Drinks fridge", "limit": "8", "checks_per_day": "1"})
    unit.refresh_from_db()
    assert (unit.name, unit.limit_c, unit.checks_per_day) == ("Drinks fridge", Decimal("8.0"), 1)
    client_for(lead).post(edit, {"retire": "1"})
    unit.refresh_from_db()
    assert unit.retired_at is not None
    page = client_for(lead).get(reverse("pantry:temperatures", args=[cold.slug])).content.decode()
    assert "Drinks fridge" not in page


def test_two_units_cannot_share_a_name(fridge):
    with pytest.raises(Exception, match="already has a unit called"):
        equipment.add_equipment(fridge.site, name="fridge 1", kind="freezer")


def test_checks_due_follow_the_parts_of_the_day():
    from datetime import datetime

    assert temperatures.checks_due(2, datetime(2026, 12, 3, 9, 0)) == 1
    assert temperatures.checks_due(2, datetime(2026, 12, 3, 13, 0)) == 2
    assert temperatures.checks_due(3, datetime(2026, 12, 3, 17, 0)) == 3


def test_a_unit_not_checked_today_shows_on_the_leads_home_page(fridge, lead, noon):
    home = client_for(lead).get("/").content.decode()
    assert "Not done yet today" in home and "Fridge 1: 0 of 2 due so far" in home
    equipment.log_reading(fridge, value_c=Decimal("4"), by=lead)
    equipment.log_reading(fridge, value_c=Decimal("4"), by=lead)
    home = client_for(lead).get("/").content.decode()
    assert "Not done yet today" not in home and "Every check due so far today is done" in home


def test_the_readings_page_runs_the_same_queries_for_2_or_12_units(cold, lead):
    client = client_for(lead)
    url = reverse("pantry:temperatures", args=[cold.slug])

    def add(start, n):
        for i in range(start, start + n):
            unit = equipment.add_equipment(cold, name=f"Fridge {i}", kind="fridge")
            equipment.log_reading(unit, value_c=Decimal("3"), by=lead)

    add(0, 2)
    few = page_queries(client, url)
    add(2, 10)
    assert page_queries(client, url) == few


def test_a_passing_reading_sends_no_message(fridge, lead):
    equipment.log_reading(fridge, value_c=Decimal("4"), by=lead)
    assert not Message.objects.exists()


# --- A reading that waited on the phone for a connection ----------------------------------


def test_a_reading_kept_on_the_phone_is_recorded_at_the_time_it_was_taken(
    fridge, lead, item_milk, noon
):
    services.receive(
        site=fridge.site,
        item=item_milk,
        quantity=Decimal(2000),
        by=lead,
        source="Dairy",
        stored_in=fridge,
    )
    taken = timezone.now() - timedelta(hours=2)
    data = typed("9") | {"taken_at": taken.isoformat()}
    assert client_for(lead).post(read_url(fridge.site, fridge), data).status_code == 302
    reading = Reading.objects.get()
    assert reading.at == taken and not reading.passed
    # The breach it shows holds the unit's food from then.
    hold = LotHold.objects.get()
    assert hold.started_at == taken and hold.lot.item == item_milk


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        ("yesterday", "could not be read"),
        ("2026-01-01T10:00:00", "could not be read"),  # no offset: which zone?
        ("+hours=3", "clock is ahead"),
        ("-hours=25", "more than a day"),
    ],
)
def test_a_bad_phone_stamp_is_refused_with_the_reason_and_nothing_is_written(
    fridge, lead, noon, stamp, reason
):
    if stamp[0] in "+-":
        hours = int(stamp.split("=")[1])
        stamp = (timezone.now() + timedelta(hours=hours if stamp[0] == "+" else -hours)).isoformat()
    response = client_for(lead).post(
        read_url(fridge.site, fridge), typed("4") | {"taken_at": stamp}
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Reading.objects.exists()


def test_the_reading_form_is_marked_for_the_offline_queue_with_a_stamp(fridge, volunteer):
    page = client_for(volunteer).get(reverse("pantry:temperatures", args=[fridge.site.slug]))
    html = page.content.decode()
    assert 'data-offline="Reading: Fridge 1"' in html
    assert 'name="taken_at"' in html and "data-offline-stamp" in html
