"""Durable log files: order, window, $top, isolation by tenant/group, readable while written, after reopen."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.adapters.local.logs import FileLogStore
from chalicelib.domain.context import TenantContext
from chalicelib.domain.logs import LogEntry
from chalicelib.domain.records import Kind

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
CTX = TenantContext("t1", "default")


def _fill(store, n=5):
    for i in range(n):
        store.append(CTX, Kind.EXECUTION, "exec-1", LogEntry(timestamp=T0 + timedelta(seconds=i), msg=f"line {i}",
                                                             container="main", pod="exec-1-a-1", stream="stdout"))


def test_window_order_and_top_while_open_and_after_reopen(tmp_path):
    store = FileLogStore(tmp_path)
    _fill(store)
    read = store.read(CTX, Kind.EXECUTION, "exec-1", T0 + timedelta(seconds=1), T0 + timedelta(seconds=3), 10, "desc")
    assert [e.msg for e in read] == ["line 3", "line 2", "line 1"]  # readable before close
    store.close_all()
    again = FileLogStore(tmp_path).read(CTX, Kind.EXECUTION, "exec-1", T0, T0 + timedelta(hours=1), 2, "asc")
    assert [e.msg for e in again] == ["line 0", "line 1"]
    assert again[0].pod == "exec-1-a-1" and again[0].container == "main"


def test_other_tenant_group_or_kind_sees_nothing_and_odd_ids_stay_inside(tmp_path):
    store = FileLogStore(tmp_path)
    _fill(store)
    window = (T0, T0 + timedelta(hours=1), 10, "asc")
    assert store.read(TenantContext("t2", "default"), Kind.EXECUTION, "exec-1", *window) == []
    assert store.read(TenantContext("t1", "other"), Kind.EXECUTION, "exec-1", *window) == []
    assert store.read(CTX, Kind.DEPLOYMENT, "exec-1", *window) == []
    path = store.path(TenantContext("../..", "default"), Kind.EXECUTION, "....")
    assert tmp_path in path.parents and ".." not in path.parts


def test_torn_last_line_is_skipped(tmp_path):
    store = FileLogStore(tmp_path)
    _fill(store, 2)
    store.close_all()
    with open(store.path(CTX, Kind.EXECUTION, "exec-1"), "a") as f:
        f.write('{"timestamp": "2026-01-01T00:00:0')
    assert len(store.read(CTX, Kind.EXECUTION, "exec-1", T0, T0 + timedelta(hours=1), 10, "asc")) == 2
