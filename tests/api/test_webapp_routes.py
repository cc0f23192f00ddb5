"""The web app's static routes and configuration (chalicelib/api/webapp.py): public, confined to the build folder."""
from __future__ import annotations

import json

import pytest

from chalicelib.api import webapp


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A stand-in build folder (the real one is `make webapp`'s output; these tests must not depend on it)."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>ML Operations</title>")
    (tmp_path / "reference.html").write_text("<!doctype html><title>AI API reference</title>")
    (tmp_path / "assets" / "index-abc.js").write_text("console.log('app')")
    (tmp_path / "assets" / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path.parent / "secret.txt").write_text("outside the build")
    monkeypatch.setattr(webapp, "BUILD", tmp_path)
    webapp._asset.cache_clear()
    yield tmp_path
    webapp._asset.cache_clear()


def test_the_page_and_its_assets_are_served_without_a_token(api, built):
    page = api.call("GET", "/", token=None, rg=None)
    assert page.status == 200 and b"ML Operations" in page.body
    assert page.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    script = api.call("GET", "/assets/index-abc.js", token=None, rg=None)
    assert script.status == 200 and script.body == b"console.log('app')"
    assert "javascript" in script.headers["content-type"] and "immutable" in script.headers["cache-control"]
    image = api.call("GET", "/assets/icon.png", token=None, rg=None, headers={"Accept": "image/png"})
    assert image.status == 200 and image.body.startswith(b"\x89PNG")
    assert api.call("GET", "/reference", token=None, rg=None).status == 200


@pytest.mark.parametrize("name", ["..%2Fsecret.txt", "..", "%2E%2E", "missing.js", ".%2F..%2Fsecret.txt"])
def test_nothing_outside_the_build_folder_is_served(api, built, name):
    answer = api.call("GET", f"/assets/{name}", token=None, rg=None)
    assert answer.status == 404 and b"outside the build" not in answer.body


def test_a_rebuilt_page_is_served_without_a_restart(api, built):
    assert b"ML Operations" in api.call("GET", "/", token=None, rg=None).body
    (built / "index.html").write_text("<!doctype html><title>rebuilt</title>")
    assert b"rebuilt" in api.call("GET", "/", token=None, rg=None).body


def test_an_unbuilt_app_says_how_to_build_it(api, tmp_path, monkeypatch):
    monkeypatch.setattr(webapp, "BUILD", tmp_path / "nothing")
    webapp._asset.cache_clear()
    answer = api.call("GET", "/", token=None, rg=None)
    assert answer.status == 503 and b"make webapp" in answer.body


def test_locally_the_app_signs_in_with_a_service_key(api):
    config = api.call("GET", "/app-config.json", token=None, rg=None).json
    assert config == {"signIn": {"mode": "serviceKey", "tokenUrl": "/oauth/token"}, "apiBase": ""}


def test_on_aws_the_app_signs_in_with_oidc_and_pkce_under_the_stage_path(aws):
    from app import app
    from chalicelib import bootstrap
    from tests.support.api_client import Api

    settings = aws.model_copy(update={"auth_mode": "oidc", "oidc_issuer": "https://idp.example.com/pool",
                                      "webapp_oidc_client_id": "app-client", "public_url":
                                          "https://abc.execute-api.eu-central-1.amazonaws.com/dev"})
    bootstrap.configure(settings)
    try:
        answer = Api(app, settings).call("GET", "/app-config.json", token=None, rg=None)
    finally:
        bootstrap.reset()
    assert json.loads(answer.body) == {
        "signIn": {"mode": "oidc", "issuer": "https://idp.example.com/pool", "clientId": "app-client",
                   "scope": "openid"}, "apiBase": "/dev"}
