import json
import stat

import pytest

from chalicelib.adapters.local.service_keys import ServiceKeyClients, exports, mint


def test_mint_writes_ai_core_shaped_key_readable_only_by_owner(tmp_path):
    key = mint(tmp_path, "acme", "http://127.0.0.1:8000")
    assert set(key) >= {"clientid", "clientsecret", "url", "serviceurls"}
    assert key["serviceurls"]["AI_API_URL"] == "http://127.0.0.1:8000"
    assert stat.S_IMODE((tmp_path / "acme.json").stat().st_mode) == 0o600
    assert "export AICORE_BASE_URL=http://127.0.0.1:8000/v2" in exports(key)


def test_existing_key_keeps_credentials_but_follows_the_port(tmp_path):
    first = mint(tmp_path, "acme", "http://127.0.0.1:8000")
    again = mint(tmp_path, "acme", "http://127.0.0.1:9000")
    assert again["clientsecret"] == first["clientsecret"]
    assert json.loads((tmp_path / "acme.json").read_text())["serviceurls"]["AI_API_URL"] == "http://127.0.0.1:9000"


@pytest.mark.parametrize("name", ["A", "x", "../etc", "a/b", "-lead", "a" * 64])
def test_bad_tenant_names_are_refused(tmp_path, name):
    with pytest.raises(ValueError):
        mint(tmp_path, name, "http://127.0.0.1:8000")


def test_client_registry_checks_the_secret(tmp_path):
    key = mint(tmp_path, "acme", "http://127.0.0.1:8000")
    clients = ServiceKeyClients(tmp_path)
    assert clients.authenticate(key["clientid"], key["clientsecret"]) == "acme"
    assert clients.authenticate(key["clientid"], "wrong") is None
    assert clients.authenticate("unknown", key["clientsecret"]) is None
