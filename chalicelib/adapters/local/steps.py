"""One execution's pods on the host: `ExecutionSteps` is the PodRunner (chalicelib/domain/argo/pods.py) of the
local engine. The workflow walk calls `run_pod` once per attempt of a container/script template.

Each pod is its own file system, <run folder>/pods/<pod>/fs: its image's files copied in (the image is built once
per run under <run>/images and copied from there), its input artifacts placed, emptyDir volumes fresh inside it,
the run's volumeClaimTemplates bound from <run>/volumes/<name>. Nothing one pod writes is seen by another except
through declared artifacts, as on a cluster. Workflow-level input artifacts with a `path` (`spec.arguments.
artifacts`, as AI Core's ML Operations reference writes them) are placed in every pod at that path.
After the main process ends: outputs.result (stdout), outputs.parameters and outputs.artifacts (pod_outputs.py).
"""
from __future__ import annotations

import logging
import posixpath
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from chalicelib.domain.argo.pods import (ERROR, FAILED, SUCCEEDED, ArtifactInput, Cancelled, PodRequest,
                                         PodResult)
from chalicelib.domain.artifacts import Artifact
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import NotFound
from chalicelib.domain.logs import LogEntry
from chalicelib.domain.runs import Execution

from .images import ImageError, ImageRecipe, ImageResolver, top_of
from .logs import _segment
from .pod_files import (PodError, PodFs, RunCache, copy_image, make_tops, named_paths, unused_tops, volume_binds,
                        write_file)
from .pod_inputs import InputPlacer
from .pod_outputs import (RESULT_LIMIT, ArtifactStore, Outputs, read_parameters, register_global, result_of,
                          save_artifacts, shared_folder_hint)
from .runner import LogLine, ProcessSpec, StepProcess

log = logging.getLogger("aicore.engine")
# Container paths under these would hide the host the step needs (its interpreter, libraries, devices).
SYSTEM_TOPS = {"bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "run", "sbin", "sys",
               "usr", "var"}
SCRIPT = "/argo/staging/script"  # where Argo's executor stages a script template's source
# What Kubernetes reports when a pod outlives its activeDeadlineSeconds; Argo marks the node Failed with it (its
# e2e test/e2e/workflow_test.go asserts NodeFailed and this message), so a retryStrategy OnFailure retries it.
DEADLINE = "Pod was active on the node longer than the specified deadline"


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
    telemetry: Optional[Any] = None  # domain.telemetry.Telemetry: executions by status and duration


def _absolute(path: str) -> str:
    return posixpath.normpath("/" + str(path).lstrip("/"))


