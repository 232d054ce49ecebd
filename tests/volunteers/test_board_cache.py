"""The shift board is kept in the page cache (commonpot.pagecache) and never shows
what was true before a change: each change is made through its service, then the
board is read again by someone who had it cached.

The suite runs with PAGE_CACHE on (tests/settings.py)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commonpot import pagecache
from commonpot import services as core
from tests.conftest import client_for
from tests.test_page_cache import version_queries
from tests.volunteers.factories import ShiftFactory
from volunteers import planning, services
from volunteers.models import Rota, Shift, ShiftRole, SignUp

# A kept page is keyed by the minute as well: the clock is held still, so that a
# test's requests never fall either side of a minute (a page made afresh then).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("noon")]
BOARD = reverse("volunteers:board")


@pytest.fixture
def viewer(make_volunteer):
    return make_volunteer("Wendy Watcher")


def board(client) -> str:
    response = client.get(BOARD)
    assert response.status_code == 200
    return response.content.decode()


def cached_client(user):
    """A client whose next board comes from the cache (checked here)."""
    client = client_for(user)
    board(client)  # sets the CSRF cookie, which a kept page's forms depend on
    board(client)  # kept
    with CaptureQueriesContext(connection) as ctx:
        board(client)
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "volunteers_shift" not in tables, "the board was not served from the cache"
    return client


def test_a_kept_board_runs_no_shift_queries_and_is_the_same_page(shift, viewer):
    client = client_for(viewer)
    board(client)
    first = board(client)
    with CaptureQueriesContext(connection) as ctx:
        again = board(client)
    assert again == first
    # The session and the person (and the data version, where it is a database sequence).
    assert len(ctx.captured_queries) <= 2 + version_queries()


def test_without_a_csrf_cookie_the_board_is_never_served_from_the_cache(shift, viewer):
    board(client_for(viewer))
    board(client_for(viewer))
    with CaptureQueriesContext(connection) as ctx:
        page = board(client_for(viewer))
    assert any("volunteers_shift" in q["sql"] for q in ctx.captured_queries)
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_claim_by_someone_else_shows_at_once(shift, viewer, make_volunteer):
    client = cached_client(viewer)
    assert "4 places left" in board(client)
    services.claim_shift(shift_id=shift.pk, volunteer=make_volunteer("Cora Claimer"))
    assert "3 places left" in board(client)


def test_my_own_claim_cancel_and_stand_in_show_at_once(shift, viewer):
    client = cached_client(viewer)
    mine = services.claim_shift(shift_id=shift.pk, volunteer=viewer)
    assert "You're in" in board(client)
    # Past the cancellation cutoff a volunteer asks for a stand-in instead.
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() + timedelta(hours=2), ends_at=timezone.now() + timedelta(hours=4)
    )
    services.request_stand_in(sign_up_id=mine.pk, by=viewer)
    assert "looking for a stand-in" in board(client)
    services.withdraw_stand_in_request(sign_up_id=mine.pk, by=viewer)
    assert "looking for a stand-in" not in board(client)


def test_a_cancellation_and_the_waitlist_moving_up_show_at_once(site, cook, viewer, make_volunteer):
    small = ShiftFactory(site=site, role=cook, min_people=1, max_people=1)
    first = services.claim_shift(shift_id=small.pk, volunteer=make_volunteer("Fay First"))
    client = cached_client(viewer)
    assert "Join the waitlist" in board(client)
    services.claim_shift(shift_id=small.pk, volunteer=viewer)
    assert "You're number 1 on the waitlist" in board(client)
    services.cancel_sign_up(sign_up_id=first.pk, by=first.volunteer)
    page = board(client)
    assert "You're in" in page and "on the waitlist" not in page


def test_a_lead_adding_and_removing_someone_shows_at_once(shift, viewer, lead, make_volunteer):
    client = cached_client(viewer)
    added = services.add_to_shift(
        shift_id=shift.pk, volunteer=make_volunteer("Ada Added"), by=lead, reason="walk-in"
    )
    assert "3 places left" in board(client)
    services.remove_from_shift(sign_up_id=added.pk, by=lead, reason="Went home")
    assert "4 places left" in board(client)


def test_a_shift_changed_deleted_or_added_by_the_lead_shows_at_once(shift, viewer, lead, cook):
    client = cached_client(viewer)
    planning.update_shift(shift_id=shift.pk, by=lead, max_people=6)
    assert "6 places left" in board(client)
    planning.delete_shift(shift_id=shift.pk, by=lead)
    assert "No shifts match" in board(client)
    day = timezone.localdate() + timedelta(days=5)
    planning.save_rota(
        site=cook.site,
        by=lead,
        role=cook,
        weekdays=1 << day.weekday(),
        start_time=shift.starts_at.time(),
        end_time=shift.ends_at.time(),
        min_people=1,
        max_people=3,
        weeks_ahead=2,
        starts_on=timezone.localdate(),
    )
    assert Rota.objects.exists() and "3 places left" in board(client)


def test_names_of_the_role_the_site_and_the_people_going_show_at_once(shift, viewer, lead, site):
    services.claim_shift(shift_id=shift.pk, volunteer=viewer)
    client = cached_client(viewer)
    role = ShiftRole.objects.get(pk=shift.role_id)
    planning.save_role(site=site, by=lead, role=role, name="Head cook")
    assert "Head cook" in board(client)
    core.update_site(site, name="Riverside Canteen")
    assert "Riverside Canteen" in board(client)
    core.update_profile(viewer, display_name="Wendy Renamed")
    assert "Wendy Renamed" in board(client)


def test_a_write_made_by_hand_in_sql_still_replaces_the_version(shift, viewer):
    client = cached_client(viewer)
    SignUp.objects.filter(shift=shift).delete()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE volunteers_shift SET max_people = 9 WHERE id = %s", [shift.pk])
    assert "9 places left" in board(client)


def test_writes_to_sessions_and_heartbeats_leave_the_versions_alone(shift, viewer):
    before = pagecache.versions(pagecache.all_tables())
    client_for(viewer)  # writes a session
    core.record_heartbeat()
    assert pagecache.versions(pagecache.all_tables()) == before
    ShiftFactory(site=shift.site, role=shift.role)
    after = pagecache.versions(pagecache.all_tables())
    assert after["volunteers_shift"] != before["volunteers_shift"]
