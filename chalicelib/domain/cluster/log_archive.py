"""The `LogArchive` port: where a run's pod logs are kept once its pods are gone (Argo and KServe delete them).

The orchestration steps archive a pod's log when the pod has ended (and every pod's at the run's end, a stop or a
delete); the logs endpoints read the archive for pods no longer on the cluster. The AWS adapter writes JSON lines
to S3, one object per pod. Archiving is idempotent (Step Functions retries steps): entries for a pod already
archived replace that pod's, so a retried step never doubles lines.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Protocol, Set

from ..context import TenantContext
from ..logs import LogEntry


class LogArchive(Protocol):
    def archive(self, ctx: TenantContext, kind: str, run_id: str, entries: List[LogEntry],
                pods: Iterable[str] = ()) -> None:
        """Keep `entries` (all of one or more pods, each entry naming its pod) for run `run_id` of `kind`
        ("execution" | "deployment"). `pods`: the pods archived by this call, including those that wrote
        nothing (so they count as archived)."""

    def archived_pods(self, ctx: TenantContext, kind: str, run_id: str) -> Set[str]:
        """Pods whose logs are archived already."""

    def read(self, ctx: TenantContext, kind: str, run_id: str) -> List[LogEntry]:
        """Every archived entry of the run, oldest first."""

    def delete(self, ctx: TenantContext, kind: str, run_id: str) -> None:
        """The run was deleted: its logs go too (absent: nothing to do)."""


class MemoryLogArchive:
    """In memory, for tests and the local stack's cluster wiring: the same contract as the S3 adapter."""

    def __init__(self) -> None:
        self.runs: Dict[tuple, Dict[str, List[LogEntry]]] = {}

    def _key(self, ctx: TenantContext, kind: str, run_id: str) -> tuple:
        return ctx.tenant, ctx.require_resource_group(), kind, run_id

    def archive(self, ctx: TenantContext, kind: str, run_id: str, entries: List[LogEntry],
                pods: Iterable[str] = ()) -> None:
        by_pod: Dict[str, List[LogEntry]] = {pod: [] for pod in pods}
        for entry in entries:
            by_pod.setdefault(entry.pod or "", []).append(entry)
        self.runs.setdefault(self._key(ctx, kind, run_id), {}).update(by_pod)

    def archived_pods(self, ctx: TenantContext, kind: str, run_id: str) -> Set[str]:
        return set(self.runs.get(self._key(ctx, kind, run_id), {}))

    def read(self, ctx: TenantContext, kind: str, run_id: str) -> List[LogEntry]:
        pods = self.runs.get(self._key(ctx, kind, run_id), {})
        return sorted((e for entries in pods.values() for e in entries), key=lambda e: e.timestamp)

    def delete(self, ctx: TenantContext, kind: str, run_id: str) -> None:
        self.runs.pop(self._key(ctx, kind, run_id), None)
