"""MetricsService on the in-memory store: writes are batches under their own keys, folded in write order."""
from datetime import datetime, timezone

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind, Record
from chalicelib.domain.tracking.query import PARTS, TagFilters
from chalicelib.domain.tracking.service import MetricsService
from tests.support.memory_store import MemoryStore

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
CTX = TenantContext("t1", "default")


class FixedClock:
    def now(self):
        return NOW


def service():
    store = MemoryStore()
    for id in ("exec-1", "exec-10"):
        store.create(CTX, Record(Kind.EXECUTION, id, {"id": id}))
    return store, MetricsService(store, FixedClock(), 300_000)


def test_later_writes_win_even_within_one_clock_tick():
    store, metrics = service()
    for value in range(20):  # same (name, step, timestamp) every time: the last write must be what is read
        metrics.write(CTX, "exec-1", [{"name": "loss", "value": value}], [{"name": "t", "value": str(value)}], [])
    view = metrics.view(CTX, "exec-1")
    assert [(m.name, m.value) for m in view.metrics] == [("loss", 19)]
    assert [(t.name, t.value) for t in view.tags] == [("t", "19")]
    assert len(list(store.iterate(CTX, Kind.METRICS_BATCH))) == 20  # nothing rewritten: one item per write


def test_an_execution_whose_id_begins_another_ones_keeps_its_own_metrics():
    _, metrics = service()
    metrics.write(CTX, "exec-1", [{"name": "a", "value": 1}], [], [])
    metrics.write(CTX, "exec-10", [{"name": "b", "value": 2}], [], [])
    count, docs = metrics.read(CTX, ["exec-1", "exec-10"], frozenset(PARTS), TagFilters(None), 0, None)
    assert count == 2 and [[m["name"] for m in d["metrics"]] for d in docs] == [["a"], ["b"]]
    metrics.delete(CTX, "exec-1")
    assert metrics.view(CTX, "exec-1") is None and metrics.view(CTX, "exec-10") is not None


def test_documents_of_the_older_one_item_layout_read_as_the_first_batch():
    store, metrics = service()
    store.create(CTX, Record(Kind.METRICS, "exec-1", {
        "execution_id": "exec-1", "created_at": "2024-04-01T00:00:00Z", "modified_at": "2024-04-02T00:00:00Z",
        "metrics": [{"name": "old", "value": 1, "timestamp": "2024-04-01T00:00:00Z", "step": 0, "labels": []}],
        "tags": [{"name": "team", "value": "a"}], "custom_info": []}))
    metrics.write(CTX, "exec-1", [{"name": "new", "value": 2}], [{"name": "team", "value": "b"}], [])
    view = metrics.view(CTX, "exec-1")
    assert [m.name for m in view.metrics] == ["old", "new"] and [t.value for t in view.tags] == ["b"]
    assert view.created_at == datetime(2024, 4, 1, tzinfo=timezone.utc) and view.modified_at == NOW


def test_a_replaced_metric_keeps_its_place_as_in_one_document():
    _, metrics = service()
    at = "2024-05-01T12:00:00Z"
    metrics.write(CTX, "exec-1", [{"name": "a", "value": 1, "timestamp": at}, {"name": "b", "value": 2}], [], [])
    metrics.write(CTX, "exec-1", [{"name": "c", "value": 3}], [], [])
    metrics.write(CTX, "exec-1", [{"name": "a", "value": 9, "timestamp": at}], [], [])
    assert [(m.name, m.value) for m in metrics.view(CTX, "exec-1").metrics] == [("a", 9), ("b", 2), ("c", 3)]
