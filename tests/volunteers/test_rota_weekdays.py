"""Rotas over several weekdays: Mon, Wed, Fri 16:00-19:00 makes a shift on each."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commonpot.errors import DomainError
from commonpot.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.migrating import migrate, migrate_to_latest
from tests.volunteers.factories import RotaFactory, ShiftRoleFactory
from volunteers import planning
from volunteers.models import Rota, Shift, weekday_bits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]

MON_WED_FRI = weekday_bits([0, 2, 4])


def days_between(first: date, last: date, weekdays) -> list[date]:
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() in weekdays
    ]


def rota_form(cook, **changes) -> dict:
    return {
        "role": cook.pk,
        "weekdays": ["0", "2", "4"],
        "start_time": "16:00",
        "end_time": "19:00",
        "min_people": "1",
        "max_people": "4",
        "weeks_ahead": "2",
        "starts_on": timezone.localdate().isoformat(),
        "publish": "on",
        "is_active": "on",
    } | changes


def test_a_rota_over_monday_wednesday_and_friday_makes_a_shift_on_each_of_them(site, lead, cook):
    run = planning.save_rota(
        site=site,
        by=lead,
        role=cook,
        weekdays=MON_WED_FRI,
        start_time=time(16),
        end_time=time(19),
        min_people=1,
        max_people=4,
        weeks_ahead=2,
        starts_on=site.today(),
    )
    today = site.today()
    expected = [
        d
        for d in days_between(today, today + timedelta(weeks=2), {0, 2, 4})
        if planning.local_moment(site, d, time(16)) > timezone.now()
    ]
    assert sorted(s.rota_date for s in run.created) == expected
    assert all(s.local_start.time() == time(16) for s in run.created)
    assert str(run.rota) == "Mon, Wed, Fri 16:00–19:00, Cook"
    again = planning.generate_rota_shifts(rota_id=run.rota.pk, by=lead)
    assert again.created == [] and Shift.objects.filter(rota=run.rota).count() == len(expected)


def test_an_overnight_rota_on_two_days_ends_each_night_the_next_morning_across_the_clock_change():
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=False):
        madrid = SiteFactory(name="Lavapiés Kitchen", slug="lavapies", time_zone="Europe/Madrid")
        lead = UserFactory(username="lead-lavapies")
        MembershipFactory(user=lead, site=madrid, role=Membership.Role.LEAD)
        run = planning.save_rota(
            site=madrid,
            by=lead,
            role=ShiftRoleFactory(site=madrid, name="Night watch"),
            weekdays=weekday_bits([4, 5]),
            start_time=time(22),
            end_time=time(6),
            min_people=1,
            max_people=2,
            weeks_ahead=4,
            starts_on=date(2027, 3, 1),
        )
        by_day = {s.rota_date: s for s in run.created}
        assert sorted(by_day) == days_between(date(2027, 3, 1), date(2027, 3, 29), {4, 5})
        friday = by_day[date(2027, 3, 26)]
        assert friday.local_end.date() == date(2027, 3, 27) and friday.hours == 8
        saturday = by_day[date(2027, 3, 27)]  # the clocks go forward in the night
        assert saturday.ends_at == datetime(2027, 3, 28, 4, tzinfo=UTC) and saturday.hours == 7
        assert str(run.rota) == "Fri, Sat 22:00–06:00 next day, Night watch"
        assert run.not_made == []


def test_an_exception_must_fall_on_one_of_the_rotas_days(site, lead, cook):
    rota = RotaFactory(site=site, role=cook, weekdays=MON_WED_FRI)
    today = site.today()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    with pytest.raises(DomainError, match="runs on Mon, Wed, Fri"):
        planning.add_rota_exception(rota=rota, by=lead, day=tuesday)
    wednesday = tuesday + timedelta(days=1)
    planning.add_rota_exception(rota=rota, by=lead, day=wednesday, reason="Inspection")
    assert list(rota.exceptions.values_list("date", flat=True)) == [wednesday]


def test_a_lead_ticks_the_days_and_the_list_shows_them_the_short_way(site, lead, cook):
    client = client_for(lead)
    response = client.post(reverse("volunteers:rotas", args=[site.slug]), rota_form(cook))
    rota = Rota.objects.get()
    assert response.status_code == 302 and rota.weekdays == MON_WED_FRI
    page = client.get(reverse("volunteers:rotas", args=[site.slug])).content.decode()
    assert "Mon, Wed, Fri 16:00–19:00, Cook" in page
    # The rota's own form comes back with those days ticked, and only those.
    form = client.get(reverse("volunteers:rota", args=[site.slug, rota.pk])).context["form"]
    assert [int(d) for d in form["weekdays"].value()] == [0, 2, 4]


def test_a_rota_with_no_day_ticked_is_refused_on_the_days_field(site, lead, cook):
    data = rota_form(cook)
    del data["weekdays"]
    response = client_for(lead).post(reverse("volunteers:rotas", args=[site.slug]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["weekdays"] == ["Choose at least one day."]
    assert not Rota.objects.exists() and not Shift.objects.exists()


def test_a_rota_without_days_is_refused_by_the_service_and_the_database(site, lead, cook):
    with pytest.raises(DomainError, match="at least one day") as refused:
        planning.save_rota(
            site=site,
            by=lead,
            role=cook,
            weekdays=0,
            start_time=time(16),
            end_time=time(19),
            min_people=1,
            max_people=4,
            weeks_ahead=2,
            starts_on=site.today(),
        )
    assert refused.value.field == "weekdays"
    assert not Rota.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        RotaFactory(site=site, role=cook, weekdays=128)


def test_rotas_are_listed_by_their_first_day_then_their_time(site, cook):
    wednesday = RotaFactory(site=site, role=cook, weekdays=weekday_bits([2]))
    monday_late = RotaFactory(
        site=site, role=cook, weekdays=weekday_bits([0, 6]), start_time=time(18)
    )
    tuesday = RotaFactory(site=site, role=cook, weekdays=weekday_bits([1, 3]))
    monday_early = RotaFactory(
        site=site, role=cook, weekdays=weekday_bits([0, 4]), start_time=time(9)
    )
    assert list(Rota.objects.filter(site=site)) == [monday_early, monday_late, tuesday, wednesday]


def test_changing_the_days_moves_the_shifts_nobody_signed_up_for(site, lead, cook):
    rota = RotaFactory(site=site, role=cook, weekdays=weekday_bits([1]), weeks_ahead=2)
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    url = reverse("volunteers:rota", args=[site.slug, rota.pk])
    data = rota_form(cook, weekdays=["3", "5"], starts_on=rota.starts_on.isoformat())
    assert client_for(lead).post(url, data).status_code == 302
    days = {
        d.weekday() for d in Shift.objects.filter(rota=rota).values_list("rota_date", flat=True)
    }
    assert days == {3, 5}


BEFORE = [("volunteers", "0011_availability_and_preferred_roles")]


@pytest.mark.django_db(transaction=True)
def test_each_existing_rota_keeps_its_day_through_the_migration_and_back():
    old = migrate(BEFORE)
    Site = old.get_model("commonpot", "Site")
    ShiftRole = old.get_model("volunteers", "ShiftRole")
    OldRota = old.get_model("volunteers", "Rota")
    site = Site.objects.create(name="Eastside", slug="eastside", time_zone="Europe/London")
    role = ShiftRole.objects.create(site=site, name="Cook")
    thursday = OldRota.objects.create(
        site=site, role=role, weekday=3, start_time=time(16), end_time=time(19)
    )
    sunday = OldRota.objects.create(
        site=site, role=role, weekday=6, start_time=time(22), end_time=time(6)
    )

    migrate_to_latest()
    assert Rota.objects.get(pk=thursday.pk).days == [3]
    assert Rota.objects.get(pk=sunday.pk).days == [6]

    # Back again: a rota over several days keeps the first of them.
    Rota.objects.filter(pk=thursday.pk).update(weekdays=weekday_bits([2, 4]))
    old = migrate(BEFORE)
    OldRota = old.get_model("volunteers", "Rota")
    assert OldRota.objects.get(pk=thursday.pk).weekday == 2
    assert OldRota.objects.get(pk=sunday.pk).weekday == 6
    migrate_to_latest()
