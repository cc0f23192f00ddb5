"""Metrics, tags and custom info of an execution (AI Core's tracking extension), one document per execution.

Write rules (PATCH is an upsert): a metric is identified by (name, step, timestamp) — the same triple again
replaces its value and labels, anything else is appended; tags and customInfo are replaced by name or
appended. A metric without a timestamp gets the write time; without a step, step 0 (as the SDK sends).
The stored document is capped (settings) below DynamoDB's 400 KB item limit: a write that would grow it
beyond the cap is refused with 413 and nothing is stored.

A run's own restricted token (scope `aicore.metrics.write:<executionId>`) may write only that execution.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any, ClassVar, Dict, FrozenSet, Iterable, List, Optional, Tuple, Union

from pydantic import BaseModel

from .clock import Clock, parse_timestamp, to_wire
from .context import TenantContext
from .entity import Entity
from .errors import AlreadyExists, Conflict, Forbidden, InvalidInput, NotFound, PayloadTooLarge
from .ids import is_valid_id
from .metrics_query import PARTS, TagFilters
from .records import Kind, RecordStore

WRITE_SCOPE_PREFIX = "aicore.metrics.write:"
METRIC_NAME = re.compile(r"[\w-]{1,64}")  # unanchored, as in the spec (its own example is "Error Rate")
# DynamoDB numbers: magnitude up to 9.99..E+125 and down to 1E-130 (zero aside).
_MAX_MAGNITUDE, _MIN_MAGNITUDE = 9.9999999999999999e125, 1e-130


class NameValue(BaseModel):
    name: str
    value: str


class Metric(BaseModel):
    name: str
    value: Union[int, float]
    timestamp: datetime
    step: int = 0
    labels: List[NameValue] = []

    def key(self) -> tuple:
        return self.name, self.step, to_wire(self.timestamp)


class MetricsDocument(Entity):
    KIND: ClassVar[Kind] = Kind.METRICS

    execution_id: str
    created_at: datetime
    modified_at: datetime
    metrics: List[Metric] = []
    tags: List[NameValue] = []
    custom_info: List[NameValue] = []


# -- validation of one write (plain dicts in, clear messages out) ---------------------------------------
def parse_metric(raw: Dict[str, Any], now: datetime, where: str) -> Metric:
    name = raw.get("name")
    if not isinstance(name, str) or len(name) > 256 or not METRIC_NAME.search(name):
        raise InvalidInput(f"'{where}.name' must be a text of at most 256 characters with a run of letters, "
                           f"digits, '_' or '-' in it, got {json.dumps(name)}.", target="metrics")
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidInput(f"'{where}.value' of metric '{name}' must be a finite number, got {json.dumps(value)}.",
                           target="metrics")
    if abs(value) > _MAX_MAGNITUDE or (value != 0 and abs(value) < _MIN_MAGNITUDE):
        raise InvalidInput(f"'{where}.value' of metric '{name}' is outside the storable range "
                           "(1E-130 to 9.99E+125 in magnitude, or 0).", target="metrics")
    step = raw.get("step")
    if step is None:
        step = 0
    if isinstance(step, bool) or not isinstance(step, int) or step < 0:
        raise InvalidInput(f"'{where}.step' of metric '{name}' must be an integer >= 0, got {json.dumps(step)}.",
                           target="metrics")
    timestamp = raw.get("timestamp")
    if timestamp is None:
        moment = now
    elif isinstance(timestamp, str):
        moment = parse_timestamp(timestamp, f"{where}.timestamp")
    else:
        raise InvalidInput(f"'{where}.timestamp' must be an RFC 3339 text such as 2024-05-01T12:00:00Z.",
                           target="metrics")
    labels = parse_pairs(raw.get("labels") or [], f"{where}.labels", max_value=256)
    return Metric(name=name, value=value, timestamp=moment, step=step, labels=labels)


def parse_pairs(items: Any, where: str, max_value: Optional[int]) -> List[NameValue]:
    if not isinstance(items, list):
        raise InvalidInput(f"'{where}' must be a list of {{name, value}} objects.", target=where)
    pairs = []
    for index, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= 256:
            raise InvalidInput(f"'{where}[{index}].name' must be a text of 1 to 256 characters.", target=where)
        if not isinstance(value, str) or not value or (max_value is not None and len(value) > max_value):
            limit = f"1 to {max_value}" if max_value else "at least 1"
            raise InvalidInput(f"'{where}[{index}].value' ('{name}') must be a text of {limit} characters.",
                               target=where)
        pairs.append(NameValue(name=name, value=value))
    return pairs


# -- merge rules (pure) -----------------------------------------------------------------------------------
def merge_metrics(existing: List[Metric], incoming: Iterable[Metric]) -> List[Metric]:
    merged = list(existing)
    position = {metric.key(): index for index, metric in enumerate(merged)}
    for metric in incoming:
        key = metric.key()
        if key in position:
            merged[position[key]] = metric
        else:
            position[key] = len(merged)
            merged.append(metric)
    return merged


def upsert_by_name(existing: List[NameValue], incoming: Iterable[NameValue]) -> List[NameValue]:
    merged = list(existing)
    position = {pair.name: index for index, pair in enumerate(merged)}
    for pair in incoming:
        if pair.name in position:
            merged[position[pair.name]] = pair
        else:
            position[pair.name] = len(merged)
            merged.append(pair)
    return merged


def check_writer(scopes: FrozenSet[str], execution_id: str) -> None:
    """Unrestricted callers write anything in their resource group; a run's token only its own execution."""
    if scopes and WRITE_SCOPE_PREFIX + execution_id not in scopes:
        raise Forbidden(f"This token may write metrics only for its own execution, not '{execution_id}'.",
                        target="executionId")