@dataclass
class _Pod:
    spec: ProcessSpec
    fs: PodFs
    words: List[str]  # command, args and script source: where a failed step names its paths
    unwritten: Dict[Path, int] = field(default_factory=dict)  # top-level output files made empty: mtime_ns then


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
    _finished: List[Tuple[str, PodFs]] = field(default_factory=list)  # (step path, pod fs) in the order they ended
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._cache = RunCache(self.folder)

    def stop_all(self) -> None:
        self.cancelled.set()
        for process in list(self.processes):
            process.stop()

    # -- PodRunner ---------------------------------------------------------------------------------------------
    def suspend(self, seconds: float) -> None:
        if self.cancelled.wait(max(0.0, seconds)):
            raise Cancelled()

    def run_pod(self, request: PodRequest) -> PodResult:
        if self.cancelled.is_set():
            raise Cancelled()
        folder = self.folder / "pods" / _segment(request.pod)
        shutil.rmtree(folder, ignore_errors=True)  # an attempt under a name already used starts afresh
        self.on_step(request.path, {"pod": request.pod, "status": "Running", "attempt": request.attempt})
        try:
            pod = self._prepare(request, folder)
        except (PodError, OSError) as err:  # OSError: the host refused a copy (disk full, permissions)
            return self._end(request, PodResult(ERROR, message=str(err)))
        if self.cancelled.is_set():  # stopped while its inputs were being placed
            self.on_step(request.path, {"status": "Stopped", "finished": True})
            raise Cancelled()
        try:
            process = StepProcess(pod.spec, self._sink, keep_stdout=RESULT_LIMIT + 1)
        except OSError as err:  # the sandbox is refused here, or the program cannot be started
            return self._end(request, PodResult(ERROR, message=f"could not start: {err.strerror or err}"))
        code, late = self._wait(process, request.timeout_seconds)
        with self._lock:
            self._finished.append((request.path, pod.fs))
        if self.cancelled.is_set():
            self.on_step(request.path, {"status": "Stopped", "exitCode": code, "finished": True})
            raise Cancelled()
        return self._end(request, self._outcome(request, pod, process, code, late))

    def _wait(self, process: StepProcess, timeout: Optional[float]) -> Tuple[int, bool]:
        self.processes.add(process)
        self.on_processes([p.pid for p in list(self.processes)])
        if self.cancelled.is_set():  # a stop that came while this process was starting
            process.stop()
        late = False
        try:
            try:
                code = process.wait(timeout if timeout is None else max(0.0, timeout))
            except subprocess.TimeoutExpired:
                late = True
                process.stop()
                code = process.wait()
        finally:
            self.processes.discard(process)
            self.on_processes([p.pid for p in list(self.processes)])
        return code, late

    def _outcome(self, request: PodRequest, pod: _Pod, process: StepProcess, code: int, late: bool) -> PodResult:
        # Argo's wait container saves the outputs whatever the exit code (exit handlers and continueOn read them);
        # only a pod that exited 0 turns a missing output into its failure.
        for path, mtime in pod.unwritten.items():
            try:
                if path.stat().st_size == 0 and path.stat().st_mtime_ns == mtime:
                    path.unlink()  # never written: missing, as on Argo
            except OSError:
                pass
        out = Outputs(result=result_of(process.stdout()))
        read_parameters(pod.fs, request.template, out)
        repo = ArtifactStore(self._default_location, self.services.object_store)
        saved = save_artifacts(pod.fs, request.template, self.execution.id, request.pod, repo, out)
        done = PodResult(SUCCEEDED, exit_code=code, result=out.result, parameters=out.parameters,
                         artifacts=out.artifacts)
        if late:
            done.phase, done.message = FAILED, DEADLINE
        elif code != 0:
            done.phase, done.message = FAILED, f"Error (exit code {code})"
            with self._lock:
                earlier = [(path, fs) for path, fs in self._finished if fs is not pod.fs]
            hint = shared_folder_hint(pod.words, pod.fs, earlier)
            done.message += f": {hint}" if hint else ""
        elif out.errors:
            done.phase, done.message = ERROR, "; ".join(out.errors)
        else:
            try:
                register_global(self.ctx, self.execution, self.services, self.output_kinds, saved)
            except PodError as err:
                done.phase, done.message = ERROR, str(err)
        return done

    def _end(self, request: PodRequest, result: PodResult) -> PodResult:
        details: Dict[str, Any] = {"status": result.phase, "finished": True}
        if result.exit_code is not None:
            details["exitCode"] = result.exit_code
        if result.message:
            details["message"] = result.message
        self.on_step(request.path, details)
        return result

    def _sink(self, line: LogLine) -> None:
        self.services.append_log(self.ctx, self.execution.id, LogEntry(
            timestamp=line.timestamp, msg=line.msg, container=line.container, pod=line.pod, stream=line.stream))

    # -- the pod's file system -------------------------------------------------------------------------------
    def _prepare(self, request: PodRequest, folder: Path) -> _Pod:
        template = request.template
        spec_of = template.get("container") or template.get("script") or {}
        image = str(spec_of.get("image") or "")
        try:
            recipe, built = self._cache.image(image, self._recipe_of)
        except (ImageError, OSError) as err:
            raise PodError(f"image '{image}': {err}") from None
        fs = folder / "fs"
        fs.mkdir(parents=True)
        image_tops = copy_image(built, fs)
        workdir = str(spec_of.get("workingDir") or recipe.workdir)
        argv = self._argv(template, spec_of, recipe)
        words = argv + ([str(spec_of.get("source") or "")] if "script" in template else [])
        mounts = [m for m in spec_of.get("volumeMounts") or [] if isinstance(m, dict) and m.get("mountPath")]
        outputs = template.get("outputs") or {}
        paths = [workdir] + [a.path for a in request.artifacts] + [a.get("path", "") for a in self.workflow_artifacts]
        paths += [a.get("path") or "" for a in outputs.get("artifacts") or [] if isinstance(a, dict)]
        paths += [str(m["mountPath"]) for m in mounts]
        tops = {t for t in (top_of(p) for p in paths if p) if t} | image_tops
        refused = SYSTEM_TOPS | self.services.protected
        blocked = tops & refused
        if blocked:
            raise PodError(f"container paths under /{', /'.join(sorted(blocked))} cannot be replaced by the local "
                           "engine on this host; use another folder (for example /app, /data or /mnt).")
        # An output parameter only reads its file: one under /etc stays the host's (read as missing), not refused.
        read = [((p or {}).get("valueFrom") or {}).get("path") or "" for p in outputs.get("parameters") or []]
        tops |= {t for t in (top_of(p) for p in read if p) if t} - refused
        tops |= unused_tops(named_paths(words), refused) | {"tmp"}  # a private /tmp (and HOME) per pod
        if "script" in template:
            tops.add("argo")
        # An output at the root that names a file (`path: /result.txt`, written as `open("result.txt")` from the
        # root): bound in as an empty file, so the step can write it where a container writes its own root.
        # A name with no extension stays a folder. One the step never wrote is removed before outputs are read.
        declared = [a.get("path") or "" for a in outputs.get("artifacts") or [] if isinstance(a, dict)] + read
        files = {t for t in (top_of(p) for p in declared if p) if t and "." in t.strip(".")
                 and "/" + t in {_absolute(p) for p in declared if p}}
        files = {t for t in files if not (fs / t).exists() and t != "tmp"
                 and not any(top_of(p) == t and _absolute(p) != "/" + t for p in paths + read if p)}
        make_tops(fs, tops - files)
        unwritten = {}
        for top in sorted(files):
            (fs / top).touch()
            unwritten[fs / top] = (fs / top).stat().st_mtime_ns
        pod_fs = PodFs(fs, tops, volume_binds(request, mounts, self.folder / "volumes"))
        binds = {path: str(host) for path, host in pod_fs.binds.items()}
        for mount in mounts:  # emptyDir: a fresh folder in the pod's own file system
            if str(mount.get("name")) not in request.run_volumes:
                host = pod_fs.host(str(mount["mountPath"]))
                host.mkdir(parents=True, exist_ok=True)
                # bound onto itself: a mount point, as the step sees a volume in a container's /proc/mounts
                binds.setdefault(_absolute(str(mount["mountPath"])), str(host))
        if top_of(workdir):
            pod_fs.host(workdir).mkdir(parents=True, exist_ok=True)  # Docker creates a missing WORKDIR
        if "script" in template:
            write_file(pod_fs, SCRIPT, str(spec_of.get("source") or ""))
            pod_fs.host(SCRIPT).chmod(0o755)  # as Argo's executor stages it: `sh -c /argo/staging/script` runs it
        staging = folder / "staging"
        workflow_inputs = [ArtifactInput(name=str(a["name"]), path=str(a["path"]), binding=str(a["name"]),
                                         optional=bool(a.get("optional"))) for a in self.workflow_artifacts]
        placer = InputPlacer(self.ctx, self.services, self.inputs, self._cache, self._default_location)
        for number, item in enumerate(workflow_inputs + list(request.artifacts)):
            placer.place(pod_fs, item, staging / str(number))
        shutil.rmtree(staging, ignore_errors=True)
        spec = ProcessSpec(argv=argv, container="main", pod=request.pod, env=self._env(spec_of, recipe), fs=fs,
                           tops=sorted(tops), workdir=workdir, scratch=folder,
                           binds=binds)
        return _Pod(spec, pod_fs, words, unwritten)

    def _recipe_of(self, image: str) -> ImageRecipe:
        return self.services.images.recipe(image, lambda: self._repository_folder(image))

    def _repository_folder(self, image: str) -> Optional[Path]:
        if self.services.checkouts is None or self.repository is None:
            return None
        url, commit = self.repository
        return self.services.checkouts.folder_for(self.ctx.tenant, url, commit, image)

    def _default_location(self, key: str):
        try:
            return self.services.locations.locate(self.ctx, "default", key)
        except NotFound:
            raise PodError("artifacts are kept in the object store secret named 'default' (Argo's artifact "
                           f"repository): create it in resource group '{self.ctx.resource_group}' first.") from None

    # -- the process --------------------------------------------------------------------------------------------
    def _argv(self, template, spec_of, recipe: ImageRecipe) -> List[str]:
        command = [str(c) for c in spec_of.get("command") or []]
        args = [str(a) for a in spec_of.get("args") or []]
        if "script" in template:
            # Argo appends the staged source file to args, whatever the interpreter (bash, python, node); an empty
            # source adds nothing (operator.go, executeScript).
            return (command or recipe.entrypoint or ["sh"]) + args + ([SCRIPT] if spec_of.get("source") else [])
        # Docker's rules: a template command replaces ENTRYPOINT and CMD; args alone replace CMD.
        argv = command + args if command else recipe.entrypoint + (args or recipe.cmd)
        if not argv:
            raise PodError("no command: give the container a command or args, or an ENTRYPOINT/CMD in the image's "
                           "Dockerfile.")
        return argv

    def _env(self, spec_of, recipe: ImageRecipe) -> Dict[str, str]:
        env = dict(recipe.env)
        secrets: Dict[str, Dict[str, bytes]] = {}

        def secret(name: str) -> Dict[str, bytes]:
            if name not in secrets:
                try:
                    secrets[name] = self.services.generic_secrets.read_data(self.ctx, name)
                except NotFound:
                    raise PodError(f"generic secret '{name}' does not exist in resource group "
                                   f"'{self.ctx.resource_group}'.") from None
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
                    raise PodError(f"generic secret '{ref.get('name')}' has no key '{ref.get('key')}'.")
                env[item["name"]] = data[ref["key"]].decode("utf-8", "replace")
            else:
                env[item["name"]] = str(item.get("value", ""))
        env["AICORE_EXECUTION_ID"] = self.execution.id
        env.update(self.services.tracking_env(self.ctx, self.execution.id))
        env["AICORE_RESOURCE_GROUP"] = self.ctx.resource_group or ""
        return env


def protected_tops(home: Path) -> Set[str]:
    """Tops a container path may not replace: the folders of AICORE_HOME and of the interpreter's installation.
    /tmp is always the run's own (the sandbox binds the interpreter back in if it lives there)."""
    return {t for t in (top_of(str(Path(home).resolve())), top_of(str(Path(sys.executable).resolve())),
                        top_of(sys.executable), top_of(sys.prefix)) if t} - {"tmp"}
