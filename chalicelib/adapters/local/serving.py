"""The local deployment engine: each deployment's KServe predictor runs as a host process on a free port.

Life of a deployment here:
- start / new configuration: render the predictor, download its storageUri into the deployment's folder (what
  KServe mounts at /mnt/models), launch it on a free port (PORT env, the declared containerPort rewritten), and
  record RUNNING only once it answers HTTP. On a configuration switch the old predictor keeps serving until the new
  one answers; then the proxy's target flips atomically and the old one is drained and stopped.
- a predictor that exits on its own makes the deployment DEAD (its output stays in the log store);
- stop ends the process group; delete also removes the folder; `expire()` deletes deployments whose ttl ran out;
  `reconcile()` (stack start) restarts deployments that were live when the stack went away.
Folders: <home>/deployments/<tenant>/<group>/<id>/ with owner.json (who it belongs to, for reconcile and ttl)
and replica.json (the running process, so a predictor orphaned by `kill -9` of the stack is ended at restart).
"""
from __future__ import annotations

import json
import logging
import shutil
import threading
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple
from urllib.parse import quote, unquote

from chalicelib.domain.clock import Clock
from chalicelib.domain.configurations import find_executable
from chalicelib.domain.context import TenantContext
from chalicelib.domain.deployments import ttl_minutes
from chalicelib.domain.errors import DomainError, NotFound, PreconditionFailed
from chalicelib.domain.inference import predictor_for
from chalicelib.domain.lifecycle import Status, TargetStatus
from chalicelib.domain.logs import LogEntry
from chalicelib.domain.records import RecordStore
from chalicelib.domain.runs import (Deployment, RunRepository, mark_finished, mark_pending, mark_running,
                                    mark_stopped, mark_stopping)
from chalicelib.domain.telemetry import NullTelemetry, Telemetry
from chalicelib.domain.traffic_recording import sample_rate

from .checkout import default_image_folder
from .runner import StepProcess
from .serving_replica import Launch, Replica, kill_orphan, launch_replica

log = logging.getLogger("aicore.serving")
Key = Tuple[str, str, str]  # tenant, resource group, deployment id
LogSink = Callable[[TenantContext, str, LogEntry], None]
LIVE = (Status.UNKNOWN, Status.PENDING, Status.RUNNING)


def _key(ctx: TenantContext, deployment_id: str) -> Key:
    return ctx.tenant, ctx.resource_group or "", deployment_id


