"""Walk-ins and late paperwork: a lead records someone who came without signing up,
attendance can be recorded or corrected for a while after a shift, and a walk-in
invited to an account takes their hours with them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commonpot.errors import DomainError
from commonpot.invitations import accept_invitation
from commonpot.models import Membership, Message, User
from commonpot.reports import Period
from tests.conftest import client_for
from tests.factories import PASSWORD
from tests.volunteers.factories import ShiftFactory, SignUpFactory
from volunteers import services, walk_ins
from volunteers.models import AttendanceChange, ShiftPolicy, SignUp, WalkIn
from volunteers.reports import figures
from volunteers.views_people import site_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended(site, cook, noon):
    """This morning's shift at the lead's site, over an hour ago: 3 hours, 4 places."""
    start = timezone.now() - timedelta(hours=4)
    return ShiftFactory(site=site, role=cook, starts_at=start, ends_at=start + timedelta(hours=3))


def days_ago(site, cook, days):
    start = timezone.now() - timedelta(days=days, hours=4)
    return ShiftFactory(site=site, role=cook, starts_at=start, ends_at=start + timedelta(hours=3))


def record(shift, by, name="Sam Walker", **kwargs):
    return services.record_walk_in(shift_id=shift.pk, by=by, name=name, **kwargs)


def roster_url(shift):
    return reverse("volunteers:roster", args=[shift.site.slug, shift.pk])


def walk_in_url(shift):
    return reverse("volunteers:walk_in_add", args=[shift.site.slug, shift.pk])


# --- Recording a walk-in -----------------------------------------------------------


def test_a_lead_records_a_walk_in_after_the_shift_ended_and_they_count_like_anyone(
    lead, site, ended
):
    response = client_for(lead).post(
        walk_in_url(ended),
        {"name": "  Sam   Walker ", "phone": "07700 900555", "may_contact": "on"},
    )
    assert response.status_code == 302

    sign_up = SignUp.objects.get(shift=ended)
    walk_in = WalkIn.objects.get()
    assert sign_up.volunteer == walk_in.person
    assert (walk_in.name, walk_in.phone, walk_in.may_contact) == (
        "Sam Walker",
        "+447700900555",
        True,
    )
    assert walk_in.recorded_by == lead
    assert sign_up.is_confirmed and sign_up.attendance == "attended"
    assert sign_up.hours_credited == Decimal("3.00")
    ended.refresh_from_db()
    assert ended.places_taken == 1
    # In the site's list of volunteers, their record, and the reports.
    row = site_people(site).get(pk=walk_in.person.pk)
    assert (row.attended, row.hours) == (1, Decimal("3.00"))
    page = client_for(lead).get(roster_url(ended)).content.decode()
    assert "Sam Walker" in page and "Walk-in" in page and "+447700900555" in page
    today = site.today()
    counted = figures(Period(sites=(site,), start=today, end=today, network=False))
    assert (counted["hours"], counted["volunteers"]) == (Decimal("3.00"), 1)


def test_the_walk_in_account_cannot_log_in_or_be_reminded(lead, ended):
    person = record(ended, lead).volunteer
    assert not person.has_usable_password()
    assert person.email == "" and not person.wants_reminders
    assert (
        client_for(None)
        .post(reverse("login"), {"username": person.username, "password": ""})
        .status_code
        == 200
    )


def test_a_walk_in_with_no_name_is_a_field_error_and_nothing_is_written(lead, ended):
    response = client_for(lead).post(walk_in_url(ended), {"name": "   ", "phone": ""})
    assert response.status_code == 400
    assert "Write the walk-in&#x27;s name." in response.content.decode()
    assert not WalkIn.objects.exists() and not SignUp.objects.exists()
    with pytest.raises(DomainError) as refused:
        record(ended, lead, name=" ")
    assert refused.value.field == "name"


def test_a_bad_phone_on_a_walk_in_is_a_field_error(lead, ended):
    response = client_for(lead).post(walk_in_url(ended), {"name": "Sam", "phone": "call me"})
    assert response.status_code == 400
    assert "This does not look like a phone number." in response.content.decode()
    assert not WalkIn.objects.exists()


def test_consent_to_be_contacted_is_no_unless_ticked(lead, ended):
    client_for(lead).post(walk_in_url(ended), {"name": "Sam", "email": "sam@example.org"})
    assert WalkIn.objects.get().may_contact is False


def test_a_volunteer_or_another_sites_lead_cannot_record_a_walk_in(volunteer, other_lead, ended):
    for person in (volunteer, other_lead):
        assert client_for(person).post(walk_in_url(ended), {"name": "Sam"}).status_code == 403
        with pytest.raises(DomainError, match="Only this site's leads"):
            record(ended, person)
    assert not WalkIn.objects.exists() and not User.objects.filter(walk_in__isnull=False).exists()


def test_a_walk_in_is_not_recorded_before_the_day_of_the_shift(lead, shift):
    with pytest.raises(DomainError, match="on the day of the shift or after it"):
        record(shift, lead)
    assert not WalkIn.objects.exists()


def test_a_full_shift_takes_no_walk_in(lead, ended):
    ended.min_people = ended.max_people = 1
    ended.places_taken = 1
    ended.save()
    with pytest.raises(DomainError, match="The shift is full"):
        record(ended, lead)


def test_a_walk_in_after_the_window_is_refused_with_the_reason(lead, site, cook, noon):
    old = days_ago(site, cook, 15)
    response = client_for(lead).post(walk_in_url(old), {"name": "Sam"})
    assert response.status_code == 400
    assert "Attendance for this shift closed on" in response.content.decode()
    assert "allows changes up to 14 days after a shift" in response.content.decode()
    assert not WalkIn.objects.exists()


def test_walk_in_contact_details_are_shown_only_to_the_sites_leads_and_coordinators(
    lead, coordinator, volunteer, other_lead, ended
):
    person = record(ended, lead, phone="+447700900555", email="sam@example.org").volunteer
    record_url = reverse("volunteers:record", args=[ended.site.slug, person.pk])
    for viewer in (lead, coordinator):
        page = client_for(viewer).get(record_url).content.decode()
        assert "+447700900555" in page and "sam@example.org" in page
    for viewer in (volunteer, other_lead):
        assert client_for(viewer).get(record_url).status_code == 403
        assert client_for(viewer).get(roster_url(ended)).status_code == 403
    public = client_for(volunteer).get(reverse("volunteers:shift", args=[ended.pk]))
    assert "+447700900555" not in public.content.decode()
    assert "sam@example.org" not in public.content.decode()


# --- Late paperwork ------------------------------------------------------------------


def test_attendance_is_recorded_ten_days_late_and_corrected_with_who_and_when(
    lead, coordinator, volunteer, site, cook, noon
):
    old = days_ago(site, cook, 10)
    sign_up = SignUpFactory(shift=old, volunteer=volunteer)
    services.record_attendance(sign_up_id=sign_up.pk, by=lead, attendance="missed")
    noon.shift(timedelta(minutes=5))
    response = client_for(coordinator).post(
        reverse("volunteers:check_in", args=[site.slug, old.pk, sign_up.pk]),
        {"attendance": "attended", "hours": "2.5"},
    )
    assert response.status_code == 302

    sign_up.refresh_from_db()
    assert (sign_up.attendance, sign_up.hours_credited) == ("attended", Decimal("2.50"))
    assert sign_up.checked_in_by == coordinator
    changes = list(AttendanceChange.objects.filter(sign_up=sign_up))
    assert [(c.attendance, c.changed_by) for c in changes] == [
        ("missed", lead),
        ("attended", coordinator),
    ]
    page = client_for(lead).get(roster_url(old)).content.decode()
    assert "by Rosa Coordinator" in page
    assert "Changed 2 times" in page and "Missed · Lena Lead" in page
    assert "Attendance can be recorded or corrected until" in page


def test_attendance_after_the_window_is_refused_and_nothing_changes(
    lead, volunteer, site, cook, noon
):
    old = days_ago(site, cook, 15)
    sign_up = SignUpFactory(shift=old, volunteer=volunteer)
    response = client_for(lead).post(
        reverse("volunteers:check_in", args=[site.slug, old.pk, sign_up.pk]),
        {"attendance": "attended"},
        follow=True,
    )
    assert "Attendance for this shift closed on" in response.content.decode()
    sign_up.refresh_from_db()
    assert sign_up.attendance == "" and not AttendanceChange.objects.exists()
    page = client_for(lead).get(roster_url(old)).content.decode()
    assert "Nobody can be added now" in page and 'name="attendance"' not in page


def test_the_window_is_a_site_setting(lead, volunteer, site, cook, noon):
    ShiftPolicy.objects.create(site=site, attendance_days=0)
    yesterday = days_ago(site, cook, 1)
    sign_up = SignUpFactory(shift=yesterday, volunteer=volunteer)
    with pytest.raises(DomainError, match="allows changes up to 0 days"):
        services.record_attendance(sign_up_id=sign_up.pk, by=lead, attendance="attended")
    ShiftPolicy.objects.filter(site=site).update(attendance_days=30)
    month = days_ago(site, cook, 25)
    late = SignUpFactory(shift=month, volunteer=volunteer)
    services.record_attendance(sign_up_id=late.pk, by=lead, attendance="attended")


def test_attendance_for_another_sites_shift_is_refused(lead, other_lead, other_site, noon):
    start = timezone.now() - timedelta(hours=4)
    theirs = ShiftFactory(site=other_site, starts_at=start, ends_at=start + timedelta(hours=2))
    sign_up = SignUpFactory(shift=theirs)
    with pytest.raises(DomainError, match="Only this site's leads"):
        services.record_attendance(sign_up_id=sign_up.pk, by=lead, attendance="attended")
    response = client_for(lead).post(
        reverse("volunteers:check_in", args=["riverside", theirs.pk, sign_up.pk]),
        {"attendance": "attended"},
    )
    assert response.status_code == 404
    sign_up.refresh_from_db()
    assert sign_up.attendance == ""


def test_the_settings_page_takes_a_window_from_0_to_90_days(lead, site):
    from tests.commonpot.test_site_settings import SETTINGS, settings_url

    client = client_for(lead)
    refused = client.post(settings_url(site), {**SETTINGS, "attendance_days": "91"})
    assert refused.status_code == 400
    assert "At most 90 days." in refused.content.decode()
    assert client.post(settings_url(site), {**SETTINGS, "attendance_days": "0"}).status_code == 302
    assert ShiftPolicy.objects.get(site=site).attendance_days == 0


def test_a_person_with_an_account_is_added_to_an_ended_shift_within_the_window(
    lead, volunteer, site, cook, noon
):
    recent = days_ago(site, cook, 3)
    sign_up = services.add_to_shift(
        shift_id=recent.pk, volunteer=volunteer, by=lead, reason="Paper sheet"
    )
    assert sign_up.is_confirmed
    old = days_ago(site, cook, 20)
    with pytest.raises(DomainError, match="closed on"):
        services.add_to_shift(shift_id=old.pk, volunteer=volunteer, by=lead, reason="Paper sheet")


# --- Inviting a walk-in to an account ----------------------------------------------


def invite_url(site, person):
    return reverse("volunteers:walk_in_invite", args=[site.slug, person.pk])


def test_a_walk_in_is_invited_only_with_their_agreement(lead, site, ended):
    person = record(ended, lead).volunteer
    response = client_for(lead).post(invite_url(site, person), {"email": "sam@example.org"})
    assert response.status_code == 400
    assert "Ask Sam Walker first" in response.content.decode()
    assert not Message.objects.filter(kind="commonpot.invitation").exists()


def test_a_volunteer_or_another_sites_lead_cannot_invite_a_walk_in(
    lead, volunteer, other_lead, site, ended
):
    person = record(ended, lead).volunteer
    walk_in = WalkIn.objects.get()
    for someone in (volunteer, other_lead):
        response = client_for(someone).post(
            invite_url(site, person), {"email": "sam@example.org", "agreed": "on"}
        )
        assert response.status_code == 403
        with pytest.raises(DomainError):
            walk_ins.invite_walk_in(
                walk_in_id=walk_in.pk, by=someone, email="sam@example.org", agreed=True
            )
    assert not Message.objects.filter(kind="commonpot.invitation").exists()


def test_an_invited_walk_in_accepts_and_their_hours_become_theirs(lead, site, ended):
    person = record(ended, lead).volunteer
    response = client_for(lead).post(
        invite_url(site, person), {"email": "sam@example.org", "agreed": "on"}
    )
    assert response.status_code == 302
    walk_in = WalkIn.objects.get()
    assert walk_in.email == "sam@example.org" and walk_in.may_contact
    token = Message.objects.get(kind="commonpot.invitation").body_text.split("/invitation/")[1]
    token = token.split("/")[0]

    client = client_for(None)
    page = client.get(reverse("invitation", args=[token])).content.decode()
    assert 'value="Sam Walker"' in page
    client.post(
        reverse("invitation", args=[token]),
        {
            "name": "Sam Walker",
            "password1": "a-fresh-password-1",
            "password2": "a-fresh-password-1",
        },
    )

    sam = User.objects.get(email="sam@example.org")
    assert SignUp.objects.get(shift=ended).volunteer == sam
    assert SignUp.objects.of(sam).record()["hours"] == Decimal("3.00")
    assert Membership.objects.get(user=sam, site=site).role == "volunteer"
    walk_in.refresh_from_db()
    assert walk_in.account == sam and walk_in.joined_at is not None
    person.refresh_from_db()
    assert not person.is_active
    mine = client.get(reverse("volunteers:my_shifts")).content.decode()
    assert "3 hours" in mine
    ended.refresh_from_db()
    assert ended.places_taken == 1


def test_an_existing_account_takes_over_a_walk_ins_hours_on_the_same_shift_once(
    lead, volunteer, site, ended
):
    own = SignUpFactory(shift=ended, volunteer=volunteer)
    ended.places_taken = 1
    ended.save()
    record(ended, lead, name="Vera")
    walk_in = WalkIn.objects.get()
    _, invitation = walk_ins.invite_walk_in(
        walk_in_id=walk_in.pk, by=lead, email=volunteer.email, agreed=True
    )
    accept_invitation(token=invitation.token, user=volunteer)

    own.refresh_from_db()
    assert (own.attendance, own.hours_credited) == ("attended", Decimal("3.00"))
    assert SignUp.objects.confirmed().filter(shift=ended).count() == 1
    ended.refresh_from_db()
    assert ended.places_taken == 1
    assert client_for(volunteer).get(reverse("volunteers:my_shifts")).status_code == 200
    assert PASSWORD  # the volunteer's own password still works (unchanged account)
