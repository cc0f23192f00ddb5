"""retryStrategy as Argo reads it: how many attempts, which failures are retried, the wait between attempts."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional

from .pods import ERROR, FAILED, WorkflowError

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
POLICIES = {"Always": {FAILED, ERROR}, "OnFailure": {FAILED}, "OnError": {ERROR}, "OnTransientError": set()}


def seconds(value: Any, where: str) -> float:
    """A Go duration ("1m30s", "500ms") or a plain number of seconds."""
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise WorkflowError(f"{where}: '{text}' is not a duration (use seconds or Go's form, e.g. 30s, 2m, 1h).")
    return sum(float(n) * _UNIT[u] for n, u in parts)


@dataclass
class RetryPlan:
    limit: int = 0  # retries after the first attempt
    retried: frozenset = frozenset()  # phases that are retried
    duration: float = 0.0
    factor: float = 1.0
    cap: Optional[float] = None
    max_duration: Optional[float] = None

    def delay(self, retry: int) -> float:
        """Wait before retry number `retry` (1-based): duration * factor^(retry-1), at most `cap`."""
        wait = self.duration * (self.factor ** (retry - 1))
        return min(wait, self.cap) if self.cap is not None else wait


def retry_plan(strategy: Optional[Dict[str, Any]], where: str) -> RetryPlan:
    if not isinstance(strategy, dict):  # `retryStrategy: {}` is a strategy: no limit, retried until it passes
        return RetryPlan()
    policy = str(strategy.get("retryPolicy") or "OnFailure")
    if policy not in POLICIES:
        raise WorkflowError(f"{where}: retryPolicy '{policy}' is not one of {', '.join(POLICIES)}.")
    limit = strategy.get("limit")
    try:
        limit = int(str(limit)) if limit not in (None, "") else 10 ** 6  # no limit: retry until it passes
    except ValueError:
        raise WorkflowError(f"{where}: retryStrategy.limit must be a number, got '{limit}'.") from None
    backoff = strategy.get("backoff") or {}
    try:
        factor = float(str(backoff.get("factor", 1)))
    except ValueError:
        raise WorkflowError(f"{where}: retryStrategy.backoff.factor must be a number.") from None
    return RetryPlan(
        limit=max(0, limit), retried=frozenset(POLICIES[policy]),
        duration=seconds(backoff["duration"], where) if backoff.get("duration") not in (None, "") else 0.0,
        factor=factor, cap=seconds(backoff["cap"], where) if backoff.get("cap") else None,
        max_duration=seconds(backoff["maxDuration"], where) if backoff.get("maxDuration") else None)
