"""Settings read AICORE_* as pydantic-settings did before (settings.py builds them on plain pydantic now): prefix and
name without regard to case, keyword arguments win, values validated and converted, JSON for structured fields,
other AICORE_* variables (the SDK's client settings) ignored."""
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from pydantic import AliasChoices, Field, ValidationError

from chalicelib.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    import os

    for name in list(os.environ):
        if name.upper().startswith("AICORE_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults_without_environment():
    s = Settings()
    assert (s.stage, s.home, s.port, s.git_allow_local, s.aws_region) == ("dev", Path(".aicore"), 8000, None,
                                                                         "eu-central-1")


def test_variables_are_converted_and_matched_without_regard_to_case(monkeypatch):
    monkeypatch.setenv("AICORE_PORT", "9001")
    monkeypatch.setenv("aicore_stage", "prd")
    monkeypatch.setenv("AICORE_Git_Allow_Local", "yes")
    monkeypatch.setenv("AICORE_HOME", "/var/aicore")
    monkeypatch.setenv("AICORE_CLIENT_ID", "sb-a-client")  # the SDK's, not ours: ignored
    s = Settings()
    assert (s.port, s.stage, s.git_allow_local, s.home) == (9001, "prd", True, Path("/var/aicore"))


def test_keyword_arguments_win_over_the_environment(monkeypatch):
    monkeypatch.setenv("AICORE_STAGE", "prd")
    monkeypatch.setenv("AICORE_PORT", "9001")
    s = Settings(stage="tst")
    assert (s.stage, s.port) == ("tst", 9001)


def test_a_bad_value_is_a_validation_error_naming_the_field(monkeypatch):
    monkeypatch.setenv("AICORE_STAGE", "qa")
    with pytest.raises(ValidationError, match="stage"):
        Settings()


def test_get_settings_reads_once(monkeypatch):
    monkeypatch.setenv("AICORE_PORT", "9001")
    first = get_settings()
    monkeypatch.setenv("AICORE_PORT", "9002")
    assert get_settings() is first and first.port == 9001


class Extended(Settings):
    """Fields as other parts of the project add them: structured values and an alias."""

    resource_plans: Dict[str, Dict[str, str]] = {}
    node_groups: Optional[List[str]] = None
    cluster_name: Optional[str] = Field(default=None, validation_alias=AliasChoices("EKS_CLUSTER_NAME",
                                                                                    "AICORE_EKS_CLUSTER_NAME"))


def test_structured_fields_are_json_and_aliases_name_the_variable(monkeypatch):
    monkeypatch.setenv("AICORE_RESOURCE_PLANS", '{"starter": {"cpu": "1"}}')
    monkeypatch.setenv("AICORE_NODE_GROUPS", '["a", "b"]')
    monkeypatch.setenv("EKS_CLUSTER_NAME", "prod-eks")
    s = Extended()
    assert (s.resource_plans, s.node_groups, s.cluster_name) == ({"starter": {"cpu": "1"}}, ["a", "b"], "prod-eks")
    monkeypatch.setenv("AICORE_NODE_GROUPS", "a,b")
    with pytest.raises(ValueError, match="AICORE_NODE_GROUPS must be JSON"):
        Extended()
