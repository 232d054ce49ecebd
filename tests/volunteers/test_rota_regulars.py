"""Regulars on a rota: signed up on its shifts as a lead would add them by hand,
skipped (with the reason shown) when they cannot be, and never signed up again on
a date they cancelled or were taken off."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot.errors import DomainError
from tests.conftest import client_for, page_queries
from tests.volunteers.factories import (
    QualificationKindFactory,
    RotaFactory,
    ShiftFactory,
    SignUpFactory,
)
from volunteers import planning, regulars, services
from volunteers.models import RegularSkip, RotaRegular, Shift, SignUp, weekday_bits

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]

MON_WED_FRI = weekday_bits([0, 2, 4])


@pytest.fixture
def rota(site, cook):
    """Mon, Wed, Fri 16:00-19:00 for the coming two weeks, no shifts made yet."""
    return RotaFactory(
        site=site, role=cook, weekdays=MON_WED_FRI, weeks_ahead=2, min_people=1, max_people=2
    )


def shifts_of(rota):
    return list(Shift.objects.filter(rota=rota, starts_at__gt=timezone.now()).order_by("starts_at"))


def beyond_the_cutoff():
    """Later than the site's default 24 hours for cancelling freely (a test that
    cancels must not pick today's 16:00 shift when it runs after midnight)."""
    return timezone.now() + timedelta(hours=25)


def rota_made(rota, person):
    return SignUp.objects.filter(shift__rota=rota, volunteer=person, regular__isnull=False)


def attach(rota, lead, person, **more):
    regular, run = regulars.attach_regular(rota_id=rota.pk, by=lead, volunteer=person, **more)
    return regular


def test_a_regular_is_signed_up_on_each_shift_of_their_days_when_the_rota_makes_them(
    rota, lead, volunteer
):
    regular = attach(rota, lead, volunteer, weekdays=[0, 4])
    run = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    mine = [s for s in shifts_of(rota) if s.rota_date.weekday() in (0, 4)]
    assert mine and run.regulars.added == len(mine)
    signed = rota_made(rota, volunteer).select_related("shift")
    assert sorted(s.shift_id for s in signed) == [s.pk for s in mine]
    assert all(s.is_confirmed and s.regular_id == regular.pk for s in signed)
    assert all(s.places_taken == 1 for s in mine)
    # Wednesdays are not theirs.
    assert not SignUp.objects.filter(shift__rota_date__week_day=4, volunteer=volunteer).exists()

    # The daily job running the rota further ahead signs them up on the new weeks too.
    rota.weeks_ahead = 4
    rota.save()
    planning.roll_rotas_forward()
    later = [s for s in shifts_of(rota) if s.rota_date.weekday() in (0, 4)]
    assert len(later) > len(mine)
    assert rota_made(rota, volunteer).count() == len(later)


def test_attaching_a_regular_signs_them_up_on_the_shifts_already_made(rota, lead, volunteer):
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    regular, run = regulars.attach_regular(rota_id=rota.pk, by=lead, volunteer=volunteer)
    made = shifts_of(rota)
    assert run.added == len(made) and run.skipped == []
    assert rota_made(rota, volunteer).count() == len(made)
    assert regular.days_text == "every day of the rota"


def test_a_regular_from_a_later_date_is_signed_up_only_from_then_until_their_last_day(
    rota, lead, volunteer
):
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    made = shifts_of(rota)
    first, last = made[1].rota_date, made[3].rota_date
    attach(rota, lead, volunteer, starts_on=first, ends_on=last)
    dates = sorted(rota_made(rota, volunteer).values_list("shift__rota_date", flat=True))
    assert dates == [s.rota_date for s in made[1:4]]


