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


def test_a_rotas_place_goes_on_its_shifts_and_a_new_place_on_those_to_come(site, lead, cook):
    rota = RotaFactory(site=site, role=cook, place="Market car park, gate B")
    run = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert run.created and {s.place for s in run.created} == {"Market car park, gate B"}
    Rota.objects.filter(pk=rota.pk).update(place="St Mary's Hall")
    again = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert {s.place for s in Shift.objects.filter(rota=rota)} == {"St Mary's Hall"}
    assert len(again.updated) == len(run.created)


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

    url = reverse("volunteers:rota", args=[site.slug, rota.pk])
    data = {
        "role": cook.pk,
        "weekdays": [Rota.Weekday.WEDNESDAY],
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
    url = reverse("volunteers:rotas", args=[site.slug])
    data = {
        "role": cook.pk,
        "weekdays": ["1"],
        "start_time": "19:00",
        "end_time": "19:00",
        "min_people": "5",
        "max_people": "4",
        "weeks_ahead": "4",
        "starts_on": site.today().isoformat(),
    }
    response = client_for(lead).post(url, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The end time must differ from the start time" in page
    assert "The minimum cannot be above the maximum." in page
    assert not Rota.objects.exists() and not Shift.objects.exists()


def test_rolling_every_rota_forward_fills_the_weeks_ahead_once(site, other_site, lead, cook):
    RotaFactory(site=site, role=cook)
    RotaFactory(site=other_site, weekdays=1 << Rota.Weekday.FRIDAY)
    made = planning.roll_rotas_forward()
    assert made == Shift.objects.count() >= 8
    assert planning.roll_rotas_forward() == 0


def rota_form(rota, **changes) -> dict:
    data = {
        "role": rota.role_id,
        "weekdays": rota.days,
        "start_time": f"{rota.start_time:%H:%M}",
        "end_time": f"{rota.end_time:%H:%M}",
        "min_people": str(rota.min_people),
        "max_people": str(rota.max_people),
        "weeks_ahead": str(rota.weeks_ahead),
        "starts_on": rota.starts_on.isoformat(),
        "publish": "on",
        "is_active": "on",
    }
    return {**data, **changes}


def shifts_of(rota) -> list[tuple]:
    return list(
        Shift.objects.filter(rota=rota)
        .order_by("rota_date")
        .values_list("pk", "rota_date", "starts_at", "ends_at", "max_people")
    )


def test_moving_a_rota_past_an_exceptions_end_is_refused_on_the_form_and_writes_nothing(
    site, lead, cook
):
    rota = RotaFactory(site=site, role=cook)
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    day = Shift.objects.filter(rota=rota).order_by("rota_date").last().rota_date
    planning.add_rota_exception(rota=rota, by=lead, day=day, skip=False, end_time=time(18))
    before = shifts_of(rota)

    url = reverse("volunteers:rota", args=[site.slug, rota.pk])
    data = rota_form(rota, start_time="18:00", end_time="21:00")
    response = client_for(lead).post(url, data)

    assert response.status_code == 400
    page = response.content.decode()
    expected = (
        f"The exception on {day:%a} {day.day} {day:%b} ends at 18:00, the rota&#x27;s new start"
    )
    assert expected in page
    rota.refresh_from_db()
    assert (rota.start_time, rota.end_time) == (time(16), time(19))
    assert shifts_of(rota) == before


def test_moving_a_rota_past_an_exceptions_start_is_refused_too(site, lead, cook):
    rota = RotaFactory(site=site, role=cook)
    run = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    day = run.created[-1].rota_date
    planning.add_rota_exception(rota=rota, by=lead, day=day, skip=False, start_time=time(18))
    with pytest.raises(DomainError, match="starts at 18:00, the rota's new end"):
        planning.save_rota(
            site=site,
            by=lead,
            rota=Rota.objects.get(pk=rota.pk),
            start_time=time(9),
            end_time=time(18),
        )
    rota.refresh_from_db()
    assert rota.end_time == time(19)


def test_saving_a_rota_makes_its_shifts_in_the_same_call(site, lead, cook):
    run = planning.save_rota(
        site=site,
        by=lead,
        role=cook,
        weekdays=1 << Rota.Weekday.TUESDAY,
        start_time=time(16),
        end_time=time(19),
        min_people=1,
        max_people=4,
        weeks_ahead=4,
        starts_on=site.today(),
    )
    assert run.rota.pk is not None
    assert run.created and Shift.objects.filter(rota=run.rota).count() == len(run.created)


def test_one_sites_broken_rota_does_not_stop_another_sites_rota_rolling_forward(
    site, other_site, lead, cook, noon
):
    broken = RotaFactory(site=site, role=cook)
    # An exception written before the save checked them: that day would end as it starts.
    last_tuesday = tuesdays(site)[-1]
    broken.exceptions.create(date=last_tuesday, skip=False, end_time=time(16))
    fine = RotaFactory(site=other_site, weekdays=1 << Rota.Weekday.FRIDAY)

    made = planning.roll_rotas_forward()

    assert Shift.objects.filter(rota=fine).count() >= 4
    assert made == Shift.objects.count()
    # The broken day waits for its lead; the rota's other weeks are made.
    assert not Shift.objects.filter(rota=broken, rota_date=last_tuesday).exists()
    assert Shift.objects.filter(rota=broken).count() == len(tuesdays(site)) - 1


def test_a_broken_rota_is_explained_when_its_lead_makes_its_shifts(site, lead, cook):
    rota = RotaFactory(site=site, role=cook)
    day = tuesdays(site)[-1]
    rota.exceptions.create(date=day, skip=False, end_time=time(16))
    run = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert run.not_made == [
        f"{day:%a} {day.day} {day:%b}: The end time must differ from the start time (an end "
        "before the start is the next morning). Add an exception for that day."
    ]
    assert not Shift.objects.filter(rota=rota, rota_date=day).exists()


def test_making_a_broken_rotas_shifts_by_hand_tells_the_lead_why_instead_of_failing(
    site, lead, cook
):
    rota = RotaFactory(site=site, role=cook)
    day = tuesdays(site)[-1]
    rota.exceptions.create(date=day, skip=False, end_time=time(16))
    url = reverse("volunteers:rota_generate", args=[site.slug, rota.pk])
    response = client_for(lead).post(url, follow=True)
    assert response.status_code == 200
    assert "No shift made on" in response.content.decode()
    assert not Shift.objects.filter(rota=rota, rota_date=day).exists()
