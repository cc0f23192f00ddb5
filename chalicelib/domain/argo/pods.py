"""The port between the workflow walk (interpreter.py) and an engine that runs one pod: what a pod is asked to do
and what it reports back. The local engine implements `PodRunner` with sandboxed host processes; the walk never
touches files or processes itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Protocol

# Node phases, as Argo names them.
SUCCEEDED, FAILED, ERROR, SKIPPED, OMITTED = "Succeeded", "Failed", "Error", "Skipped", "Omitted"
RUNNING, PENDING = "Running", "Pending"


class WorkflowError(Exception):
    """The run cannot go on as written; the message becomes the execution's statusMessage."""


class Cancelled(Exception):
    """The run was stopped (by the user, or the stack shutting down)."""


@dataclass
class StoredArtifact:
    """An artifact a pod wrote to the run's artifact repository (the resource group's `default` object store)."""

    key: str  # object key under the default store, e.g. "<execution>/<pod>/<name>.tgz"
    archived: bool = True  # stored as a .tgz of the path (Argo's default) or as the raw file/folder (archive: none)


@dataclass
class ArtifactInput:
    """One input artifact to place in the pod before it starts."""

    name: str
    path: str  # container path
    stored: Optional[StoredArtifact] = None  # from another step (`from`), or key-only (`s3.key`) in the default store
    binding: Optional[str] = None  # AI Core: the configuration's inputArtifactBindings key
    raw: Optional[str] = None  # `raw.data`
    mode: Optional[int] = None
    optional: bool = False


@dataclass
class PodRequest:
    path: str  # display name: "main.train", "main.print(0:hello)"
    pod: str  # unique pod name in this run (<= 63 characters)
    template: Dict[str, Any]  # the container/script template, every placeholder resolved
    artifacts: List[ArtifactInput] = field(default_factory=list)
    volumes: List[Dict[str, Any]] = field(default_factory=list)  # spec.volumes + template.volumes (emptyDir)
    run_volumes: List[str] = field(default_factory=list)  # volumeClaimTemplates names: one folder per run
    attempt: int = 1  # 1-based; {{retries}} is attempt - 1
    timeout_seconds: Optional[float] = None  # activeDeadlineSeconds / timeout still left for this pod


@dataclass
class PodResult:
    phase: str  # SUCCEEDED | FAILED (non-zero exit) | ERROR (could not start, deadline, lost output)
    exit_code: Optional[int] = None
    message: str = ""  # Argo's wording: "Error (exit code 1)", "Pod was active on the node longer than ..."
    result: Optional[str] = None  # stdout, trailing newline removed (outputs.result)
    parameters: Dict[str, str] = field(default_factory=dict)  # outputs.parameters by name
    artifacts: Dict[str, StoredArtifact] = field(default_factory=dict)  # outputs.artifacts by name


class PodRunner(Protocol):
    def run_pod(self, request: PodRequest) -> PodResult:
        """Run one attempt of a container/script template to its end. Raise Cancelled when the run is stopped;
        a problem of the step itself (image, missing output, deadline) is a PodResult with phase ERROR."""

    def suspend(self, seconds: float) -> None:
        """Wait (a `suspend` template with a duration); raise Cancelled when the run is stopped meanwhile."""
