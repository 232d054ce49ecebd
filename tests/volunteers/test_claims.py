"""Claiming, the waitlist, cancelling and stand-ins (volunteers.services)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from commonpot.errors import DomainError
from tests.volunteers.factories import (
    QualificationFactory,
    QualificationKindFactory,
    ShiftFactory,
    ShiftRoleFactory,
    SignUpFactory,
)
from volunteers import people, services
from volunteers.models import Shift, ShiftPolicy, SignUp

# Dates here are worked out from "now" in more than one time zone.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def claim(shift, person, guests=0):
    return services.claim_shift(shift_id=shift.pk, volunteer=person, guests=guests)


def taken(shift) -> int:
    return Shift.objects.get(pk=shift.pk).places_taken


def test_a_volunteer_claims_a_place_and_it_is_counted(shift, volunteer):
    sign_up = claim(shift, volunteer)
    assert sign_up.status == SignUp.Status.CONFIRMED
    assert taken(shift) == 1


def test_guests_count_against_capacity(shift, volunteer):
    claim(shift, volunteer, guests=2)
    assert taken(shift) == 3


def test_a_full_shift_puts_the_volunteer_on_the_waitlist(shift, volunteer, make_volunteer):
    claim(shift, make_volunteer(), guests=3)
    sign_up = claim(shift, volunteer)
    assert sign_up.status == SignUp.Status.WAITLISTED
    assert taken(shift) == 4


def test_bringing_more_guests_than_places_left_is_refused_and_writes_nothing(
    shift, volunteer, make_volunteer
):
    claim(shift, make_volunteer(), guests=2)
    with pytest.raises(DomainError, match="Only 1 place left: you can bring at most 0 guests"):
        claim(shift, volunteer, guests=1)
    assert not SignUp.objects.filter(volunteer=volunteer).exists()
    assert taken(shift) == 3


def test_a_party_bigger_than_the_whole_shift_is_refused(shift, volunteer):
    with pytest.raises(DomainError, match="at most 3 guests"):
        claim(shift, volunteer, guests=4)
    assert not SignUp.objects.exists()


def test_claiming_twice_is_refused(shift, volunteer):
    claim(shift, volunteer)
    with pytest.raises(DomainError, match="already signed up"):
        claim(shift, volunteer)
    assert SignUp.objects.count() == 1 and taken(shift) == 1


def test_claiming_a_shift_that_has_started_is_refused(site, cook, volunteer):
    started = ShiftFactory(
        site=site,
        role=cook,
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    with pytest.raises(DomainError, match="already started"):
        claim(started, volunteer)
    assert not SignUp.objects.exists()


def test_claiming_an_unpublished_shift_is_refused(site, cook, volunteer):
    draft = ShiftFactory(site=site, role=cook, is_published=False)
    with pytest.raises(DomainError, match="not open for sign-up"):
        claim(draft, volunteer)
    assert not SignUp.objects.exists()


def test_sign_up_opens_a_set_number_of_days_ahead(site, cook, volunteer):
    ShiftPolicy.objects.create(site=site, sign_up_opens_days=7)
    later = ShiftFactory(site=site, role=cook, starts_at=timezone.now() + timedelta(days=10))
    later.ends_at = later.starts_at + timedelta(hours=2)
    later.save()
    with pytest.raises(DomainError, match="Sign-up for this shift opens on"):
        claim(later, volunteer)
    assert not SignUp.objects.exists()


def test_nobody_holds_two_overlapping_shifts(site, shift, volunteer):
    overlapping = ShiftFactory(
        site=site,
        role=ShiftRoleFactory(site=site, name="Server"),
        starts_at=shift.starts_at + timedelta(hours=1),
        ends_at=shift.ends_at + timedelta(hours=1),
    )
    claim(shift, volunteer)
    with pytest.raises(DomainError, match="already down for Cook at Riverside Kitchen"):
        claim(overlapping, volunteer)
    assert taken(overlapping) == 0


def test_back_to_back_shifts_do_not_overlap(site, shift, volunteer):
    after = ShiftFactory(
        site=site,
        role=shift.role,
        starts_at=shift.ends_at,
        ends_at=shift.ends_at + timedelta(hours=2),
    )
    claim(shift, volunteer)
    assert claim(after, volunteer).is_confirmed


def test_cancelling_promotes_the_first_on_the_waitlist_who_is_emailed(
    shift, volunteer, make_volunteer, django_capture_on_commit_callbacks
):
    shift.max_people = 1
    shift.min_people = 1
    shift.save()
    first_in_line, second_in_line = make_volunteer("Amira Haddad"), make_volunteer("Ben Carter")
    mine = claim(shift, volunteer)
    claim(shift, first_in_line)
    claim(shift, second_in_line)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_sign_up(sign_up_id=mine.pk, by=volunteer)
    statuses = dict(SignUp.objects.values_list("volunteer__display_name", "status"))
    assert statuses == {
        "Vera Volunteer": "cancelled",
        "Amira Haddad": "confirmed",
        "Ben Carter": "waitlisted",
    }
    assert taken(shift) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [first_in_line.email]
    assert "You're in" in mail.outbox[0].subject
    assert "decline the place on My shifts" in mail.outbox[0].body


def test_a_party_that_does_not_fit_keeps_its_place_while_a_single_moves_up(
    shift, volunteer, make_volunteer
):
    holder = make_volunteer()
    first = claim(shift, holder, guests=3)
    group = claim(shift, make_volunteer(), guests=1)
    single = claim(shift, volunteer)
    services.remove_from_shift(sign_up_id=first.pk, by=_lead_of(shift), reason="Ill")
    group.refresh_from_db(), single.refresh_from_db()
    assert group.is_confirmed and single.is_confirmed
    assert taken(shift) == 3


def _lead_of(shift):
    from tests.factories import MembershipFactory, UserFactory

    lead = UserFactory()
    MembershipFactory(user=lead, site=shift.site, role="lead")
    return lead


def test_waitlist_positions_follow_the_order_people_joined(shift, make_volunteer):
    claim(shift, make_volunteer(), guests=3)
    people_in_line = [make_volunteer() for _ in range(3)]
    for person in people_in_line:
        claim(shift, person)
    positions = {
        s.volunteer_id: s.waitlist_position
        for s in SignUp.objects.waitlisted().with_waitlist_position()
    }
    assert [positions[p.pk] for p in people_in_line] == [1, 2, 3]


def test_cancelling_after_the_cutoff_asks_for_a_stand_in(site, cook, volunteer):
    soon = ShiftFactory(site=site, role=cook, starts_at=timezone.now() + timedelta(hours=5))
    soon.ends_at = soon.starts_at + timedelta(hours=2)
    soon.save()
    mine = claim(soon, volunteer)
    with pytest.raises(DomainError, match="find a stand-in"):
        services.cancel_sign_up(sign_up_id=mine.pk, by=volunteer)
    assert SignUp.objects.get(pk=mine.pk).is_confirmed


def test_a_stand_in_takes_over_the_place_in_one_step(
    site, cook, volunteer, make_volunteer, django_capture_on_commit_callbacks
):
    soon = ShiftFactory(
        site=site,
        role=cook,
        max_people=1,
        min_people=1,
        starts_at=timezone.now() + timedelta(hours=5),
    )
    soon.ends_at = soon.starts_at + timedelta(hours=2)
    soon.save()
    mine = claim(soon, volunteer)
    services.request_stand_in(sign_up_id=mine.pk, by=volunteer)
    helper = make_volunteer("Chloe Nguyen")
    with django_capture_on_commit_callbacks(execute=True):
        stand_in = services.take_over_sign_up(sign_up_id=mine.pk, volunteer=helper)
    mine.refresh_from_db()
    assert stand_in.is_confirmed and stand_in.took_over_from_id == mine.pk
    assert mine.status == "cancelled" and "Chloe Nguyen" in mine.cancel_reason
    assert taken(soon) == 1
    assert mail.outbox[0].to == [volunteer.email]
    with pytest.raises(DomainError, match="already been taken"):
        services.take_over_sign_up(sign_up_id=mine.pk, volunteer=make_volunteer())


def test_a_place_given_late_from_the_waitlist_can_be_declined(
    site, cook, volunteer, make_volunteer
):
    soon = ShiftFactory(
        site=site,
        role=cook,
        max_people=1,
        min_people=1,
        starts_at=timezone.now() + timedelta(hours=5),
    )
    soon.ends_at = soon.starts_at + timedelta(hours=2)
    soon.save()
    other = make_volunteer()
    theirs = claim(soon, other)
    mine = claim(soon, volunteer)
    services.remove_from_shift(sign_up_id=theirs.pk, by=_lead_of(soon), reason="Moved away")
    mine.refresh_from_db()
    assert mine.is_confirmed and mine.promoted_at
    services.cancel_sign_up(sign_up_id=mine.pk, by=volunteer)
    assert taken(soon) == 0


def test_a_role_needing_a_verified_qualification_says_why_and_what_to_do(shift, volunteer, lead):
    hygiene = QualificationKindFactory(name="Food hygiene certificate")
    shift.role.required_qualifications.add(hygiene)
    with pytest.raises(DomainError, match="need a Food hygiene certificate. Add yours"):
        claim(shift, volunteer)
    q = people.record_qualification(
        volunteer=volunteer, kind=hygiene, expires_on=date.today() + timedelta(days=30)
    )
    with pytest.raises(DomainError, match="not been verified by a lead yet"):
        claim(shift, volunteer)
    people.verify_qualification(qualification_id=q.pk, by=lead, site=shift.site)
    assert claim(shift, volunteer).is_confirmed


def test_a_qualification_expiring_before_the_shift_blocks_the_claim(shift, volunteer):
    hygiene = QualificationKindFactory(name="Food hygiene certificate")
    shift.role.required_qualifications.add(hygiene)
    QualificationFactory(volunteer=volunteer, kind=hygiene, expires_on=timezone.localdate())
    with pytest.raises(DomainError, match="expired on .* before this shift"):
        claim(shift, volunteer)
    assert not SignUp.objects.exists()


def test_a_minimum_age_needs_a_date_of_birth_and_is_checked(shift, volunteer):
    shift.role.minimum_age = 18
    shift.role.save()
    with pytest.raises(DomainError, match="Add your date of birth"):
        claim(shift, volunteer)
    today = timezone.localdate()
    people.set_date_of_birth(user=volunteer, date_of_birth=today.replace(year=today.year - 16))
    with pytest.raises(DomainError, match="aged 18 or over"):
        claim(shift, volunteer)
    people.set_date_of_birth(user=volunteer, date_of_birth=date(1990, 5, 1))
    assert claim(shift, volunteer).is_confirmed


def test_a_lead_adds_someone_by_hand_but_never_past_the_maximum(shift, lead, make_volunteer):
    services.add_to_shift(
        shift_id=shift.pk, volunteer=make_volunteer(), by=lead, reason="Phoned in", guests=3
    )
    with pytest.raises(DomainError, match="0 places left"):
        services.add_to_shift(
            shift_id=shift.pk, volunteer=make_volunteer(), by=lead, reason="Walk-in"
        )
    assert taken(shift) == 4


def test_a_lead_cannot_touch_another_sites_shift(other_shift, lead, volunteer):
    with pytest.raises(DomainError, match="Only this site's leads"):
        services.add_to_shift(
            shift_id=other_shift.pk, volunteer=volunteer, by=lead, reason="Trying"
        )
    assert not SignUp.objects.exists()


def test_check_in_credits_hours_for_those_who_came(site, cook, lead, volunteer, make_volunteer):
    today_shift = ShiftFactory(
        site=site,
        role=cook,
        starts_at=datetime.combine(site.today(), time(9, 0), tzinfo=site.tz),
        ends_at=datetime.combine(site.today(), time(12, 30), tzinfo=site.tz),
        places_taken=2,
    )
    came = SignUpFactory(shift=today_shift, volunteer=volunteer)
    absent = SignUpFactory(shift=today_shift, volunteer=make_volunteer())
    services.record_attendance(sign_up_id=came.pk, by=lead, attendance="attended")
    services.record_attendance(sign_up_id=absent.pk, by=lead, attendance="missed", hours="3")
    record = SignUp.objects.filter(volunteer=volunteer).record()
    assert record["attended"] == 1 and record["hours"] == Decimal("3.50")
    assert SignUp.objects.get(pk=absent.pk).hours_credited == 0


def test_check_in_waits_for_the_day_of_the_shift(shift, lead, volunteer):
    mine = claim(shift, volunteer)
    with pytest.raises(DomainError, match="opens on the day of the shift"):
        services.record_attendance(sign_up_id=mine.pk, by=lead, attendance="attended")
    assert SignUp.objects.get(pk=mine.pk).attendance == ""
