"""GetItem and Query answers of the embedded emulator without moto's generic response serializer.

moto 5 turns every result into JSON by walking botocore's output shape, value by value: for a DynamoDB read
that walk was about 40% of the emulator's cost per key lookup, although moto's DynamoDB results are already
in the wire's JSON form (DynamoResult). For the two reads the stack does on every request, this dumps them as
they are; anything unusual (an error, a value json cannot dump such as bytes) takes moto's own path.
tests/integration/test_moto_fast_reads.py checks that both paths answer the same.
"""
from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger("aicore.local")

FAST_ACTIONS = frozenset({"GetItem", "Query"})


def install() -> bool:
    """Patch moto's DynamoDB handler once per process; False (and moto untouched) if its internals moved."""
    try:
        from moto.dynamodb.responses import DynamoHandler
    except ImportError:  # pragma: no cover - moto reorganised
        return False
    original = DynamoHandler.serialized
    if getattr(original, "aicore_fast_reads", False):
        return True
    if not callable(original) or not hasattr(DynamoHandler, "_get_action"):
        log.debug("moto's DynamoHandler changed; reads keep its serializer")
        return False

    def serialized(self: Any, action_result: Any):
        result = getattr(action_result, "result", None)
        if isinstance(result, dict) and self._get_action() in FAST_ACTIONS:
            try:
                body = json.dumps(result, separators=(",", ":"))
            except (TypeError, ValueError):
                return original(self, action_result)
            headers = dict(self.response_headers)
            headers["Content-Type"] = "application/x-amz-json-1.0"
            return 200, headers, body
        return original(self, action_result)

    serialized.aicore_fast_reads = True  # type: ignore[attr-defined]
    serialized.original = original  # type: ignore[attr-defined]
    DynamoHandler.serialized = serialized
    return True


def uninstall() -> None:
    """For the equivalence test: moto's own serializer back."""
    from moto.dynamodb.responses import DynamoHandler

    current = DynamoHandler.serialized
    if getattr(current, "aicore_fast_reads", False):
        DynamoHandler.serialized = current.original
