"""Weekly rotas: shifts for the coming weeks, once each, never dropping sign-ups."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot.errors import DomainError
from tests.conftest import client_for
from tests.volunteers.factories import RotaFactory
from volunteers import planning, services
from volunteers.models import Rota, Shift, SignUp

# Dates here are worked out from "now" in more than one time zone.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def tuesdays(site, weeks=4):
    today = site.today()
    first = today + timedelta(days=(1 - today.weekday()) % 7)
    return [
        first + timedelta(weeks=n)
        for n in range(weeks + 1)
        if first + timedelta(weeks=n) <= today + timedelta(weeks=weeks)
    ]


def test_a_rota_makes_a_shift_each_week_and_running_it_again_makes_no_more(site, lead, cook):
    rota = RotaFactory(site=site, role=cook)
    run = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    days = [d for d in tuesdays(site) if planning.local_moment(site, d, time(16)) > timezone.now()]
    assert sorted(s.local_date for s in run.created) == days
    assert all(s.local_start.time() == time(16) and s.max_people == 4 for s in run.created)
    again = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert again.created == [] and again.updated == []
    assert Shift.objects.filter(rota=rota).count() == len(days)


def test_an_exception_skips_one_date_or_changes_its_hours(site, lead, cook):
    rota = RotaFactory(site=site, role=cook)
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    first, second = Shift.objects.filter(rota=rota).order_by("starts_at")[:2]
    planning.add_rota_exception(rota=rota, by=lead, day=first.rota_date, reason="Holiday")
    planning.add_rota_exception(
        rota=rota, by=lead, day=second.rota_date, skip=False, start_time=time(17), max_people=6
    )
    run = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert run.removed == 1
    assert not Shift.objects.filter(pk=first.pk).exists()
    second.refresh_from_db()
    assert second.local_start.time() == time(17) and second.max_people == 6


def test_an_exception_must_fall_on_the_rotas_weekday(site, lead, cook):
    rota = RotaFactory(site=site, role=cook)
    monday = site.today() + timedelta(days=(0 - site.today().weekday()) % 7 or 7)
    with pytest.raises(DomainError, match="runs on Tuesdays"):
        planning.add_rota_exception(rota=rota, by=lead, day=monday)
    assert not rota.exceptions.exists()


def test_changing_a_rota_never_drops_a_shift_people_signed_up_for(site, lead, cook, volunteer):
    rota = RotaFactory(site=site, role=cook)
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    taken, empty = Shift.objects.filter(rota=rota).order_by("starts_at")[:2]
    sign_up = services.claim_shift(shift_id=taken.pk, volunteer=volunteer)

    url = reverse("volunteers_rota", args=[site.slug, rota.pk])
    data = {
        "role": cook.pk,
        "weekday": Rota.Weekday.WEDNESDAY,
        "start_time": "10:00",
        "end_time": "12:00",
        "min_people": "1",
        "max_people": "3",
        "weeks_ahead": "4",
        "starts_on": rota.starts_on.isoformat(),
        "publish": "on",
        "is_active": "on",
    }
    response = client_for(lead).post(url, data, follow=True)
    assert "1 kept unchanged because people are signed up" in response.content.decode()
    taken.refresh_from_db()
    assert taken.local_start.time() == time(16)
    assert SignUp.objects.get(pk=sign_up.pk).is_confirmed
    assert not Shift.objects.filter(pk=empty.pk).exists()
    assert Shift.objects.filter(rota=rota, rota_date__week_day=4).exists()  # Wednesdays


def test_a_bad_rota_is_refused_with_a_reason(site, lead, cook):
    url = reverse("volunteers_rotas", args=[site.slug])
    data = {
        "role": cook.pk,
        "weekday": "1",
        "start_time": "19:00",
        "end_time": "16:00",
        "min_people": "5",
        "max_people": "4",
        "weeks_ahead": "4",
        "starts_on": site.today().isoformat(),
    }
    response = client_for(lead).post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The end time must be after the start time." in page
    assert "The minimum cannot be above the maximum." in page
    assert not Rota.objects.exists() and not Shift.objects.exists()


def test_rolling_every_rota_forward_fills_the_weeks_ahead_once(site, other_site, lead, cook):
    RotaFactory(site=site, role=cook)
    RotaFactory(site=other_site, weekday=Rota.Weekday.FRIDAY)
    made = planning.roll_rotas_forward()
    assert made == Shift.objects.count() >= 8
    assert planning.roll_rotas_forward() == 0
