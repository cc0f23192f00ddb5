"""Every control is reachable by its accessible name, and by keyboard: axe-core (Deque's rules engine, from npm)
checks each page for unnamed buttons, inputs, selects, links and images; a person moves through the app with Tab
and Enter alone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import ROOT, open_page, sign_in
from .test_shell import NAVIGATION

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
# The rules about names and labels (axe's tags cat.name-role-value and cat.forms, and image names).
NAME_RULES = ["button-name", "input-button-name", "label", "select-name", "link-name", "aria-command-name",
              "aria-input-field-name", "aria-toggle-field-name", "image-alt", "role-img-alt", "aria-tooltip-name",
              "aria-progressbar-name", "aria-meter-name", "aria-treeitem-name", "aria-dialog-name"]


def unnamed(page) -> list:
    if not AXE.is_file():
        pytest.fail("axe-core is missing: `make test` installs tests/js (npm ci)")
    # Evaluated through the DevTools protocol: the app's Content-Security-Policy (rightly) refuses inline scripts.
    page.evaluate("source => { (0, eval)(source); }", AXE.read_text())
    result = page.evaluate("rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", NAME_RULES)
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("label", NAVIGATION)
def test_every_control_of_every_page_has_an_accessible_name(page, web_stack, example, label):
    sign_in(page, web_stack.exports)
    open_page(page, label)
    page.wait_for_load_state("networkidle")

    assert unnamed(page) == []


def test_the_sign_in_form_is_named_and_usable_by_keyboard_alone(page, web_stack):
    page.goto("/")
    assert unnamed(page) == []
    page.get_by_label("Client ID").focus()
    page.keyboard.type(web_stack.exports["AICORE_CLIENT_ID"])
    page.keyboard.press("Tab")
    page.keyboard.type(web_stack.exports["AICORE_CLIENT_SECRET"])
    page.keyboard.press("Enter")  # submits the form
    expect(page.get_by_role("treeitem", name="Executions", exact=True)).to_be_visible()


def test_the_navigation_is_reachable_and_operable_with_the_keyboard(page, web_stack):
    sign_in(page, web_stack.exports)
    for _ in range(12):  # from the top: shell bar controls, then the navigation
        page.keyboard.press("Tab")
        if page.evaluate("() => { let e = document.activeElement; while (e && e.shadowRoot && "
                         "e.shadowRoot.activeElement) e = e.shadowRoot.activeElement; "
                         "return e && e.getAttribute('role') }") == "treeitem":
            break
    else:
        pytest.fail("Tab never reached the navigation")
    page.keyboard.press("End")  # the tree's keys: to the last item, "Resource groups"
    page.keyboard.press("Enter")
    page.get_by_role("main", name="Resource groups").wait_for()
