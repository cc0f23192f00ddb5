"""MetricsService: an execution's metrics stored as append-only write batches, merged when read.

Why batches: training code writes from several workers at once. When every write rewrote one document per
execution, writers refused each other (409 after retries) and, on a store whose conditional writes are not
atomic under concurrency (the embedded emulator), an acknowledged write could be overwritten. Now each write
stores new items under keys no other write uses (`<executionId>/<sequence>.<chunk>`, kind METRICS_BATCH, in
the execution's own partition), so writers never meet; a read queries the execution's items in key order
(the order writes were accepted) and folds them with the spec's upsert rules (metrics.py). A write bigger
than one item (the store's item limit) is split into chunks stored together, all or none. A document of the
older one-per-execution layout (kind METRICS) is read first, as the oldest batch.
"""
from __future__ import annotations

import json
import secrets
import threading
from datetime import datetime
from typing import Any, ClassVar, Dict, FrozenSet, Iterable, List, Optional, Tuple

from ..clock import Clock, to_wire
from ..context import TenantContext
from ..entity import Entity
from ..errors import AlreadyExists, InvalidInput, NotFound
from ..ids import is_valid_id
from ..records import Kind, Record, RecordStore
from .metrics import (Metric, NameValue, check_run_live, check_writer, document_size, merge_metrics,
                      parse_metric, parse_pairs)
from .query import PARTS, TagFilters

_SEPARATOR = "/"  # between the execution id and the rest of an execution-scoped id


class MetricsBatch(Entity):
    """One stored write (or one chunk of it). Older documents of the one-item-per-execution layout (kind
    METRICS, with created_at/modified_at) read as a batch too."""

    KIND: ClassVar[Kind] = Kind.METRICS_BATCH

    execution_id: str
    written_at: Optional[datetime] = None
    created_at: Optional[datetime] = None  # only in the older layout
    modified_at: Optional[datetime] = None  # only in the older layout
    metrics: List[Metric] = []
    tags: List[NameValue] = []
    custom_info: List[NameValue] = []

    # Stored as one JSON text (`points`), not as nested maps: nothing ever queries inside a batch, and a
    # nested map of 100 metrics costs a store (DynamoDB's item encoding, the emulator's type tree, the journal)
    # an attribute value per field; the text's length is also the item size that must stay under the limit.
    def to_record(self, id: str, version: Optional[int] = None, **index: Any) -> Record:
        return Record(self.KIND, id, {"execution_id": self.execution_id, "written_at": to_wire(self.written_at),
                                      "points": points_text(self.metrics, self.tags, self.custom_info)}, version)

    @classmethod
    def from_record(cls, record: Record) -> "MetricsBatch":
        doc = record.doc
        if "points" in doc:
            doc = {**doc, **json.loads(doc["points"])}
        return cls.model_validate(doc)


def points_text(metrics: List[Metric], tags: List[NameValue], custom_info: List[NameValue]) -> str:
    return json.dumps({"metrics": [m.model_dump(mode="json") for m in metrics],
                       "tags": [t.model_dump() for t in tags], "custom_info": [c.model_dump() for c in custom_info]},
                      separators=(",", ":"))


class MetricsView(Entity):
    """An execution's metrics as the API shows them: every batch folded in write order."""

    KIND: ClassVar[Kind] = Kind.METRICS

    execution_id: str
    created_at: datetime
    modified_at: datetime
    metrics: List[Metric] = []
    tags: List[NameValue] = []
    custom_info: List[NameValue] = []


def fold(execution_id: str, batches: Iterable[MetricsBatch]) -> Optional[MetricsView]:
    """The spec's upsert rules (metrics.merge_metrics, upsert_by_name) over all batches in one pass: a dict
    keeps a replaced entry at its first position, as those rules do, and costs O(points), not O(batches x points)."""
    points: Dict[tuple, Metric] = {}
    tags: Dict[str, NameValue] = {}
    info: Dict[str, NameValue] = {}
    created = modified = None
    for batch in batches:
        first = batch.created_at or batch.written_at
        last = batch.modified_at or batch.written_at
        created = created or first
        modified = last if modified is None else max(modified, last)
        for metric in batch.metrics:
            points[metric.key()] = metric
        tags.update((t.name, t) for t in batch.tags)
        info.update((c.name, c) for c in batch.custom_info)
    if created is None:
        return None
    return MetricsView(execution_id=execution_id, created_at=created, modified_at=modified,
                       metrics=list(points.values()), tags=list(tags.values()), custom_info=list(info.values()))


def chunks(metrics: List[Metric], limit: int, first_used: int = 0) -> List[List[Metric]]:
    """Split so that each chunk's stored size stays under `limit` bytes (at least one metric per chunk); the
    first chunk already holds `first_used` bytes (the write's tags and custom info)."""
    if first_used + document_size([m.model_dump(mode="json") for m in metrics]) <= limit:
        return [metrics]  # the usual case: one item, sized with one dump
    out: List[List[Metric]] = [[]]
    size = first_used
    for metric in metrics:
        cost = document_size(metric.model_dump(mode="json")) + 1
        if out[-1] and size + cost > limit:
            out.append([])
            size = 0
        out[-1].append(metric)
        size += cost
    return out