def test_a_full_shift_skips_the_regular_that_date_and_the_rota_page_says_why(
    rota, site, lead, volunteer, make_volunteer
):
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    full = next(s for s in shifts_of(rota) if s.starts_at > beyond_the_cutoff())
    others = [make_volunteer("Amira Haddad"), make_volunteer("Ben Okafor")]
    taken = [services.claim_shift(shift_id=full.pk, volunteer=p) for p in others]

    regular, run = regulars.attach_regular(rota_id=rota.pk, by=lead, volunteer=volunteer)

    assert len(run.skipped) == 1 and "0 places left" in run.skipped[0]
    assert not SignUp.objects.filter(shift=full, volunteer=volunteer).exists()
    full.refresh_from_db()
    assert full.places_taken == 2  # never past the maximum
    skip = RegularSkip.objects.get(regular=regular)
    assert skip.date == full.rota_date and skip.kind == RegularSkip.Kind.REFUSED
    page = client_for(lead).get(reverse("volunteers:rota", args=[site.slug, rota.pk]))
    text = page.content.decode()
    assert "Dates a regular is not signed up on" in text
    assert "Vera Volunteer: The shift has 0 places left" in text

    # A place comes free: the next run of the rota signs them up after all.
    services.cancel_sign_up(sign_up_id=taken[0].pk, by=others[0])
    planning.generate_rota_shifts(rota_id=rota.pk)
    assert SignUp.objects.get(shift=full, volunteer=volunteer).regular_id == regular.pk
    assert not RegularSkip.objects.filter(regular=regular).exists()


def test_a_regular_without_the_roles_qualification_is_skipped_with_the_reason(
    rota, cook, lead, volunteer
):
    cook.required_qualifications.add(QualificationKindFactory(name="Food hygiene certificate"))
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    regular, run = regulars.attach_regular(rota_id=rota.pk, by=lead, volunteer=volunteer)
    assert run.added == 0 and len(run.skipped) == len(shifts_of(rota))
    assert not SignUp.objects.filter(volunteer=volunteer).exists()
    reasons = set(regular.skips.values_list("reason", flat=True))
    assert reasons == {
        "Cook shifts need a Food hygiene certificate. Vera Volunteer has not recorded one."
    }


def test_a_regular_taken_off_one_date_is_not_signed_up_on_it_again_and_the_waitlist_moves_up(
    rota, site, lead, volunteer, make_volunteer
):
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    regular = attach(rota, lead, volunteer)
    first = shifts_of(rota)[0]
    filler = make_volunteer("Amira Haddad")
    services.claim_shift(shift_id=first.pk, volunteer=filler)
    waiting = services.claim_shift(shift_id=first.pk, volunteer=make_volunteer("Ben Okafor"))
    assert waiting.is_waitlisted

    url = reverse("volunteers:rota_regular_take_off", args=[site.slug, rota.pk])
    data = {
        "off-regular": regular.pk,
        "off-date": first.rota_date.isoformat(),
        "off-reason": "On holiday",
    }
    response = client_for(lead).post(url, data, follow=True)
    assert "Vera Volunteer is off this rota on" in response.content.decode()
    mine = SignUp.objects.get(shift=first, volunteer=volunteer)
    assert mine.status == SignUp.Status.CANCELLED
    assert mine.cancel_reason == "Taken off this date of the rota: On holiday"
    assert SignUp.objects.get(pk=waiting.pk).is_confirmed

    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert not SignUp.objects.filter(shift=first, volunteer=volunteer).standing().exists()
    assert rota_made(rota, volunteer).standing().count() == len(shifts_of(rota)) - 1


def test_a_regular_can_be_taken_off_a_date_before_the_rota_makes_its_shift(rota, lead, volunteer):
    regular = attach(rota, lead, volunteer)
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    beyond = max(s.rota_date for s in shifts_of(rota)) + timedelta(weeks=1)
    assert regulars.take_regular_off_date(regular_id=regular.pk, by=lead, day=beyond) is None
    rota.weeks_ahead = 4
    rota.save()
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert Shift.objects.filter(rota=rota, rota_date=beyond).exists()
    assert not SignUp.objects.filter(shift__rota_date=beyond, volunteer=volunteer).exists()


def test_a_regular_who_cancels_a_date_is_not_signed_up_on_it_again(rota, lead, volunteer):
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    attach(rota, lead, volunteer)
    first = (
        rota_made(rota, volunteer)
        .filter(shift__starts_at__gt=beyond_the_cutoff())
        .order_by("shift__starts_at")
        .first()
    )
    services.cancel_sign_up(sign_up_id=first.pk, by=volunteer)
    run = planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert run.regulars.added == 0
    assert SignUp.objects.filter(shift=first.shift, volunteer=volunteer).count() == 1
    assert SignUp.objects.get(pk=first.pk).status == SignUp.Status.CANCELLED


