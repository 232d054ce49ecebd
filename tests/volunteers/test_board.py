"""The open shifts board, a shift's page and claiming from them."""

import re
from datetime import time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for
from tests.factories import SiteFactory
from tests.volunteers.factories import ShiftFactory, SignUpFactory
from volunteers.models import Shift, SignUp

# Dates here are worked out from "now" in more than one time zone.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_board_shows_time_place_role_places_left_and_first_names(
    shift, volunteer, make_volunteer
):
    SignUpFactory(shift=shift, volunteer=make_volunteer("Amira Haddad"), guests=1)
    Shift.objects.filter(pk=shift.pk).update(places_taken=2)
    page = client_for(volunteer).get(reverse("volunteers:board")).content.decode()
    assert "Cook" in page and "Riverside Kitchen" in page
    assert shift.local_start.strftime("%H:%M") in page
    assert "2 places left" in page
    assert "Going: Amira + 1 guest" in page
    assert "Haddad" not in page  # first names only


def test_anonymous_visitors_see_shifts_but_no_names(client, shift, make_volunteer):
    SignUpFactory(shift=shift, volunteer=make_volunteer("Amira Haddad"))
    page = client.get(reverse("volunteers:board")).content.decode()
    assert "Cook" in page and "Amira" not in page
    assert "Log in to claim" in page


def test_unpublished_and_private_shifts_stay_off_the_board(client, site, cook, private_site, shift):
    ShiftFactory(site=site, role=cook, is_published=False, notes="draft")
    ShiftFactory(site=private_site, role__name="Secret role")
    page = client.get(reverse("volunteers:board")).content.decode()
    assert page.count('<article class="shift-card') == 1
    assert "Secret role" not in page


def test_the_board_filters_by_site_role_dates_and_need(client, site, cook, other_site, shift):
    ShiftFactory(site=other_site, role__name="Driver")
    full = ShiftFactory(
        site=site,
        role=cook,
        starts_at=shift.starts_at + timedelta(days=1),
        ends_at=shift.ends_at + timedelta(days=1),
        places_taken=4,
    )
    url = reverse("volunteers:board")

    def cards(**params):
        return client.get(url, params).content.decode().count('<article class="shift-card')

    assert cards() == 3
    assert cards(site="eastside") == 1
    assert cards(role="Driver") == 1
    assert cards(needs_people="on") == 2
    assert cards(start=full.local_date.isoformat(), end=full.local_date.isoformat()) == 1


def test_the_site_list_names_the_sites_with_shifts_coming_and_keeps_a_choice(
    client, site, other_site, shift
):
    idle = SiteFactory(name="Idle pantry", slug="idle")
    ShiftFactory(site=other_site, starts_at=timezone.now() - timedelta(days=1))  # gone
    url = reverse("volunteers:board")
    html = client.get(url).content.decode()
    options = re.search(r'<select[^>]*name="site"[^>]*>(.*?)</select>', html, re.S)[1]
    assert site.name in options
    assert other_site.name not in options and idle.name not in options
    html = client.get(url, {"site": "idle"}).content.decode()
    options = re.search(r'<select[^>]*name="site"[^>]*>(.*?)</select>', html, re.S)[1]
    assert '<option value="idle" selected>Idle pantry</option>' in options
    assert html.count('<article class="shift-card') == 0  # nothing coming there


