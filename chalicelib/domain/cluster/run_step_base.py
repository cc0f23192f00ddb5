"""What every cluster step of a run shares: the records, the cluster, moving a run's status, archiving its pods'
logs, and the two ways a run lets go of the cluster (stop, delete). The steps themselves: steps.py (render, submit,
poll, update, fail), execution_steps.py (an execution's progress and end), deployment_steps.py (a predictor's)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional

from ..clock import Clock
from ..context import TenantContext
from ..errors import NotFound
from ..lifecycle import Status
from ..logs import LogEntry
from ..records import RecordStore
from ..run_steps import when_live
from ..runs import Run, RunRepository, mark_finished, mark_stopped
from ..telemetry import NullTelemetry, RunEndReport
from .inference_service import inference_service_name
from .log_archive import LogArchive
from .namespaces import WORKLOAD_SERVICE_ACCOUNT
from .pod_logs import ENDED_POD_PHASES, LOG_CONTAINER, parse_pod_log, pod_selector
from .ports import Cluster
from .resource_plans import DEFAULT_RESOURCE_PLANS
from .run_messages import DEPLOYMENT_STOPPED, EXECUTION_STOPPED
from .run_ref import EXECUTION, RunRef
from .workflow_manifest import workflow_name
from .workflow_status import execution_progress

log = logging.getLogger("aicore.cluster")


@dataclass
class ClusterServices:
    """What the steps need besides the cluster and the records (kept narrow so the steps are testable)."""

    artifacts: Any  # ArtifactService
    locations: Any  # ObjectStoreResolver: ai:// -> bucket/key and the store's credentials
    docker_secrets: Any  # DockerRegistrySecretService (read_config)
    generic_secrets: Any  # GenericSecretService (read_data)
    # AICORE_TRACKING_ENDPOINT, AICORE_API_URL, AICORE_AUTH_TOKEN for one run (TrackingCredentials.run_environment)
    tracking_env: Callable[[TenantContext, str], Dict[str, str]]
    log_archive: LogArchive
    service_account: str = WORKLOAD_SERVICE_ACCOUNT
    resource_plans: Mapping[str, dict] = field(default_factory=lambda: DEFAULT_RESOURCE_PLANS)
    poll_pending_seconds: int = 10
    poll_running_seconds: int = 20
    poll_serving_seconds: int = 60
    telemetry: Optional[Any] = None  # domain.telemetry.Telemetry: executions by status and duration
    # (ctx, deployment id, rate) -> the URL KServe's payload logger posts to (traffic_collector); None: no collector
    traffic_logger_url: Optional[Callable[[TenantContext, str, float], str]] = None


def done() -> Dict[str, Any]:
    return {"done": True, "waitSeconds": 0}


class RunStepBase:
    def __init__(self, store: RecordStore, clock: Clock, cluster: Cluster, services: ClusterServices):
        self._store = store
        self._runs = RunRepository(store)
        self._clock = clock
        self._cluster = cluster
        self._services = services

    def stop(self, ref: RunRef) -> None:
        """The user's stop: the Workflow terminated and removed (its logs kept), or the InferenceService removed."""
        run = self._runs.find(ref.ctx, ref.run_class, ref.id)
        if run is None:
            return
        if ref.kind == EXECUTION:
            name = workflow_name(ref.id)
            workflow = self._cluster.get_workflow(ref.namespace, name)
            if workflow is not None and not execution_progress(workflow, ref.id).ended:
                self._cluster.terminate_workflow(ref.namespace, name)
            self._archive_logs(ref, everything=True)
            self._end(ref, Status.STOPPED, EXECUTION_STOPPED,
                      execution_progress(workflow, ref.id).details if workflow is not None else None)
            self._cluster.delete_workflow(ref.namespace, name)
        else:
            self._archive_logs(ref, everything=True)
            self._cluster.delete_inference_service(ref.namespace, inference_service_name(ref.id))
            self._end(ref, Status.STOPPED, DEPLOYMENT_STOPPED)

    def delete(self, ref: RunRef) -> None:
        """Everything of the run: the cluster object, its archived logs, its record."""
        self._remove_from_cluster(ref)
        self._services.log_archive.delete(ref.ctx, ref.kind, ref.id)
        self._runs.remove(ref.ctx, ref.run_class, ref.id)

    def _archive_logs(self, ref: RunRef, everything: bool, pods: Optional[List[Dict[str, Any]]] = None) -> None:
        """Pods that ended (or, at the end, every pod) whose logs are not archived yet. `pods`: as just listed."""
        archive = self._services.log_archive
        done = archive.archived_pods(ref.ctx, ref.kind, ref.id)
        if pods is None:
            pods = self._cluster.list_pods(ref.namespace, pod_selector(ref))
        pods = [p for p in pods if everything or ((p.get("status") or {}).get("phase") in ENDED_POD_PHASES)]
        entries: List[LogEntry] = []
        names: List[str] = []
        for pod in pods:
            name = str((pod.get("metadata") or {}).get("name") or "")
            if not name or (name in done and not everything):
                continue
            text = self._cluster.pod_logs(ref.namespace, name, LOG_CONTAINER[ref.kind])
            if text is None:
                continue  # gone meanwhile: what was archived before stays
            names.append(name)
            entries += parse_pod_log(text, name, LOG_CONTAINER[ref.kind])
        if names:
            archive.archive(ref.ctx, ref.kind, ref.id, entries, pods=names)

    def _remove_from_cluster(self, ref: RunRef) -> None:
        if ref.kind == EXECUTION:
            self._cluster.delete_workflow(ref.namespace, workflow_name(ref.id))
        else:
            self._cluster.delete_inference_service(ref.namespace, inference_service_name(ref.id))

    def _end(self, ref: RunRef, status: Status, message: Optional[str],
             details: Optional[Dict[str, Any]] = None) -> None:
        def step(run: Run) -> None:
            if details is not None:
                run.status_details = details
            if status is Status.STOPPED:
                mark_stopped(run, self._clock.now(), message)
            else:
                mark_finished(run, status, self._clock.now(), message)
        self._update(ref, when_live(step))

    def _update(self, ref: RunRef, step: Callable[[Run], None]) -> Optional[Run]:
        # Every status write of the cluster steps passes here: the one that ends the run reports it (telemetry).
        report = RunEndReport(self._services.telemetry or NullTelemetry(), ref.ctx, step)
        try:
            stored = self._runs.update(ref.ctx, ref.run_class, ref.id, report)
        except NotFound:
            return None  # deleted meanwhile
        report.report(stored)
        return stored
