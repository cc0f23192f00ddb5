"""The two ways a user points ai-core-sdk at a service without writing code for it: the printed exports as
environment variables, and the service key (as VCAP_SERVICES on Cloud Foundry)."""
import json

from ai_core_sdk.ai_core_v2_client import AICoreV2Client


def isolated_env(monkeypatch, tmp_path):
    """No ambient SDK configuration: an empty SDK home and none of the AICORE_* / VCAP variables."""
    for name in ("AICORE_AUTH_URL", "AICORE_CLIENT_ID", "AICORE_CLIENT_SECRET", "AICORE_BASE_URL",
                 "AICORE_RESOURCE_GROUP", "AICORE_PROFILE", "AICORE_CONFIG", "VCAP_SERVICES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AICORE_HOME", str(tmp_path))


def test_from_env_with_the_printed_exports(stack, monkeypatch, tmp_path):
    isolated_env(monkeypatch, tmp_path)
    for name, value in stack.exports.items():
        monkeypatch.setenv(name, value)
    client = AICoreV2Client.from_env()
    assert "default" in [g.resource_group_id for g in client.resource_groups.query().resources]
    assert client.rest_client.headers["AI-Resource-Group"] == stack.exports["AICORE_RESOURCE_GROUP"]
    client.scenario.query()  # an /lm call: refused with 400 unless the exported resource group is sent


def test_from_env_with_the_service_key(stack, monkeypatch, tmp_path):
    isolated_env(monkeypatch, tmp_path)
    key = json.loads((stack.home / "service-keys" / "default.json").read_text())
    monkeypatch.setenv("VCAP_SERVICES", json.dumps({"aicore": [{"label": "aicore", "name": "aicore",
                                                                "credentials": key}]}))
    client = AICoreV2Client.from_env(resource_group="default")
    assert client.base_url == stack.exports["AICORE_BASE_URL"]
    assert client.meta.get().ai_api.version
    assert client.resource_groups.get("default").status == "PROVISIONED"