def test_taking_someone_off_the_rota_cancels_only_their_coming_sign_ups_made_by_the_rota(
    rota, site, lead, volunteer
):
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    made = shifts_of(rota)
    own = services.claim_shift(shift_id=made[0].pk, volunteer=volunteer)
    regular = attach(rota, lead, volunteer)
    yesterday = timezone.now() - timedelta(days=1)
    past_shift = ShiftFactory(
        site=site,
        role=rota.role,
        rota=rota,
        rota_date=yesterday.date(),
        starts_at=yesterday,
        ends_at=yesterday + timedelta(hours=3),
    )
    past = SignUpFactory(shift=past_shift, volunteer=volunteer, regular=regular)
    assert rota_made(rota, volunteer).standing().count() == len(made)  # own one + past

    url = reverse("volunteers:rota_regular_remove", args=[site.slug, rota.pk, regular.pk])
    response = client_for(lead).post(url, follow=True)
    assert f"{len(made) - 1} coming sign-ups the rota made" in response.content.decode()
    assert SignUp.objects.get(pk=own.pk).is_confirmed
    assert SignUp.objects.get(pk=past.pk).is_confirmed
    coming = rota_made(rota, volunteer).exclude(pk=past.pk)
    assert coming.count() == len(made) - 1
    assert set(coming.values_list("status", flat=True)) == {SignUp.Status.CANCELLED}
    assert all(s.places_taken == 0 for s in shifts_of(rota)[1:])
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    assert not rota_made(rota, volunteer).standing().exclude(pk=past.pk).exists()

    # Put back on the rota later, they are signed up again on its coming dates.
    attach(rota, lead, volunteer)
    assert rota_made(rota, volunteer).standing().exclude(pk=past.pk).count() == len(made) - 1


def test_my_shifts_marks_a_sign_up_the_rota_made(rota, lead, volunteer):
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    attach(rota, lead, volunteer)
    page = client_for(volunteer).get(reverse("volunteers:my_shifts")).content.decode()
    assert page.count('<span class="badge">Regular</span>') == len(shifts_of(rota))


def regular_data(person, **more) -> dict:
    return {"regular-volunteer": person.pk} | {f"regular-{k}": v for k, v in more.items()}


def test_a_regular_must_be_one_of_the_sites_people(rota, site, lead, outsider, other_lead):
    client = client_for(lead)
    url = reverse("volunteers:rota_regular_add", args=[site.slug, rota.pk])
    page = client.get(reverse("volunteers:rota", args=[site.slug, rota.pk])).content.decode()
    assert "Otto Outsider" not in page and "Olly Otherlead" not in page
    for person in (outsider, other_lead):
        response = client.post(url, regular_data(person))
        assert response.status_code == 400
        errors = response.context["regular_form"].errors
        assert errors["volunteer"] == ["Choose one of this site's volunteers."]
    with pytest.raises(DomainError, match="not one") as refused:
        regulars.attach_regular(rota_id=rota.pk, by=lead, volunteer=outsider)
    assert refused.value.field == "volunteer"
    assert not RotaRegular.objects.exists()


def test_bad_days_and_dates_for_a_regular_are_refused_on_their_fields(rota, site, lead, volunteer):
    url = reverse("volunteers:rota_regular_add", args=[site.slug, rota.pk])
    today = site.today()
    client = client_for(lead)
    response = client.post(url, regular_data(volunteer, weekdays=["1"]))  # a Tuesday
    assert response.status_code == 400
    assert response.context["regular_form"].errors["weekdays"] == ["Choose among the rota's days."]
    response = client.post(
        url,
        regular_data(
            volunteer,
            starts_on=(today + timedelta(days=7)).isoformat(),
            ends_on=today.isoformat(),
        ),
    )
    assert response.status_code == 400
    assert response.context["regular_form"].errors["ends_on"] == [
        "The last day cannot be before the first."
    ]
    with pytest.raises(DomainError) as refused:
        regulars.attach_regular(rota_id=rota.pk, by=lead, volunteer=volunteer, weekdays=[1])
    assert refused.value.field == "weekdays"
    assert not RotaRegular.objects.exists() and not SignUp.objects.exists()


