"""Pages read from the nearer end of a long list (commonpot.paging)."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonpot.models import Site
from commonpot.paging import EitherEndPaginator
from tests.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orphans", [0, 1])
def test_every_page_read_from_either_end_is_the_page_read_forwards(orphans):
    for i in range(11):
        SiteFactory(name=f"Pantry {i % 4}")  # names repeat: the key is ordered to the row
    sites = Site.objects.order_by("name", "pk")
    forwards = Paginator(sites, 3, orphans=orphans)
    either = EitherEndPaginator(sites, 3, orphans=orphans)
    assert either.num_pages == forwards.num_pages > 2
    for number in forwards.page_range:
        assert list(either.page(number)) == list(forwards.page(number)), number
    assert list(either.get_page(999999)) == list(forwards.page(forwards.num_pages))


def test_the_last_page_skips_the_rows_after_it_not_those_before_it():
    for i in range(11):
        SiteFactory(name=f"Pantry {i:02d}")
    either = EitherEndPaginator(Site.objects.order_by("name", "pk"), 3)
    either.count  # noqa: B018 - counted apart, as a page does first
    with CaptureQueriesContext(connection) as ctx:
        last = list(either.get_page(999999))
    assert [s.name for s in last] == ["Pantry 09", "Pantry 10"]
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert "DESC" in sql and "OFFSET" not in sql  # the first two rows from the end
    # Not ordered to the row (names could tie): read forwards, as any paginator does.
    by_name = EitherEndPaginator(Site.objects.order_by("name"), 3)
    with CaptureQueriesContext(connection) as ctx:
        assert [s.name for s in by_name.page(4)] == ["Pantry 09", "Pantry 10"]
    assert "DESC" not in ctx.captured_queries[-1]["sql"]
