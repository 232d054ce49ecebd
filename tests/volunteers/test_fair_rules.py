"""A site's fair rules: missed shifts put claims up for a lead's approval, an hours
cap per day, rest between shifts, rules for minors; and every door onto a shift
(claim, waitlist, stand-in, a lead's add, an approval) keeps them."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from commonpot.errors import DomainError
from commonpot.models import Message
from tests.conftest import client_for
from tests.volunteers.factories import ShiftFactory, SignUpFactory
from volunteers import services
from volunteers.models import ShiftPolicy, SignUp, VolunteerProfile

pytestmark = pytest.mark.django_db


def rules(site, **fields) -> ShiftPolicy:
    policy, _ = ShiftPolicy.objects.get_or_create(site=site)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    return policy


def claim(shift, person, **kwargs) -> SignUp:
    return services.claim_shift(shift_id=shift.pk, volunteer=person, **kwargs)


def missed(person, site, cook, *, days_ago: int, times: int = 1) -> None:
    for n in range(times):
        start = timezone.now() - timedelta(days=days_ago, hours=5 + 4 * n)
        past = ShiftFactory(
            site=site, role=cook, starts_at=start, ends_at=start + timedelta(hours=3)
        )
        SignUpFactory(shift=past, volunteer=person, attendance=SignUp.Attendance.MISSED)


def born(person, years: int, *, guardian: bool = False) -> None:
    today = date.today()
    VolunteerProfile.objects.update_or_create(
        user=person,
        defaults={
            "date_of_birth": today.replace(year=today.year - years) - timedelta(days=1),
            "guardian_name": "Maria Volunteer" if guardian else "",
            "guardian_phone": "+447700900999" if guardian else "",
        },
    )


def later_that_day(shift, *, gap_hours: float = 1, hours: int = 3):
    start = shift.ends_at + timedelta(hours=gap_hours)
    return ShiftFactory(
        site=shift.site, role=shift.role, starts_at=start, ends_at=start + timedelta(hours=hours)
    )


def taken(shift) -> int:
    shift.refresh_from_db()
    return shift.places_taken


NO_SHOW_REASON = (
    "You missed 3 shifts at Riverside Kitchen in the last 60 days, so a lead approves "
    "your next claims there."
)


# --- Defaults ----------------------------------------------------------------


def test_a_site_starts_with_every_fair_rule_off(site, shift, volunteer, cook):
    policy = ShiftPolicy.for_site(site)
    assert (
        policy.no_show_limit,
        policy.max_hours_per_day,
        policy.min_rest_hours,
        policy.minor_max_hours_per_day,
        policy.minors_need_guardian,
    ) == (0, 0, 0, 0, False)
    missed(volunteer, site, cook, days_ago=5, times=5)
    born(volunteer, 15)
    assert claim(shift, volunteer).is_confirmed
    assert claim(later_that_day(shift, gap_hours=0.5, hours=12), volunteer).is_confirmed


# --- Missed shifts ---------------------------------------------------------------


def test_a_third_missed_shift_puts_the_next_claim_up_for_approval(site, shift, volunteer, cook):
    rules(site, no_show_limit=3, no_show_days=60)
    missed(volunteer, site, cook, days_ago=10, times=3)
    sign_up = claim(shift, volunteer)
    assert sign_up.status == SignUp.Status.PENDING
    assert sign_up.approval_reason == NO_SHOW_REASON
    assert taken(shift) == 0


def test_two_missed_shifts_or_old_ones_do_not_count(site, shift, volunteer, cook):
    rules(site, no_show_limit=3, no_show_days=60)
    missed(volunteer, site, cook, days_ago=10, times=2)
    missed(volunteer, site, cook, days_ago=61)
    assert claim(shift, volunteer).is_confirmed


def test_missed_shifts_at_another_site_do_not_count_here(site, other_site, shift, volunteer, cook):
    rules(site, no_show_limit=1)
    missed(volunteer, other_site, cook, days_ago=3)
    assert claim(shift, volunteer).is_confirmed


def test_a_lead_approves_a_waiting_claim_and_the_volunteer_is_told(
    site, shift, volunteer, lead, cook, django_capture_on_commit_callbacks
):
    rules(site, no_show_limit=3)
    missed(volunteer, site, cook, days_ago=10, times=3)
    waiting = claim(shift, volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        approved = services.approve_claim(sign_up_id=waiting.pk, by=lead)
    assert approved.is_confirmed and approved.approved_by == lead
    assert taken(shift) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Approved, you're in")


def test_approving_when_the_shift_filled_meanwhile_joins_the_waitlist(
    site, shift, volunteer, lead, cook, make_volunteer
):
    rules(site, no_show_limit=1)
    missed(volunteer, site, cook, days_ago=3)
    waiting = claim(shift, volunteer)
    shift.max_people = shift.min_people = 1
    shift.save()
    claim(shift, make_volunteer("Amira Haddad"))
    assert services.approve_claim(sign_up_id=waiting.pk, by=lead).is_waitlisted
    assert taken(shift) == 1


def test_a_lead_declines_a_waiting_claim_with_a_reason(
    site, shift, volunteer, lead, cook, django_capture_on_commit_callbacks
):
    rules(site, no_show_limit=1)
    missed(volunteer, site, cook, days_ago=3)
    waiting = claim(shift, volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_claim(sign_up_id=waiting.pk, by=lead, reason="Let's talk first")
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CANCELLED
    assert waiting.cancel_reason == "Declined by a lead: Let's talk first"
    assert mail.outbox[0].subject.startswith("Not approved")
    assert "Let's talk first" in mail.outbox[0].body


def test_only_the_sites_leads_approve_or_decline(
    site, shift, volunteer, cook, other_lead, make_volunteer
):
    rules(site, no_show_limit=1)
    missed(volunteer, site, cook, days_ago=3)
    waiting = claim(shift, volunteer)
    for person in (other_lead, volunteer, make_volunteer("Amira Haddad")):
        with pytest.raises(DomainError, match="Only this site's leads"):
            services.approve_claim(sign_up_id=waiting.pk, by=person)
        with pytest.raises(DomainError, match="Only this site's leads"):
            services.decline_claim(sign_up_id=waiting.pk, by=person)
    waiting.refresh_from_db()
    assert waiting.is_pending


def test_a_claim_is_approved_or_declined_once(site, shift, volunteer, lead, cook):
    rules(site, no_show_limit=1)
    missed(volunteer, site, cook, days_ago=3)
    waiting = claim(shift, volunteer)
    services.approve_claim(sign_up_id=waiting.pk, by=lead)
    with pytest.raises(DomainError, match="no longer waiting for approval"):
        services.decline_claim(sign_up_id=waiting.pk, by=lead)


def test_a_volunteer_withdraws_a_waiting_claim(site, shift, volunteer, cook):
    rules(site, no_show_limit=1)
    missed(volunteer, site, cook, days_ago=3)
    waiting = claim(shift, volunteer)
    services.cancel_sign_up(sign_up_id=waiting.pk, by=volunteer)
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CANCELLED


def test_a_waiting_claim_still_blocks_a_second_claim_for_the_same_shift(
    site, shift, volunteer, cook
):
    rules(site, no_show_limit=1)
    missed(volunteer, site, cook, days_ago=3)
    claim(shift, volunteer)
    with pytest.raises(DomainError, match="already waiting for a lead to approve"):
        claim(shift, volunteer)


# --- Hours and rest ----------------------------------------------------------------


def test_an_hours_cap_per_day_refuses_a_claim_past_it(site, shift, volunteer):
    rules(site, max_hours_per_day=5)
    claim(shift, volunteer)
    second = later_that_day(shift)
    with pytest.raises(DomainError) as refused:
        claim(second, volunteer)
    assert refused.value.message == (
        "Riverside Kitchen allows at most 5 hours a day: you are already down for 3 hours "
        "that day and this shift is 3 hours."
    )
    assert not SignUp.objects.filter(shift=second).exists()
    assert claim(later_that_day(shift, hours=2), volunteer).is_confirmed


def test_a_minimum_rest_between_shifts_refuses_one_too_close(site, shift, volunteer):
    rules(site, min_rest_hours=10)
    claim(shift, volunteer)
    with pytest.raises(DomainError, match="asks for 10 hours of rest between shifts"):
        claim(later_that_day(shift, gap_hours=2), volunteer)
    assert claim(later_that_day(shift, gap_hours=10), volunteer).is_confirmed


# --- Minors ---------------------------------------------------------------------------


def test_roles_not_for_minors_refuse_a_minor_and_ask_for_a_date_of_birth(
    site, shift, cook, volunteer, make_volunteer
):
    cook.adults_only = True
    cook.save()
    with pytest.raises(DomainError, match="Add your date of birth"):
        claim(shift, volunteer)
    born(volunteer, 16)
    with pytest.raises(DomainError, match="Cook shifts are for people aged 18 or over"):
        claim(shift, volunteer)
    adult = make_volunteer("Amira Haddad")
    born(adult, 18)
    assert claim(shift, adult).is_confirmed


def test_a_minors_hours_limit_applies_to_minors_only(site, shift, volunteer, make_volunteer):
    rules(site, minor_max_hours_per_day=2)
    born(volunteer, 15)
    with pytest.raises(DomainError, match="at most 2 hours a day for volunteers under 18"):
        claim(shift, volunteer)
    adult = make_volunteer("Amira Haddad")
    born(adult, 30)
    assert claim(shift, adult).is_confirmed


def test_a_minor_needs_a_guardians_contact_where_the_site_asks(site, shift, volunteer):
    rules(site, minors_need_guardian=True)
    born(volunteer, 15)
    with pytest.raises(DomainError, match="needs a parent's or guardian's contact"):
        claim(shift, volunteer)
    born(volunteer, 15, guardian=True)
    assert claim(shift, volunteer).is_confirmed


# --- Every door --------------------------------------------------------------------


def test_the_waitlist_skips_someone_who_no_longer_qualifies_and_tells_them_once(
    site, shift, cook, volunteer, make_volunteer, lead, django_capture_on_commit_callbacks
):
    shift.max_people = shift.min_people = 1
    shift.save()
    amira, ben, carla = (make_volunteer(n) for n in ("Amira Haddad", "Ben Carter", "Carla Diaz"))
    born(ben, 15)
    born(carla, 40)
    mine = claim(shift, amira)
    claim(shift, ben)
    claim(shift, carla)
    cook.adults_only = True
    cook.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_sign_up(sign_up_id=mine.pk, by=amira)
    statuses = dict(SignUp.objects.values_list("volunteer__display_name", "status"))
    assert statuses == {
        "Amira Haddad": "cancelled",
        "Ben Carter": "cancelled",
        "Carla Diaz": "confirmed",
    }
    skipped = SignUp.objects.get(volunteer=ben)
    assert "Cook shifts are for people aged 18 or over" in skipped.cancel_reason
    to_ben = [m for m in mail.outbox if m.to == [ben.email]]
    assert len(to_ben) == 1
    assert to_ben[0].subject.startswith("Off the waitlist")
    assert "Cook shifts are for people aged 18 or over" in to_ben[0].body
    # Moving people up again tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        services.promote_waitlist(services.lock_shift(shift.pk))
    assert Message.objects.filter(kind="volunteers.skipped").count() == 1


def test_moving_up_waits_for_approval_under_the_no_show_rule(
    site, shift, cook, volunteer, make_volunteer, django_capture_on_commit_callbacks
):
    shift.max_people = shift.min_people = 1
    shift.save()
    amira, ben = make_volunteer("Amira Haddad"), make_volunteer("Ben Carter")
    mine = claim(shift, amira)
    claim(shift, volunteer)
    claim(shift, ben)
    rules(site, no_show_limit=3)
    missed(volunteer, site, cook, days_ago=5, times=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_sign_up(sign_up_id=mine.pk, by=amira)
    waiting = SignUp.objects.get(volunteer=volunteer, shift=shift)
    assert waiting.is_pending and waiting.approval_reason == NO_SHOW_REASON
    assert SignUp.objects.get(volunteer=ben).is_confirmed
    to_vera = [m for m in mail.outbox if m.to == [volunteer.email]]
    assert len(to_vera) == 1 and "a lead approves it first" in to_vera[0].subject


def test_a_stand_in_is_held_to_the_fair_rules(site, shift, volunteer, make_volunteer, cook):
    holder = make_volunteer("Amira Haddad")
    place = claim(shift, holder)
    shift.starts_at = timezone.now() + timedelta(hours=5)
    shift.ends_at = shift.starts_at + timedelta(hours=3)
    shift.save()
    services.request_stand_in(sign_up_id=place.pk, by=holder)
    rules(site, no_show_limit=1)
    missed(volunteer, site, cook, days_ago=3)
    with pytest.raises(DomainError, match="A stand-in's place cannot wait for that"):
        services.take_over_sign_up(sign_up_id=place.pk, volunteer=volunteer)
    rules(site, no_show_limit=0, minor_max_hours_per_day=2)
    born(volunteer, 15)
    with pytest.raises(DomainError, match="at most 2 hours a day"):
        services.take_over_sign_up(sign_up_id=place.pk, volunteer=volunteer)
    place.refresh_from_db()
    assert place.wants_stand_in


def test_a_leads_add_keeps_the_fair_rules_but_is_the_approval(site, shift, volunteer, lead, cook):
    rules(site, no_show_limit=1, min_rest_hours=8)
    missed(volunteer, site, cook, days_ago=3)
    added = services.add_to_shift(shift_id=shift.pk, volunteer=volunteer, by=lead, reason="Call")
    assert added.is_confirmed
    with pytest.raises(DomainError, match="Vera Volunteer.*closer than that|closer than that"):
        services.add_to_shift(
            shift_id=later_that_day(shift).pk, volunteer=volunteer, by=lead, reason="Call"
        )


def test_approval_checks_the_rules_again(site, shift, volunteer, lead, cook):
    rules(site, no_show_limit=1)
    missed(volunteer, site, cook, days_ago=3)
    waiting = claim(shift, volunteer)
    cook.adults_only = True
    cook.save()
    with pytest.raises(DomainError, match="not for minors"):
        services.approve_claim(sign_up_id=waiting.pk, by=lead)
    waiting.refresh_from_db()
    assert waiting.is_pending and taken(shift) == 0


# --- Pages ----------------------------------------------------------------------------


def roster_url(shift):
    return reverse("volunteers:roster", args=[shift.site.slug, shift.pk])


def approve_url(sign_up):
    return reverse(
        "volunteers:approve_claim", args=[sign_up.shift.site.slug, sign_up.shift_id, sign_up.pk]
    )


def decline_url(sign_up):
    return reverse(
        "volunteers:decline_claim", args=[sign_up.shift.site.slug, sign_up.shift_id, sign_up.pk]
    )


@pytest.fixture
def waiting(site, shift, volunteer, cook):
    rules(site, no_show_limit=3)
    missed(volunteer, site, cook, days_ago=10, times=3)
    return claim(shift, volunteer)


def test_the_claim_page_says_plainly_why_a_claim_waits(site, shift, volunteer, cook):
    rules(site, no_show_limit=3)
    missed(volunteer, site, cook, days_ago=10, times=3)
    client = client_for(volunteer)
    response = client.post(reverse("volunteers:claim", args=[shift.pk]), {"guests": "0"})
    assert response.status_code == 302
    page = client.get(reverse("volunteers:my_shifts")).content.decode()
    assert NO_SHOW_REASON in page
    assert "Waiting for a lead's approval" in page
    assert "Withdraw the claim" in page


def test_my_shifts_lists_the_rules_that_apply(site, volunteer):
    rules(site, max_hours_per_day=8, min_rest_hours=11, minors_need_guardian=True)
    page = client_for(volunteer).get(reverse("volunteers:my_shifts")).content.decode()
    assert "Rules that apply to you" in page
    assert "At most 8 hours a day." in page
    assert "At least 11 hours of rest between shifts." in page
    assert "Under 18: a parent&#x27;s or guardian&#x27;s contact is needed to claim." in page


def test_my_shifts_says_nothing_of_rules_where_none_are_on(site, volunteer):
    page = client_for(volunteer).get(reverse("volunteers:my_shifts")).content.decode()
    assert "Rules that apply to you" not in page


def test_the_lead_sees_waiting_claims_on_the_roster_and_home(lead, site, waiting):
    roster = client_for(lead).get(roster_url(waiting.shift)).content.decode()
    assert "Waiting for your approval" in roster
    assert approve_url(waiting) in roster and decline_url(waiting) in roster
    home = client_for(lead).get(reverse("home")).content.decode()
    assert "Claims waiting for your approval" in home
    assert approve_url(waiting) in home


def test_the_lead_approves_from_the_roster(lead, waiting):
    response = client_for(lead).post(approve_url(waiting))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.is_confirmed


def test_the_lead_declines_from_home_and_goes_back_there(lead, waiting):
    response = client_for(lead).post(decline_url(waiting), {"reason": "Not now", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    waiting.refresh_from_db()
    assert waiting.cancel_reason == "Declined by a lead: Not now"


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("coordinator", 302),
        ("lead", 302),
        ("other_lead", 403),
        ("volunteer", 403),
        ("outsider", 403),
        (None, 302),
    ],
)
@pytest.mark.parametrize("url", [approve_url, decline_url])
def test_only_the_sites_leads_and_coordinators_reach_approve_and_decline(
    actors, waiting, actor, expected, url
):
    response = client_for(actors.get(actor)).post(url(waiting))
    assert response.status_code == expected
    waiting.refresh_from_db()
    if actor in ("coordinator", "lead"):
        assert not waiting.is_pending
    else:
        assert waiting.is_pending
        if actor is None:
            assert "/login" in response["Location"] or "login" in response["Location"]


def test_a_sign_up_of_another_shift_is_not_found_here(lead, waiting, site, cook):
    elsewhere = ShiftFactory(site=site, role=cook)
    url = reverse("volunteers:approve_claim", args=[site.slug, elsewhere.pk, waiting.pk])
    assert client_for(lead).post(url).status_code == 404


# --- The settings page ---------------------------------------------------------------


def test_the_settings_page_saves_fair_rules(lead, site):
    from tests.commonpot.test_site_settings import SETTINGS, settings_url

    response = client_for(lead).post(
        settings_url(site),
        {
            **SETTINGS,
            "no_show_limit": "3",
            "no_show_days": "60",
            "max_hours_per_day": "8",
            "min_rest_hours": "11",
            "minor_max_hours_per_day": "4",
            "minors_need_guardian": "on",
        },
    )
    assert response.status_code == 302
    policy = ShiftPolicy.objects.get(site=site)
    assert (policy.no_show_limit, policy.max_hours_per_day, policy.min_rest_hours) == (3, 8, 11)
    assert policy.minors_need_guardian


def test_the_settings_page_leaves_fair_rules_off_when_empty(lead, site):
    from tests.commonpot.test_site_settings import SETTINGS, settings_url

    assert client_for(lead).post(settings_url(site), SETTINGS).status_code == 302
    policy = ShiftPolicy.objects.get(site=site)
    assert (policy.no_show_limit, policy.no_show_days, policy.max_hours_per_day) == (0, 60, 0)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("no_show_limit", "-1", "0 (off) or more missed shifts."),
        ("no_show_limit", "500", "At most 20 missed shifts."),
        ("no_show_days", "0", "At least 1 day."),
        ("no_show_days", "100000", "At most 365 days."),
        ("max_hours_per_day", "25", "At most 24 hours: a day has no more."),
        ("max_hours_per_day", "-3", "0 (no cap) or more hours."),
        ("min_rest_hours", "1000", "At most 48 hours."),
        ("minor_max_hours_per_day", "two", "Enter a whole number."),
    ],
)
def test_the_settings_page_refuses_bad_fair_rules_and_writes_nothing(
    lead, site, field, value, message
):
    from tests.commonpot.test_site_settings import SETTINGS, settings_url

    response = client_for(lead).post(settings_url(site), {**SETTINGS, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ShiftPolicy.objects.filter(site=site).exists()


def test_minors_cannot_be_allowed_more_hours_than_everyone(lead, site):
    from tests.commonpot.test_site_settings import SETTINGS, settings_url

    response = client_for(lead).post(
        settings_url(site),
        {**SETTINGS, "max_hours_per_day": "6", "minor_max_hours_per_day": "8"},
    )
    assert response.status_code == 400
    assert "Minors cannot be allowed more than everyone (6 hours a day)." in (
        response.content.decode()
    )


def test_a_volunteer_adds_a_guardians_contact_with_both_parts(volunteer):
    client = client_for(volunteer)
    url = reverse("volunteers:qualifications")
    refused = client.post(url, {"date_of_birth": "2011-04-02", "guardian_name": "Maria"})
    assert refused.status_code == 400
    assert "Give both the parent" in refused.content.decode()
    saved = client.post(
        url,
        {"date_of_birth": "2011-04-02", "guardian_name": "Maria", "guardian_phone": "07700900999"},
    )
    assert saved.status_code == 302
    assert VolunteerProfile.objects.get(user=volunteer).has_guardian_contact


def test_a_lead_marks_a_role_not_for_minors(lead, site, cook):
    url = reverse("volunteers:role_edit", args=[site.slug, cook.pk])
    response = client_for(lead).post(url, {"name": "Cook", "adults_only": "on", "is_active": "on"})
    assert response.status_code == 302
    cook.refresh_from_db()
    assert cook.adults_only
