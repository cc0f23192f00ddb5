"""Browser tests of the ML Operations web app: Debian's Chromium, headless, driven by Playwright, against the real
local stack over HTTP (the app served at its root URL, as `make run` serves it).

Screenshots of every page a test visits go to test-results/screenshots/ (CI keeps that folder)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.support.stack_process import StackProcess

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-results" / "screenshots"
# Headless Chromium on a machine with no network but loopback: no background connections, no sandbox (root).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    found = os.environ.get("AICORE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Debian's chromium is needed for the browser tests: `make test` installs it (apt-get install "
                    "chromium)")
    return found


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory):
    from tests.support.conformance import images_yaml

    if not (ROOT / "chalicelib" / "static" / "webapp" / "index.html").is_file():
        pytest.fail("the web app is not built: `make webapp` (make test does it)")
    home = tmp_path_factory.mktemp("web-home")
    (home / "images.yaml").write_text(images_yaml())
    stack = StackProcess(home).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, web_stack, request):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, base_url=web_stack.exports[
        "AICORE_BASE_URL"].removesuffix("/v2"))
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    yield opened
    shoot(opened, request.node.name, "last")
    context.close()


def shoot(page, test: str, name: str) -> Path:
    """A full-page screenshot under test-results/screenshots/<test>-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', test)}-{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def sign_in(page, exports) -> None:
    """As a person does: the form's Client ID and Client secret, then the Sign in button."""
    page.goto("/")
    page.get_by_label("Client ID").fill(exports["AICORE_CLIENT_ID"])
    page.get_by_label("Client secret").fill(exports["AICORE_CLIENT_SECRET"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation").wait_for()


def open_page(page, label: str) -> None:
    """Through the navigation, by the item's accessible name; waits for that page's main landmark."""
    page.get_by_role("treeitem", name=label, exact=True).click()  # slotted: not under the nav landmark in the DOM
    page.get_by_role("main", name=label).wait_for()
