"""Onboarding as a user does it: `make run` on some port, `make tenant NAME=...` from another shell that knows only
AICORE_HOME, and SAP's SDK configured by nothing but AICORE_HOME (and AICORE_PROFILE) through the profiles the
stack writes there."""
import json
import os
import re
import subprocess
import sys

import pytest
import requests

from chalicelib.adapters.local.emulator_gate import emulator_credentials
from tests.support.stack_process import EXPORT, ROOT, StackProcess


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory):
    home = tmp_path_factory.mktemp("onboarding-home")
    mine = {"AICORE_AUTH_URL": "https://mine.example.com/oauth/token", "AICORE_CLIENT_ID": "sb-mine",
            "AICORE_CLIENT_SECRET": "mine", "AICORE_BASE_URL": "https://mine.example.com/v2",
            "AICORE_RESOURCE_GROUP": "default"}
    (home / "config_mine.json").write_text(json.dumps(mine, indent=4))  # written by `aicore configure -p mine`
    assert make_tenant(home, "early").returncode == 0  # before any stack runs on this home
    process = StackProcess(home).start()
    assert process.port != 8000
    yield process
    process.stop()


def sdk_env(home, **extra):
    """A shell with nothing of ours but AICORE_HOME: no AICORE_PORT, no exports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICORE_") and k != "VCAP_SERVICES"}
    return {**env, "AICORE_HOME": str(home), **extra}


def make_tenant(home, name):
    return subprocess.run([sys.executable, "-m", "chalicelib.adapters.local.tenant", name], cwd=ROOT,
                          env=sdk_env(home), capture_output=True, text=True, timeout=60)


def from_env(home, **extra):
    """AICoreV2Client.from_env() in a fresh process, as a user's script runs; returns what it saw."""
    code = ("import json, jwt; from ai_core_sdk.ai_core_v2_client import AICoreV2Client\n"
            "c = AICoreV2Client.from_env()\n"
            "token = c.rest_client.get_token().split()[1]\n"
            "print(json.dumps({'tenant': jwt.decode(token, options={'verify_signature': False})['zid'],"
            " 'groups': [r.resource_group_id for r in c.resource_groups.query().resources]}))")
    run = subprocess.run([sys.executable, "-c", code], env=sdk_env(home, **extra), capture_output=True, text=True,
                         timeout=60, cwd=home)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_default_tenant_works_from_aicore_home_alone(own_stack):
    profile = json.loads((own_stack.home / "config.json").read_text())
    assert profile == {**own_stack.exports}  # the printed exports, under the SDK's config keys
    seen = from_env(own_stack.home)
    assert (seen["tenant"], seen["groups"]) == ("default", ["default"])
    assert "SDK profile: " + str(own_stack.home / "config.json") in own_stack.output()


def test_tenants_with_keys_are_onboarded_with_their_default_group_when_the_stack_starts(own_stack):
    import boto3

    emulator = re.search(r"AWS emulator \(DynamoDB, S3\): (\S+)", own_stack.output())[1]
    key_id, key = emulator_credentials(own_stack.home / "keys")  # the emulator serves only the stack's own key
    table = boto3.resource("dynamodb", endpoint_url=emulator, region_name="eu-central-1", aws_access_key_id=key_id,
                           aws_secret_access_key=key).Table("aicore-dev-records")

    def has_default_group(tenant):  # read under the API: a GET would create it on first use
        return "Item" in table.get_item(Key={"pk": f"T#{tenant}", "sk": "RG#default"})

    assert has_default_group("default") and has_default_group("early")
    assert not has_default_group("never-onboarded")


def test_make_tenant_writes_a_working_key_for_the_running_port(own_stack):
    run = make_tenant(own_stack.home, "acme")
    assert run.returncode == 0, run.stdout + run.stderr
    exports = {m[1]: m[2] for m in (EXPORT.match(l.strip()) for l in run.stdout.splitlines()) if m}
    assert exports["AICORE_BASE_URL"] == f"http://127.0.0.1:{own_stack.port}/v2"
    assert exports["AICORE_AUTH_URL"] == f"http://127.0.0.1:{own_stack.port}/oauth/token"
    key = json.loads((own_stack.home / "service-keys" / "acme.json").read_text())
    assert key["url"] == f"http://127.0.0.1:{own_stack.port}"
    token = requests.post(exports["AICORE_AUTH_URL"], timeout=10, data={"grant_type": "client_credentials"},
                          auth=(exports["AICORE_CLIENT_ID"], exports["AICORE_CLIENT_SECRET"]))
    assert token.status_code == 200

    seen = from_env(own_stack.home, AICORE_PROFILE="acme")
    assert (seen["tenant"], seen["groups"]) == ("acme", ["default"])  # onboarded with its default group
    assert json.loads((own_stack.home / "config_acme.json").read_text())["AICORE_CLIENT_ID"] == key["clientid"]
    assert "AICORE_PROFILE=acme" in run.stdout


def test_a_profile_the_user_wrote_is_never_overwritten(own_stack):
    before = (own_stack.home / "config_mine.json").read_text()
    run = make_tenant(own_stack.home, "mine")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (own_stack.home / "config_mine.json").read_text() == before
    assert "is your own, left as it is" in run.stdout
    assert "export AICORE_CLIENT_ID=sb-mine-" in run.stdout  # the key itself is still minted and printed


def test_make_tenant_without_a_running_stack_uses_the_settings(tmp_path):
    run = subprocess.run([sys.executable, "-m", "chalicelib.adapters.local.tenant", "later"], cwd=ROOT,
                         env=sdk_env(tmp_path, AICORE_PORT="8765"), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "export AICORE_BASE_URL=http://127.0.0.1:8765/v2" in run.stdout
    assert "make run` onboards this tenant when it starts" in run.stdout
