"""The donation and distribution lists: newest first, a page at a time."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from commonpot.dates import day
from pantry import services
from pantry.services import donations
from pantry.services.distributions import OutLine
from pantry.views_intake import LIST_PAGE_SIZE
from tests.conftest import client_for, page_queries

pytestmark = pytest.mark.django_db


def donate(site, item, n, start=0):
    """n donations of rice, one a day going back from today, after `start` days."""
    for i in range(start, start + n):
        donations.receive_donation(
            site=site,
            donor=None,
            received_on=site.today() - timedelta(days=i),
            lines=[donations.LineInput(item, "1", "kg")],
            by=None,
        )


def give_out(site, item, n, start=0):
    """n distributions of 10 g, to 1, 2, 3... households, one a day going back."""
    services.receive(site=site, item=item, quantity=Decimal(10_000), by=None, source="Bulk")
    for i in range(start, start + n):
        services.distribute(
            site=site,
            recipient="households",
            households=i + 1,
            given_on=site.today() - timedelta(days=i),
            lines=[OutLine(item, "10", "g")],
            by=None,
        )


LISTS = [("pantry:donations", donate), ("pantry:distributions", give_out)]


@pytest.mark.parametrize(("page", "make"), LISTS)
def test_a_list_runs_the_same_queries_for_5_or_60_records(site, lead, item_rice, page, make):
    client = client_for(lead)
    url = reverse(page, args=[site.slug])
    make(site, item_rice, 5)
    few, few_paged = page_queries(client, url), page_queries(client, url, {"page": "1"})
    make(site, item_rice, 55, start=5)
    many, many_paged = page_queries(client, url), page_queries(client, url, {"page": "2"})
    assert few == many and few_paged == many_paged


def test_page_two_of_the_donations_shows_the_older_ones(site, lead, item_rice):
    donate(site, item_rice, LIST_PAGE_SIZE + 3)
    client = client_for(lead)
    url = reverse("pantry:donations", args=[site.slug])
    newest, oldest = site.today(), site.today() - timedelta(days=LIST_PAGE_SIZE + 2)
    first = client.get(url).content.decode()
    assert day(newest) in first and day(oldest) not in first
    assert "Page 1 of 2" in first and 'href="?page=2">Older donations' in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert day(oldest) in second and day(newest) not in second
    assert second.count("Receipt<span") == 3 and 'href="?page=1">Newer donations' in second


def test_page_two_of_the_distributions_shows_the_older_ones(site, lead, item_rice):
    give_out(site, item_rice, LIST_PAGE_SIZE + 2)
    url = reverse("pantry:distributions", args=[site.slug])
    first = client_for(lead).get(url).content.decode()
    second = client_for(lead).get(url, {"page": "2"}).content.decode()
    assert "1 household<" in first and f"{LIST_PAGE_SIZE + 2} households" not in first
    assert f"{LIST_PAGE_SIZE + 2} households" in second and "1 household<" not in second


@pytest.mark.parametrize(("page", "make"), LISTS)
@pytest.mark.parametrize("number", ["999999", "9" * 40, "0", "-1", "two", "²"])
def test_a_page_past_the_end_or_not_a_number_shows_a_page_not_an_error(
    site, lead, item_rice, page, make, number
):
    make(site, item_rice, LIST_PAGE_SIZE + 1)
    response = client_for(lead).get(reverse(page, args=[site.slug]), {"page": number})
    assert response.status_code == 200
    shown = "Page 2 of 2" if number == "999999" else "Page 1 of 2"
    assert shown in response.content.decode()


def test_a_short_list_has_no_page_links(site, lead, item_rice):
    donate(site, item_rice, 3)
    page = client_for(lead).get(reverse("pantry:donations", args=[site.slug])).content.decode()
    assert "Page 1 of" not in page and "Older donations" not in page
