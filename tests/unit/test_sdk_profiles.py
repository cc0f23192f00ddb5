"""AICORE_HOME profiles in ai-core-sdk's format: ours follow the key, the user's are never touched."""
import json
import os
import stat
import subprocess
import sys

from chalicelib.adapters.local import running
from chalicelib.adapters.local.sdk_profiles import write_profile
from chalicelib.adapters.local.service_keys import mint

SDK_KEYS = {"AICORE_AUTH_URL", "AICORE_CLIENT_ID", "AICORE_CLIENT_SECRET", "AICORE_BASE_URL", "AICORE_RESOURCE_GROUP"}


def test_profiles_have_the_sdk_keys_and_names(tmp_path):
    key = mint(tmp_path / "service-keys", "acme", "http://127.0.0.1:9123")
    path, written = write_profile(tmp_path, "acme", key)
    assert (path, written) == (tmp_path / "config_acme.json", True)
    data = json.loads(path.read_text())
    assert set(data) == SDK_KEYS
    assert data["AICORE_AUTH_URL"] == "http://127.0.0.1:9123/oauth/token"
    assert data["AICORE_BASE_URL"] == "http://127.0.0.1:9123/v2"
    assert data["AICORE_CLIENT_SECRET"] == key["clientsecret"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    default = mint(tmp_path / "service-keys", "default", "http://127.0.0.1:9123")
    assert write_profile(tmp_path, "default", default)[0] == tmp_path / "config.json"


def test_our_profile_follows_the_key_but_a_users_profile_is_kept(tmp_path):
    keys = tmp_path / "service-keys"
    write_profile(tmp_path, "default", mint(keys, "default", "http://127.0.0.1:8000"))
    path, written = write_profile(tmp_path, "default", mint(keys, "default", "http://127.0.0.1:9000"))
    assert written and json.loads(path.read_text())["AICORE_BASE_URL"] == "http://127.0.0.1:9000/v2"

    mine = {"AICORE_AUTH_URL": "https://me.authentication.sap.hana.ondemand.com/oauth/token",
            "AICORE_CLIENT_ID": "sb-mine", "AICORE_CLIENT_SECRET": "s", "AICORE_BASE_URL": "https://api/v2",
            "AICORE_RESOURCE_GROUP": "default"}
    path.write_text(json.dumps(mine, indent=4))  # the user ran `aicore configure` over it
    assert write_profile(tmp_path, "default", mint(keys, "default", "http://127.0.0.1:9100")) == (path, False)
    assert json.loads(path.read_text()) == mine

    (tmp_path / "config_acme.json").write_text("{}")  # there before the tenant was ever minted
    assert write_profile(tmp_path, "acme", mint(keys, "acme", "http://127.0.0.1:9100"))[1] is False
    assert (tmp_path / "config_acme.json").read_text() == "{}"


def test_running_record_names_a_live_stack_only(tmp_path):
    assert running.running_url(tmp_path) is None
    running.record(tmp_path, "http://127.0.0.1:9555")
    assert running.running_url(tmp_path) == "http://127.0.0.1:9555"
    running.clear(tmp_path)
    assert running.running_url(tmp_path) is None

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / running.RECORD).write_text(json.dumps({"url": "http://127.0.0.1:9556", "pid": int(gone.stdout)}))
    assert running.running_url(tmp_path) is None  # killed with -9: the record stayed, the process did not
    assert os.path.exists(tmp_path / running.RECORD)


def test_a_start_on_another_port_moves_every_tenants_key_and_our_profiles(tmp_path):
    from chalicelib.adapters.local.stack import issue_keys
    from chalicelib.settings import Settings

    first = Settings(home=tmp_path, port=8101)
    issue_keys(first)
    acme = mint(first.service_keys_dir, "acme", first.base_url)
    write_profile(tmp_path, "acme", acme)
    (tmp_path / "config_mine.json").write_text('{"AICORE_BASE_URL": "https://mine/v2"}')
    mint(first.service_keys_dir, "mine", first.base_url)

    key, (path, written) = issue_keys(Settings(home=tmp_path, port=8102))
    assert (key["url"], path, written) == ("http://127.0.0.1:8102", tmp_path / "config.json", True)
    moved = json.loads((tmp_path / "config_acme.json").read_text())
    assert moved["AICORE_BASE_URL"] == "http://127.0.0.1:8102/v2"
    assert moved["AICORE_CLIENT_SECRET"] == acme["clientsecret"]  # same credentials, new URL
    assert json.loads((first.service_keys_dir / "acme.json").read_text())["url"] == "http://127.0.0.1:8102"
    assert (tmp_path / "config_mine.json").read_text() == '{"AICORE_BASE_URL": "https://mine/v2"}'
