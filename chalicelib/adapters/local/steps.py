"""One execution's container steps on the host: image recipe, artifacts in and out, env, secrets, the process.

`ExecutionSteps` is the NodeRunner the workflow walk (domain/workflow.py) calls for each container/script
node. Container paths resolve under the execution's own file system folder `<run>/fs` (shared by its steps,
so `/data/processed` written by one step is read by the next, as on a cluster with a shared volume).
Workflow-level input artifacts with a `path` (`spec.arguments.artifacts`, as AI Core's ML Operations reference
writes them) are placed once per execution at that path, and every step sees that folder.
"""
from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set

from chalicelib.domain.artifacts import Artifact, ArtifactKind
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.logs import LogEntry
from chalicelib.domain.object_store import ai_url
from chalicelib.domain.runs import Execution
from chalicelib.domain.workflow import Cancelled, ContainerNode, WorkflowError

from . import artifact_io
from .images import ImageError, ImageRecipe, ImageResolver, build_into, container_path, top_of
from .runner import LogLine, ProcessSpec, StepProcess

log = logging.getLogger("aicore.engine")
# Container paths under these would hide the host the step needs (its interpreter, libraries, devices).
SYSTEM_TOPS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin", "sys",
               "usr", "var"}


@dataclass
class RunServices:
    """What a run needs from the container (kept narrow so the engine is testable)."""

    artifacts: Any  # ArtifactService
    locations: Any  # ObjectStoreResolver
    object_store: Any  # ObjectStore
    generic_secrets: Any  # GenericSecretService
    append_log: Callable[[TenantContext, str, LogEntry], None]
    # AICORE_TRACKING_ENDPOINT, AICORE_API_URL, AICORE_AUTH_TOKEN: one run credential, writes its metrics only
    tracking_env: Callable[[TenantContext, str], Dict[str, str]]
    images: ImageResolver
    protected: Set[str] = field(default_factory=set)  # extra tops: the folders AICORE_HOME and python live in
    close_log: Optional[Callable[[TenantContext, str], None]] = None
    delete_log: Optional[Callable[[TenantContext, str], None]] = None
    checkouts: Optional[Any] = None  # RepositoryCheckouts: the synced repository as the default image folder


