"""On AWS the app signs in with the OIDC authorization code flow and PKCE against the stack's issuer. Here the issuer
is a real OpenID provider (`oidc-provider` from npm, tests/js/oidc_issuer.mjs), and the stack runs with
AICORE_AUTH_MODE=oidc as a deployed stage does: the token the app obtains must pass the API's own verification."""
from __future__ import annotations

import subprocess

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from chalicelib.adapters.local.net import free_port
from tests.support.stack_process import ROOT, StackProcess

from .conftest import open_page, shoot

TENANT, AUDIENCE = "oidc-tenant", "urn:aicore:api"


@pytest.fixture(scope="module")
def oidc_stack(tmp_path_factory):
    stack_port, issuer_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{issuer_port}"
    node = subprocess.Popen(["node", str(ROOT / "tests" / "js" / "oidc_issuer.mjs"), str(issuer_port),
                             f"http://127.0.0.1:{stack_port}/", TENANT, AUDIENCE],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # stderr: its dev warnings
    try:
        assert "issuer ready" in (node.stdout.readline() if node.stdout else ""), "the OpenID provider did not start"
        stack = StackProcess(tmp_path_factory.mktemp("oidc-home"), port=stack_port, extra_env={
            "AICORE_AUTH_MODE": "oidc", "AICORE_OIDC_ISSUER": issuer, "AICORE_OIDC_JWKS_URL": f"{issuer}/jwks",
            "AICORE_OIDC_AUDIENCE": AUDIENCE, "AICORE_TENANT_CLAIM": "zid",
            "AICORE_WEBAPP_OIDC_CLIENT_ID": "webapp",
            "AICORE_SECRETS_KEY": Fernet.generate_key().decode()}).start()  # not a file beside the stack's home
        yield stack
        stack.stop()
    finally:
        node.terminate()
        node.wait(10)


def test_the_app_signs_in_at_the_issuer_with_pkce_and_the_api_accepts_its_token(browser, oidc_stack, request):
    context = browser.new_context(base_url=f"http://127.0.0.1:{oidc_stack.port}")
    page = context.new_page()
    page.set_default_timeout(15_000)
    authorize = []
    page.on("request", lambda r: authorize.append(r.url) if "/auth?" in r.url else None)
    try:
        page.goto("/")
        expect(page.get_by_label("Client ID")).to_have_count(0)  # no client secret on a deployed stage
        page.get_by_role("button", name="Sign in").click()

        page.locator("input[name=login]").fill("alice")  # the provider's own login page
        page.locator("input[name=password]").fill("any")
        page.locator("button[type=submit]").click()

        page.get_by_role("treeitem", name="Resource groups", exact=True).wait_for()
        assert authorize and "code_challenge_method=S256" in authorize[0] and "response_type=code" in authorize[0]
        assert "?code=" not in page.url  # the code is exchanged and gone from the address bar
        open_page(page, "Resource groups")  # a call of the API with the issuer's token
        page.get_by_role("button", name="Create").click()
        page.get_by_label("Resource group ID").fill("oidc-team")
        page.get_by_role("button", name="Create", exact=True).last.click()  # the dialog's (slotted: not under it)
        expect(page.get_by_role("status")).to_contain_text("Resource group 'oidc-team' created.")
        shoot(page, request.node.name, "oidc-signed-in")
    finally:
        context.close()
