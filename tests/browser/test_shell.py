"""Signing in, the navigation and the resource group picker, the sign-in's errors, the API reference."""
from __future__ import annotations

import json

from playwright.sync_api import expect

from .conftest import open_page, shoot, sign_in

NAVIGATION = ["Scenarios", "Configurations", "Executions", "Compare", "Deployments", "Schedules", "Artifacts", "Git",
              "Secrets", "Resource groups"]


def test_a_person_signs_in_with_client_id_and_secret_and_sees_every_page_in_the_navigation(page, web_stack, request):
    sign_in(page, web_stack.exports)

    for label in NAVIGATION:
        expect(page.get_by_role("treeitem", name=label, exact=True)).to_be_visible()
    expect(page.get_by_role("treeitem")).to_have_count(len(NAVIGATION))
    expect(page.get_by_role("combobox", name="Resource group")).to_contain_text("default")
    open_page(page, "Resource groups")
    expect(page.get_by_role("main", name="Resource groups").get_by_text("PROVISIONED")).to_have_count(1)
    shoot(page, request.node.name, "signed-in")


def test_a_pasted_service_key_signs_in_too_and_the_token_stays_in_the_tab(page, web_stack, browser):
    exports = web_stack.exports
    key = {"clientid": exports["AICORE_CLIENT_ID"], "clientsecret": exports["AICORE_CLIENT_SECRET"],
           "url": exports["AICORE_AUTH_URL"].removesuffix("/oauth/token"),
           "serviceurls": {"AI_API_URL": exports["AICORE_BASE_URL"].removesuffix("/v2")}}
    page.goto("/")
    page.get_by_label("Service key").fill(json.dumps(key))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation").wait_for()

    assert page.evaluate("Object.keys(localStorage).length") == 0  # nothing outlives the tab
    assert page.evaluate("Object.keys(sessionStorage)").count("aicore.token") == 1


def test_a_wrong_secret_shows_the_token_endpoints_reason(page, web_stack):
    page.goto("/")
    page.get_by_label("Client ID").fill(web_stack.exports["AICORE_CLIENT_ID"])
    page.get_by_label("Client secret").fill("wrong")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert").filter(has_text="Bad client credentials")).to_be_visible()
    expect(page.get_by_role("treeitem")).to_have_count(0)  # still signed out


def test_the_api_reference_is_browsable_without_signing_in(page, request):
    page.goto("/reference")
    page.get_by_text("AI API (SAP AI Core compatible)").first.wait_for()
    shoot(page, request.node.name, "reference")
