"""Cooling records: leftovers are held from the moment they are cooked until they
are read at 21 °C (70 °F) within 2 hours and at 5 °C (41 °F) within 6 hours of
coming off the heat."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot.dates import time_of_day
from commonpot.errors import DomainError
from kitchen.cooking import cook_meal
from kitchen.cooling import log_cooling_reading
from kitchen.models import CoolingReading
from pantry import services as pantry
from pantry.models import LotHold, Measures
from pantry.services import holds
from tests.conftest import client_for
from tests.kitchen.test_meal_views import cook_data

pytestmark = pytest.mark.django_db


def keep_leftovers(meal, lead, **cooking):
    """Cook the meal for 40, 30 fed and 8 servings kept."""
    cook_meal(meal, servings_made=40, servings_served=30, leftover_servings=8, by=lead, **cooking)
    meal.refresh_from_db()
    return meal


@pytest.fixture
def cooked(site, lead, dinner, stocked, noon):
    """Dinner cooked at noon UTC with 8 servings kept."""
    return keep_leftovers(dinner, lead)


def clock(site, moment) -> str:
    return time_of_day(site.local(moment))


def meal_page(client, meal) -> str:
    return client.get(reverse("kitchen:meal", args=[meal.site.slug, meal.pk])).content.decode()


def post_reading(client, meal, value, at="", **extra):
    url = reverse("kitchen:meal_cooling", args=[meal.site.slug, meal.pk])
    return client.post(url, {"value": value, "at": at, "token": str(uuid.uuid4())}, **extra)


def local_typed(site, moment) -> str:
    return site.local(moment).strftime("%Y-%m-%dT%H:%M")


def give_out(meal, lead, quantity=5):
    return pantry.take_stock(
        site=meal.site,
        item=meal.leftover_lot.item,
        quantity=quantity,
        kind="distributed",
        by=lead,
        lot=meal.leftover_lot,
    )


def test_leftovers_are_held_from_the_moment_they_are_cooked(site, lead, cooked):
    lot = cooked.leftover_lot
    lot.refresh_from_db()
    assert lot.on_hold
    hold = LotHold.objects.get(lot=lot)
    assert hold.cause == LotHold.Cause.COOLING and hold.is_open
    with pytest.raises(DomainError, match="on hold"):
        give_out(cooked, lead)
    by = clock(site, cooked.cooked_at + timedelta(hours=2))
    page = meal_page(client_for(lead), cooked)
    assert f"waiting for 21 °C by {by}" in page
    lot_page = client_for(lead).get(reverse("pantry:lot", args=[site.slug, lot.pk]))
    assert (
        f"Cooling record of Chilli and rice: waiting for 21 °C by {by}" in lot_page.content.decode()
    )


def test_a_meal_without_leftovers_holds_nothing_and_asks_for_no_cooling(lead, dinner, stocked):
    cook_meal(dinner, servings_made=40, servings_served=40, by=lead)
    assert not LotHold.objects.exists()
    assert "Cooling record" not in meal_page(client_for(lead), dinner)
    response = post_reading(client_for(lead), dinner, "20")
    assert response.status_code == 400
    assert "Only the leftovers of a cooked meal" in response.content.decode()
    assert not CoolingReading.objects.exists()


def test_twenty_then_four_in_time_passes_and_frees_the_leftovers(site, lead, cooked, noon):
    client = client_for(lead)
    noon.shift(timedelta(hours=1, minutes=30))
    assert post_reading(client, cooked, "20").status_code == 302
    cooked.leftover_lot.refresh_from_db()
    assert cooked.leftover_lot.on_hold
    by = clock(site, cooked.cooked_at + timedelta(hours=6))
    assert f"waiting for 5 °C by {by}" in meal_page(client, cooked)

    noon.shift(timedelta(hours=3))
    assert post_reading(client, cooked, "4").status_code == 302
    cooked.leftover_lot.refresh_from_db()
    assert not cooked.leftover_lot.on_hold
    hold = LotHold.objects.get(lot=cooked.leftover_lot)
    assert hold.outcome == LotHold.Outcome.RELEASED
    assert hold.outcome_reason.startswith("Cooling record passed: 20.0 °C at ")
    page = meal_page(client, cooked)
    assert "Cooling record:</strong> passed" in page and "The leftovers may be used." in page
    give_out(cooked, lead)
    cooked.leftover_lot.refresh_from_db()
    assert cooked.leftover_lot.on_hand == 3


def test_missing_the_two_hour_mark_fails_and_keeps_the_hold_until_discarded(
    site, lead, cooked, noon
):
    noon.shift(timedelta(hours=2, minutes=30))
    client = client_for(lead)
    post_reading(client, cooked, "18")
    noon.shift(timedelta(hours=1))
    post_reading(client, cooked, "3")
    lot = cooked.leftover_lot
    lot.refresh_from_db()
    assert lot.on_hold
    by = clock(site, cooked.cooked_at + timedelta(hours=2))
    page = meal_page(client, cooked)
    assert f"failed: not at 21 °C by {by}" in page and "discard them" in page
    lot_page = client.get(reverse("pantry:lot", args=[site.slug, lot.pk])).content.decode()
    assert f"Cooling record of Chilli and rice: failed: not at 21 °C by {by}" in lot_page
    hold = LotHold.objects.get(lot=lot)
    move = holds.discard_held(hold, by=lead, reason="Cooled too slowly", destination="compost")
    assert move.reason == "temperature" and -move.quantity == 8


def test_missing_the_six_hour_mark_fails(site, lead, cooked, noon):
    noon.shift(timedelta(hours=1))
    log_cooling_reading(cooked, value_c=Decimal("19"), by=lead)
    noon.shift(timedelta(hours=4))
    log_cooling_reading(cooked, value_c=Decimal("7"), by=lead)
    noon.shift(timedelta(hours=2))
    logged = log_cooling_reading(cooked, value_c=Decimal("4"), by=lead)
    assert logged.cooling.failed and not logged.released
    assert "not at 5 °C by" in logged.cooling.summary()
    cooked.leftover_lot.refresh_from_db()
    assert cooked.leftover_lot.on_hold


def test_a_reading_typed_for_an_earlier_time_counts_at_that_time(site, lead, cooked, noon):
    client = client_for(lead)
    noon.shift(timedelta(hours=3))
    # Read at 1 h 50 min, written down, typed in later: the 2-hour mark was met.
    typed = local_typed(site, cooked.cooked_at + timedelta(hours=1, minutes=50))
    assert post_reading(client, cooked, "21", at=typed).status_code == 302
    assert post_reading(client, cooked, "5").status_code == 302
    cooked.leftover_lot.refresh_from_db()
    assert not cooked.leftover_lot.on_hold


@pytest.mark.parametrize(
    "value, at, field_error",
    [
        ("-300", None, "is not a temperature"),
        ("500", None, "is not a temperature"),
        ("warm", None, "is not a number"),
        ("", None, "Enter the temperature"),
        ("20", -timedelta(hours=1), "a reading of its cooling is taken after that"),
        ("20", timedelta(hours=1), "has not happened yet"),
    ],
)
def test_bad_readings_are_refused_with_the_reason_and_nothing_is_written(
    site, lead, cooked, value, at, field_error
):
    typed = local_typed(site, cooked.cooked_at + at) if at is not None else ""
    response = post_reading(client_for(lead), cooked, value, at=typed)
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not CoolingReading.objects.exists()
    cooked.leftover_lot.refresh_from_db()
    assert cooked.leftover_lot.on_hold


def test_another_sites_meal_takes_no_reading(site, other_site, lead, other_lead, cooked):
    # Another lead, at this site's address: not theirs.
    assert post_reading(client_for(other_lead), cooked, "4").status_code == 403
    # This site's lead, at the other site's address: no such meal there.
    url = reverse("kitchen:meal_cooling", args=[other_site.slug, cooked.pk])
    assert client_for(lead).post(url, {"value": "4"}).status_code in (403, 404)
    with pytest.raises(DomainError):
        log_cooling_reading(cooked, value_c=Decimal("4"), by=other_lead, site=other_site)
    assert not CoolingReading.objects.exists()


def test_the_same_form_sent_twice_records_once(lead, cooked, noon):
    noon.shift(timedelta(hours=1))
    url = reverse("kitchen:meal_cooling", args=[cooked.site.slug, cooked.pk])
    data = {"value": "20", "at": "", "token": str(uuid.uuid4())}
    client = client_for(lead)
    client.post(url, data)
    client.post(url, data)
    assert CoolingReading.objects.count() == 1


def test_a_us_site_reads_fahrenheit_against_70_and_41(site, lead, cooked, noon):
    stores = site.pantry_settings
    stores.measures = Measures.US
    stores.save()
    client = client_for(lead)
    assert "waiting for 70 °F by" in meal_page(client, cooked)
    noon.shift(timedelta(hours=1))
    post_reading(client, cooked, "69")
    assert CoolingReading.objects.get().value_c == Decimal("20.6")
    noon.shift(timedelta(hours=2))
    post_reading(client, cooked, "41")  # 5.0 °C: at the mark is within it
    cooked.leftover_lot.refresh_from_db()
    assert not cooked.leftover_lot.on_hold
    page = meal_page(client, cooked)
    assert "passed: 69.1 °F at" in page and "41.0 °F" in page


def test_an_htmx_reading_answers_with_the_cooling_section(lead, cooked, noon):
    noon.shift(timedelta(minutes=40))
    response = post_reading(client_for(lead), cooked, "20", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="meal-cooling"')
    assert "Saved: 20.0 °C." in body and "waiting for 5 °C" in body


# --- The clock starts when the food came off the heat ------------------------------------


def test_cooking_recorded_late_is_timed_from_when_the_food_came_off_the_heat(
    site, lead, dinner, stocked, noon
):
    # Off the heat at noon; the cook records it only at 15:00, with a reading taken
    # on paper at 13:30.
    off_heat = timezone.now()
    noon.shift(timedelta(hours=3))
    keep_leftovers(dinner, lead, off_heat_at=off_heat)
    dinner.refresh_from_db()
    assert dinner.off_heat_at == off_heat and dinner.cooked_at == off_heat + timedelta(hours=3)
    page = meal_page(client_for(lead), dinner)
    # Without the paper reading the 2-hour mark (14:00) has passed: failed.
    assert f"failed: not at 21 °C by {clock(site, off_heat + timedelta(hours=2))}" in page

    # The 13:30 reading typed in makes the first mark; the final one is due by 18:00.
    log_cooling_reading(dinner, value_c=Decimal(20), at=off_heat + timedelta(hours=1.5), by=lead)
    assert f"waiting for 5 °C by {clock(site, off_heat + timedelta(hours=6))}" in meal_page(
        client_for(lead), dinner
    )


def test_a_reading_before_the_food_came_off_the_heat_is_refused(site, lead, dinner, stocked, noon):
    off_heat = timezone.now()
    noon.shift(timedelta(hours=1))
    keep_leftovers(dinner, lead, off_heat_at=off_heat)
    with pytest.raises(DomainError, match="came off the heat at"):
        log_cooling_reading(
            dinner, value_c=Decimal(20), at=off_heat - timedelta(minutes=30), by=lead
        )


@pytest.mark.parametrize(
    ("hours", "reason"), [(-1, "has not happened yet"), (25, "more than a day ago")]
)
def test_an_off_the_heat_time_later_than_now_or_a_day_ago_is_refused_on_the_form(
    site, lead, dinner, stocked, noon, hours, reason
):
    client = client_for(lead)
    url = reverse("kitchen:meal_cook", args=[site.slug, dinner.pk])
    shown = client.get(url)
    typed = local_typed(site, timezone.now() - timedelta(hours=hours))
    response = client.post(
        url, cook_data(shown, servings_served="30", leftover_servings="8", off_heat_at=typed)
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    dinner.refresh_from_db()
    assert dinner.is_planned and not LotHold.objects.exists()


def test_the_cook_form_takes_the_off_the_heat_time_on_the_sites_clock(
    site, lead, dinner, stocked, noon
):
    client = client_for(lead)
    url = reverse("kitchen:meal_cook", args=[site.slug, dinner.pk])
    off_heat = timezone.now() - timedelta(minutes=45)
    data = cook_data(
        client.get(url),
        servings_served="30",
        leftover_servings="8",
        off_heat_at=local_typed(site, off_heat),
    )
    assert client.post(url, data).status_code == 302
    dinner.refresh_from_db()
    assert dinner.off_heat_at == off_heat
    page = meal_page(client, dinner)
    assert f"waiting for 21 °C by {clock(site, off_heat + timedelta(hours=2))}" in page


# --- Reminding the cook ----------------------------------------------------------------


def cooling_messages():
    from commonpot.models import Message

    return list(Message.objects.filter(kind="cooling").order_by("pk"))


def test_the_cook_and_leads_are_reminded_once_before_each_mark(
    site, lead, other_lead, cooked, noon
):
    from commonpot.models import Membership
    from kitchen.cooling import remind_cooling
    from kitchen.tasks import SCHEDULES

    assert ("kitchen.cooling_reminders", "kitchen.tasks.remind_cooling", 5) in SCHEDULES
    second = Membership.objects.create(user=other_lead, site=site, role=Membership.Role.LEAD)
    noon.shift(timedelta(hours=1))
    assert remind_cooling() == 0  # 2-hour mark more than half an hour away
    noon.shift(timedelta(minutes=35))
    assert remind_cooling() == 2  # the cook (a lead) once, and the other lead
    assert remind_cooling() == 0  # a second run, or a second worker: nobody twice
    first = cooling_messages()
    by = clock(site, cooked.cooked_at + timedelta(hours=2))
    assert {m.to_user for m in first} == {lead, second.user}
    assert first[0].subject == f"Cooling reading due: Chilli and rice at 21 °C by {by}"
    assert cooked.get_absolute_url() in first[0].body_text

    # Read in time: the next reminder is for the 6-hour mark, half an hour before it.
    log_cooling_reading(cooked, value_c=Decimal(19), by=lead)
    noon.shift(timedelta(hours=3))
    assert remind_cooling() == 0
    noon.shift(timedelta(hours=1))
    assert remind_cooling() == 2
    assert "at 5 °C by" in cooling_messages()[-1].subject

    # Passed: nothing more to remind of.
    log_cooling_reading(cooked, value_c=Decimal(4), by=lead)
    noon.shift(timedelta(minutes=20))
    assert remind_cooling() == 0 and len(cooling_messages()) == 4


def test_a_failed_record_reminds_nobody(site, lead, cooked, noon):
    from kitchen.cooling import remind_cooling

    noon.shift(timedelta(hours=2, minutes=5))  # the 2-hour mark missed
    assert remind_cooling() == 0 and cooling_messages() == []
