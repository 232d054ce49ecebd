"""Local times on the nights the clocks change, night shifts, and lists of several zones.

The clock is pinned (time_machine) a few weeks before each change, so the dates
typed are in the future whatever day the suite runs. Madrid goes forward at 02:00
on the last Sunday of March and back at 03:00 on the last Sunday of October (so
02:00-02:59 is skipped, then repeated); New York at 02:00 in March and November
(02:00-02:59 skipped, 01:00-01:59 repeated).
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from commonpot import dates
from commonpot.models import Membership
from tests.conftest import client_for
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.volunteers.factories import RotaFactory, ShiftFactory, ShiftRoleFactory
from volunteers import planning, services
from volunteers.models import Rota, Shift

pytestmark = pytest.mark.django_db

MADRID_FORWARD = date(2027, 3, 28)
MADRID_BACK = date(2027, 10, 31)
NEW_YORK_FORWARD = date(2027, 3, 14)
NEW_YORK_BACK = date(2027, 11, 7)


@pytest.fixture
def early_2027():
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=False) as t:
        yield t


@pytest.fixture
def autumn_2027():
    with time_machine.travel(datetime(2027, 10, 1, 12, tzinfo=UTC), tick=False) as t:
        yield t


@pytest.fixture
def madrid(db):
    return SiteFactory(name="Lavapiés Kitchen", slug="lavapies", time_zone="Europe/Madrid")


@pytest.fixture
def new_york(db):
    return SiteFactory(name="Bronx Pantry", slug="bronx", time_zone="America/New_York")


def lead_of(site):
    from commonpot.models import User

    user = User.objects.filter(username=f"lead-{site.slug}").first()
    if user is None:
        user = UserFactory(username=f"lead-{site.slug}", display_name=f"Lead of {site.name}")
        MembershipFactory(user=user, site=site, role=Membership.Role.LEAD)
    return user


def shift_form(site, day, start, end, **more):
    role = ShiftRoleFactory(site=site, name="Night watch")
    return {
        "role": role.pk,
        "date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "min_people": "1",
        "max_people": "2",
        "is_published": "on",
        **more,
    }


def post_shift(site, data):
    return client_for(lead_of(site)).post(
        reverse("volunteers:shift_create", args=[site.slug]), data
    )


# --- A time the clock skips ----------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day"), [("Europe/Madrid", MADRID_FORWARD), ("America/New_York", NEW_YORK_FORWARD)]
)
def test_a_shift_at_a_time_the_clocks_skip_is_refused_with_the_reason(early_2027, zone, day):
    site = SiteFactory(slug="here", time_zone=zone)
    response = post_shift(site, shift_form(site, day, "02:30", "05:00"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "02:30 on" in page and f"does not exist in {zone}" in page
    assert "the clocks go forward from 02:00 to 03:00" in page
    assert not Shift.objects.exists()


def test_the_hour_before_and_after_the_gap_are_fine_and_last_as_long_as_they_do(early_2027, madrid):
    response = post_shift(madrid, shift_form(madrid, MADRID_FORWARD, "01:30", "03:30"))
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.starts_at == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)  # 01:30 CET
    assert shift.ends_at == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert shift.hours == 1  # the clock shows two hours; one passes


# --- A time that happens twice --------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "clock", "first", "second", "names"),
    [
        ("Europe/Madrid", MADRID_BACK, "02:30", 0, 1, ("CEST", "CET")),
        ("America/New_York", NEW_YORK_BACK, "01:30", 5, 6, ("EDT", "EST")),
    ],
)
def test_a_time_that_happens_twice_asks_which_and_keeps_the_answer(
    autumn_2027, zone, day, clock, first, second, names
):
    site = SiteFactory(slug="here", time_zone=zone)
    data = shift_form(site, day, clock, "07:00")
    response = post_shift(site, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert f"{clock} on" in page and f"happens twice in {zone}" in page
    assert f"the first {clock} (summer time, {names[0]})" in page
    assert f"the second {clock} (winter time, {names[1]})" in page
    assert not Shift.objects.exists()

    assert post_shift(site, {**data, "start_which": "1"}).status_code == 302
    shift = Shift.objects.get()
    assert shift.starts_at == datetime.combine(day, time(second, 30), tzinfo=UTC)
    Shift.objects.all().delete()
    assert post_shift(site, {**data, "start_which": "0"}).status_code == 302
    assert Shift.objects.get().starts_at == datetime.combine(day, time(first, 30), tzinfo=UTC)


def test_editing_a_shift_at_the_second_reading_shows_it_and_saving_keeps_it(autumn_2027, madrid):
    lead = lead_of(madrid)
    second = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 CET, the second one
    shift = ShiftFactory(site=madrid, starts_at=second, ends_at=second + timedelta(hours=4))
    url = reverse("volunteers:shift_edit", args=[madrid.slug, shift.pk])
    page = client_for(lead).get(url).content.decode()
    assert "Which 02:30?" in page and "the second 02:30 (winter time, CET)" in page
    assert re.search(r'value="1"[^>]*checked', page)
    data = shift_form(madrid, MADRID_BACK, "02:30", "05:30", start_which="1")
    data["role"] = shift.role_id
    assert client_for(lead).post(url, data).status_code == 302
    shift.refresh_from_db()
    assert shift.starts_at == second


# --- Night shifts -------------------------------------------------------------------


def test_a_night_shift_ends_the_next_morning_and_lasts_an_hour_more_when_clocks_go_back(
    autumn_2027, madrid
):
    response = post_shift(madrid, shift_form(madrid, date(2027, 10, 30), "22:00", "06:00"))
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.starts_at == datetime(2027, 10, 30, 20, tzinfo=UTC)  # 22:00 CEST
    assert shift.ends_at == datetime(2027, 10, 31, 5, tzinfo=UTC)  # 06:00 CET
    assert shift.hours == 9
    assert str(shift).endswith("Sat 30 Oct, 22:00–06:00 next day")


def test_night_shifts_show_next_day_on_the_board_roster_and_sheets(early_2027, madrid):
    lead = lead_of(madrid)
    start = datetime(2027, 3, 5, 21, tzinfo=UTC)  # Friday 22:00 CET
    shift = ShiftFactory(site=madrid, starts_at=start, ends_at=start + timedelta(hours=8))
    pages = [
        client_for(lead).get(reverse("volunteers:board")),
        client_for(lead).get(reverse("volunteers:roster", args=[madrid.slug, shift.pk])),
        client_for(lead).get(reverse("volunteers:sheets", args=[madrid.slug])),
    ]
    for response in pages:
        assert response.status_code == 200
        assert "22:00–06:00 next day" in response.content.decode()


def test_a_night_shift_overlaps_the_next_mornings_shift(early_2027, madrid):
    volunteer = UserFactory(username="nina")
    MembershipFactory(user=volunteer, site=madrid)
    night_start = datetime(2027, 3, 5, 21, tzinfo=UTC)
    night = ShiftFactory(
        site=madrid, starts_at=night_start, ends_at=night_start + timedelta(hours=8)
    )
    breakfast = ShiftFactory(
        site=madrid,
        starts_at=night_start + timedelta(hours=7),  # 05:00 the next morning
        ends_at=night_start + timedelta(hours=10),
    )
    services.claim_shift(shift_id=night.pk, volunteer=volunteer)
    with pytest.raises(services.DomainError, match="overlaps"):
        services.claim_shift(shift_id=breakfast.pk, volunteer=volunteer)


def test_a_night_rota_makes_shifts_that_end_the_next_morning(early_2027, madrid):
    lead = lead_of(madrid)
    run = planning.save_rota(
        site=madrid,
        by=lead,
        role=ShiftRoleFactory(site=madrid, name="Night watch"),
        weekdays=1 << Rota.Weekday.SATURDAY,
        start_time=time(22),
        end_time=time(6),
        min_people=1,
        max_people=2,
        weeks_ahead=5,
        starts_on=date(2027, 3, 1),
    )
    by_day = {s.rota_date: s for s in run.created}
    ordinary = by_day[date(2027, 3, 6)]
    assert ordinary.local_end.date() == date(2027, 3, 7) and ordinary.hours == 8
    spring = by_day[date(2027, 3, 27)]  # the clocks go forward in the night
    assert spring.ends_at == datetime(2027, 3, 28, 4, tzinfo=UTC) and spring.hours == 7
    assert run.not_made == []


# --- Rotas and copies on the nights the clocks change ------------------------------------


def test_a_rota_at_a_skipped_time_makes_no_shift_that_day_and_says_why(early_2027, madrid):
    lead = lead_of(madrid)
    rota = RotaFactory(
        site=madrid,
        weekdays=1 << Rota.Weekday.SUNDAY,
        start_time=time(2, 30),
        end_time=time(5),
        starts_on=date(2027, 3, 1),
    )
    url = reverse("volunteers:rota_generate", args=[madrid.slug, rota.pk])
    page = client_for(lead).post(url, follow=True).content.decode()
    made = set(Shift.objects.filter(rota=rota).values_list("rota_date", flat=True))
    assert date(2027, 3, 21) in made and MADRID_FORWARD not in made
    assert "No shift made on Sun 28 Mar" in page
    assert "does not exist in Europe/Madrid" in page
    # The rota's page lists the coming days that need a change, autumn's included.
    page = client_for(lead).get(reverse("volunteers:rota", args=[madrid.slug, rota.pk]))
    text = page.content.decode()
    assert "Sun 28 Mar" in text and "Sun 31 Oct" in text and "happens twice" in text


def test_a_rota_exception_on_the_autumn_night_asks_which_and_makes_that_shift(autumn_2027, madrid):
    lead = lead_of(madrid)
    rota = RotaFactory(
        site=madrid,
        weekdays=1 << Rota.Weekday.SUNDAY,
        start_time=time(2, 30),
        end_time=time(5),
        weeks_ahead=6,
        starts_on=date(2027, 10, 1),
    )
    url = reverse("volunteers:rota_exception_add", args=[madrid.slug, rota.pk])
    data = {"date": MADRID_BACK.isoformat(), "reason": "clocks go back"}
    response = client_for(lead).post(url, data)
    assert response.status_code == 400
    assert "the first 02:30 (summer time, CEST)" in response.content.decode()
    assert not rota.exceptions.exists()

    response = client_for(lead).post(url, {**data, "start_which": "1"})
    assert response.status_code == 302
    shift = Shift.objects.get(rota=rota, rota_date=MADRID_BACK)
    assert shift.starts_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # the second 02:30


def test_copying_a_day_onto_the_spring_night_leaves_out_the_skipped_shift(early_2027, madrid):
    lead = lead_of(madrid)
    role = ShiftRoleFactory(site=madrid, name="Bakery")
    for clock in (time(1, 30), time(2, 30), time(9)):
        start = datetime.combine(date(2027, 3, 21), clock, tzinfo=madrid.tz)
        ShiftFactory(site=madrid, role=role, starts_at=start, ends_at=start + timedelta(hours=2))
    result = planning.copy_day(
        site=madrid, by=lead, from_day=date(2027, 3, 21), to_day=MADRID_FORWARD
    )
    assert sorted(s.local_start.time() for s in result.created) == [time(1, 30), time(9)]
    assert len(result.not_copied) == 1 and "02:30" in result.not_copied[0]


# --- Lists of several zones -------------------------------------------------------------


def test_a_board_of_two_zones_shows_each_times_zone_and_one_zone_does_not(
    early_2027, madrid, new_york
):
    start = datetime(2027, 3, 6, 9, tzinfo=UTC)
    ShiftFactory(site=madrid, starts_at=start, ends_at=start + timedelta(hours=2))
    page = client_for(None).get(reverse("volunteers:board")).content.decode()
    assert "10:00–12:00</time>" in page and "10:00–12:00 CET" not in page

    ShiftFactory(site=new_york, starts_at=start, ends_at=start + timedelta(hours=2))
    page = client_for(None).get(reverse("volunteers:board")).content.decode()
    assert "10:00–12:00 CET" in page and "04:00–06:00 EST" in page


def test_my_shifts_at_sites_in_two_zones_show_the_zone(early_2027, madrid, new_york):
    volunteer = UserFactory(username="nina")
    start = datetime(2027, 3, 6, 9, tzinfo=UTC)
    for site, hours in ((madrid, 0), (new_york, 6)):
        MembershipFactory(user=volunteer, site=site)
        at = start + timedelta(hours=hours)
        shift = ShiftFactory(site=site, starts_at=at, ends_at=at + timedelta(hours=2))
        services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    page = client_for(volunteer).get(reverse("volunteers:my_shifts")).content.decode()
    assert "10:00–12:00 CET" in page and "10:00–12:00 EST" in page


def test_hours_across_a_change_of_clocks_name_both_zones():
    tz = ZoneInfo("Europe/Madrid")
    start = datetime(2027, 3, 27, 22, tzinfo=tz)
    end = datetime(2027, 3, 28, 6, tzinfo=tz)
    assert dates.clock_span(start, end) == "22:00–06:00 next day"
    assert dates.clock_span(start, end, zone=True) == "22:00 CET–06:00 CEST next day"
