"""Metrics, tags and custom info of an execution (AI Core's tracking extension): the rules of one write.

Write rules (PATCH is an upsert): a metric is identified by (name, step, timestamp) — the same triple again
replaces its value and labels, anything else is appended; tags and customInfo are replaced by name or
appended. A metric without a timestamp gets the write time; without a step, step 0 (as the SDK sends).
How writes are stored (append-only batches, merged on read with these same rules) is service.py's business.

A run's own credential (scope `aicore.metrics.write:<executionId>`) may write only that execution, and only
while it runs.
"""
from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Union

from ..clock import parse_timestamp, to_wire
from ..entity import Value
from ..errors import Forbidden, InvalidInput, Unauthorized
from ..lifecycle import FINAL, RunKind
from .credentials import WRITE_SCOPE_PREFIX

METRIC_NAME = re.compile(r"[\w-]{1,64}")  # unanchored, as in the spec (its own example is "Error Rate")
# DynamoDB numbers: magnitude up to 9.99..E+125 and down to 1E-130 (zero aside).
_MAX_MAGNITUDE, _MIN_MAGNITUDE = 9.9999999999999999e125, 1e-130
ENDED = {status.value for status in FINAL[RunKind.EXECUTION]}  # COMPLETED, DEAD, STOPPED


class NameValue(Value):
    name: str
    value: str


class Metric(Value):
    name: str
    value: Union[int, float]
    timestamp: datetime
    step: int = 0
    labels: List[NameValue] = []

    def key(self) -> tuple:
        return self.name, self.step, to_wire(self.timestamp)


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
    if isinstance(step, float) and step.is_integer():  # JSON has one number type: 3.0 is the integer 3
        step = int(step)
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


def check_run_live(execution: Optional[Dict[str, Any]], execution_id: str) -> None:
    """A run's credential stops working when the run ends (status COMPLETED, DEAD, STOPPED) or is deleted:
    code left running after that, or a leaked environment, cannot keep writing."""
    if execution is None or execution.get("target_status") == "DELETED":
        raise Unauthorized(f"The run's credential no longer works: execution '{execution_id}' was deleted "
                           "(or never existed in this credential's resource group).", target="executionId")
    status = execution.get("status")
    if status in ENDED:
        raise Unauthorized(f"The run's credential no longer works: execution '{execution_id}' ended "
                           f"({status}). A run writes its metrics while it runs; write later ones with a "
                           "service key's token.", target="executionId")


def document_size(doc: Any) -> int:
    """Bytes of a stored document as JSON: close to (and a little above) its DynamoDB item size."""
    return len(json.dumps(doc, separators=(",", ":")).encode())
