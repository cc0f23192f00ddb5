"""Every /v2 route needs a valid token; every error carries the AI API error body."""
import time

import jwt
import pytest

from chalicelib.adapters.local.keys import load_signing_key


def assert_error(result, status):
    assert result.status == status, result
    error = result.json["error"]
    assert error["code"] and error["message"] and error["requestId"]
    return error


def test_missing_token_is_401(api):
    error = assert_error(api.call("GET", "/v2/lm/meta", token=None), 401)
    assert "Authorization" in error["message"]


def test_wrong_scheme_is_401(api):
    assert_error(api.call("GET", "/v2/lm/meta", token="Basic abc"), 401)


def test_token_signed_by_another_key_is_401(api):
    from cryptography.hazmat.primitives.asymmetric import rsa

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({"zid": "t1", "iss": api.settings.local_issuer, "iat": int(time.time()),
                        "exp": int(time.time()) + 60}, other, algorithm="RS256")
    assert_error(api.call("GET", "/v2/lm/meta", token=f"Bearer {token}"), 401)


def test_expired_token_is_401(api):
    key = load_signing_key(api.settings.keys_dir)
    token = jwt.encode({"zid": "t1", "iss": api.settings.local_issuer, "iat": int(time.time()) - 100,
                        "exp": int(time.time()) - 50}, key, algorithm="RS256")
    error = assert_error(api.call("GET", "/v2/lm/meta", token=f"Bearer {token}"), 401)
    assert "expired" in error["message"]


def test_token_without_tenant_is_401(api):
    key = load_signing_key(api.settings.keys_dir)
    token = jwt.encode({"iss": api.settings.local_issuer, "iat": int(time.time()),
                        "exp": int(time.time()) + 60}, key, algorithm="RS256")
    assert_error(api.call("GET", "/v2/lm/meta", token=f"Bearer {token}"), 401)


def test_meta_with_token(api):
    result = api.call("GET", "/v2/lm/meta")
    assert result.status == 200
    assert result.json["aiApi"]["version"]
    assert result.headers["x-request-id"]


def test_bad_json_is_400_with_error_body(api):
    error = assert_error(api.call("POST", "/v2/admin/resourceGroups", raw=b"{not json"), 400)
    assert "JSON" in error["message"]


def test_wrong_method_is_405_with_error_body(api):
    assert_error(api.call("DELETE", "/v2/lm/meta"), 405)


def test_missing_resource_group_header_is_400(api):
    error = assert_error(api.call("GET", "/v2/lm/scenarios/abcd/models", rg=None), 400)
    assert "AI-Resource-Group" in error["message"]


def test_unknown_resource_group_is_404(api):
    assert_error(api.call("GET", "/v2/lm/scenarios/abcd/models", rg="no-such-group"), 404)


@pytest.mark.parametrize("body", [{"resourceGroupId": 5}, {"resourceGroupId": "x"}, {}, ["list"]])
def test_bad_resource_group_bodies_are_400(api, body):
    assert_error(api.call("POST", "/v2/admin/resourceGroups", body), 400)


def test_health_check_answers_without_a_token(api):
    # Load balancers and the reference's troubleshooting call it bare; it says nothing of any tenant.
    result = api.call("GET", "/v2/lm/healthz", token=None, rg=None)
    assert result.status == 200 and result.json["status"] == "READY"
    assert api.call("GET", "/v2/lm/healthz", token="Bearer not-a-jwt", rg=None).status == 200


def test_every_other_route_needs_a_token(api):
    import re

    from chalicelib.api.routing import ROUTE_DOCS

    checked = 0
    for doc in ROUTE_DOCS:
        if doc.public or doc.path.startswith("/v2/tracking/"):
            continue  # tracking: the credential in the path is the token (test_tracking.py)
        path = re.sub(r"{(\w+)\+?}", "x", doc.path)
        result = api.call(doc.method, path, {}, token=None)
        assert result.status == 401, (doc.method, path, result)
        assert result.headers.get("www-authenticate", "").startswith("Bearer")
        checked += 1
    assert checked >= 60
    public = [(d.method, d.path) for d in ROUTE_DOCS if d.public]
    # The health check and the OpenAPI document: neither holds tenant data.
    assert public == [("GET", "/v2/lm/healthz"), ("GET", "/v2/openapi.json")]


def test_openapi_says_the_health_check_needs_no_token(api):
    doc = api.call("GET", "/v2/openapi.json").json
    assert doc["paths"]["/v2/lm/healthz"]["get"]["security"] == []
    assert doc["paths"]["/v2/lm/meta"]["get"]["security"] == [{"oauth2": []}]
