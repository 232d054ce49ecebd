"""Who may download which sheet: each URL x each actor."""

from datetime import timedelta

import pytest

from tests.authz import Row, check_matrix, lead_only, logged_in
from tests.reminders.conftest import claim

ROWS = [
    Row("GET", "volunteers:sheets", {"slug": "site"}, expect=lead_only()),
    Row("GET", "volunteers:shift_sheet", {"slug": "site", "shift_id": "shift"}, expect=lead_only()),
    Row(
        "GET",
        "volunteers:shift_sheet",
        {"slug": "site", "shift_id": "shift"},
        data={"copy": "wall"},
        expect=lead_only(),
    ),
    Row("GET", "volunteers:day_sheet", {"slug": "site", "day": "day"}, expect=lead_only()),
    # Another site's shift through this site's address is not found, even for its lead.
    Row(
        "GET",
        "volunteers:shift_sheet",
        {"slug": "site", "shift_id": "other_shift"},
        expect=lead_only(coordinator=404, lead=404),
    ),
    # A private site's sheets are not revealed to those outside it.
    Row(
        "GET",
        "volunteers:day_sheet",
        {"slug": "private", "day": "day"},
        expect=lead_only(lead=404, other_lead=404, volunteer=404, outsider=404),
    ),
    Row("GET", "volunteers:my_schedule", expect=logged_in()),
]


@pytest.mark.slow
def test_every_sheet_url_answers_each_actor_as_expected(
    actors, site, private_site, other_site, make_shift, volunteer
):
    shift = make_shift(hours=50)
    claim(shift, volunteer)
    other_shift = make_shift(site=other_site, hours=50)
    values = {
        "site": site.slug,
        "private": private_site.slug,
        "shift": shift.pk,
        "other_shift": other_shift.pk,
        "day": (site.today() + timedelta(days=2)).isoformat(),
    }

    def resolve(kwargs):
        return {k: values.get(v, v) for k, v in kwargs.items()}

    check_matrix(ROWS, actors, resolve)
