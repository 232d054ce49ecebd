"""Shift sheets and a volunteer's schedule, read back from the PDF."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from commonpot.dates import long_day
from pantry.models import PaperSize
from tests.conftest import client_for, page_queries
from tests.reminders.conftest import claim
from tests.volunteers.factories import (
    QualificationFactory,
    QualificationKindFactory,
    ShiftFactory,
    SignUpFactory,
)
from volunteers import pdf
from volunteers.models import ShiftPolicy, SignUp

pytestmark = pytest.mark.django_db

HEADINGS = ["Name", "Qualifications", "First shift", "Guests", "Sign in", "Sign out"]
A4 = (595, 842)
LETTER = (612, 792)


def pages_of(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def text_of(content: bytes) -> str:
    """The words of every page, with any run of spaces and line breaks as one space
    (table cells wrap, so a heading may come out over two lines)."""
    return " ".join(" ".join(pages_of(content)).split())


def get_pdf(user, name: str, *args, **query):
    response = client_for(user).get(reverse(name, args=args), query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response


def three_days_ahead_at(site, hour: int) -> datetime:
    day = site.today() + timedelta(days=3)
    return datetime.combine(day, time(hour), tzinfo=site.tz)


@pytest.fixture
def crew(site, make_shift, make_volunteer, volunteer):
    """A Cook shift three days ahead with Vera (first shift, hygiene certificate)
    and Amira (served before, bringing two guests)."""
    shift = make_shift(starts_at=three_days_ahead_at(site, 9), max_people=6, min_people=2)
    hygiene = QualificationKindFactory(name="Food hygiene certificate")
    QualificationFactory(volunteer=volunteer, kind=hygiene)
    amira = make_volunteer("Amira Haddad", phone="+447700900222")
    earlier = ShiftFactory(
        site=site,
        role=shift.role,
        starts_at=timezone.now() - timedelta(days=10),
        ends_at=timezone.now() - timedelta(days=10) + timedelta(hours=2),
    )
    SignUpFactory(shift=earlier, volunteer=amira, attendance=SignUp.Attendance.ATTENDED)
    claim(shift, volunteer)
    claim(shift, amira, guests=2)
    shift.refresh_from_db()
    return shift, amira


def test_the_leads_shift_sheet_lists_each_person_with_phone_qualifications_first_shift_and_guests(
    lead, site, crew, volunteer
):
    shift, amira = crew
    response = get_pdf(lead, "volunteers:shift_sheet", site.slug, shift.pk)
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('inline; filename="riverside-')
    text = text_of(response.content)
    for heading in [*HEADINGS, "Phone"]:
        assert heading in text
    vera_row = text[text.index("1 Vera Volunteer") : text.index("2 Amira Haddad")]
    assert "+447700900123" in vera_row
    assert "Food hygiene certificate" in vera_row and "FIRST" in vera_row
    amira_row = text[text.index("2 Amira Haddad") : text.index("Walk-in:")]
    assert amira_row.split() == ["2", "Amira", "Haddad", "+447700900222", "2"]
    assert "Riverside Kitchen" in text
    assert "09:00–12:00" in text
    assert "4 of 6 places taken (minimum 2)" in text
    assert "Lead's copy" in text
    assert "Walk-in:" in text


def test_the_copy_to_pin_up_has_no_phone_numbers(lead, site, crew, volunteer):
    shift, amira = crew
    text = text_of(
        get_pdf(lead, "volunteers:shift_sheet", site.slug, shift.pk, copy="wall").content
    )
    assert "Vera Volunteer" in text and "Amira Haddad" in text
    assert volunteer.phone not in text and amira.phone not in text
    assert "Phone" not in text
    assert "Copy without phone numbers" in text


@pytest.mark.parametrize(("paper", "size"), [(PaperSize.A4, A4), (PaperSize.LETTER, LETTER)])
def test_a_20_person_shift_fits_on_one_page_of_the_sites_paper(
    site, make_shift, make_volunteer, paper, size
):
    site.pantry_settings.paper_size = paper
    site.pantry_settings.save()
    ShiftPolicy.objects.create(site=site, emergency_phone="+441179460001")
    site.address = "12 Wharf Lane"
    site.save()
    shift = make_shift(
        starts_at=three_days_ahead_at(site, 9),
        max_people=20,
        notes="Meet at the side door; aprons are in the blue crate.",
        what_to_bring="Closed shoes, hair tie.",
    )
    people = [make_volunteer(f"Person Number{i:02d}") for i in range(20)]
    for person in people:
        claim(shift, person)
    shift.refresh_from_db()
    document = pdf.shift_sheet(shift, phones=True)
    reader = PdfReader(BytesIO(document.write_pdf()))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == size
    text = reader.pages[0].extract_text()
    assert all(f"Person Number{i:02d}" in text for i in range(20))
    assert "Page 1 of 1" in text


def test_an_empty_shift_says_nobody_has_signed_up_yet(lead, site, make_shift):
    shift = make_shift(starts_at=three_days_ahead_at(site, 9))
    text = text_of(get_pdf(lead, "volunteers:shift_sheet", site.slug, shift.pk).content)
    assert "Nobody has signed up yet." in text
    assert "Sign in" in text  # the table is there, with blank rows to write in


def test_the_day_sheet_gives_the_emergency_number_safety_rules_and_each_shift_in_local_time(
    other_lead, other_site, make_shift, make_volunteer
):
    other_site.address = "400 Commerce Street"
    other_site.save()
    ShiftPolicy.objects.create(
        site=other_site,
        emergency_phone="+12125550199",
        safety_rules="Closed shoes. Wash your hands. Gloves for ready-to-eat food.",
    )
    morning = make_shift(site=other_site, starts_at=three_days_ahead_at(other_site, 8))
    evening = make_shift(
        site=other_site,
        starts_at=three_days_ahead_at(other_site, 17),
        notes="Loading bay 2",
        what_to_bring="Steel-toe boots",
    )
    claim(evening, make_volunteer("Grace Kim", at=other_site))
    day = morning.local_date
    text = text_of(
        get_pdf(other_lead, "volunteers:day_sheet", other_site.slug, day.isoformat()).content
    )
    assert "Eastside Food Bank" in text and "400 Commerce Street" in text
    assert "Emergency number: +12125550199" in text
    assert "Closed shoes. Wash your hands. Gloves for ready-to-eat food." in text
    assert long_day(day) in text
    # 08:00 and 17:00 in New York, not in UTC.
    assert "08:00–11:00" in text and "17:00–20:00" in text
    assert "Loading bay 2" in text and "Steel-toe boots" in text
    assert "Grace Kim" in text and "Nobody has signed up yet." in text


def test_a_busy_day_runs_to_several_pages_numbered_page_n_of_m(site, make_shift, make_volunteer):
    people = [make_volunteer(f"Helper {i:03d}") for i in range(60)]
    for hour in range(6):
        shift = make_shift(starts_at=three_days_ahead_at(site, 7 + 2 * hour), max_people=10)
        for person in people[hour * 10 : hour * 10 + 10]:
            claim(shift, person)
    day = shift.local_date
    pages = pages_of(pdf.day_sheet(site, day, phones=True).write_pdf())
    assert len(pages) > 1
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
    everything = "\n".join(pages)
    assert all(f"Helper {i:03d}" in everything for i in range(60))


def test_a_day_with_no_shifts_prints_a_sheet_that_says_so(lead, site):
    day = (site.today() + timedelta(days=5)).isoformat()
    text = text_of(get_pdf(lead, "volunteers:day_sheet", site.slug, day).content)
    assert "No shifts on this day." in text


def bold_texts(content: bytes) -> list[str]:
    """Text drawn in a bold font, as pypdf sees it."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if font_dict and "Bold" in str(font_dict.get("/BaseFont", "")) and text.strip():
            found.append(text.strip())

    for page in PdfReader(BytesIO(content)).pages:
        page.extract_text(visitor_text=visit)
    return found


