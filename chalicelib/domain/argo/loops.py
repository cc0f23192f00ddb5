"""Loop expansion as Argo does it: `withItems`, `withParam` (a JSON list, usually another step's output) and
`withSequence` (count or start/end, printf `format`). Each item becomes one child node named `step(i:label)`
with `{{item}}` (and `{{item.key}}` for maps) in its scope."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from .pods import WorkflowError
from .values import text


def item_scope(value: Any) -> Dict[str, Any]:
    """{{item}} plus {{item.key}} for every key of a map item (nested maps reached by dotted keys too)."""
    scope: Dict[str, Any] = {"item": text(value)}

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, inner in node.items():
                scope[f"{prefix}.{key}"] = text(inner)
                walk(f"{prefix}.{key}", inner)

    walk("item", value)
    return scope


def label(value: Any) -> str:
    """The part in parentheses of a loop child's name: `a`, or `key:value,key:value` for a map."""
    if isinstance(value, dict):
        return ",".join(f"{k}:{text(v)}" for k, v in sorted(value.items()))
    return text(value)


def expand(step: Dict[str, Any], where: str) -> Optional[List[Any]]:
    """The items of a step whose loop fields are already substituted; None when the step has no loop."""
    if "withItems" in step:
        items = step["withItems"]
        if not isinstance(items, list):
            raise WorkflowError(f"{where}: withItems must be a list.")
        return items
    if "withParam" in step:
        return _param_items(step["withParam"], where)
    if "withSequence" in step:
        return _sequence(step["withSequence"] or {}, where)
    return None


def _param_items(value: Any, where: str) -> List[Any]:
    if isinstance(value, list):
        return value
    try:
        items = json.loads(str(value))
    except ValueError:
        raise WorkflowError(f"{where}: withParam value could not be parsed as a JSON list: {str(value)[:200]}") \
            from None
    if not isinstance(items, list):
        raise WorkflowError(f"{where}: withParam value must be a JSON list, got: {str(value)[:200]}")
    return items


def _int(seq: Dict[str, Any], key: str, where: str) -> Optional[int]:
    if seq.get(key) in (None, ""):
        return None
    try:
        return int(str(seq[key]).strip())
    except ValueError:
        raise WorkflowError(f"{where}: withSequence.{key} must be a number, got '{seq[key]}'.") from None


def _bounds(seq: Dict[str, Any], where: str) -> Tuple[int, int]:
    count, start, end = _int(seq, "count", where), _int(seq, "start", where), _int(seq, "end", where)
    if count is not None and end is not None:
        raise WorkflowError(f"{where}: withSequence takes either count or end, not both.")
    start = start or 0
    if count is not None:
        if count < 0:
            raise WorkflowError(f"{where}: withSequence.count must not be negative.")
        return start, start + count - 1
    if end is None:
        raise WorkflowError(f"{where}: withSequence needs count or end.")
    return start, end


def _sequence(seq: Dict[str, Any], where: str) -> List[str]:
    start, end = _bounds(seq, where)
    step = 1 if end >= start else -1
    numbers = range(start, end + step, step) if (seq.get("count") is None or end >= start) else []
    fmt = seq.get("format")
    if not fmt:
        return [str(n) for n in numbers]
    try:
        return [str(fmt) % n for n in numbers]  # printf verbs as Go's fmt.Sprintf takes them (%d, %02d, %x)
    except (TypeError, ValueError):
        raise WorkflowError(f"{where}: withSequence.format '{fmt}' is not a printf format for one number.") \
            from None
