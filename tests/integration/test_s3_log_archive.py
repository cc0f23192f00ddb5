"""The S3 LogArchive on moto's S3: the same contract as the domain's in-memory one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.adapters.aws.s3_log_archive import S3LogArchive
from chalicelib.domain.context import TenantContext
from chalicelib.domain.logs import LogEntry

CTX = TenantContext("tenant-a", "default")
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def entry(second: int, pod: str, msg: str) -> LogEntry:
    return LogEntry(timestamp=T0 + timedelta(seconds=second), msg=msg, container="main", pod=pod, stream="stdout")


@pytest.fixture
def archive(aws):
    return S3LogArchive(aws.resolved_bucket, aws.log_archive_prefix, aws.aws_region)


def test_archived_logs_read_back_oldest_first_across_pods(archive):
    archive.archive(CTX, "execution", "e1", [entry(2, "wf-a", "two"), entry(0, "wf-a", "zero")], pods=["wf-a"])
    archive.archive(CTX, "execution", "e1", [entry(1, "wf-b", "one")], pods=["wf-b", "wf-silent"])

    assert [e.msg for e in archive.read(CTX, "execution", "e1")] == ["zero", "one", "two"]
    assert archive.archived_pods(CTX, "execution", "e1") == {"wf-a", "wf-b", "wf-silent"}


def test_archiving_a_pod_again_replaces_its_lines(archive):
    archive.archive(CTX, "execution", "e2", [entry(0, "wf-a", "first")], pods=["wf-a"])
    archive.archive(CTX, "execution", "e2", [entry(0, "wf-a", "first"), entry(1, "wf-a", "more")], pods=["wf-a"])

    assert [e.msg for e in archive.read(CTX, "execution", "e2")] == ["first", "more"]


def test_runs_tenants_and_kinds_do_not_see_each_others_logs(archive):
    archive.archive(CTX, "execution", "e3", [entry(0, "p", "mine")])
    other = TenantContext("tenant-b", "default")

    assert archive.read(other, "execution", "e3") == []
    assert archive.read(CTX, "deployment", "e3") == []
    assert archive.archived_pods(CTX, "execution", "e4") == set()


def test_delete_removes_the_runs_logs_only(archive):
    archive.archive(CTX, "execution", "e5", [entry(0, "p", "gone")])
    archive.archive(CTX, "execution", "e6", [entry(0, "p", "kept")])

    archive.delete(CTX, "execution", "e5")
    archive.delete(CTX, "execution", "never-archived")

    assert archive.read(CTX, "execution", "e5") == []
    assert [e.msg for e in archive.read(CTX, "execution", "e6")] == ["kept"]


def test_entries_without_a_pod_are_kept_too(archive):
    archive.archive(CTX, "deployment", "d1", [LogEntry(timestamp=T0, msg="no pod")])

    assert archive.archived_pods(CTX, "deployment", "d1") == {""}
    assert [e.msg for e in archive.read(CTX, "deployment", "d1")] == ["no pod"]
