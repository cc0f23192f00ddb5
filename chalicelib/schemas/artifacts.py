"""Wire models for /lm/artifacts."""
from __future__ import annotations

from typing import List, Literal, Optional

from pydantic import Field

from chalicelib.domain.artifacts import URL

from .common import ID_PATTERN, NAME_PATTERN, Body, Label, Wire, stated
from .scenarios import KeyValueOut, ScenarioOut
from .time import WireTime

ArtifactKindName = Literal["model", "dataset", "resultset", "other"]


class ArtifactCreate(Body):
    name: str = Field(max_length=256, pattern=NAME_PATTERN)
    kind: ArtifactKindName
    url: str = Field(max_length=1024, json_schema_extra=stated(URL))
    scenario_id: str = Field(pattern=ID_PATTERN)
    description: Optional[str] = Field(default=None, max_length=5000)
    labels: Optional[List[Label]] = None


class ArtifactOut(Wire):
    id: str
    name: str
    kind: ArtifactKindName
    url: str
    scenario_id: str
    configuration_id: Optional[str] = None
    execution_id: Optional[str] = None
    description: Optional[str] = None
    labels: List[KeyValueOut] = []
    created_at: WireTime
    modified_at: WireTime
    scenario: Optional[ScenarioOut] = None


class ArtifactCreated(Wire):
    id: str
    message: str = "Artifact acknowledged"
    url: str
