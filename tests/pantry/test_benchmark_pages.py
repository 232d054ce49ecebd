"""The pantry's pages in `manage.py benchmark pages`: seeded once, reused, opened by a lead."""

import pytest

from commonpot.models import Membership
from pantry import benchmark_pages, services
from pantry.models import Distribution, Donation, Lot
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_seed_is_reused_and_its_pages_answer_a_lead():
    lines = []
    pages = benchmark_pages.seed(scale=0.05, out=lines.append)
    assert "pantry_list_records_added_this_run: 20" in lines
    lines.clear()
    again = benchmark_pages.seed(scale=0.05, out=lines.append)
    assert "pantry_list_records_added_this_run: 0" in lines
    assert [p.url for p in again] == [p.url for p in pages]
    assert Donation.objects.count() == Distribution.objects.count() == 20
    lead = pages[0].user
    assert not lead.is_coordinator
    assert set(lead.memberships.values_list("role", flat=True)) == {Membership.Role.LEAD}
    client = client_for(lead)
    for page in pages:
        assert client.get(page.url).status_code in page.expect, page.name
    stock = client.get(pages[0].url).content.decode()
    assert stock.count('<tr class="') == 25
    lot = Lot.objects.filter(site__slug=benchmark_pages.LISTS_SITE).first()
    assert services.ledger_is_consistent(lot)


def test_a_larger_scale_adds_what_is_missing():
    benchmark_pages.seed(scale=0.05, out=lambda line: None)
    lines = []
    benchmark_pages.seed(scale=0.1, out=lines.append)
    assert "pantry_list_records_added_this_run: 10" in lines
    assert Donation.objects.count() == 30
