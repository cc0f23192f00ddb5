"""The logs endpoints' store for runs on the cluster (domain/cluster/run_logs.py): the archive for archived pods,
the live pods for the rest, each pod from one place, the same window, $top and $order as every LogStore."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Dict, List

import pytest

from chalicelib.domain.cluster.log_archive import MemoryLogArchive
from chalicelib.domain.cluster.namespaces import namespace_for
from chalicelib.domain.cluster.ports import ClusterError
from chalicelib.domain.cluster.run_logs import ClusterRunLogs
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import ServiceUnavailable
from chalicelib.domain.logs import LogEntry
from chalicelib.domain.records import Kind

CTX = TenantContext("t1", "default")
NS = namespace_for("t1", "default")
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
EARLY, LATE = T0 - timedelta(days=1), T0 + timedelta(days=1)


def stamp(second: int) -> str:
    return (T0 + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")  # kubectl's nanoseconds


class Pods:
    """The cluster's pods as the API function sees them (PodLogReader's two reads)."""

    def __init__(self, logs: Dict[str, str]):
        self.logs = dict(logs)
        self.listed: List[tuple] = []
        self.read_pods: List[tuple] = []
        self.error = None
        self.on_read = None  # called before a read: lets a test archive and delete a pod in between

    def list_pods(self, namespace, label_selector):
        if self.error:
            raise self.error
        self.listed.append((namespace, label_selector))
        return [{"metadata": {"name": name}} for name in self.logs]

    def read(self, namespace, pod, container="main"):
        self.read_pods.append((namespace, pod, container))
        if self.on_read:
            self.on_read(pod)
        return self.logs.get(pod)


def archived(archive, pod, *lines, kind="execution", run_id="e0001"):
    entries = [LogEntry(timestamp=T0 + timedelta(seconds=s), msg=m, container="main", pod=pod) for s, m in lines]
    archive.archive(CTX, kind, run_id, entries, pods=[pod])


def messages(entries):
    return [e.msg for e in entries]


def test_archived_and_live_pods_together_oldest_first():
    archive = MemoryLogArchive()
    archived(archive, "e0001-1", (0, "prepared"), (2, "prepared more"))
    pods = Pods({"e0001-2": f"{stamp(1)} training\n{stamp(3)} epoch 1\n"})

    entries = ClusterRunLogs(archive, pods).read(CTX, Kind.EXECUTION, "e0001", EARLY, LATE, 100, "asc")

    assert messages(entries) == ["prepared", "training", "prepared more", "epoch 1"]
    assert pods.listed == [(NS, "workflows.argoproj.io/workflow=e0001")]
    assert pods.read_pods == [(NS, "e0001-2", "main")]
    assert {e.pod for e in entries} == {"e0001-1", "e0001-2"}


def test_a_pod_archived_but_still_on_the_cluster_is_served_once_from_the_archive():
    archive = MemoryLogArchive()
    archived(archive, "e0001-1", (0, "done"))
    pods = Pods({"e0001-1": f"{stamp(0)} done\n"})

    entries = ClusterRunLogs(archive, pods).read(CTX, Kind.EXECUTION, "e0001", EARLY, LATE, 100, "asc")

    assert messages(entries) == ["done"] and pods.read_pods == []


def test_window_top_and_order_are_the_domains():
    pods = Pods({"e0001-1": "".join(f"{stamp(s)} line {s}\n" for s in range(6))})
    store = ClusterRunLogs(MemoryLogArchive(), pods)

    newest = store.read(CTX, Kind.EXECUTION, "e0001", T0 + timedelta(seconds=1), T0 + timedelta(seconds=4), 2,
                        "desc")

    assert messages(newest) == ["line 4", "line 3"]


def test_a_pod_that_went_while_being_read_is_found_in_the_archive():
    archive = MemoryLogArchive()
    pods = Pods({"e0001-1": f"{stamp(0)} one\n"})

    def archive_then_delete(pod):  # the steps archive an ended pod, then Argo's pod GC deletes it
        archived(archive, pod, (0, "one"))
        pods.logs.pop(pod, None)

    pods.on_read = archive_then_delete
    entries = ClusterRunLogs(archive, pods).read(CTX, Kind.EXECUTION, "e0001", EARLY, LATE, 100, "asc")

    assert messages(entries) == ["one"]


def test_a_deployment_reads_its_predictor_container_by_the_kserve_label():
    pods = Pods({"d0001-predictor-00001-1": f"{stamp(0)} listening\n"})

    entries = ClusterRunLogs(MemoryLogArchive(), pods).read(CTX, Kind.DEPLOYMENT, "d0001", EARLY, LATE, 10, "asc")

    assert messages(entries) == ["listening"] and entries[0].container == "kserve-container"
    assert pods.listed == [(NS, "serving.kserve.io/inferenceservice=d0001")]
    assert pods.read_pods == [(NS, "d0001-predictor-00001-1", "kserve-container")]


def test_a_predictors_snapshot_gives_way_to_its_longer_live_log_and_serves_once_the_pod_is_gone():
    archive = MemoryLogArchive()
    pod = "d0001-predictor-00001-1"
    archived(archive, pod, (0, "listening"), kind="deployment", run_id="d0001")  # taken before a switch
    pods = Pods({pod: f"{stamp(0)} listening\n{stamp(5)} request 1\n"})
    store = ClusterRunLogs(archive, pods)

    assert messages(store.read(CTX, Kind.DEPLOYMENT, "d0001", EARLY, LATE, 10, "asc")) == ["listening", "request 1"]
    pods.logs.clear()  # the retired revision's pod is gone
    assert messages(store.read(CTX, Kind.DEPLOYMENT, "d0001", EARLY, LATE, 10, "asc")) == ["listening"]


def test_an_unreachable_cluster_is_a_503_saying_so():
    pods = Pods({})
    pods.error = ClusterError("Listing pods in ns: Unauthorized (HTTP 401)")

    with pytest.raises(ServiceUnavailable) as caught:
        ClusterRunLogs(MemoryLogArchive(), pods).read(CTX, Kind.EXECUTION, "e0001", EARLY, LATE, 10, "asc")

    assert "Unauthorized (HTTP 401)" in caught.value.message


def test_the_api_functions_logs_store_does_not_import_the_kubernetes_client():
    code = ("import sys\n"
            "from chalicelib.settings import Settings\n"
            "from chalicelib.bootstrap import Container\n"
            "c = Container(Settings(engine='stepfunctions', eks_cluster_name='c', eks_endpoint='https://x.example',\n"
            "                       eks_ca_data='Y2E=', aws_region='eu-west-1'))\n"
            "print(type(c.log_store).__name__, sorted({m.split('.')[0] for m in sys.modules} & "
            "{'kubernetes', 'hera', 'dulwich'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "ClusterRunLogs []"