def test_a_network_of_many_sites_gets_a_box_to_type_a_site_in_with_suggestions(
    client, site, other_site, private_site, shift, monkeypatch
):
    from commonpot import forms

    monkeypatch.setattr(forms, "SITES_LISTED", 3)
    for i in range(3):
        ShiftFactory(site=SiteFactory(name=f"Northside Pantry {i}", slug=f"north-{i}"))
    ShiftFactory(site=other_site)
    ShiftFactory(site=private_site)  # not on an anonymous person's board
    url = reverse("volunteers:board")
    html = client.get(url).content.decode()
    form = html[html.index("<form") : html.index("</form>")]
    # Five sites with shifts, past the three a list offers: a box, not a list.
    assert '<select name="site"' not in form and "Northside Pantry" not in form
    box = re.search(r'<input[^>]*name="site"[^>]*>', form)[0]
    assert 'type="search"' in box and 'list="id_site-suggestions"' in box
    assert '<datalist id="id_site-suggestions"></datalist>' in form
    assert 'hx-push-url="false"' in box  # typing does not change the address

    suggest = reverse("volunteers:board_sites")
    north = client.get(suggest, {"site": "north"}).content.decode()
    assert north.count("<option") == 3 and '<option value="north-0">Northside Pantry 0' in north
    assert client.get(suggest, {"site": "EAST"}).content.decode() == (
        '<option value="eastside">Eastside Food Bank</option>\n'
    )
    assert "hidden-camp" not in client.get(suggest, {"site": "hidden"}).content.decode()
    assert client.get(suggest).content.decode().count("<option") == 5  # on first focus

    def cards(**params):
        response = client.get(url, params)
        return response.status_code, response.content.decode()

    status, html = cards(site="eastside")  # a suggestion picked
    assert status == 200 and html.count('<article class="shift-card') == 1
    assert re.search(r'<input[^>]*name="site"[^>]*value="eastside"', html)
    status, html = cards(site="northside pantry 2")  # a whole name typed out
    assert status == 200 and html.count('<article class="shift-card') == 1
    status, html = cards(site="Northside")
    assert status == 400 and "No site is called “Northside”: pick one from the suggestions." in html
    status, html = cards(site="Hidden Camp")
    assert status == 400 and "No site is called" in html


def test_claiming_with_htmx_swaps_the_card_and_says_you_are_in(shift, volunteer):
    response = client_for(volunteer).post(
        reverse("volunteers:claim", args=[shift.pk]), {"guests": "1"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        html.lstrip().startswith('<article class="shift-card') and f'id="shift-{shift.pk}"' in html
    )
    assert "You're in" in html and "with 1 guest" in html
    assert "2 places left" in html
    assert "<html" not in html


def test_claiming_without_javascript_redirects_with_a_message(shift, volunteer):
    response = client_for(volunteer).post(
        reverse("volunteers:claim", args=[shift.pk]), {"next": "/shifts/"}, follow=True
    )
    assert response.redirect_chain[0] == ("/shifts/", 302)
    assert "You're in" in response.content.decode()
    assert SignUp.objects.get(volunteer=volunteer).is_confirmed


def test_a_full_shift_says_your_place_on_the_waitlist(shift, volunteer, make_volunteer):
    SignUpFactory(shift=shift, volunteer=make_volunteer(), guests=3)
    Shift.objects.filter(pk=shift.pk).update(places_taken=4)
    SignUpFactory(shift=shift, volunteer=make_volunteer(), status="waitlisted")
    html = (
        client_for(volunteer)
        .post(reverse("volunteers:claim", args=[shift.pk]), **HTMX)
        .content.decode()
    )
    assert "You're number 2 on the waitlist" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"guests": "3"}, "Only 2 places left: you can bring at most 1 guest"),
        ({"guests": "-1"}, "Choose who is coming"),
        ({"guests": "lots"}, "Choose who is coming"),
    ],
)
def test_bad_claims_get_a_reason_and_write_nothing(shift, volunteer, make_volunteer, data, message):
    SignUpFactory(shift=shift, volunteer=make_volunteer(), guests=1)
    Shift.objects.filter(pk=shift.pk).update(places_taken=2)
    url = reverse("volunteers:claim", args=[shift.pk])
    response = client_for(volunteer).post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    htmx = client_for(volunteer).post(url, data, **HTMX).content.decode()
    assert message in htmx.replace("&#x27;", "'") and 'role="alert"' in htmx
    assert not SignUp.objects.filter(volunteer=volunteer).exists()
    assert Shift.objects.get(pk=shift.pk).places_taken == 2