def document_size(doc: Dict[str, Any]) -> int:
    """Bytes of the stored document as JSON: close to (and a little above) its DynamoDB item size."""
    return len(json.dumps(doc, separators=(",", ":")).encode())


class MetricsService:
    def __init__(self, store: RecordStore, clock: Clock, max_document_bytes: int):
        self._store = store
        self._clock = clock
        self._max_bytes = max_document_bytes

    def write(self, ctx: TenantContext, execution_id: str, metrics: List[Dict[str, Any]],
              tags: List[Dict[str, Any]], custom_info: List[Dict[str, Any]],
              scopes: FrozenSet[str] = frozenset()) -> None:
        check_writer(scopes, execution_id)
        now = self._clock.now()
        new_metrics = [parse_metric(m if isinstance(m, dict) else {}, now, f"metrics[{i}]")
                       for i, m in enumerate(metrics)]
        new_tags = parse_pairs(tags, "tags", max_value=256)
        new_info = parse_pairs(custom_info, "customInfo", max_value=None)
        if self._store.get(ctx, Kind.EXECUTION, execution_id) is None:
            raise NotFound(f"Execution '{execution_id}' not found in resource group '{ctx.resource_group}'.",
                           target="executionId")
        for attempt in range(5):  # training code may write from several processes at once
            record = self._store.get(ctx, Kind.METRICS, execution_id)
            doc = (MetricsDocument.from_record(record) if record else
                   MetricsDocument(execution_id=execution_id, created_at=now, modified_at=now))
            doc.metrics = merge_metrics(doc.metrics, new_metrics)
            doc.tags = upsert_by_name(doc.tags, new_tags)
            doc.custom_info = upsert_by_name(doc.custom_info, new_info)
            doc.modified_at = now
            stored = doc.to_record(execution_id, doc.stored_version)
            size = document_size(stored.doc)
            if size > self._max_bytes:
                raise PayloadTooLarge(
                    f"Metrics of execution '{execution_id}' would grow to {size} bytes, above the limit of "
                    f"{self._max_bytes}; log fewer points or delete them with DELETE /v2/lm/metrics"
                    f"?executionId={execution_id}.", target="metrics")
            try:
                (self._store.replace if record else self._store.create)(ctx, stored)
                return
            except (Conflict, AlreadyExists):
                if attempt == 4:
                    raise Conflict(f"Metrics of execution '{execution_id}' are being written by others; "
                                   "retry.") from None

    def read(self, ctx: TenantContext, execution_ids: List[str], parts: FrozenSet[str], tag_filters: TagFilters,
             skip: int, top: Optional[int]) -> Tuple[int, List[Dict[str, Any]]]:
        """(count of matches, the page): documents of the named executions in the order asked (unknown ones
        are left out), as dicts of execution_id, created_at, modified_at and the selected parts."""
        docs = []
        for execution_id in execution_ids:
            record = self._store.get(ctx, Kind.METRICS, execution_id)
            if record is None:
                continue
            doc = MetricsDocument.from_record(record)
            if tag_filters.matches([t.model_dump() for t in doc.tags]):
                docs.append(doc)
        chosen = docs[skip: None if top is None else skip + top]
        hidden = set(PARTS) - set(parts)
        return len(docs), [doc.model_dump(exclude=hidden) for doc in chosen]

    def delete(self, ctx: TenantContext, execution_id: str) -> None:
        if not is_valid_id(execution_id):
            raise InvalidInput(f"'executionId' must match ^[\\w.-]{{4,64}}$, got '{execution_id}'.",
                               target="executionId")
        if not self._store.delete(ctx, Kind.METRICS, execution_id):
            raise NotFound(f"No metrics stored for execution '{execution_id}' in resource group "
                           f"'{ctx.resource_group}'.", target="executionId")
