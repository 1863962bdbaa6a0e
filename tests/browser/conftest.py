"""Fixtures for the browser tests: one running Haul for the session, Debian's Chromium via Playwright,
signed-in pages per demo party, and a folder for the screenshots.

Pages may only reach the Haul under test: every other request is aborted, so no test sends
traffic off this machine (the map is drawn without tiles).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.shipments import LOGINS, Api

try:  # assertions wait as long as actions do: a 2-core CI machine running the suite is slow, not broken
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)
except ImportError:  # the browser tests skip themselves without Playwright
    pass
from tests.browser.stack import CHROMIUM, CHROMIUM_ARGS, Stack, missing_tools

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items):
    missing = missing_tools()
    for item in items:
        if "tests/browser" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason=f"browser tests need {', '.join(missing)}"))


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    haul = Stack(tmp_path_factory.mktemp("haul-browser"))
    try:
        haul.start()
        yield haul
    finally:
        haul.stop()


@pytest.fixture(scope="session")
def api(stack) -> Api:
    client = Api(stack.base_url)
    client.open_all_day()
    return client


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the tests save their screenshots: $HAUL_SCREENSHOTS_DIR, or a temporary folder."""
    wanted = os.environ.get("HAUL_SCREENSHOTS_DIR")
    folder = Path(wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_as(chromium, stack):
    """``open_as(party, path, viewport=DESKTOP)``: a new browser context signed in through the login
    form, on ``path``. Contexts are closed after the test."""
    contexts = []

    def make(party: str | None, path: str = "/", viewport: dict = DESKTOP, lang: str = "en-GB"):
        context = chromium.new_context(viewport=viewport, locale=lang, base_url=stack.base_url)
        context.set_default_timeout(15_000)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(stack.base_url)
                      else route.abort())
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: page.context.__dict__.setdefault("js_errors", []).append(str(exc)))
        if party is not None:
            sign_in(page, party)
        page.goto(path)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, party: str) -> None:
    from server.seed import DEMO_PASSWORD

    page.goto("/login")
    page.get_by_label("Email").fill(LOGINS[party])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def wait_live(page) -> None:
    """Wait until the page's Socket.IO connection is up (the header says so)."""
    # A locator, not wait_for_function: the pages' CSP forbids evaluating strings as script.
    page.locator("#live-status.on").wait_for(state="attached")
