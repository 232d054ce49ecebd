"""Hours certificates: what they count, the PDF a volunteer downloads, and the
public check of its code, which states what the paper states and nothing more."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.models import Membership, User
from commonpot.services import erase_account
from tests.conftest import client_for
from tests.factories import MembershipFactory, SiteFactory, UserFactory
from tests.reminders.test_sheets import A4, LETTER, text_of
from tests.volunteers.factories import ShiftFactory, SignUpFactory
from volunteers import certificates
from volunteers.models import CERTIFICATE_ALPHABET, HoursCertificate, SignUp

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]


def served_at(site, person, days_ago: int, hours: str = "3", **kwargs):
    """A shift `days_ago` days ago at 10:00 on the site's clock, attended with `hours`."""
    day = site.today() - timedelta(days=days_ago)
    starts_at = datetime.combine(day, time(10), tzinfo=site.tz)
    shift = ShiftFactory(
        site=site, role__name="Cook", starts_at=starts_at, ends_at=starts_at + timedelta(hours=3)
    )
    fields = {"attendance": SignUp.Attendance.ATTENDED, "hours_credited": Decimal(hours)}
    return SignUpFactory(shift=shift, volunteer=person, **{**fields, **kwargs})


@pytest.fixture
def record(site, other_site, volunteer):
    """Vera's hours: 3 + 2.5 at Riverside in the last year, and some that do not count."""
    served_at(site, volunteer, 10, "3")
    served_at(site, volunteer, 40, "2.5")
    served_at(site, volunteer, 20, "4", attendance=SignUp.Attendance.MISSED)
    served_at(site, volunteer, 30, "4", status=SignUp.Status.CANCELLED)
    served_at(site, volunteer, 400, "6")
    served_at(other_site, volunteer, 10, "7")
    return volunteer


def form_data(site, start=None, end=None) -> dict:
    default_start, default_end = certificates.default_period(site)
    return {
        "site": site.pk,
        "starts_on": (start or default_start).isoformat(),
        "ends_on": (end or default_end).isoformat(),
    }


def download(person, site, **period):
    client = client_for(person)
    response = client.post(reverse("volunteers:certificates"), form_data(site, **period))
    assert response.status_code == 302, response.content[:1000]
    pdf = client.get(response["Location"])
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    return pdf


def check_page(code: str, client=None) -> str:
    response = (client or client_for(None)).get(
        reverse("volunteers:certificate_check", args=[code])
    )
    assert response.status_code == 200
    return response.content.decode()


# --- What it counts ----------------------------------------------------------------


def test_hours_served_are_the_attended_hours_at_the_site_within_the_period(record, site):
    start, end = certificates.default_period(site)
    assert certificates.hours_served(record, site, start, end) == Decimal("5.5")
    # Both ends are included, by the site's own calendar.
    ten_days_ago = site.today() - timedelta(days=10)
    assert certificates.hours_served(record, site, ten_days_ago, ten_days_ago) == Decimal("3")


def test_the_site_signs_off_by_its_longest_standing_lead_or_by_its_own_name(site, other_site):
    assert certificates.sign_off_for(other_site) == other_site.name
    first = UserFactory(display_name="Lena Lead")
    MembershipFactory(user=first, site=site, role=Membership.Role.LEAD)
    MembershipFactory(user=UserFactory(display_name="Later Lead"), site=site, role="lead")
    assert certificates.sign_off_for(site) == "Lena Lead, lead at Riverside Kitchen"


# --- Downloading it ----------------------------------------------------------------


def test_a_volunteer_downloads_a_certificate_of_their_hours_signed_off_by_the_lead(
    record, site, lead
):
    response = download(record, site)
    assert "attachment" in response["Content-Disposition"]
    text = text_of(response.content)
    certificate = HoursCertificate.objects.get()
    start, end = certificates.default_period(site)
    assert "This certifies that Vera Volunteer served 5.5 hours" in text
    assert "at Riverside Kitchen between" in text
    assert certificates.full_date(start) in text and certificates.full_date(end) in text
    assert "Lena Lead, lead at Riverside Kitchen" in text
    assert certificate.printed_code in text
    assert reverse("volunteers:certificate_check", args=[certificate.code]) in text
    # Nobody else's details, and not the shifts themselves.
    assert lead.email not in text and "Cook" not in text


