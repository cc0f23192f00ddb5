"""The local execution engine: each execution runs its WorkflowTemplate on a background thread of the stack.

Status: PENDING when accepted, RUNNING when the walk starts, then COMPLETED, DEAD (statusMessage says why) or
STOPPED (a stop ends every process group of the run). statusDetails carries one entry per step.
A marker file per run in flight (AICORE_HOME/runs/inflight/...) lets `reconcile()` at the next start end the
runs a crash or kill -9 interrupted, without scanning the tables. The marker also lists the process groups of the
steps then running: they live in their own sessions and outlive a killed stack, so reconcile ends them too (only
a group whose leader still carries this execution's AICORE_EXECUTION_ID: a reused pid is left alone).
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from chalicelib.domain.argo.interpreter import WorkflowRun
from chalicelib.domain.argo.pods import SUCCEEDED, Cancelled, WorkflowError
from chalicelib.domain.argo.references import unresolvable
from chalicelib.domain.argo.support import refusals
from chalicelib.domain.clock import Clock
from chalicelib.domain.configurations import Configuration
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.records import RecordStore
from chalicelib.domain.run_steps import (bound_inputs, load_run, parameters_of, require_default_store,
                                         unless_stopped, when_live, with_details)
from chalicelib.domain.runs import (Execution, RunRepository, mark_finished, mark_pending, mark_running,
                                    mark_stopped, mark_stopping)
from chalicelib.domain.telemetry import NullTelemetry, RunEndReport

from .checkout import synced_repository
from .logs import _segment
from .step_details import RunMarkers, StepDetails
from .steps import ExecutionSteps, RunServices

log = logging.getLogger("aicore.engine")
RESTARTED = "The local stack restarted while this execution was running; start it again."
SHUT_DOWN = "The local stack was stopped while this execution was running; start it again."
Key = Tuple[str, str, str]


class LocalExecutionEngine:
    def __init__(self, store: RecordStore, clock: Clock, services: RunServices, home: Path):
        self._store = store
        self._runs = RunRepository(store)
        self._clock = clock
        self._services = services
        self._root = Path(home) / "runs"
        self._active: Dict[Key, ExecutionSteps] = {}
        self._threads: Dict[Key, threading.Thread] = {}
        self._stop_requested: set = set()  # stops that came before the run had registered its steps
        self._lock = threading.Lock()
        self._marker_lock = threading.Lock()

    # -- orchestrator-facing -------------------------------------------------------------------------
    def start(self, ctx: TenantContext, execution: Execution) -> None:
        self._update(ctx, execution.id, lambda r: mark_pending(r, self._clock.now()))
        key = (ctx.tenant, ctx.require_resource_group(), execution.id)
        self._write_marker(key, [])
        thread = threading.Thread(target=self._execute, args=(ctx, execution.id, key), daemon=True,
                                  name=f"execution-{execution.id}")
        with self._lock:
            self._threads[key] = thread
        thread.start()

    def stop(self, ctx: TenantContext, execution: Execution) -> None:
        key = (ctx.tenant, ctx.require_resource_group(), execution.id)
        with self._lock:
            steps = self._active.get(key)
            thread = self._threads.get(key)
            if steps is None and thread is not None:
                self._stop_requested.add(key)
        if thread is not None and thread.is_alive():
            self._update(ctx, execution.id, when_live(lambda r: mark_stopping(r, self._clock.now())))
            if steps is not None:
                steps.stop_all()
            return  # the run's thread records STOPPED when its processes are gone
        self._update(ctx, execution.id, when_live(lambda r: mark_stopped(r, self._clock.now())))

    def delete(self, ctx: TenantContext, execution: Execution) -> None:
        key = (ctx.tenant, ctx.require_resource_group(), execution.id)
        with self._lock:
            steps = self._active.get(key)
        if steps is not None:
            steps.stop_all()
        self._runs.remove(ctx, Execution, execution.id)
        shutil.rmtree(self._folder(key), ignore_errors=True)
        if self._services.delete_log is not None:  # a deleted execution's logs go with it
            self._services.delete_log(ctx, execution.id)

    def shutdown(self, wait_seconds: float = 10.0) -> None:
        """Stack stop: end every run in flight as DEAD (the next start would not find its processes)."""
        with self._lock:
            running = list(self._active.items())
            threads = list(self._threads.values())
        for key, steps in running:
            steps.shutdown_message = SHUT_DOWN
            steps.stop_all()
        for thread in threads:
            thread.join(wait_seconds)

    def reconcile(self) -> int:
        """At start: runs that were in flight when the stack went away end DEAD, never left RUNNING."""
        count = 0
        for marker in sorted((self._root / "inflight").rglob("*.json")):
            try:
                info = json.loads(marker.read_text())
                _end_orphans(info["id"], info.get("pgids") or [])
                ctx = TenantContext(info["tenant"], info["rg"])
                self._update(ctx, info["id"], when_live(lambda r: mark_finished(r, Status.DEAD, self._clock.now(),
                                                                                 RESTARTED)))
                count += 1
            except (ValueError, KeyError, DomainError):
                log.warning("could not reconcile %s", marker, exc_info=True)
            marker.unlink(missing_ok=True)
        return count

    # -- the run ---------------------------------------------------------------------------------------
    def _execute(self, ctx: TenantContext, execution_id: str, key: Key) -> None:
        steps: Optional[ExecutionSteps] = None
        markers: Optional[RunMarkers] = None
        try:
            execution = self._runs.get(ctx, Execution, execution_id)
            configuration, executable = self._load(ctx, execution)
            refused = refusals(executable.template) + unresolvable(
                executable.template, [b.key for b in configuration.parameter_bindings])
            if refused:  # before any step: a run never goes ahead with part of its template dropped
                raise WorkflowError("; ".join(refused))
            steps = ExecutionSteps(
                ctx, execution, self._folder(key), self._inputs(ctx, configuration),
                {a.name: a.kind for a in executable.output_artifacts}, self._services,
                on_step=lambda path, details: None)
            steps.repository = self._repository(ctx, executable)
            steps.workflow_artifacts = _workflow_artifacts(executable.template)
            markers = RunMarkers(lambda pids: self._write_marker(key, pids))
            steps.on_processes = markers.update
            details = StepDetails(lambda snapshot: self._update(ctx, execution_id, with_details(snapshot, self._clock)),
                                  self._clock)
            steps.on_step = details.update
            with self._lock:
                self._active[key] = steps
                if key in self._stop_requested:
                    steps.stop_all()
            plan = WorkflowRun(executable.template, parameters_of(configuration),
                               steps, execution_id, bindings=[b.key for b in configuration.input_artifact_bindings],
                               cancelled=steps.cancelled, on_node=details.update,
                               namespace=ctx.resource_group or "default")
            self._require_default_store(ctx, executable.template, execution_id)
            # A stop right after the create (the JS SDK's walk does it) may already have moved the run to
            # STOPPING or STOPPED: then it never starts and ends STOPPED, not DEAD on a refused transition.
            started = self._update(ctx, execution_id, unless_stopped(lambda r: mark_running(r, self._clock.now())))
            if started is None or started.status is not Status.RUNNING:
                raise Cancelled()
            try:
                outcome = plan.run()
            finally:
                details.close()
            if outcome.phase == SUCCEEDED:
                self._finish(ctx, execution_id, Status.COMPLETED, "Execution completed.")
            else:
                self._finish(ctx, execution_id, Status.DEAD, outcome.message or f"The workflow ended {outcome.phase}.")
        except Cancelled:
            message = getattr(steps, "shutdown_message", None)
            if message:
                self._finish(ctx, execution_id, Status.DEAD, message)
            else:
                self._update(ctx, execution_id, when_live(lambda r: mark_stopped(r, self._clock.now(),
                                                                                  "Execution stopped.")))
        except (WorkflowError, DomainError) as err:
            self._finish(ctx, execution_id, Status.DEAD, getattr(err, "message", None) or str(err))
        except Exception as err:  # noqa: BLE001 - a run must end with a status, whatever broke
            log.exception("execution %s failed in the engine", execution_id)
            self._finish(ctx, execution_id, Status.DEAD, f"The local engine failed: {type(err).__name__}.")
        finally:
            with self._lock:
                self._active.pop(key, None)
                self._threads.pop(key, None)
                self._stop_requested.discard(key)
            if markers is not None:
                markers.close()  # no write of it may come after the unlink below
            self._marker(key).unlink(missing_ok=True)
            if self._services.close_log is not None:
                self._services.close_log(ctx, execution_id)

    def _load(self, ctx: TenantContext, execution: Execution):
        return load_run(self._store, ctx, execution)

    def _repository(self, ctx: TenantContext, executable) -> Optional[Tuple[str, str]]:
        """Where the template was synced from: the default image folder is that repository."""
        return synced_repository(self._store, ctx, executable)

    def _inputs(self, ctx: TenantContext, configuration: Configuration) -> Dict[str, Any]:
        return bound_inputs(self._services.artifacts, ctx, configuration)

    def _require_default_store(self, ctx: TenantContext, template: Dict[str, Any], execution_id: str) -> None:
        require_default_store(self._services.locations, ctx, template, execution_id)

    def _finish(self, ctx: TenantContext, execution_id: str, status: Status, message: str) -> None:
        self._update(ctx, execution_id, when_live(lambda r: mark_finished(r, status, self._clock.now(), message)))

    def _update(self, ctx: TenantContext, execution_id: str, step) -> Optional[Execution]:
        # Every status write of this engine passes here: the one that ends the run reports it (telemetry).
        report = RunEndReport(self._services.telemetry or NullTelemetry(), ctx, step)
        try:
            stored = self._runs.update(ctx, Execution, execution_id, report)
        except NotFound:
            return None  # deleted meanwhile
        report.report(stored)
        return stored

    def _folder(self, key: Key) -> Path:
        return self._root.joinpath(*(_segment(k) for k in key))

    def _write_marker(self, key: Key, pgids: List[int]) -> None:
        marker = self._marker(key)
        with self._marker_lock:  # parallel steps report their processes from several threads
            marker.parent.mkdir(parents=True, exist_ok=True)
            tmp = marker.with_suffix(".tmp")
            tmp.write_text(json.dumps({"tenant": key[0], "rg": key[1], "id": key[2], "pgids": pgids}))
            os.replace(tmp, marker)

    def _marker(self, key: Key) -> Path:
        return self._root.joinpath("inflight", *(_segment(k) for k in key)).with_suffix(".json")


def _end_orphans(execution_id: str, pgids: List[int]) -> None:
    """Kill step process groups a dead stack left behind, if they are still this execution's."""
    needle = f"AICORE_EXECUTION_ID={execution_id}".encode()
    for pgid in pgids:
        try:
            with open(f"/proc/{int(pgid)}/environ", "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            os.killpg(int(pgid), signal.SIGKILL)
        except (OSError, ValueError):
            continue



def _workflow_artifacts(template: Dict[str, Any]) -> List[Dict[str, Any]]:
    """spec.arguments.artifacts that name a container path (the bound artifact is placed there)."""
    items = ((template.get("spec") or {}).get("arguments") or {}).get("artifacts") or []
    return [a for a in items if isinstance(a, dict) and a.get("name") and a.get("path")]


def template_problems(document: Dict[str, Any]) -> List[str]:
    """What the sync reports for the local stack: refused fields, and placeholders that can never resolve."""
    return refusals(document) + unresolvable(document)


def use_local_engine(c) -> "LocalExecutionEngine":
    """Local stack only: durable log files, executions on the local engine, runs left in flight reconciled.
    Call before the API serves requests; the caller stops the engine with `shutdown()`."""
    from .logs import FileLogStore
    from .orchestrator import IdleOrchestrator, LocalOrchestrator

    c.__dict__["log_store"] = FileLogStore(c.settings.home / "logs")
    deployments = c.__dict__.get("orchestrator") or IdleOrchestrator(c.store, c.clock)
    c.__dict__["orchestrator"] = LocalOrchestrator(c.execution_engine, deployments)
    c.__dict__["engine_limits"] = template_problems  # the Git sync reports what this engine will refuse to run
    for built_with_the_old_ones in ("logs", "executions", "deployments", "schedules", "git_sync"):
        c.__dict__.pop(built_with_the_old_ones, None)
    ended = c.execution_engine.reconcile()
    if ended:
        log.warning("%d execution(s) were running when the stack last stopped; they are now DEAD", ended)
    return c.execution_engine
