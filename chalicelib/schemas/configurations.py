"""Wire models for /lm/configurations (and the embedded scenario of `$expand=scenario`)."""
from __future__ import annotations

from typing import List, Optional

from pydantic import Field

from .common import ID_PATTERN, NAME_PATTERN, Body, Wire
from .scenarios import ScenarioOut
from .time import WireTime


class ParameterBindingIn(Body):
    key: str = Field(min_length=1, max_length=256)
    value: str = Field(max_length=5000)


class ArtifactBindingIn(Body):
    key: str = Field(min_length=1, max_length=256)
    artifact_id: str = Field(pattern=ID_PATTERN)


class ConfigurationCreate(Body):
    name: str = Field(max_length=256, pattern=NAME_PATTERN)
    executable_id: str = Field(pattern=ID_PATTERN)
    scenario_id: str = Field(pattern=ID_PATTERN)
    parameter_bindings: Optional[List[ParameterBindingIn]] = Field(default=None, max_length=1000)
    input_artifact_bindings: Optional[List[ArtifactBindingIn]] = Field(default=None, max_length=1000)


class ConfigurationOut(Wire):
    id: str
    name: str
    scenario_id: str
    executable_id: str
    parameter_bindings: List[ParameterBindingIn] = []
    input_artifact_bindings: List[ArtifactBindingIn] = []
    created_at: WireTime
    scenario: Optional[ScenarioOut] = None


class ConfigurationCreated(Wire):
    id: str
    message: str = "Configuration created"

