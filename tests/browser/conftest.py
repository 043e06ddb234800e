"""Playwright fixtures: the system Chromium, driven headless against pytest-django's live server.

Never downloads a browser. When Chromium is missing or cannot start, browser tests
are skipped with the reason, except in CI (``CI=true``), where that is a failure.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.cms.pages import ensure_home_pages

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the
# tests make around it (creating users, pages) are still plain synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Each step waits at most this long for the page to reach the state it expects.
STEP_TIMEOUT_MS = 5_000


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"Browser tests skipped: {reason}")


def _chromium_path() -> str | None:
    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        shutil.which("chromium"),
        "/usr/bin/chromium",
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")

    executable = _chromium_path()
    if executable is None:
        _unavailable("no Chromium found (looked for `chromium` on PATH and /usr/bin/chromium)")

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except PlaywrightError as error:
        playwright.stop()
        _unavailable(f"Chromium at {executable} could not start: {error.message.splitlines()[0]}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def site_pages(transactional_db):
    """The home pages, rebuilt if an earlier transactional test flushed them."""
    return ensure_home_pages()


@pytest.fixture
def page(browser, live_server, site_pages):
    """A fresh browser tab for one test, reading Chinese first as most visitors do.

    Requests to any other host than the live server are refused and recorded in
    ``page.outside_requests``: the site must work with nothing from the internet.
    """
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(STEP_TIMEOUT_MS)
    own_origin = re.compile("^" + re.escape(live_server.url) + "(/|$)")
    outside_requests = []

    def refuse_outside(route):
        outside_requests.append(route.request.url)
        route.abort()

    context.route(lambda url: not own_origin.match(url), refuse_outside)
    tab = context.new_page()
    tab.outside_requests = outside_requests
    yield tab
    context.close()
