"""Scenarios, versions and executables: tenant-level, produced only by Git sync of templates."""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Dict, List, Optional

from .entity import Entity, Value
from .labels import KeyValue
from .records import Kind


class Scenario(Entity):
    KIND: ClassVar[Kind] = Kind.SCENARIO

    id: str
    name: str
    description: Optional[str] = None
    labels: List[KeyValue] = []
    created_at: datetime
    modified_at: datetime


class ExecutableParameter(Value):
    name: str
    description: Optional[str] = None
    default: Optional[str] = None
    type: str = "string"


class ExecutableArtifact(Value):
    name: str  # the input name, or an output's globalName
    kind: Optional[str] = None
    description: Optional[str] = None
    labels: List[KeyValue] = []


class Executable(Entity):
    """One synced template. `template` keeps the parsed document for the engine (issue: run it)."""

    KIND: ClassVar[Kind] = Kind.EXECUTABLE

    id: str  # the template's metadata.name
    name: str
    description: Optional[str] = None
    scenario_id: str
    version_id: str
    deployable: bool
    parameters: List[ExecutableParameter] = []
    input_artifacts: List[ExecutableArtifact] = []
    output_artifacts: List[ExecutableArtifact] = []
    labels: List[KeyValue] = []
    created_at: datetime
    modified_at: datetime
    # Provenance and content: which application/file it came from, and the template itself.
    application: Optional[str] = None
    source_file: Optional[str] = None
    template: Dict[str, Any] = {}

    @staticmethod
    def record_id(scenario_id: str, executable_id: str) -> str:
        """Executables are stored under their scenario so a scenario's list is one key-prefix Query."""
        return f"{scenario_id}:{executable_id}"
