"""Wire models for /lm/scenarios, versions and executables."""
from __future__ import annotations

from typing import List, Optional

from .common import Wire
from .time import WireTime


class KeyValueOut(Wire):
    key: str
    value: str


class ScenarioOut(Wire):
    id: str
    name: str
    description: Optional[str] = None
    labels: List[KeyValueOut] = []
    created_at: WireTime
    modified_at: WireTime


class VersionOut(Wire):
    id: str
    description: Optional[str] = None
    scenario_id: str
    created_at: WireTime
    modified_at: WireTime


class ParameterOut(Wire):
    name: str
    description: Optional[str] = None
    default: Optional[str] = None
    type: str = "string"


class ArtifactArgumentOut(Wire):
    """Exactly name, kind, description, labels: the Python client rejects any other key here."""

    name: str
    kind: Optional[str] = None
    description: Optional[str] = None
    labels: Optional[List[KeyValueOut]] = None  # left out when empty


class ExecutableOut(Wire):
    id: str
    name: str
    description: Optional[str] = None
    scenario_id: str
    version_id: str
    deployable: bool
    parameters: List[ParameterOut] = []
    input_artifacts: List[ArtifactArgumentOut] = []
    output_artifacts: List[ArtifactArgumentOut] = []
    labels: List[KeyValueOut] = []
    created_at: WireTime
    modified_at: WireTime