def test_the_certificate_is_printed_on_the_sites_paper(record, site):
    from io import BytesIO

    from pypdf import PdfReader

    from pantry.models import PantrySettings, PaperSize

    def size():
        page = PdfReader(BytesIO(download(record, site).content)).pages[0]
        return round(page.mediabox.width), round(page.mediabox.height)

    assert size() == A4
    PantrySettings.objects.update_or_create(site=site, defaults={"paper_size": PaperSize.LETTER})
    assert size() == LETTER


def test_the_form_offers_the_sites_with_hours_and_the_last_twelve_months(record, site, other_site):
    page = client_for(record).get(reverse("volunteers:certificates"))
    form = page.context["form"]
    assert list(form.fields["site"].queryset) == [other_site, site]
    assert form["starts_on"].value() == site.today() - timedelta(days=364)
    assert form["ends_on"].value() == site.today()


def test_someone_with_no_hours_is_told_how_hours_come(outsider):
    page = client_for(outsider).get(reverse("volunteers:certificates")).content.decode()
    assert "You have no hours to certify yet" in page


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"ends_on": "2001-01-01", "starts_on": "2001-02-01"}, "ends_on", "ends before it starts"),
        ({"ends_on": "2999-01-01"}, "ends_on", "Give a date between"),
        ("tomorrow", "ends_on", "covers days that have passed"),
        ({"starts_on": "1990-01-01"}, "starts_on", "ten years at most"),
        ({"starts_on": "2026-13-01"}, "starts_on", "Enter a valid date"),
        ({"site": "other"}, "site", "Select a valid choice"),
        ({"site": "private"}, "site", "Select a valid choice"),
    ],
)
def test_a_bad_period_or_site_is_a_field_error_and_nothing_is_issued(
    record, site, private_site, lead, change, field, message
):
    data = form_data(site)
    if change == "tomorrow":
        change = {"ends_on": (site.today() + timedelta(days=1)).isoformat()}
    elif change.get("site") == "other":
        # A public site where the volunteer has no hours.
        change = {"site": SiteFactory(name="Northside Pantry").pk}
    elif change.get("site") == "private":
        change = {"site": private_site.pk}
    response = client_for(record).post(reverse("volunteers:certificates"), {**data, **change})
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not HoursCertificate.objects.exists()


def test_a_period_without_hours_is_refused_with_the_reason(record, site):
    day = site.today() - timedelta(days=100)
    response = client_for(record).post(
        reverse("volunteers:certificates"), form_data(site, start=day, end=day)
    )
    assert response.status_code == 400
    assert "You have no hours credited at Riverside Kitchen" in response.content.decode()
    assert not HoursCertificate.objects.exists()


def test_asking_again_for_the_same_period_gives_the_same_certificate(record, site):
    download(record, site)
    download(record, site)
    assert HoursCertificate.objects.count() == 1


def test_a_certificate_keeps_stating_what_was_true_when_it_was_issued(record, site, lead):
    start, end = certificates.default_period(site)
    first, _ = certificates.issue_hours_certificate(
        volunteer=record, site=site, starts_on=start, ends_on=end
    )
    # Later a lead corrects the hours and Vera changes her name.
    SignUp.objects.filter(volunteer=record, hours_credited=Decimal("3")).update(
        hours_credited=Decimal("1")
    )
    User.objects.filter(pk=record.pk).update(display_name="Vera Newname")
    record.refresh_from_db()
    second, issued = certificates.issue_hours_certificate(
        volunteer=record, site=site, starts_on=first.starts_on, ends_on=first.ends_on
    )
    assert issued and second.code != first.code
    assert (first.hours, first.volunteer_name) == (Decimal("5.5"), "Vera Volunteer")
    assert (second.hours, second.volunteer_name) == (Decimal("3.5"), "Vera Newname")
    assert "5.5" in check_page(first.code) and "Vera Volunteer" in check_page(first.code)