def test_a_date_off_the_regulars_days_is_refused(rota, site, lead, volunteer):
    regular = attach(rota, lead, volunteer, weekdays=[0])
    today = site.today()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    url = reverse("volunteers:rota_regular_take_off", args=[site.slug, rota.pk])
    data = {"off-regular": regular.pk, "off-date": wednesday.isoformat()}
    response = client_for(lead).post(url, data)
    assert response.status_code == 400
    assert "is not down for" in str(response.context["take_off_form"].errors["date"])
    assert not RegularSkip.objects.exists()


def test_only_the_sites_leads_manage_its_regulars(
    rota, site, lead, other_lead, volunteer, make_volunteer
):
    regular = attach(rota, lead, volunteer)
    add = reverse("volunteers:rota_regular_add", args=[site.slug, rota.pk])
    remove = reverse("volunteers:rota_regular_remove", args=[site.slug, rota.pk, regular.pk])
    other = make_volunteer("Amira Haddad")
    for person in (other_lead, volunteer):
        client = client_for(person)
        assert client.post(add, regular_data(other)).status_code == 403
        assert client.post(remove).status_code == 403
    assert list(RotaRegular.objects.values_list("volunteer", flat=True)) == [volunteer.pk]
    for call in (
        lambda: regulars.attach_regular(rota_id=rota.pk, by=other_lead, volunteer=other),
        lambda: regulars.remove_regular(regular_id=regular.pk, by=volunteer),
        lambda: regulars.take_regular_off_date(
            regular_id=regular.pk, by=other_lead, day=site.today() + timedelta(days=7)
        ),
    ):
        with pytest.raises(DomainError, match="Only this site's leads"):
            call()
    assert RotaRegular.objects.get().removed_at is None and not RegularSkip.objects.exists()


def test_another_rotas_regular_cannot_be_reached_through_this_rota(
    rota, site, cook, lead, volunteer
):
    other_rota = RotaFactory(site=site, role=cook, weekdays=weekday_bits([1]))
    theirs = attach(other_rota, lead, volunteer)
    url = reverse("volunteers:rota_regular_remove", args=[site.slug, rota.pk, theirs.pk])
    assert client_for(lead).post(url).status_code == 404
    url = reverse("volunteers:rota_regular_take_off", args=[site.slug, rota.pk])
    data = {"off-regular": theirs.pk, "off-date": (site.today() + timedelta(days=7)).isoformat()}
    assert client_for(lead).post(url, data).status_code == 400
    assert RotaRegular.objects.get().removed_at is None and not RegularSkip.objects.exists()


def test_the_rota_page_runs_the_same_queries_for_many_regulars_as_for_few(
    rota, site, lead, make_volunteer
):
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    client = client_for(lead)
    url = reverse("volunteers:rota", args=[site.slug, rota.pk])
    day = shifts_of(rota)[-1].rota_date

    def add(n: int) -> None:
        for _ in range(n):
            regular = attach(rota, lead, make_volunteer(), starts_on=day)
            RegularSkip.objects.update_or_create(
                regular=regular, date=day, defaults={"kind": "refused", "reason": "Full"}
            )

    add(1)
    few = page_queries(client, url)
    add(5)
    assert page_queries(client, url) == few
    assert client.get(url).content.decode().count("Full</li>") == 6


def test_a_night_rotas_regular_is_signed_up_on_the_shift_that_starts_on_their_day(
    site, cook, lead, volunteer
):
    rota = RotaFactory(
        site=site,
        role=cook,
        weekdays=weekday_bits([5]),
        start_time=time(22),
        end_time=time(6),
        weeks_ahead=2,
    )
    planning.generate_rota_shifts(rota_id=rota.pk, by=lead)
    attach(rota, lead, volunteer)
    signed = rota_made(rota, volunteer).select_related("shift__site")
    assert signed and all(s.shift.local_start.weekday() == 5 for s in signed)
    assert all(s.shift.local_end.weekday() == 6 for s in signed)
