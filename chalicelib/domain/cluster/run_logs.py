"""The logs endpoints' LogStore for runs on the cluster: the archive for pods already archived, the live pods for the
rest.

Why both: the steps archive a pod's log once the pod has ended (and every pod's when the run ends), and Argo and
KServe delete pods afterwards, so a finished run is read from the archive alone; a running step's or a serving
predictor's lines exist only on the cluster until then. A pod is read from one place only (the archive once it is
there; a predictor's live log while its pod is there), so no line is served twice.

Order of reads: the live pods are listed before the archive is read, so a pod archived and deleted in between is
still found in the archive; a listed pod whose log is gone by the time it is read was archived before it went
(the steps archive before a run's pods may go), so the archive is read once more then.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Protocol, Set

from ..context import TenantContext
from ..errors import ServiceUnavailable
from ..logs import LogEntry, select_entries
from ..records import Kind
from .log_archive import LogArchive
from .pod_logs import LOG_CONTAINER, parse_pod_log, pod_selector
from .ports import ClusterError
from .run_ref import DEPLOYMENT, EXECUTION, RunRef

KINDS = {Kind.EXECUTION: EXECUTION, Kind.DEPLOYMENT: DEPLOYMENT}


class LivePodLogs(Protocol):
    """Read-only view of the cluster's pods (adapters/k8s/pod_log_reader.py; the Cluster port would do too)."""

    def list_pods(self, namespace: str, label_selector: str) -> List[Dict[str, Any]]: ...

    def read(self, namespace: str, pod: str, container: str = "main") -> Optional[str]:
        """The log with `--timestamps`, None once the pod is gone."""


class ClusterRunLogs:
    """LogStore (domain/logs.py) of the `stepfunctions` engine."""

    def __init__(self, archive: LogArchive, pods: LivePodLogs):
        self._archive = archive
        self._pods = pods

    def read(self, ctx: TenantContext, kind: Kind, run_id: str, start: datetime, end: datetime, top: int,
             order: str) -> List[LogEntry]:
        ref = RunRef(KINDS[kind], ctx.tenant, ctx.require_resource_group(), run_id)
        try:
            live = [_name(pod) for pod in self._pods.list_pods(ref.namespace, pod_selector(ref))]
            entries, missing = self._gather(ref, [pod for pod in live if pod])
            if missing:  # archived and deleted while we read: the archive has them now
                entries, _ = self._gather(ref, [pod for pod in live if pod and pod not in missing])
        except ClusterError as err:
            raise ServiceUnavailable(f"The logs of running pods could not be read from the cluster ({err.message}); "
                                     "try again shortly.") from None
        return select_entries(entries, start, end, top, order)

    def _gather(self, ref: RunRef, live: List[str]) -> tuple:
        """(archived entries + the logs of live pods not archived, the live pods whose log was gone).

        A serving predictor's archive may be a snapshot taken while it still ran (before a configuration switch
        retires its revision): while the pod is there, its live log is the longer one and replaces the snapshot."""
        archived: Set[str] = self._archive.archived_pods(ref.ctx, ref.kind, ref.id)
        snapshots = ref.kind == DEPLOYMENT
        container = LOG_CONTAINER[ref.kind]
        entries: List[LogEntry] = []
        fresh: Set[str] = set()
        missing: Set[str] = set()
        for pod in live:
            if pod in archived and not snapshots:
                continue
            text = self._pods.read(ref.namespace, pod, container)
            if text is None:
                if pod not in archived:
                    missing.add(pod)
                continue
            fresh.add(pod)
            entries += parse_pod_log(text, pod, container)
        if archived - fresh:
            entries += [e for e in self._archive.read(ref.ctx, ref.kind, ref.id) if e.pod not in fresh]
        return entries, missing


def _name(pod: Dict[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("name") or "")