def test_the_meal_being_cooked_is_on_the_sheet_with_its_allergens_in_bold(site, make_shift):
    shift = make_shift(starts_at=three_days_ahead_at(site, 9))
    meals = {shift.pk: {"name": "Lentil soup", "allergens": ["celery", "mustard"]}}
    content = pdf.shift_sheet(shift, phones=True, meals=meals).write_pdf()
    assert "Meal: Lentil soup" in text_of(content)
    bold = " ".join(bold_texts(content))
    assert "celery" in bold and "mustard" in bold
    assert "Lentil soup" not in bold


def test_without_a_meal_the_sheet_prints_no_meal_line(site, make_shift):
    shift = make_shift(starts_at=three_days_ahead_at(site, 9))
    assert "Meal:" not in text_of(pdf.shift_sheet(shift, phones=True).write_pdf())


# --- A volunteer's own schedule ----------------------------------------------------


def test_my_schedule_lists_my_coming_shifts_and_no_one_elses_phone_number(
    site, other_site, lead, crew, volunteer, make_shift, make_volunteer
):
    shift, amira = crew
    site.contact_phone = "+441179460000"
    site.save()
    ShiftPolicy.objects.create(site=site, emergency_phone="+447700900999")
    lead.phone = "+447700900999"
    lead.save()
    waitlisted = make_shift(site=other_site, starts_at=three_days_ahead_at(other_site, 13))
    waitlisted.max_people = 1
    waitlisted.save()
    claim(waitlisted, make_volunteer("Farid Rahimi", at=other_site, phone="+12125550111"))
    claim(waitlisted, volunteer)
    text = text_of(get_pdf(volunteer, "volunteers:my_schedule").content)
    assert "My shifts" in text and "Vera Volunteer" in text
    assert "Cook at Riverside Kitchen" in text and "09:00–12:00" in text
    assert "13:00–16:00" in text and "Waitlist: number 1 in line" in text
    for phone in [amira.phone, "+12125550111", lead.phone]:
        assert phone not in text
    assert "Amira" not in text and "Farid" not in text
    assert "+441179460000" in text  # the site's public phone is fine


