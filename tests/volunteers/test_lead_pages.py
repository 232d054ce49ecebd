"""Leads: making and changing shifts, the roster, check-in, messages, copying a day."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, page_queries
from tests.volunteers.factories import QualificationFactory, ShiftFactory, SignUpFactory
from volunteers import people, services
from volunteers.models import LeadMessage, LeadNote, Shift, SignUp, VolunteerProfile

# Dates here are worked out from "now" in more than one time zone.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def shift_data(role_obj, **changes):
    day = timezone.localdate() + timedelta(days=4)
    data = {
        "role": role_obj.pk,
        "date": day.isoformat(),
        "start_time": "16:00",
        "end_time": "19:00",
        "min_people": "2",
        "max_people": "4",
        "what_to_bring": "Closed shoes",
        "notes": "",
        "is_published": "on",
    }
    data.update(changes)
    return data


def test_a_lead_adds_a_shift_in_the_sites_own_time(lead, site, cook):
    url = reverse("volunteers:shift_create", args=[site.slug])
    response = client_for(lead).post(url, shift_data(cook))
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert shift.local_start.strftime("%H:%M") == "16:00"
    assert shift.local_start.tzinfo.key == "Europe/London"
    day = timezone.localdate() + timedelta(days=4)
    assert shift.starts_at == datetime.combine(day, time(16), tzinfo=site.tz)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_time": "16:00"}, "The end must be after the start."),
        ({"max_people": "0"}, "The maximum must be at least 1."),
        ({"min_people": "5"}, "The minimum cannot be above the maximum."),
        ({"date": "not a date"}, "Enter a valid date."),
        ({"role": "999"}, "Select a valid choice."),
    ],
)
def test_bad_shifts_are_refused_with_a_reason_and_nothing_is_written(
    lead, site, cook, changes, message
):
    url = reverse("volunteers:shift_create", args=[site.slug])
    response = client_for(lead).post(url, shift_data(cook, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Shift.objects.exists()


def test_a_lead_cannot_use_another_sites_role(lead, site, other_shift):
    url = reverse("volunteers:shift_create", args=[site.slug])
    response = client_for(lead).post(url, shift_data(other_shift.role))
    assert response.status_code == 400
    assert Shift.objects.count() == 1


def test_a_lead_cannot_add_shifts_at_another_site(lead, other_site, other_shift):
    url = reverse("volunteers:shift_create", args=[other_site.slug])
    response = client_for(lead).post(url, shift_data(other_shift.role))
    assert response.status_code == 403
    assert Shift.objects.count() == 1


def test_a_shift_away_from_the_site_shows_its_place_to_those_on_it_only_where_the_site_hides(
    lead, site, cook, volunteer, make_volunteer
):
    site.show_exact_location = False
    site.save()
    url = reverse("volunteers:shift_create", args=[site.slug])
    data = shift_data(cook, place="  Market car park, gate B  ")
    assert client_for(lead).post(url, data).status_code == 302
    shift = Shift.objects.get()
    assert shift.place == "Market car park, gate B"
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    mine = client_for(volunteer).get(reverse("volunteers:my_shifts")).content.decode()
    assert "Market car park, gate B" in mine
    board = client_for(make_volunteer()).get(reverse("volunteers:board")).content.decode()
    assert "Market car park" not in board
    assert "the lead gives the place to those on the shift" in board
    roster = reverse("volunteers:roster", args=[site.slug, shift.pk])
    assert "Market car park, gate B" in client_for(lead).get(roster).content.decode()
    too_long = shift_data(cook, place="x" * 201)
    response = client_for(lead).post(url, too_long)
    assert response.status_code == 400
    assert "Ensure this value has at most 200 characters" in response.content.decode()


def test_lowering_the_maximum_below_who_is_coming_is_refused(lead, site, shift, make_volunteer):
    for _ in range(3):
        services.claim_shift(shift_id=shift.pk, volunteer=make_volunteer())
    url = reverse("volunteers:shift_edit", args=[site.slug, shift.pk])
    data = shift_data(shift.role, max_people="2", min_people="1")
    data["date"] = shift.local_date.isoformat()
    response = client_for(lead).post(url, data)
    assert response.status_code == 400
    assert "3 people are signed up" in response.content.decode()
    assert Shift.objects.get(pk=shift.pk).max_people == 4


def test_raising_the_maximum_moves_the_waitlist_up(lead, site, shift, make_volunteer):
    services.claim_shift(shift_id=shift.pk, volunteer=make_volunteer(), guests=3)
    waiting = services.claim_shift(shift_id=shift.pk, volunteer=make_volunteer())
    url = reverse("volunteers:shift_edit", args=[site.slug, shift.pk])
    data = shift_data(shift.role, max_people="5")
    data.update(
        date=shift.local_date.isoformat(),
        start_time=shift.local_start.strftime("%H:%M"),
        end_time=shift.local_end.strftime("%H:%M"),
    )
    assert client_for(lead).post(url, data).status_code == 302
    assert SignUp.objects.get(pk=waiting.pk).is_confirmed


def test_the_roster_shows_name_phone_qualifications_and_first_shift(
    lead, site, shift, volunteer, make_volunteer
):
    QualificationFactory(volunteer=volunteer, kind__name="Food hygiene certificate")
    regular = make_volunteer("Ben Carter")
    earlier = ShiftFactory(
        site=site,
        role=shift.role,
        starts_at=shift.starts_at - timedelta(days=10),
        ends_at=shift.ends_at - timedelta(days=10),
    )
    SignUpFactory(shift=earlier, volunteer=regular, attendance="attended")
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    services.claim_shift(shift_id=shift.pk, volunteer=regular)
    page = client_for(lead).get(reverse("volunteers:roster", args=[site.slug, shift.pk]))
    html = page.content.decode()
    assert volunteer.name in html and volunteer.phone in html
    assert "Food hygiene certificate" in html
    rows = html.split('<tr id="signup-')
    vera_row = next(r for r in rows if volunteer.name in r)
    ben_row = next(r for r in rows if "Ben Carter" in r)
    assert "First shift" in vera_row and "First shift" not in ben_row


def test_a_lead_adds_someone_by_hand_with_a_reason(lead, site, shift, volunteer):
    url = reverse("volunteers:roster_add", args=[site.slug, shift.pk])
    response = client_for(lead).post(
        url, {"volunteer": volunteer.pk, "guests": "0", "reason": "Phoned in"}
    )
    assert response.status_code == 302
    sign_up = SignUp.objects.get(volunteer=volunteer)
    assert sign_up.added_by == lead and sign_up.added_reason == "Phoned in"


def test_adding_without_a_reason_is_refused(lead, site, shift, volunteer):
    url = reverse("volunteers:roster_add", args=[site.slug, shift.pk])
    response = client_for(lead).post(url, {"volunteer": volunteer.pk, "guests": "0"})
    assert response.status_code == 400
    assert not SignUp.objects.exists()


def test_removing_someone_needs_a_reason_and_tells_them(
    lead, site, shift, volunteer, django_capture_on_commit_callbacks
):
    sign_up = services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    url = reverse("volunteers:roster_remove", args=[site.slug, shift.pk, sign_up.pk])
    response = client_for(lead).post(url, {"reason": ""}, follow=True)
    assert "Say why you are removing them" in response.content.decode()
    assert SignUp.objects.get(pk=sign_up.pk).is_confirmed
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(url, {"reason": "Kitchen closed for repairs"})
    assert SignUp.objects.get(pk=sign_up.pk).status == "cancelled"
    assert Shift.objects.get(pk=shift.pk).places_taken == 0
    assert mail.outbox[0].to == [volunteer.email]
    assert "Kitchen closed for repairs" in mail.outbox[0].body


def test_check_in_with_htmx_swaps_the_row_and_credits_hours(lead, site, cook, volunteer):
    day = site.today()
    shift = ShiftFactory(
        site=site,
        role=cook,
        starts_at=datetime.combine(day, time(9), tzinfo=site.tz),
        ends_at=datetime.combine(day, time(12), tzinfo=site.tz),
        places_taken=1,
    )
    sign_up = SignUpFactory(shift=shift, volunteer=volunteer)
    url = reverse("volunteers:check_in", args=[site.slug, shift.pk, sign_up.pk])
    response = client_for(lead).post(
        url, {"attendance": "attended", "hours": ""}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="signup-{sign_up.pk}"')
    assert "Attended, 3 h" in html
    assert str(SignUp.objects.get(pk=sign_up.pk).hours_credited) == "3.00"
    bad = client_for(lead).post(url, {"attendance": "attended", "hours": "30"}, follow=True)
    assert "less than or equal to 24" in bad.content.decode()
    assert str(SignUp.objects.get(pk=sign_up.pk).hours_credited) == "3.00"


def test_a_volunteers_record_shows_attended_missed_and_hours(lead, site, cook, volunteer):
    for days, attendance, hours in [
        (3, "attended", "3"),
        (10, "attended", "2.5"),
        (17, "missed", "0"),
    ]:
        past = ShiftFactory(
            site=site,
            role=cook,
            starts_at=timezone.now() - timedelta(days=days),
            ends_at=timezone.now() - timedelta(days=days) + timedelta(hours=3),
        )
        SignUpFactory(shift=past, volunteer=volunteer, attendance=attendance, hours_credited=hours)
    page = client_for(lead).get(reverse("volunteers:record", args=[site.slug, volunteer.pk]))
    assert "2 attended · 1 missed · 0 excused · 5.5 hours" in page.content.decode()
    people = client_for(lead).get(reverse("volunteers:people", args=[site.slug])).content.decode()
    assert volunteer.name in people and "5.5" in people


def test_contact_details_are_hidden_from_a_lead_where_they_never_signed_up(
    coordinator, lead, site, volunteer
):
    page = client_for(lead).get(reverse("volunteers:record", args=[site.slug, volunteer.pk]))
    assert volunteer.phone not in page.content.decode()
    page = client_for(coordinator).get(reverse("volunteers:record", args=[site.slug, volunteer.pk]))
    assert volunteer.phone in page.content.decode()


def test_a_lead_messages_everyone_on_a_shift(
    lead, site, shift, volunteer, make_volunteer, django_capture_on_commit_callbacks
):
    other = make_volunteer()
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    services.claim_shift(shift_id=shift.pk, volunteer=other)
    url = reverse("volunteers:message_shift", args=[site.slug, shift.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(
            url, {"subject": "Parking", "body": "Use the back gate today."}, follow=True
        )
    assert "Your message to 2 people is on its way" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([volunteer.email, other.email])
    assert all("Use the back gate today." in m.body for m in mail.outbox)
    assert mail.outbox[0].subject == "Riverside Kitchen: Parking"


def test_a_lead_messages_everyone_on_a_day(
    lead, site, shift, volunteer, django_capture_on_commit_callbacks
):
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    url = reverse("volunteers:message_day", args=[site.slug, shift.local_date.isoformat()])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lead).post(url, {"subject": "Snow", "body": "Come if it is safe."})
    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    assert LeadMessage.objects.get().day == shift.local_date


def test_an_empty_message_is_refused(lead, site, shift):
    url = reverse("volunteers:message_shift", args=[site.slug, shift.pk])
    response = client_for(lead).post(url, {"subject": "", "body": ""})
    assert response.status_code == 400
    assert not LeadMessage.objects.exists()


def test_copying_a_day_makes_the_same_shifts_once(lead, site, shift):
    to_day = shift.local_date + timedelta(days=7)
    url = reverse("volunteers:copy_day", args=[site.slug, shift.local_date.isoformat()])
    data = {"from_day": shift.local_date.isoformat(), "to_day": to_day.isoformat()}
    client_for(lead).post(url, data)
    response = client_for(lead).post(url, data, follow=True)
    assert "0 shifts copied" in response.content.decode()
    copies = Shift.objects.exclude(pk=shift.pk)
    assert copies.count() == 1
    copy = copies.get()
    assert copy.local_date == to_day and copy.local_start.time() == shift.local_start.time()
    assert copy.places_taken == 0


def test_the_week_view_highlights_shifts_under_their_minimum(lead, site, shift, volunteer):
    url = reverse("volunteers:site_shifts", args=[site.slug])
    page = client_for(lead).get(url, {"week": shift.local_date.isoformat()}).content.decode()
    assert "under-minimum" in page and "2 short" in page
    assert "1 shift this week is under its minimum" in page


def test_the_sign_up_rules_are_the_sites_own(lead, site):
    url = reverse("volunteers:policy", args=[site.slug])
    bad = client_for(lead).post(url, {"sign_up_opens_days": "0", "cancellation_cutoff_hours": "24"})
    assert bad.status_code == 400
    client_for(lead).post(url, {"sign_up_opens_days": "7", "cancellation_cutoff_hours": "48"})
    site.refresh_from_db()
    assert site.shift_policy.sign_up_opens_days == 7


def test_a_lead_sees_a_whole_day_with_who_is_coming_folded_under_each_shift(
    lead, site, cook, make_volunteer
):
    day = site.today() + timedelta(days=2)

    def at(hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=site.tz)

    early = ShiftFactory(
        site=site, role=cook, starts_at=at(7), ends_at=at(9), min_people=1, max_people=1
    )
    ShiftFactory(site=site, role=cook, starts_at=at(12), ends_at=at(14))
    ShiftFactory(
        site=site, role=cook, starts_at=at(7) + timedelta(days=1), ends_at=at(9) + timedelta(days=1)
    )
    SignUpFactory(shift=early, volunteer=make_volunteer("Olu <Early>"))
    SignUpFactory(shift=early, volunteer=make_volunteer("Wanda Waiting"), status="waitlisted")
    url = reverse("volunteers:day", args=[site.slug, day.isoformat()])
    page = client_for(lead).get(url).content.decode()
    assert "2 shifts." in page  # the next day's is not on it
    assert "<details><summary>1 coming, 1 waiting</summary>" in page
    assert "<li>Olu &lt;Early&gt;</li><li>Wanda Waiting (waiting)</li>" in page
    assert "Nobody yet" in page
    # The week's "By day" list leads to it.
    week = reverse("volunteers:site_shifts", args=[site.slug])
    assert url in client_for(lead).get(week, {"week": day.isoformat()}).content.decode()


def test_a_day_of_many_shifts_runs_the_same_queries_as_a_day_of_few(lead, site, cook):
    day = site.today() + timedelta(days=2)
    start = datetime.combine(day, time(6), tzinfo=site.tz)

    def add(n: int) -> None:
        for i in range(n):
            shift = ShiftFactory(
                site=site,
                role=cook,
                starts_at=start + timedelta(minutes=i),
                ends_at=start + timedelta(minutes=i, hours=2),
            )
            SignUpFactory(shift=shift)

    url = reverse("volunteers:day", args=[site.slug, day.isoformat()])
    client = client_for(lead)
    add(3)
    few = page_queries(client, url)
    add(40)
    assert page_queries(client, url) == few
    assert "43 shifts." in client.get(url).content.decode()


def test_a_day_that_is_not_a_date_is_not_found(lead, site):
    url = reverse("volunteers:day", args=[site.slug, "2026-02-30"])
    assert client_for(lead).get(url).status_code == 404


def test_two_people_of_the_same_name_have_a_second_line_on_the_lead_list(
    site, lead, make_volunteer
):
    make_volunteer("Sam Lee", email="sam@riverside.example", phone="")
    make_volunteer("Sam Lee", email="", phone="+44 7700 900456")
    make_volunteer("Ada Moss", email="ada@example.org")
    page = client_for(lead).get(reverse("volunteers:people", args=[site.slug])).content.decode()
    assert "email at riverside.example" in page and "phone ending 456" in page
    assert "sam@riverside.example" not in page and "900456" not in page
    assert "example.org" not in page  # only namesakes get a second line


def test_an_emergency_contact_is_given_by_the_volunteer_and_seen_by_the_sites_leads(
    coordinator, lead, site, shift, volunteer
):
    data = {
        "date_of_birth": "",
        "emergency_name": "Kofi Okafor",
        "emergency_phone": "+44 7700 900777",
    }
    response = client_for(volunteer).post(reverse("volunteers:qualifications"), data)
    assert response.status_code == 302
    services.claim_shift(shift_id=shift.pk, volunteer=volunteer)
    record = reverse("volunteers:record", args=[site.slug, volunteer.pk])
    page = client_for(lead).get(record).content.decode()
    assert "In an emergency" in page and "Kofi Okafor" in page and "+447700900777" in page


def test_an_emergency_contact_needs_both_name_and_phone(volunteer):
    response = client_for(volunteer).post(
        reverse("volunteers:qualifications"), {"date_of_birth": "", "emergency_name": "Kofi"}
    )
    assert response.status_code == 400
    assert "emergency contact&#x27;s name and their phone, or neither" in response.content.decode()


def test_a_lead_keeps_a_note_on_a_volunteer_that_the_volunteer_does_not_see(lead, site, volunteer):
    """(Other sites' leads are refused the record and the note: the authz matrix.)"""
    url = reverse("volunteers:record_note", args=[site.slug, volunteer.pk])
    response = client_for(lead).post(url, {"text": "No heavy lifting, back injury."})
    assert response.status_code == 302
    record = reverse("volunteers:record", args=[site.slug, volunteer.pk])
    page = client_for(lead).get(record).content.decode()
    assert "No heavy lifting, back injury." in page and "Last changed by" in page
    for someone in (volunteer,):
        assert (
            "No heavy lifting"
            not in client_for(someone).get(reverse("volunteers:qualifications")).content.decode()
        )
    too_long = client_for(lead).post(url, {"text": "x" * 2001})
    assert too_long.status_code == 400


def test_erasing_a_person_erases_their_emergency_contact_and_the_leads_notes(lead, site, volunteer):
    people.set_date_of_birth(
        user=volunteer, date_of_birth=None, emergency_name="Kofi", emergency_phone="+447700900777"
    )
    people.save_lead_note(site=site, volunteer=volunteer, text="Prefers mornings", by=lead)
    people.forget_person(volunteer)
    profile = VolunteerProfile.objects.get(user=volunteer)
    assert (profile.emergency_name, profile.emergency_phone) == ("", "")
    assert not LeadNote.objects.filter(volunteer=volunteer).exists()


def test_who_could_fill_a_short_shift_lists_those_free_that_day_or_liking_the_role(
    lead, site, shift, make_volunteer
):
    weekday = shift.local_date.weekday()
    free, likes, both, neither, busy = (
        make_volunteer(name) for name in ("Ana Free", "Bo Likes", "Cy Both", "Di None", "Ed Busy")
    )
    people.set_availability(user=free, weekdays=[weekday], roles=[])
    people.set_availability(user=likes, weekdays=[(weekday + 1) % 7], roles=[shift.role])
    people.set_availability(user=both, weekdays=[weekday], roles=[shift.role])
    people.set_availability(user=busy, weekdays=[weekday], roles=[shift.role])
    services.claim_shift(
        shift_id=ShiftFactory(site=site, starts_at=shift.starts_at, ends_at=shift.ends_at).pk,
        volunteer=busy,
    )
    page = client_for(lead).get(reverse("volunteers:roster", args=[site.slug, shift.pk]))
    names = [c.person.name for c in page.context["could_fill"]]
    assert names == ["Cy Both", "Ana Free", "Bo Likes"]
    assert "Di None" not in names and "Ed Busy" not in names
    html = page.content.decode()
    assert "Who could fill this" in html and f"likes {shift.role.name}" in html


def test_a_volunteer_says_when_they_can_help_and_only_roles_of_their_sites(
    volunteer, site, other_site, shift
):
    from tests.volunteers.factories import ShiftRoleFactory

    url = reverse("volunteers:qualifications")
    elsewhere = ShiftRoleFactory(site=other_site, name="Driver")
    refused = client_for(volunteer).post(
        url, {"form": "availability", "weekdays": ["0"], "roles": [str(elsewhere.pk)]}
    )
    assert refused.status_code == 400
    ok = client_for(volunteer).post(
        url, {"form": "availability", "weekdays": ["0", "5"], "roles": [str(shift.role_id)]}
    )
    assert ok.status_code == 302
    profile = VolunteerProfile.objects.get(user=volunteer)
    assert profile.weekdays == [0, 5] and list(profile.preferred_roles.all()) == [shift.role]


def test_everyone_attended_checks_in_those_not_yet_marked_and_keeps_the_rest(
    lead, site, cook, volunteer, make_volunteer
):
    day = site.today()
    shift = ShiftFactory(
        site=site,
        role=cook,
        starts_at=datetime.combine(day, time(9), tzinfo=site.tz),
        ends_at=datetime.combine(day, time(12), tzinfo=site.tz),
        places_taken=3,
    )
    came = SignUpFactory(shift=shift, volunteer=volunteer)
    also_came = SignUpFactory(shift=shift, volunteer=make_volunteer())
    missed = SignUpFactory(shift=shift, volunteer=make_volunteer())
    services.record_attendance(sign_up_id=missed.pk, by=lead, attendance="missed")
    roster = reverse("volunteers:roster", args=[site.slug, shift.pk])
    assert "Everyone attended" in client_for(lead).get(roster).content.decode()

    url = reverse("volunteers:everyone_attended", args=[site.slug, shift.pk])
    page = client_for(lead).post(url, follow=True).content.decode()
    assert "2 people checked in as attended." in page
    for s in (came, also_came):
        s.refresh_from_db()
        assert (s.attendance, str(s.hours_credited), s.checked_in_by) == ("attended", "3.00", lead)
        assert s.attendance_changes.count() == 1
    missed.refresh_from_db()
    assert missed.attendance == "missed"
    # Nobody is left to mark: the button goes, and a second post says so and writes nothing.
    assert "Everyone attended" not in client_for(lead).get(roster).content.decode()
    again = client_for(lead).post(url, follow=True).content.decode()
    assert "already checked in" in again
    assert came.attendance_changes.count() == 1


def test_everyone_attended_waits_for_the_day_of_the_shift(lead, site, shift, volunteer):
    mine = SignUpFactory(shift=shift, volunteer=volunteer)
    url = reverse("volunteers:everyone_attended", args=[site.slug, shift.pk])
    page = client_for(lead).post(url, follow=True).content.decode()
    assert "opens on the day of the shift" in page
    assert SignUp.objects.get(pk=mine.pk).attendance == ""