def test_codes_are_random_sixteen_characters_that_read_back_from_paper(record, site):
    codes = set()
    for days_ago in (1, 2, 3):
        day = site.today() - timedelta(days=days_ago)
        served_at(site, record, days_ago, "1")
        certificate, _ = certificates.issue_hours_certificate(
            volunteer=record, site=site, starts_on=day, ends_on=day
        )
        codes.add(certificate.code)
        assert len(certificate.code) == 16 and set(certificate.code) <= set(CERTIFICATE_ALPHABET)
        # Typed back in lower case with dashes or spaces, it is the same code.
        typed = certificate.printed_code.lower().replace("-", " ")
        assert certificates.find_certificate(typed) == certificate
    assert len(codes) == 3


# --- Nobody else gets the paper ------------------------------------------------------


def test_nobody_else_can_download_your_certificate(record, site, lead, coordinator, outsider):
    download(record, site)
    url = reverse("volunteers:certificate_pdf", args=[HoursCertificate.objects.get().code])
    for other in (lead, coordinator, outsider):
        assert client_for(other).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


# --- The public check ------------------------------------------------------------------


def test_the_check_shows_what_the_certificate_states_and_nothing_else(record, site, lead):
    record.email, record.phone = "vera@example.org", "+447700900123"
    record.save()
    download(record, site)
    certificate = HoursCertificate.objects.get()
    page = check_page(certificate.code)
    start, end = certificates.default_period(site)
    for stated in [
        "Vera Volunteer",
        "Riverside Kitchen",
        start.strftime("%B %Y"),
        end.strftime("%B %Y"),
        "5.5",
        "Lena Lead, lead at Riverside Kitchen",
        certificate.printed_code,
    ]:
        assert stated in page
    for private in [
        "vera@example.org",
        "+447700900123",
        record.username,
        lead.email,
        "Cook",
        "Eastside",
        reverse("volunteers:certificate_pdf", args=[certificate.code]),
        reverse("volunteers:record", args=[site.slug, record.pk]),
    ]:
        assert private not in page
    response = client_for(None).get(
        reverse("volunteers:certificate_check", args=[certificate.code])
    )
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("code", ["ABCDEFGHJKMNPQRS", "short", "0000000000000000", "x" * 200])
def test_an_unknown_or_malformed_code_is_not_found(db, code):
    response = client_for(None).get(reverse("volunteers:certificate_check", args=[code]))
    assert response.status_code == 404


def test_a_code_typed_on_the_check_page_leads_to_its_certificate(record, site):
    download(record, site)
    certificate = HoursCertificate.objects.get()
    client = client_for(None)
    lookup = reverse("volunteers:certificate_lookup")
    response = client.get(lookup, {"code": certificate.printed_code.lower()})
    assert response["Location"] == reverse("volunteers:certificate_check", args=[certificate.code])
    refused = client.get(lookup, {"code": "not a code"})
    assert refused.status_code == 400
    assert "16 letters and digits" in refused.content.decode()


def test_an_erased_account_s_certificates_stop_answering(record, site):
    download(record, site)
    code = HoursCertificate.objects.get().code
    erase_account(record)
    assert (
        client_for(None).get(reverse("volunteers:certificate_check", args=[code])).status_code
        == 404
    )


def test_my_shifts_links_to_certificates_once_there_are_hours(record, outsider):
    link = reverse("volunteers:certificates")
    assert link in client_for(record).get(reverse("volunteers:my_shifts")).content.decode()
    assert link not in client_for(outsider).get(reverse("volunteers:my_shifts")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_taps_at_once_issue_one_certificate(site, volunteer):
    from django.db import connection

    from tests.volunteers.test_concurrency import race

    served_at(site, volunteer, 10, "3")
    start, end = certificates.default_period(site)
    connection.close()  # the threads open their own

    def issue(_):
        certificates.issue_hours_certificate(
            volunteer=volunteer, site=site, starts_on=start, ends_on=end
        )

    assert race([1, 2, 3, 4], issue) == []
    assert HoursCertificate.objects.count() == 1
