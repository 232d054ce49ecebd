"""The same URL answers the page, or its partial to htmx, and never confuses the two."""

import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from commonpot.htmx import wants_partial

HTMX = {"HTTP_HX_REQUEST": "true"}
RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def _request(**headers):
    request = RequestFactory().get("/", **headers)
    request.htmx = HtmxDetails(request)
    return request


def test_only_an_htmx_request_that_is_not_a_history_restore_wants_a_partial():
    assert wants_partial(_request(**HTMX))
    assert not wants_partial(_request())
    assert not wants_partial(_request(**RESTORE))


def test_a_partial_can_be_kept_for_requests_aimed_at_its_target():
    aimed = _request(**HTMX, HTTP_HX_TARGET="stock-results")
    assert wants_partial(aimed, "stock-results")
    assert not wants_partial(aimed, "item-results")


@pytest.mark.django_db
def test_the_board_answers_htmx_with_its_results_and_varies_on_it(client, volunteer):
    client.force_login(volunteer)
    page = client.get("/shifts/")
    part = client.get("/shifts/", **HTMX)
    assert "<html" in page.content.decode()
    assert "<html" not in part.content.decode()
    assert 'id="board-results"' in part.content.decode()
    for response in (page, part):
        assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_a_history_restore_of_the_board_gets_the_whole_page(client, volunteer):
    client.force_login(volunteer)
    response = client.get("/shifts/?needs_people=on", **RESTORE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body and "Show shifts" in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/sites/riverside/stock/",
        "/sites/riverside/recipes/",
        "/sites/riverside/meals/",
        "/network/",
    ],
)
def test_every_filtered_list_gives_the_whole_page_on_a_history_restore(client, lead, url):
    client.force_login(lead)
    response = client.get(url, **RESTORE, HTTP_HX_TARGET="stock-results")
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]
