"""Back after filtering shows the whole page, even when htmx must fetch it again."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_volunteers_browser import board  # noqa: F401 (fixture)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_back_after_filtering_the_board_shows_the_whole_page(phone, board):  # noqa: F811
    volunteer, shift = board
    log_in(phone, volunteer.username, PASSWORD)
    phone.goto("/shifts/")
    phone.get_by_text("Filter the shifts").click()  # folded on a phone
    phone.get_by_label("Still needs people").check()
    expect(phone).to_have_url(re.compile(r"needs_people=on"))
    # With no snapshot of the page in the browser (storage full, or cleared), htmx
    # then asks the server for the page, flagged as a history restore.
    phone.evaluate("sessionStorage.removeItem('htmx-history-cache')")
    with phone.expect_request(
        lambda r: r.headers.get("hx-history-restore-request") == "true"
    ) as restore:
        phone.go_back()
    assert restore.value.headers.get("hx-request") == "true"

    expect(phone.get_by_role("heading", name="Open shifts")).to_be_visible()
    expect(phone.get_by_role("navigation", name="Main")).to_be_visible()
    expect(phone.get_by_text("Filter the shifts")).to_be_visible()
    expect(phone.locator(f"#shift-{shift.pk}")).to_contain_text("Cook")
    # One page, not a page inside a page.
    assert phone.locator("main").count() == 1
    assert phone.locator("h1").count() == 1
