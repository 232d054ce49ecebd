"""A reminder names the meal a shift cooks for and the transfer a driver moves."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from pantry.network.models import Transfer
from tests.kitchen.factories import MealFactory
from tests.network.factories import bread
from tests.reminders.conftest import claim
from volunteers import planning

pytestmark = pytest.mark.django_db


def test_the_reminder_says_which_meal_the_shift_is_for(run, lead, site, make_shift, volunteer):
    shift = make_shift(hours=20)
    dinner = MealFactory(
        site=site, date=shift.local_date, name="Harvest supper", planned_servings=60
    )
    planning.update_shift(shift_id=shift.pk, by=lead, meal=dinner)
    claim(shift, volunteer)
    run()
    (email,) = [m for m in mail.outbox if m.to == [volunteer.email]]
    assert "You are cooking or serving: Harvest supper for 60" in email.body
    html = next(body for body, kind in email.alternatives if kind == "text/html")
    assert "<strong>Harvest supper for 60</strong>" in html


def test_the_drivers_reminder_says_what_to_drive_from_where_to_where(
    run, lead, site, other_site, make_shift, volunteer
):
    site.address = "12 Wharf Lane"
    site.save()
    other_site.address = "400 Commerce Street"
    other_site.save()
    transfer = Transfer.objects.create(
        source=site,
        destination=other_site,
        item=bread(),
        quantity=Decimal("40000"),
        status=Transfer.Status.ACCEPTED,
    )
    shift = make_shift(hours=20)
    planning.update_shift(shift_id=shift.pk, by=lead, transfer=transfer)
    claim(shift, volunteer)
    run()
    (email,) = [m for m in mail.outbox if m.to == [volunteer.email]]
    assert (
        "You are driving: 40 kg Bread from Riverside Kitchen to Eastside Food Bank. "
        "Pickup: 12 Wharf Lane. Drop-off: 400 Commerce Street." in email.body
    )


def test_an_unlinked_shifts_reminder_mentions_no_meal_or_drive(run, make_shift, volunteer):
    claim(make_shift(hours=20), volunteer)
    run()
    (email,) = [m for m in mail.outbox if m.to == [volunteer.email]]
    assert "cooking or serving" not in email.body and "driving" not in email.body
