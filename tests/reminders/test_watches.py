"""Watching a site or role: a volunteer hears once per shift, through the outbox,
when a shift there is still short of people the chosen number of hours before."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from commonpot.models import Membership, Message, User
from commonpot.schedules import app_schedules
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.reminders.conftest import claim
from tests.volunteers.factories import ShiftRoleFactory
from volunteers import watches
from volunteers.models import ShiftPolicy, ShiftWatch

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def watch(person, site, role=None, hours: int = 24) -> ShiftWatch:
    found, _ = watches.watch_shifts(volunteer=person, site=site, role=role, hours_before=hours)
    return found


def told(person) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [person.email]]


@pytest.fixture
def tell(run):
    def tell_now(**kwargs):
        return run(watches.tell_watchers, **kwargs)

    return tell_now


def test_a_watcher_hears_once_about_a_short_shift_however_often_the_job_runs(
    tell, make_shift, volunteer, site
):
    watch(volunteer, site, hours=24)
    shift = make_shift(hours=20, min_people=2)
    assert tell() == 1
    assert tell() == 0
    (subject,) = told(volunteer)
    assert subject.startswith("Short of people: Cook at Riverside Kitchen")
    assert subject.endswith("(0 of 2)")
    (email,) = mail.outbox
    assert reverse("volunteers:shift", args=[shift.pk]) in email.body
    assert "2 more people are needed" in email.body
    assert reverse("volunteers:watches") in email.body
    message = Message.objects.get(kind=watches.KIND)
    assert message.key == f"volunteers:short-shift:{shift.pk}:{volunteer.pk}"
    assert message.to_user == volunteer


def test_the_same_shift_is_not_told_again_after_it_fills_and_falls_short_again(
    tell, make_shift, make_volunteer, volunteer, site
):
    watch(volunteer, site, hours=48)
    shift = make_shift(hours=30, min_people=1)
    tell()
    place = claim(shift, make_volunteer("Amira Haddad"))
    tell()
    from volunteers import services

    services.cancel_sign_up(sign_up_id=place.pk, by=place.volunteer)
    tell()
    assert len(told(volunteer)) == 1


def test_only_shifts_within_the_watchers_hours_are_told(
    tell, make_shift, make_volunteer, volunteer, site
):
    early = make_volunteer("Early Bird")
    watch(volunteer, site, hours=24)
    watch(early, site, hours=48)
    make_shift(hours=30)
    tell()
    assert told(volunteer) == []
    assert len(told(early)) == 1


def test_a_role_watch_hears_only_of_that_role(tell, make_shift, volunteer, site, cook):
    driver = ShiftRoleFactory(site=site, name="Driver")
    watch(volunteer, site, role=driver)
    make_shift(hours=10, role=cook)
    tell()
    assert told(volunteer) == []
    make_shift(hours=12, role=driver)
    tell()
    (subject,) = told(volunteer)
    assert subject.startswith("Short of people: Driver")


def test_a_site_watch_and_a_role_watch_covering_the_same_shift_send_one_email(
    tell, make_shift, volunteer, site, cook
):
    watch(volunteer, site)
    watch(volunteer, site, role=cook, hours=48)
    make_shift(hours=10)
    assert tell() == 1
    assert len(told(volunteer)) == 1


@pytest.mark.parametrize(
    "case",
    ["at its minimum", "not published", "already on it", "not open for sign-up", "site closed"],
)
def test_nobody_is_told_about_a_shift_they_need_not_hear_of(
    tell, make_shift, make_volunteer, volunteer, site, case
):
    watch(volunteer, site, hours=48)
    shift = make_shift(hours=40, min_people=2)
    if case == "at its minimum":
        claim(shift, make_volunteer("Amira Haddad"))
        claim(shift, make_volunteer("Bea Baker"))
    elif case == "not published":
        shift.is_published = False
        shift.save()
    elif case == "already on it":
        claim(shift, volunteer)
    elif case == "not open for sign-up":
        ShiftPolicy.objects.create(site=site, sign_up_opens_days=1)
    elif case == "site closed":
        site.is_active = False
        site.save()
    assert tell() == 0
    assert told(volunteer) == []


def test_a_private_site_is_told_only_to_its_own_people(
    tell, make_shift, volunteer, private_site, coordinator
):
    member = volunteer
    MembershipFactory(user=member, site=private_site, role=Membership.Role.VOLUNTEER)
    watch(member, private_site)
    watch(coordinator, private_site)
    make_shift(hours=10, site=private_site)
    # Vera leaves the site; her watch stays, but she may no longer see its shifts.
    Membership.objects.filter(user=member, site=private_site).delete()
    tell()
    assert told(member) == []
    assert len(told(coordinator)) == 1


def test_a_watcher_who_turned_reminders_off_still_hears_what_they_asked_for(
    tell, make_shift, volunteer, site
):
    User.objects.filter(pk=volunteer.pk).update(remind_by_email=False)
    watch(volunteer, site)
    make_shift(hours=10)
    tell()
    assert len(told(volunteer)) == 1


def test_the_job_runs_on_the_workers_schedule():
    assert ("volunteers.tell_watchers", "volunteers.tasks.tell_watchers", 15) in app_schedules()


def test_the_job_works_in_batches_and_tells_each_watcher_of_each_shift(
    tell, make_shift, make_volunteer, site
):
    people = [make_volunteer(f"Watcher {n}") for n in range(3)]
    for person in people:
        watch(person, site)
    for hours in (2, 4, 6, 8, 10):
        make_shift(hours=hours)
    assert tell(batch_size=2) == 15
    assert tell(batch_size=2) == 0
    assert all(len(told(p)) == 5 for p in people)


# --- The page -------------------------------------------------------------------


def test_a_volunteer_watches_a_role_and_changes_the_hours_from_the_page(volunteer, site, cook):
    client = client_for(volunteer)
    url = reverse("volunteers:watches")
    data = {"site": site.pk, "role": cook.pk, "hours_before": 24}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "hours_before": 48}).status_code == 302
    (saved,) = ShiftWatch.objects.filter(volunteer=volunteer)
    assert (saved.site, saved.role, saved.hours_before) == (site, cook, 48)
    page = client.get(url).content.decode()
    assert "Cook" in page and "48 hours before" in page
    assert url in client.get(reverse("volunteers:my_shifts")).content.decode()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"role": "other"}, "role"),
        ({"site": "private"}, "site"),
        ({"hours_before": 5}, "hours_before"),
        ({"hours_before": "a day"}, "hours_before"),
        ({"site": ""}, "site"),
    ],
)
def test_a_bad_watch_is_a_field_error_and_nothing_is_saved(
    volunteer, site, other_site, private_site, cook, change, field
):
    data = {"site": site.pk, "role": cook.pk, "hours_before": 24}
    if change.get("role") == "other":
        change = {"role": ShiftRoleFactory(site=other_site, name="Driver").pk}
    elif change.get("site") == "private":
        change = {"site": private_site.pk, "role": ""}
    response = client_for(volunteer).post(reverse("volunteers:watches"), {**data, **change})
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not ShiftWatch.objects.exists()


def test_a_service_call_for_a_site_the_person_cannot_see_is_refused(volunteer, private_site):
    from commonpot.errors import DomainError

    with pytest.raises(DomainError, match="Choose a site you can see"):
        watch(volunteer, private_site)
    assert not ShiftWatch.objects.exists()


def test_a_volunteer_stops_their_own_watch_but_not_anyone_elses(volunteer, outsider, site):
    mine = watch(volunteer, site)
    stop = reverse("volunteers:watch_stop", args=[mine.pk])
    assert client_for(outsider).post(stop).status_code == 404
    assert ShiftWatch.objects.filter(pk=mine.pk).exists()
    assert client_for(volunteer).post(stop).status_code == 302
    assert not ShiftWatch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_job_at_once_still_send_each_email_once(make_shift, make_volunteer, site):
    """Each run on its own connection: on PostgreSQL they really overlap."""
    from django.db import connection

    from tests.volunteers.test_concurrency import race

    people = [make_volunteer(f"Watcher {n}") for n in range(3)]
    for person in people:
        watch(person, site)
    for hours in (2, 5):
        make_shift(hours=hours)
    connection.close()  # the threads open their own

    assert race([1, 2, 3], lambda _: watches.tell_watchers()) == []

    assert Message.objects.filter(kind=watches.KIND).count() == 6
    assert sorted(len(told(p)) for p in people) == [2, 2, 2]