class MetricsService:
    def __init__(self, store: RecordStore, clock: Clock, max_item_bytes: int):
        self._store = store
        self._clock = clock
        self._max_bytes = max_item_bytes
        self._lock = threading.Lock()
        self._last = 0

    def write(self, ctx: TenantContext, execution_id: str, metrics: List[Dict[str, Any]],
              tags: List[Dict[str, Any]], custom_info: List[Dict[str, Any]],
              scopes: FrozenSet[str] = frozenset()) -> None:
        check_writer(scopes, execution_id)
        now = self._clock.now()
        new_metrics = [parse_metric(m if isinstance(m, dict) else {}, now, f"metrics[{i}]")
                       for i, m in enumerate(metrics)]
        new_tags = parse_pairs(tags, "tags", max_value=256)
        new_info = parse_pairs(custom_info, "customInfo", max_value=None)
        execution = self._store.get(ctx, Kind.EXECUTION, execution_id)
        if scopes:
            check_run_live(execution.doc if execution else None, execution_id)
        elif execution is None:
            raise NotFound(f"Execution '{execution_id}' not found in resource group '{ctx.resource_group}'.",
                           target="executionId")
        # Tags and custom info ride in the first chunk (the request body limit bounds them).
        extras = document_size([p.model_dump() for p in new_tags + new_info])
        parts = chunks(merge_metrics([], new_metrics), self._max_bytes, extras)
        for attempt in range(3):
            sequence = self._sequence(now)
            records = [MetricsBatch(execution_id=execution_id, written_at=now, metrics=part,
                                    tags=new_tags if index == 0 else [], custom_info=new_info if index == 0 else [])
                       .to_record(f"{execution_id}{_SEPARATOR}{sequence}.{index:04d}")
                       for index, part in enumerate(parts)]
            try:
                self._store.create_many(ctx, records)
                return
            except AlreadyExists:  # 64 random bits collided: take another sequence
                if attempt == 2:
                    raise

    def _sequence(self, now: datetime) -> str:
        """Sorts in the order writes were accepted: microseconds, strictly increasing within this process
        (also under a fixed clock); random bits keep writers in other processes apart."""
        with self._lock:
            self._last = max(self._last + 1, int(now.timestamp() * 1_000_000))
            value = self._last
        return f"{value:015x}-{secrets.token_hex(8)}"

    def view(self, ctx: TenantContext, execution_id: str) -> Optional[MetricsView]:
        return fold(execution_id, (MetricsBatch.from_record(r) for r in self._records(ctx, execution_id)))

    def _records(self, ctx: TenantContext, execution_id: str) -> Iterable[Record]:
        older = self._store.get(ctx, Kind.METRICS, execution_id)
        if older is not None:
            yield older
        yield from self._store.iterate(ctx, Kind.METRICS_BATCH, id_prefix=execution_id + _SEPARATOR)

    def read(self, ctx: TenantContext, execution_ids: List[str], parts: FrozenSet[str], tag_filters: TagFilters,
             skip: int, top: Optional[int]) -> Tuple[int, List[Dict[str, Any]]]:
        """(count of matches, the page): views of the named executions in the order asked (those without
        metrics are left out), as dicts of execution_id, created_at, modified_at and the selected parts."""
        views = []
        for execution_id in execution_ids:
            view = self.view(ctx, execution_id)
            if view is not None and tag_filters.matches([t.model_dump() for t in view.tags]):
                views.append(view)
        chosen = views[skip: None if top is None else skip + top]
        hidden = set(PARTS) - set(parts)
        return len(views), [view.model_dump(exclude=hidden) for view in chosen]

    def read_execution(self, ctx: TenantContext, execution_id: str, parts: FrozenSet[str]) -> Dict[str, Any]:
        """GET /v2/lm/executions/{id}/metrics: the execution's MetricResource; empty lists when it has none."""
        view = self.view(ctx, execution_id)
        if view is None:
            execution = self._store.get(ctx, Kind.EXECUTION, execution_id)
            if execution is None:
                raise NotFound(f"Execution '{execution_id}' not found in resource group '{ctx.resource_group}'.",
                               target="executionId")
            return {"execution_id": execution_id, **{part: [] for part in parts}}
        return view.model_dump(exclude=set(PARTS) - set(parts))

    def delete(self, ctx: TenantContext, execution_id: str) -> None:
        if not is_valid_id(execution_id):
            raise InvalidInput(f"'executionId' must match ^[\\w.-]{{4,64}}$, got '{execution_id}'.",
                               target="executionId")
        records = list(self._records(ctx, execution_id))
        if not records:
            raise NotFound(f"No metrics stored for execution '{execution_id}' in resource group "
                           f"'{ctx.resource_group}'.", target="executionId")
        for kind in (Kind.METRICS, Kind.METRICS_BATCH):
            self._store.delete_many(ctx, kind, [r.id for r in records if r.kind is kind])