def test_claiming_twice_from_the_page_says_so(shift, volunteer):
    url = reverse("volunteers:claim", args=[shift.pk])
    client_for(volunteer).post(url)
    response = client_for(volunteer).post(url)
    assert response.status_code == 400
    assert "already signed up" in response.content.decode()
    assert SignUp.objects.filter(volunteer=volunteer).count() == 1


def test_claiming_an_unpublished_shift_by_its_address_is_refused(site, cook, volunteer):
    draft = ShiftFactory(site=site, role=cook, is_published=False, notes="Secret plan")
    response = client_for(volunteer).post(reverse("volunteers:claim", args=[draft.pk]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "not open for sign-up" in page and "Secret plan" not in page
    assert not SignUp.objects.exists()


def test_the_board_runs_the_same_queries_for_few_and_many_shifts(site, cook, volunteer):
    def add(n, offset):
        for i in range(n):
            shift = ShiftFactory(site=site, role=cook)
            shift.starts_at += timedelta(days=offset, minutes=7 * i)
            shift.ends_at = shift.starts_at + timedelta(hours=1)
            shift.save()
            SignUpFactory(shift=shift)

    client = client_for(volunteer)
    url = reverse("volunteers:board")
    add(3, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).content.decode().count('<article class="shift-card') == 3
    add(40, 1)
    SignUpFactory(shift=Shift.objects.last(), volunteer=volunteer)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).content.decode().count('<article class="shift-card') == 30
    assert len(few.captured_queries) == len(many.captured_queries)


def test_a_stand_in_takes_the_place_from_the_board(site, cook, volunteer, make_volunteer):
    from django.utils import timezone

    soon = timezone.now() + timedelta(hours=5)
    shift = ShiftFactory(site=site, role=cook, starts_at=soon, ends_at=soon + timedelta(hours=2))
    holder = make_volunteer("Ben Carter")
    offer = SignUpFactory(shift=shift, volunteer=holder, stand_in_requested_at=timezone.now())
    Shift.objects.filter(pk=shift.pk).update(places_taken=1)
    board = client_for(volunteer).get(reverse("volunteers:board")).content.decode()
    assert "Looking for a stand-in" in board and "Take Ben's place" in board
    html = (
        client_for(volunteer)
        .post(reverse("volunteers:take_over", args=[offer.pk]), **HTMX)
        .content.decode()
    )
    assert "You're in" in html
    assert SignUp.objects.get(pk=offer.pk).status == "cancelled"
    assert SignUp.objects.get(volunteer=volunteer, shift=shift).is_confirmed


def test_all_sites_days_are_read_on_each_shifts_own_site_clock(client, site, other_site):
    """An evening shift in New York is on its own day, though in UTC it is the next."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    day = timezone.localdate() + timedelta(days=4)
    evening = datetime.combine(day, time(21, 0), tzinfo=ZoneInfo("America/New_York"))
    ShiftFactory(
        site=other_site,
        role__name="Late cleanup",
        starts_at=evening,
        ends_at=evening + timedelta(hours=2),
    )
    url = reverse("volunteers:board")
    on_its_day = client.get(url, {"start": day, "end": day}).content.decode()
    next_day = day + timedelta(days=1)
    on_the_utc_day = client.get(url, {"start": next_day, "end": next_day}).content.decode()
    # The card shows the shift's time on its own site's clock.
    assert "21:00" in on_its_day
    assert "21:00" not in on_the_utc_day


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (365 * 50, "Choose at most 92 days at a time."),
        (-1, "The last day comes before the first."),
    ],
)
def test_a_range_too_long_or_reversed_is_refused_with_the_reason_not_scanned(
    client, shift, days, message
):
    start = timezone.localdate()
    url = reverse("volunteers:board")
    params = {"start": start.isoformat(), "end": (start + timedelta(days=days)).isoformat()}
    response = client.get(url, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and html.count('<article class="shift-card') == 0
    # The same answer to the filter form's htmx request, in the part it replaces.
    response = client.get(url, params, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "<html" not in response.content.decode()
    # 91 days is fine.
    params["end"] = (start + timedelta(days=91)).isoformat()
    assert client.get(url, params).content.decode().count('<article class="shift-card') == 1
