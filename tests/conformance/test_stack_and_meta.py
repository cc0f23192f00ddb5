"""The stack starts as `make run` starts it, prints working exports, and the clients' basics work."""
import json

import requests


def test_exports_printed(stack):
    assert set(stack.exports) == {"AICORE_AUTH_URL", "AICORE_CLIENT_ID", "AICORE_CLIENT_SECRET",
                                  "AICORE_BASE_URL", "AICORE_RESOURCE_GROUP"}
    assert stack.exports["AICORE_BASE_URL"].endswith("/v2")
    key = json.loads((stack.home / "service-keys" / "default.json").read_text())
    assert key["clientid"] == stack.exports["AICORE_CLIENT_ID"]
    assert key["serviceurls"]["AI_API_URL"] + "/v2" == stack.exports["AICORE_BASE_URL"]


def test_token_endpoint_accepts_form_and_basic(stack):
    e = stack.exports
    form = requests.post(e["AICORE_AUTH_URL"], data={"grant_type": "client_credentials",
                                                     "client_id": e["AICORE_CLIENT_ID"],
                                                     "client_secret": e["AICORE_CLIENT_SECRET"]}, timeout=10)
    basic = requests.post(e["AICORE_AUTH_URL"], data={"grant_type": "client_credentials"},
                          auth=(e["AICORE_CLIENT_ID"], e["AICORE_CLIENT_SECRET"]), timeout=10)
    for response in (form, basic):
        assert response.status_code == 200
        assert response.json()["expires_in"] > 3600
    wrong = requests.post(e["AICORE_AUTH_URL"], auth=(e["AICORE_CLIENT_ID"], "wrong"), timeout=10)
    assert wrong.status_code == 401


def test_token_url_with_oauth_token_appended_again_still_answers(stack):
    # Scripts written for AI Core (the seed's pipeline) append /oauth/token to AICORE_AUTH_URL themselves.
    e = stack.exports
    doubled = requests.post(e["AICORE_AUTH_URL"] + "/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(e["AICORE_CLIENT_ID"], e["AICORE_CLIENT_SECRET"]), timeout=10)
    assert doubled.status_code == 200 and doubled.json()["access_token"]
    tripled = requests.post(e["AICORE_AUTH_URL"] + "/oauth/token/oauth/token", timeout=10,
                            auth=(e["AICORE_CLIENT_ID"], e["AICORE_CLIENT_SECRET"]))
    assert tripled.status_code == 404


def test_health_check_needs_no_token(stack):
    response = requests.get(stack.exports["AICORE_BASE_URL"] + "/lm/healthz", timeout=10)
    assert response.status_code == 200 and response.json()["status"] == "READY"


def test_unauthenticated_call_is_401(stack):
    response = requests.get(stack.exports["AICORE_BASE_URL"] + "/admin/resourceGroups",
                            headers={"AI-Resource-Group": "default"}, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"]


def test_meta_versions_healthz(core, lm):
    assert core.meta.get().ai_api.version
    assert lm.healthz.get().status.value == "READY"
    assert lm.meta.get_versions().versions[0].version_id


def test_resource_group_lifecycle(core):
    from ai_api_client_sdk.models.label import Label

    core.resource_groups.create(resource_group_id="conf-rg", labels=[Label(key="ext.ai.sap.com/team", value="a")])
    group = core.resource_groups.get("conf-rg")
    assert group.status == "PROVISIONED"
    assert "conf-rg" in [g.resource_group_id for g in core.resource_groups.query().resources]
    core.resource_groups.modify("conf-rg", labels=[])
    core.resource_groups.delete("conf-rg")


def test_second_tenant_is_isolated(core, acme):
    core.resource_groups.create(resource_group_id="only-default-tenant")
    names = [g.resource_group_id for g in acme.resource_groups.query().resources]
    assert "only-default-tenant" not in names


def test_from_env_with_printed_exports(stack, monkeypatch, tmp_path):
    """The README's SDK example: AICoreV2Client.from_env() configured only by the pasted exports."""
    from ai_core_sdk.ai_core_v2_client import AICoreV2Client

    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.aicore/config.json of the machine's user
    for name, value in stack.exports.items():
        monkeypatch.setenv(name, value)
    client = AICoreV2Client.from_env()
    assert client.scenario.query().count >= 0
    assert "default" in [g.resource_group_id for g in client.resource_groups.query().resources]