@dataclass
class ExecutionSteps:
    ctx: TenantContext
    execution: Execution
    folder: Path  # <home>/runs/<tenant>/<rg>/<id>
    inputs: Dict[str, Artifact]  # binding key -> artifact
    output_kinds: Dict[str, Optional[str]]
    services: RunServices
    on_step: Callable[[str, Dict[str, Any]], None]  # step path -> details
    on_processes: Callable[[List[int]], None] = lambda pids: None  # the process groups now running
    cancelled: threading.Event = field(default_factory=threading.Event)
    shutdown_message: Optional[str] = None  # set when the stack, not the user, stops the run
    repository: Optional[tuple] = None  # (url, synced commit) of the executable's application
    workflow_artifacts: List[Dict[str, Any]] = field(default_factory=list)  # spec.arguments.artifacts with a path
    processes: Set[StepProcess] = field(default_factory=set)
    _built: Dict[str, ImageRecipe] = field(default_factory=dict)
    _workflow_inputs_placed: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def fs(self) -> Path:
        return self.folder / "fs"

    def stop_all(self) -> None:
        self.cancelled.set()
        for process in list(self.processes):
            process.stop()

    # -- NodeRunner ----------------------------------------------------------------------------------
    def run(self, node: ContainerNode, attempt: int) -> int:
        template = node.template
        spec_of = template.get("container") or template.get("script") or {}
        try:
            recipe = self._recipe(str(spec_of.get("image") or ""))
        except (ImageError, OSError) as err:
            raise WorkflowError(f"Step '{node.step}': {err}") from None
        workdir = spec_of.get("workingDir") or recipe.workdir
        tops = self._tops(node, template, spec_of, recipe, workdir)
        self._place_workflow_inputs(node)
        self._download_inputs(node, template)
        scratch = self.folder / "steps" / f"{node.pod}-{attempt}"
        scratch.mkdir(parents=True, exist_ok=True)
        spec = ProcessSpec(argv=self._argv(node, template, spec_of, recipe, scratch), container="main",
                           pod=node.pod, env=self._env(node, spec_of, recipe), fs=self.fs, tops=sorted(tops),
                           workdir=workdir, scratch=scratch)
        self.on_step(node.step, {"pod": node.pod, "status": "Running", "attempt": attempt})
        try:
            process = StepProcess(spec, self._sink)
        except OSError as err:  # the sandbox is refused here, or the program cannot be started
            raise WorkflowError(f"Step '{node.step}' could not start: {err.strerror or err}") from None
        self.processes.add(process)
        self.on_processes([p.pid for p in list(self.processes)])
        if self.cancelled.is_set():  # a stop that came while this process was starting
            process.stop()
        try:
            code = process.wait()
        finally:
            self.processes.discard(process)
            self.on_processes([p.pid for p in list(self.processes)])
        if self.cancelled.is_set():
            self.on_step(node.step, {"status": "Stopped", "exitCode": code, "finished": True})
            raise Cancelled()
        self.on_step(node.step, {"status": "Succeeded" if code == 0 else "Failed", "exitCode": code,
                                 "finished": True})
        if code == 0:
            self._upload_outputs(node, template)
        return code

    def _sink(self, line: LogLine) -> None:
        self.services.append_log(self.ctx, self.execution.id, LogEntry(
            timestamp=line.timestamp, msg=line.msg, container=line.container, pod=line.pod, stream=line.stream))

    def _recipe(self, image: str) -> ImageRecipe:
        with self._lock:
            if image not in self._built:
                recipe = self.services.images.recipe(image, lambda: self._repository_folder(image))
                build_into(recipe, self.fs)  # once per image and execution, like a pull
                self._built[image] = recipe
            return self._built[image]

    def _repository_folder(self, image: str) -> Optional[Path]:
        if self.services.checkouts is None or self.repository is None:
            return None
        url, commit = self.repository
        return self.services.checkouts.folder_for(self.ctx.tenant, url, commit, image)

    def _tops(self, node, template, spec_of, recipe, workdir) -> Set[str]:
        paths: List[str] = [workdir] + [dest for _, dest in recipe.copies]
        for group in ("inputs", "outputs"):
            paths += [a.get("path", "") for a in (template.get(group) or {}).get("artifacts") or []]
        paths += [a.get("path", "") for a in self.workflow_artifacts]
        paths += [m.get("mountPath", "") for m in spec_of.get("volumeMounts") or [] if isinstance(m, dict)]
        tops = {t for t in (top_of(p) for p in paths if p) if t}
        blocked = tops & (SYSTEM_TOPS | self.services.protected)
        if blocked:
            raise WorkflowError(f"Step '{node.step}' uses container paths under /{', /'.join(sorted(blocked))}, "
                                "which the local engine cannot replace on this host; use another folder "
                                "(for example /app, /data or /mnt).")
        tops.add("tmp")  # a private /tmp (and HOME) per execution, under AICORE_HOME like everything it writes
        if "script" in template:
            tops.add("argo")  # the script's source is at /argo/staging/..., as Argo puts it
        for top in tops:
            (self.fs / top).mkdir(parents=True, exist_ok=True)
        return tops

    def _argv(self, node, template, spec_of, recipe, scratch: Path) -> List[str]:
        command = [str(c) for c in spec_of.get("command") or []]
        args = [str(a) for a in spec_of.get("args") or []]
        if "script" in template:
            # In the pod, not under AICORE_HOME: the step cannot see the stack's folders.
            source = f"/argo/staging/{scratch.name}/script"
            container_path(self.fs, source).parent.mkdir(parents=True, exist_ok=True)
            container_path(self.fs, source).write_text(str(spec_of.get("source") or ""))
            return (command or ["sh"]) + [source]
        # Docker's rules: a template command replaces ENTRYPOINT and CMD; args alone replace CMD.
        argv = command + args if command else recipe.entrypoint + (args or recipe.cmd)
        if not argv:
            raise WorkflowError(f"Step '{node.step}' has no command: give the container a command or args, or "
                                "an ENTRYPOINT/CMD in the image's Dockerfile.")
        return argv

    def _env(self, node, spec_of, recipe) -> Dict[str, str]:
        env = dict(recipe.env)
        secrets: Dict[str, Dict[str, bytes]] = {}

        def secret(name: str) -> Dict[str, bytes]:
            if name not in secrets:
                try:
                    secrets[name] = self.services.generic_secrets.read_data(self.ctx, name)
                except NotFound:
                    raise WorkflowError(f"Step '{node.step}' reads generic secret '{name}', which does not exist "
                                        f"in resource group '{self.ctx.resource_group}'.") from None
            return secrets[name]

        for source in spec_of.get("envFrom") or []:
            ref = (source or {}).get("secretRef") or {}
            if ref.get("name"):
                env.update({k: v.decode("utf-8", "replace") for k, v in secret(ref["name"]).items()})
        for item in spec_of.get("env") or []:
            if not isinstance(item, dict) or not item.get("name"):
                continue
            ref = ((item.get("valueFrom") or {}).get("secretKeyRef")) or None
            if ref:
                data = secret(str(ref.get("name")))
                if ref.get("key") not in data:
                    raise WorkflowError(f"Step '{node.step}': generic secret '{ref.get('name')}' has no key "
                                        f"'{ref.get('key')}'.")
                env[item["name"]] = data[ref["key"]].decode("utf-8", "replace")
            else:
                env[item["name"]] = str(item.get("value", ""))
        env["AICORE_EXECUTION_ID"] = self.execution.id
        env.update(self.services.tracking_env(self.ctx, self.execution.id))
        env["AICORE_RESOURCE_GROUP"] = self.ctx.resource_group or ""
        return env

    def _place_workflow_inputs(self, node) -> None:
        with self._lock:
            if self._workflow_inputs_placed:
                return
            self._workflow_inputs_placed = True
        self._download(node, self.workflow_artifacts)

    def _download_inputs(self, node, template) -> None:
        self._download(node, (template.get("inputs") or {}).get("artifacts") or [])

    def _download(self, node, items: List[Dict[str, Any]]) -> None:
        for item in items:
            name, path = item.get("name"), item.get("path")
            if not name or not path:
                continue
            artifact = self.inputs.get(name)
            if artifact is None:
                if item.get("optional"):
                    continue
                raise WorkflowError(f"Step '{node.step}' needs input artifact '{name}': bind it in the "
                                    f"configuration (inputArtifactBindings key '{name}').")
            try:
                location = self.services.locations.resolve_url(self.ctx, artifact.url)
                artifact_io.download(self.services.object_store, location, container_path(self.fs, path),
                                     as_folder=path.endswith("/"))
            except (DomainError, ValueError, OSError) as err:
                raise WorkflowError(f"Step '{node.step}': input artifact '{name}' ({artifact.url}) could not be "
                                    f"downloaded: {getattr(err, 'message', err)}") from None

    def _upload_outputs(self, node, template) -> None:
        for item in (template.get("outputs") or {}).get("artifacts") or []:
            name, path = item.get("globalName"), item.get("path")
            if not name or not path:
                continue  # without globalName an output stays in the execution's folders
            url = ai_url("default", f"{self.execution.id}/{name}")
            try:
                location = self.services.locations.locate(self.ctx, "default", f"{self.execution.id}/{name}")
                archive = "none" not in (item.get("archive") or {})
                artifact_io.upload(self.services.object_store, location, container_path(self.fs, path), archive)
            except FileNotFoundError:
                if item.get("optional"):
                    continue
                raise WorkflowError(f"Step '{node.step}' produced nothing at {path} for output artifact "
                                    f"'{name}'.") from None
            except (DomainError, OSError) as err:
                raise WorkflowError(f"Step '{node.step}': output artifact '{name}' could not be stored at {url}: "
                                    f"{getattr(err, 'message', err)}") from None
            kind = self.output_kinds.get(name) or "model"
            self.services.artifacts.register(
                self.ctx, name, ArtifactKind(kind) if kind in {k.value for k in ArtifactKind} else
                ArtifactKind.OTHER, url, self.execution.scenario_id,
                description=f"Output '{name}' of execution {self.execution.id}", execution_id=self.execution.id,
                configuration_id=self.execution.configuration_id)


def protected_tops(home: Path) -> Set[str]:
    """Tops a container path may not replace: the folders of AICORE_HOME and of the interpreter's installation.
    /tmp is always the run's own (the sandbox binds the interpreter back in if it lives there)."""
    return {t for t in (top_of(str(Path(home).resolve())), top_of(str(Path(sys.executable).resolve())),
                        top_of(sys.executable), top_of(sys.prefix)) if t} - {"tmp"}
