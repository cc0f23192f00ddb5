"""The control steps about namespaces rather than runs: a resource group's namespace made and removed with the group,
and a deleted secret's copies removed from the namespaces runs' submits wrote them into."""
from __future__ import annotations

from typing import List

from ..context import TenantContext
from ..records import Kind, RecordStore
from .namespaces import namespace_for
from .ports import Cluster
from .run_ref import EVERY_GROUP, GROUP, SECRET, RunRef, namespace_labels


def provision(cluster: Cluster, ref: RunRef) -> None:
    """A new resource group: its namespace, with the workload service account, before any run needs it."""
    if ref.kind == GROUP:
        cluster.ensure_namespace(ref.namespace, namespace_labels(ref))


def deprovision(cluster: Cluster, ref: RunRef) -> None:
    """A deleted resource group: its namespace goes, and with it every Workflow, predictor and synced Secret."""
    if ref.kind == GROUP:
        cluster.delete_namespace(ref.namespace)


def forget_secret(store: RecordStore, cluster: Cluster, ref: RunRef) -> None:
    """A deleted secret: its copies go (already gone, or never copied: nothing to do). A run that still reads it
    fails on its next pod, as on AI Core; the submit of a later run refuses it by name."""
    if ref.kind != SECRET:
        return
    groups = _groups(store, ref.tenant) if ref.resource_group == EVERY_GROUP else [ref.resource_group]
    for group in groups:
        cluster.delete_secret(namespace_for(ref.tenant, group), ref.id)


def _groups(store: RecordStore, tenant: str) -> List[str]:
    return [record.id for record in store.iterate(TenantContext(tenant), Kind.RESOURCE_GROUP)]