def test_a_schedule_with_nothing_coming_says_so(outsider):
    assert "No shifts coming up." in text_of(get_pdf(outsider, "volunteers:my_schedule").content)


def test_the_volunteer_home_page_offers_to_print_the_schedule_once_there_is_one(
    volunteer, make_shift
):
    page = client_for(volunteer).get(reverse("home")).content.decode()
    assert reverse("volunteers:my_schedule") not in page
    claim(make_shift(hours=30), volunteer)
    page = client_for(volunteer).get(reverse("home")).content.decode()
    assert f'href="{reverse("volunteers:my_schedule")}"' in page
    assert "Print my schedule" in page


# --- The leads' page of sheets ------------------------------------------------------


def test_the_sheets_page_lists_coming_days_with_day_and_shift_sheet_links(lead, site, make_shift):
    shift = make_shift(starts_at=three_days_ahead_at(site, 9))
    page = client_for(lead).get(reverse("volunteers:sheets", args=[site.slug])).content.decode()
    day = shift.local_date.isoformat()
    assert reverse("volunteers:day_sheet", args=[site.slug, day]) in page
    assert reverse("volunteers:shift_sheet", args=[site.slug, shift.pk]) in page
    assert f"{reverse('volunteers:shift_sheet', args=[site.slug, shift.pk])}?copy=wall" in page
    assert "09:00–12:00" in page
    # A tab of the People group: on the site's shifts page, among that group's tabs.
    shifts = client_for(lead).get(reverse("volunteers:site_shifts", args=[site.slug]))
    assert f'href="{reverse("volunteers:sheets", args=[site.slug])}"' in shifts.content.decode()


def test_the_sheets_page_runs_the_same_queries_for_3_or_30_shifts(lead, site, make_shift):
    def count() -> int:
        return page_queries(client_for(lead), reverse("volunteers:sheets", args=[site.slug]))

    for i in range(3):
        make_shift(starts_at=three_days_ahead_at(site, 8 + i))
    small = count()
    for i in range(27):
        make_shift(starts_at=three_days_ahead_at(site, 8) + timedelta(days=1 + i % 9, hours=i))
    assert count() == small


def test_choosing_another_day_opens_its_sheet_and_a_bad_date_is_explained(lead, site):
    url = reverse("volunteers:sheets", args=[site.slug])
    response = client_for(lead).get(url, {"day": "2031-02-03"})
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:day_sheet", args=[site.slug, "2031-02-03"])
    response = client_for(lead).get(url, {"day": "3rd of Feb"})
    assert response.status_code == 400
    assert "is not a date. Write it as YYYY-MM-DD." in response.content.decode()


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        ("2025-13-40", "is not a date"),
        ("yesterday", "is not a date"),
        ("0001-01-01", "Check the year"),
        ("9999-12-31", "Check the year"),
    ],
)
def test_a_day_sheet_for_something_that_is_not_a_usable_date_is_a_400_with_the_reason(
    lead, site, day, reason
):
    response = client_for(lead).get(reverse("volunteers:day_sheet", args=[site.slug, day]))
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_an_unknown_copy_is_a_400(lead, site, make_shift):
    shift = make_shift()
    url = reverse("volunteers:shift_sheet", args=[site.slug, shift.pk])
    response = client_for(lead).get(url, {"copy": "everyone"})
    assert response.status_code == 400
    assert "copy=wall" in response.content.decode()


def test_a_shift_that_is_not_at_this_site_or_does_not_exist_is_a_404(
    lead, site, other_site, make_shift
):
    elsewhere = make_shift(site=other_site)
    client = client_for(lead)
    for shift_id in [elsewhere.pk, 987654, 2**70]:
        url = reverse("volunteers:shift_sheet", args=[site.slug, shift_id])
        assert client.get(url).status_code == 404, shift_id
