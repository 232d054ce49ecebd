"""Playwright driving Debian's Chromium against the live test server.

These tests fail, never skip, when Chromium is missing: a browser test that does
not run has not passed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. Install Debian's 'chromium' package "
            "(make test does this when run as root) or set CHROMIUM_PATH."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _refused_by_policy(page) -> list[str]:
    """Collect what the Content-Security-Policy refused on this page: every page must
    work with it enforced, so a refusal fails the test."""
    refused: list[str] = []
    page.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return refused


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _refused_by_policy(page)
    yield page
    context.close()
    assert not refused, refused


def phone_page(browser, live_server, height: int = 780, service_workers: str = "allow"):
    """A 390 px wide phone (a small Android phone, touch), for a fixture to yield:
    closed afterwards, and failing if the Content-Security-Policy refused anything."""
    context = browser.new_context(
        base_url=live_server.url,
        service_workers=service_workers,
        viewport={"width": 390, "height": height},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = _refused_by_policy(page)
    yield page
    context.close()
    assert not refused, refused


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (a small Android phone, touch)."""
    yield from phone_page(browser, live_server)


def log_in(page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    # By the fields' names: the page may be in any language.
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    # Until the post has answered (a redirect, or the form again with its error):
    # waiting for the load state alone can return while the login page is still
    # the one loaded, and a `goto` right after would cut the post off.
    with page.expect_navigation():
        page.locator('input[name="password"]').press("Enter")
    page.wait_for_load_state()
