"""aicore-ops settings: SAP's profile files, chosen by --profile or AICORE_PROFILE, and AICORE_* that always win."""
import json

import pytest

from aicore_ops.client import token_url
from aicore_ops.config import ConfigError, resolve

FULL = {"AICORE_AUTH_URL": "https://auth.example", "AICORE_CLIENT_ID": "id", "AICORE_CLIENT_SECRET": "s3cret",
        "AICORE_BASE_URL": "https://api.example/v2/", "AICORE_RESOURCE_GROUP": "default"}


def write(home, name, values):
    (home / name).write_text(json.dumps(values))


def test_default_profile_is_config_json(tmp_path):
    write(tmp_path, "config.json", FULL)
    settings = resolve(env={"AICORE_HOME": str(tmp_path)})
    assert (settings.profile, settings.base_url, settings.client_id) == ("default", "https://api.example/v2", "id")


def test_named_profile_from_option_or_environment(tmp_path):
    write(tmp_path, "config.json", FULL)
    write(tmp_path, "config_dev.json", {**FULL, "AICORE_RESOURCE_GROUP": "dev-rg"})
    assert resolve("dev", env={"AICORE_HOME": str(tmp_path)}).resource_group == "dev-rg"
    assert resolve(env={"AICORE_HOME": str(tmp_path), "AICORE_PROFILE": "dev"}).resource_group == "dev-rg"


def test_environment_wins_over_the_profile(tmp_path):
    write(tmp_path, "config_dev.json", FULL)
    settings = resolve("dev", env={"AICORE_HOME": str(tmp_path), "AICORE_RESOURCE_GROUP": "from-env"})
    assert settings.resource_group == "from-env" and settings.client_secret == "s3cret"


def test_environment_alone_is_enough(tmp_path):
    assert resolve(env={"AICORE_HOME": str(tmp_path), **FULL}).auth_url == "https://auth.example"


def test_missing_named_profile_and_missing_settings_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="config_prd.json"):
        resolve("prd", env={"AICORE_HOME": str(tmp_path)})
    with pytest.raises(ConfigError, match="AICORE_CLIENT_SECRET"):
        resolve(env={"AICORE_HOME": str(tmp_path), **{k: v for k, v in FULL.items() if "SECRET" not in k}})


def test_redacted_settings_never_show_the_secret(tmp_path):
    shown = resolve(env={"AICORE_HOME": str(tmp_path), **FULL}).redacted()
    assert "s3cret" not in json.dumps(shown) and shown["client_secret"] == "***"


def test_auth_url_with_or_without_token_path():
    assert token_url("https://auth.example") == "https://auth.example/oauth/token"
    assert token_url("https://auth.example/oauth/token/") == "https://auth.example/oauth/token"
