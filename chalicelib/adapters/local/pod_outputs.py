"""What a pod leaves behind once its main process ended, read the way Argo's executor reads it
(workflow/executor/executor.go): outputs.result from stdout, outputs.parameters from files, outputs.artifacts into
the run's artifact repository (the resource group's `default` object store), and the hint for a step that leaned
on a folder an earlier pod wrote."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

from chalicelib.domain.argo.pods import StoredArtifact
from chalicelib.domain.artifacts import ArtifactKind
from chalicelib.domain.errors import DomainError
from chalicelib.domain.object_store import ai_url

from . import artifact_io
from .pod_files import PodError, PodFs, named_paths

RESULT_LIMIT = 256 * 1024  # Argo keeps the last 256 kB of stdout as outputs.result


@dataclass
class Outputs:
    result: Optional[str] = None
    parameters: Dict[str, str] = field(default_factory=dict)
    artifacts: Dict[str, StoredArtifact] = field(default_factory=dict)
    errors: List[str] = field(default_factory=list)  # each makes a pod that exited 0 end in phase Error


def result_of(stdout: bytes) -> str:
    """Argo trims one trailing newline, then keeps the last 256 kB."""
    if stdout.endswith(b"\n"):
        stdout = stdout[:-1]
    return stdout[-RESULT_LIMIT:].decode("utf-8", "replace")


def read_parameters(fs: PodFs, template: Dict[str, Any], out: Outputs) -> None:
    for item in (template.get("outputs") or {}).get("parameters") or []:
        source = (item or {}).get("valueFrom") or {}
        name, path = item.get("name"), source.get("path")
        if not name or not path:
            continue  # valueFrom.parameter / expression / supplied belong to the walk, not to a pod
        try:
            host = fs.host(str(path))
            text = host.read_bytes().decode("utf-8", "replace") if host.is_file() else None
        except (PodError, OSError):
            text = None
        if text is None:
            if source.get("default") is None:
                out.errors.append(f"open {path}: no such file or directory (output parameter '{name}')")
                continue
            text = str(source["default"])
        # Argo: "Trims off a single newline for user convenience" (other whitespace is kept).
        out.parameters[str(name)] = text[:-1] if text.endswith("\n") else text


@dataclass
class ArtifactStore:
    """The run's artifact repository: object keys in the resource group's `default` object store."""

    locate: Callable[[str], Any]  # key -> ObjectLocation (raises when there is no `default` object store)
    store: Any  # ObjectStore


def save_artifacts(fs: PodFs, template: Dict[str, Any], execution_id: str, pod: str, repo: ArtifactStore,
                   out: Outputs) -> List[Tuple[Dict[str, Any], Any]]:
    """Store every outputs.artifacts path; returns (declaration, host path) of those saved, for globalName."""
    saved = []
    for item in (template.get("outputs") or {}).get("artifacts") or []:
        name, path = (item or {}).get("name"), (item or {}).get("path")
        if not name or not path:
            continue  # `from` / `fromExpression` outputs of steps and dag templates are the walk's
        archived = "none" not in (item.get("archive") or {})
        key = ((item.get("s3") or {}).get("key") or
               (f"{execution_id}/{pod}/{name}.tgz" if archived else
                f"{execution_id}/{pod}/{posixpath.basename(str(path).rstrip('/')) or name}"))
        key = str(key).rstrip("/") or str(key)  # `key: run/parts/` names the folder run/parts, as Argo's S3 driver
        try:
            host = fs.host(str(path))
            if not host.exists() or host.is_symlink():
                raise FileNotFoundError(path)
        except (PodError, FileNotFoundError):
            if not item.get("optional"):
                out.errors.append(f"{path} no such file or directory (output artifact '{name}')")
            continue
        try:
            location = repo.locate(str(key))
            if archived:
                name_in_archive = posixpath.basename(posixpath.normpath("/" + str(path))) or str(name)
                repo.store.put(location, artifact_io.pack(host, name_in_archive), overwrite=True)
            else:
                artifact_io.upload_raw(repo.store, location, host)
        except Exception as err:  # noqa: BLE001 - the store's own errors (DomainError, OSError, ValueError)
            out.errors.append(f"output artifact '{name}' could not be saved to the default object store at "
                              f"'{key}': {getattr(err, 'message', None) or err}")
            continue
        out.artifacts[str(name)] = StoredArtifact(key=str(key), archived=archived)
        saved.append((item, host))
    return saved


def shared_folder_hint(words: List[str], fs: PodFs, earlier: List[Tuple[str, PodFs]]) -> str:
    """A failed step names a path this pod does not have but an earlier pod of the run wrote: on a cluster that
    folder was never shared either; say how to pass it."""
    for path in named_paths(words):
        try:
            if fs.host(path).exists():
                continue
        except PodError:
            pass  # not one of this pod's folders at all: it has nothing there
        for step, other in reversed(earlier):
            try:
                found = other.host(path).exists()
            except PodError:
                found = False
            if found:
                return (f"'{path}' was written by step '{step}', but each step is its own pod: pass it as an "
                        "output artifact of that step and an input artifact of this one")
    return ""


def register_global(ctx, execution, services, output_kinds: Dict[str, Optional[str]],
                    saved: List[Tuple[Dict[str, Any], Any]]) -> None:
    """A globalName output is also what AI Core lists for the execution: stored at ai://default/<execution>/
    <globalName> (the folder's files at the top) and registered as an artifact, as before pods existed."""
    for item, host in saved:
        name = item.get("globalName")
        if not name:
            continue
        url = ai_url("default", f"{execution.id}/{name}")
        try:
            location = services.locations.locate(ctx, "default", f"{execution.id}/{name}")
            artifact_io.upload(services.object_store, location, host, "none" not in (item.get("archive") or {}))
        except (DomainError, OSError) as err:
            raise PodError(f"output artifact '{name}' could not be stored at {url}: "
                           f"{getattr(err, 'message', err)}") from None
        kind = output_kinds.get(name) or "model"
        services.artifacts.register(
            ctx, name, ArtifactKind(kind) if kind in {k.value for k in ArtifactKind} else ArtifactKind.OTHER, url,
            execution.scenario_id,
            description=f"Output '{name}' of execution {execution.id}", execution_id=execution.id,
            configuration_id=execution.configuration_id)