class LocalDeploymentEngine:
    def __init__(self, store: RecordStore, clock: Clock, root: Path, fetch_storage: Callable, log_sink: LogSink,
                 launch: Launch = StepProcess, ready_seconds: float = 120.0, drain_seconds: float = 10.0,
                 images=None, forget_logs: Optional[Callable[[TenantContext, str], None]] = None,
                 checkouts=None, telemetry: Optional[Telemetry] = None):
        self._store = store
        self._telemetry = telemetry or NullTelemetry()  # predictor readiness and restarts
        self._runs = RunRepository(store)
        self._clock = clock
        self._root = root
        self._fetch_storage = fetch_storage  # (ctx, url, folder) -> None: downloads an artifact URL
        self._log_sink = log_sink
        self._launch = launch
        self._images = images  # images.ImageResolver: image -> folder (Dockerfile), as for execution steps
        self._checkouts = checkouts  # checkout.RepositoryCheckouts: the default folder, from the synced repository
        self._forget_logs = forget_logs  # a deleted deployment's log goes with it (kept while it is only DEAD)
        self._ready_seconds = ready_seconds
        self._drain_seconds = drain_seconds
        self._lock = threading.Lock()
        self._serving: Dict[Key, Replica] = {}  # the predictor the proxy sends requests to
        self._starting: Dict[Key, Replica] = {}  # a predictor launched but not answering yet
        self._generation: Dict[Key, int] = {}  # bumped by every start/switch/stop: stale rollouts give up

    # -- the deployment half of the Orchestrator port ----------------------------------------------------
    def start_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._own(ctx, deployment.id)
        self._roll_out(ctx, deployment.id)

    def update_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._roll_out(ctx, deployment.id)

    def stop_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        key = _key(ctx, deployment.id)
        replicas = self._take_down(key)
        self._figure("predictor_forgotten", ctx, deployment.id)  # stopped on purpose: not "down", and for good
        self._step(ctx, deployment.id, lambda d: mark_stopping(d, self._clock.now()) if d.status in LIVE else None)

        def finish() -> None:
            for replica in replicas:
                replica.stop()
            self._step(ctx, deployment.id, lambda d: mark_stopped(d, self._clock.now())
                       if d.status in LIVE + (Status.STOPPING,) else None)

        threading.Thread(target=finish, name=f"stop-{deployment.id}", daemon=True).start()

    def delete_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._remove(ctx, deployment.id)

    # -- what the proxy asks ------------------------------------------------------------------------------
    def acquire(self, ctx: TenantContext, deployment_id: str) -> Optional[Replica]:
        """The replica serving this deployment, with one more request in flight (release() it), or None."""
        with self._lock:
            replica = self._serving.get(_key(ctx, deployment_id))
            if replica is not None:
                replica.lease()
            return replica

    # -- background duties --------------------------------------------------------------------------------
    def expire(self) -> int:
        """Delete deployments whose ttl (counted from creation) has run out; returns how many."""
        now, expired = self._clock.now(), 0
        for ctx, deployment_id in self._owned():
            deployment = self._runs.find(ctx, Deployment, deployment_id)
            if deployment is None:
                self._forget(ctx, deployment_id)
                continue
            if deployment.ttl and (now - deployment.created_at).total_seconds() >= ttl_minutes(deployment.ttl) * 60:
                log.info("deployment %s: ttl %s expired, deleting it", deployment_id, deployment.ttl)
                self._remove(ctx, deployment_id)
                expired += 1
        return expired

    def reconcile(self) -> None:
        """At stack start: end predictors orphaned by a previous stack, then bring live deployments back."""
        for ctx, deployment_id in self._owned():
            folder = self._folder(ctx, deployment_id)
            kill_orphan(folder)
            deployment = self._runs.find(ctx, Deployment, deployment_id)
            if deployment is None or deployment.target_status == TargetStatus.DELETED:
                self._remove(ctx, deployment_id)
            elif deployment.target_status == TargetStatus.STOPPED:
                self._step(ctx, deployment_id, lambda d: mark_stopped(d, self._clock.now(), "Stopped while the "
                           "local stack was down.") if d.status in LIVE + (Status.STOPPING,) else None)
            elif deployment.status in LIVE:
                log.info("deployment %s: restarting its predictor after a stack restart", deployment_id)
                self._figure("predictor_restarted", ctx, deployment_id, "stack_restart")
                self._roll_out(ctx, deployment_id, "Restarting the predictor: the local stack was restarted.")

    def shutdown(self) -> None:
        """Stack stop: end every predictor; records stay as they are so reconcile() restarts them."""
        with self._lock:
            replicas = list(self._serving.values()) + list(self._starting.values())
            self._serving.clear()
            self._starting.clear()
            for key in self._generation:
                self._generation[key] += 1
        for replica in replicas:
            replica.stop(forget=False)

    # -- rollout ------------------------------------------------------------------------------------------
    def _roll_out(self, ctx: TenantContext, deployment_id: str, message: Optional[str] = None) -> None:
        key = _key(ctx, deployment_id)
        with self._lock:
            generation = self._generation.get(key, 0) + 1
            self._generation[key] = generation
            superseded = self._starting.pop(key, None)
        if superseded is not None:
            superseded.stop()
        if not self._step(ctx, deployment_id, lambda d: mark_pending(d, self._clock.now(), message or "Starting the predictor.")):
            return
        threading.Thread(target=self._bring_up, args=(ctx, deployment_id, generation),
                         name=f"rollout-{deployment_id}", daemon=True).start()

    def _current(self, key: Key, generation: int) -> bool:
        return self._generation.get(key) == generation

    def _bring_up(self, ctx: TenantContext, deployment_id: str, generation: int) -> None:
        key = _key(ctx, deployment_id)
        replica: Optional[Replica] = None
        try:
            deployment = self._runs.find(ctx, Deployment, deployment_id)
            if deployment is None or not self._current(key, generation):
                return
            predictor = predictor_for(self._store, ctx, deployment)
            folder = self._folder(ctx, deployment_id)
            sink = lambda entry: self._log_sink(ctx, deployment_id, entry)  # noqa: E731
            executable = find_executable(self._store, ctx, deployment.scenario_id, deployment.executable_id)
            default_folder = default_image_folder(self._checkouts, self._store, ctx, executable,
                                                  predictor.container.image)
            replica = launch_replica(self._launch, predictor, folder, f"{deployment_id}-{generation}",
                                     deployment.configuration_id, sink,
                                     lambda url, dest: self._fetch_storage(ctx, url, dest), self._images,
                                     default_folder)
            replica.record_rate = sample_rate(executable.template) if executable is not None else 0.0
            with self._lock:
                if not self._current(key, generation):
                    raise _Superseded()
                self._starting[key] = replica
            error = replica.wait_until_answering(self._ready_seconds, lambda: self._current(key, generation))
            if error is not None:
                raise _Failed(error)
            self._switch(ctx, deployment_id, key, generation, replica)
        except _Superseded:
            if replica is not None:
                replica.stop()
        except (_Failed, DomainError) as err:
            if replica is not None:
                replica.stop(forget=False)
            with self._lock:
                if self._starting.get(key) is replica:
                    self._starting.pop(key, None)
                current = self._current(key, generation)
            if current:
                self._fail(ctx, deployment_id, key, getattr(err, "message", None) or str(err))
        except Exception:  # noqa: BLE001 - a bug must end the rollout visibly, not kill the thread silently
            log.exception("deployment %s: rollout failed", deployment_id)
            if replica is not None:
                replica.stop(forget=False)
            self._fail(ctx, deployment_id, key, "The local engine failed to start the predictor (see the stack log).")

    def _switch(self, ctx: TenantContext, deployment_id: str, key: Key, generation: int, replica: Replica) -> None:
        with self._lock:
            if not self._current(key, generation):
                raise _Superseded()
            self._starting.pop(key, None)
            old = self._serving.get(key)
            self._serving[key] = replica
        replica.on_exit(lambda code: self._exited(ctx, deployment_id, key, replica, code))
        done = self._step(ctx, deployment_id, lambda d: mark_running(d, self._clock.now(), "Predictor is answering."))
        if not done:
            self._take_down(key)
            replica.stop()
        # Not recorded: stopped or deleted meanwhile, which forgot its figures; a 0 left now would read as "down".
        if done:
            self._figure("predictor_ready", ctx, deployment_id, True)
        if old is not None:
            threading.Thread(target=old.drain_and_stop, args=(self._drain_seconds,), daemon=True).start()

    def _fail(self, ctx: TenantContext, deployment_id: str, key: Key, message: str) -> None:
        with self._lock:
            still_serving = self._serving.get(key)
        if still_serving is not None:
            # A switch failed: the previous configuration keeps serving and stays the rollback target.
            def keep(d: Deployment) -> None:
                mark_running(d, self._clock.now(), f"Configuration '{d.configuration_id}' failed, still serving "
                             f"'{still_serving.configuration_id}': {message}")
                d.latest_running_configuration_id = still_serving.configuration_id
            self._step(ctx, deployment_id, keep)
        else:
            self._figure("predictor_ready", ctx, deployment_id, False)
            self._step(ctx, deployment_id, lambda d: mark_finished(d, Status.DEAD, self._clock.now(), message))

    def _exited(self, ctx: TenantContext, deployment_id: str, key: Key, replica: Replica, code: int) -> None:
        with self._lock:
            if self._serving.get(key) is not replica:
                return  # replaced or stopped on purpose
            self._serving.pop(key, None)
        # In a cluster the kubelet would restart the container; here the deployment ends DEAD. Either way the
        # operator wants to see the exit, and that no predictor is ready.
        self._figure("predictor_restarted", ctx, deployment_id, "exited")
        self._figure("predictor_ready", ctx, deployment_id, False)
        self._step(ctx, deployment_id, lambda d: mark_finished(
            d, Status.DEAD, self._clock.now(), f"The predictor exited with code {code}; its output is in the "
            "deployment logs.") if d.status in LIVE else None)

    # -- helpers ------------------------------------------------------------------------------------------
    def _figure(self, name: str, ctx: TenantContext, deployment_id: str, *args) -> None:
        try:
            getattr(self._telemetry, name)(ctx.tenant, ctx.resource_group or "", deployment_id, *args)
        except Exception:  # noqa: BLE001 - a figure never fails the deployment it describes
            log.warning("could not record %s for deployment %s", name, deployment_id, exc_info=True)

    def _take_down(self, key: Key) -> list:
        with self._lock:
            self._generation[key] = self._generation.get(key, 0) + 1
            return [r for r in (self._serving.pop(key, None), self._starting.pop(key, None)) if r is not None]

    def _remove(self, ctx: TenantContext, deployment_id: str) -> None:
        for replica in self._take_down(_key(ctx, deployment_id)):
            replica.stop()
        self._runs.remove(ctx, Deployment, deployment_id)
        self._forget(ctx, deployment_id)
        self._figure("predictor_forgotten", ctx, deployment_id)

    def _step(self, ctx: TenantContext, deployment_id: str, step) -> bool:
        try:
            self._runs.update(ctx, Deployment, deployment_id, step)
            return True
        except (NotFound, PreconditionFailed) as err:
            log.info("deployment %s: status not changed (%s)", deployment_id, err)
            return False

    def _folder(self, ctx: TenantContext, deployment_id: str) -> Path:
        return self._root / quote(ctx.tenant, safe="") / (ctx.resource_group or "_") / deployment_id

    def _own(self, ctx: TenantContext, deployment_id: str) -> None:
        folder = self._folder(ctx, deployment_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "owner.json").write_text(json.dumps({"tenant": ctx.tenant, "resourceGroup": ctx.resource_group,
                                                       "id": deployment_id}))

    def _forget(self, ctx: TenantContext, deployment_id: str) -> None:
        shutil.rmtree(self._folder(ctx, deployment_id), ignore_errors=True)
        if self._forget_logs is not None:
            self._forget_logs(ctx, deployment_id)
        with self._lock:
            self._generation.pop(_key(ctx, deployment_id), None)

    def _owned(self):
        for owner in sorted(self._root.glob("*/*/*/owner.json")):
            try:
                data = json.loads(owner.read_text())
                yield TenantContext(data["tenant"], data["resourceGroup"]), data["id"]
            except (OSError, ValueError, KeyError):
                log.warning("ignoring unreadable %s (tenant %s)", owner, unquote(owner.parts[-4]))


class _Superseded(Exception):
    """A newer start, switch or stop took over this rollout."""


class _Failed(Exception):
    pass
