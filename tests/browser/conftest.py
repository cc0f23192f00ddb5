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


EXAMPLE = ROOT / "examples" / "text-classifier"


def example_repository(target: Path) -> str:
    """A Git repository holding the example's content folder, as a user pushes it; its URL."""
    from tests.support.git_repo import commit_tree

    shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    commit_tree(target, {str(p.relative_to(target)): p.read_text() for p in target.rglob("*") if p.is_file()})
    return target.as_uri()


class Caller:
    """The API as a script calls it (requests, a token from the printed token URL), for set-up that is not the
    page under test."""

    def __init__(self, exports: dict):
        import requests

        self.base = exports["AICORE_BASE_URL"]
        token = requests.post(exports["AICORE_AUTH_URL"], data={"grant_type": "client_credentials"}, timeout=10,
                              auth=(exports["AICORE_CLIENT_ID"], exports["AICORE_CLIENT_SECRET"])).json()
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token['access_token']}",
                                     "AI-Resource-Group": "default"})

    def __call__(self, method: str, path: str, **kwargs):
        answer = self.session.request(method, self.base + path, timeout=30, **kwargs)
        assert answer.status_code < 300, (method, path, answer.status_code, answer.text[:500])
        return answer.json() if answer.content else None


@pytest.fixture(scope="session")
def example(web_stack, tmp_path_factory):
    """The example (examples/text-classifier) onboarded for the stack's first tenant through the API, as its README
    does: repository, application `text-classifier` synced, the `default` object store, the reviews dataset
    uploaded and registered. Returns the set-up's ids and a Caller."""
    from tests.support.stack_process import wait_for

    call = Caller(web_stack.exports)
    url = example_repository(tmp_path_factory.mktemp("example") / "text-classifier")
    call("POST", "/admin/repositories", json={"name": "example", "url": url, "username": "", "password": ""})
    call("POST", "/admin/applications", json={"repositoryUrl": url, "revision": "HEAD", "path": "templates",
                                              "applicationName": "text-classifier"})
    wait_for(lambda: call("GET", "/admin/applications/text-classifier/status")["syncStatus"] == "Synced",
             timeout=60, what="the example synced")
    call("POST", "/admin/objectStoreSecrets", json={"name": "default", "type": "S3", "pathPrefix": "example",
                                                    "data": {"AWS_ACCESS_KEY_ID": "local",
                                                             "AWS_SECRET_ACCESS_KEY": "local"}})
    call("PUT", "/lm/dataset/files/default/text-classifier/data/reviews.csv",
         data=(EXAMPLE / "data" / "reviews.csv").read_bytes(), headers={"Content-Type": "text/csv"})
    dataset = call("POST", "/lm/artifacts", json={"name": "reviews", "kind": "dataset", "scenarioId": "text-classifier",
                                                  "url": "ai://default/text-classifier/data"})["id"]
    return {"call": call, "repository": url, "dataset": dataset}


@pytest.fixture
def fresh_tenant(web_stack, request):
    """A new tenant (minted as `make tenant` does), for tests that onboard through the pages themselves."""
    return web_stack.mint_tenant(re.sub(r"[^a-z0-9]", "", request.node.name.lower())[-20:] or "fresh")
