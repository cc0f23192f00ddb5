"""Wire models for /lm/metrics. Values, steps and timestamps are checked by the domain (domain/tracking/metrics.py),
which words its messages per metric; here only the shape is fixed."""
from __future__ import annotations

from typing import Any, List, Optional, Union

from pydantic import Field

from .common import ID_PATTERN, Body, Wire
from .time import WireTime


class NamedValue(Body):
    name: Any = None
    value: Any = None


class MetricIn(Body):
    name: Any = Field(default=None, description="[\\w-]{1,64} somewhere in at most 256 characters")
    value: Any = Field(default=None, description="a finite number")
    timestamp: Any = Field(default=None, description="RFC 3339; defaults to the time of the write")
    step: Any = Field(default=None, description="integer >= 0; defaults to 0")
    labels: Optional[List[NamedValue]] = None


class MetricsPatch(Body):
    execution_id: str = Field(pattern=ID_PATTERN)
    metrics: Optional[List[MetricIn]] = None
    tags: Optional[List[NamedValue]] = None
    custom_info: Optional[List[NamedValue]] = None


class ExecutionMetricsIn(Body):
    """POST /v2/lm/executions/{id}/metrics: PATCH /lm/metrics's body with the execution in the path."""

    metrics: Optional[List[MetricIn]] = None
    tags: Optional[List[NamedValue]] = None
    custom_info: Optional[List[NamedValue]] = None


class NameValueOut(Wire):
    name: str
    value: str


class MetricOut(Wire):
    name: str
    value: Union[int, float]
    timestamp: WireTime
    step: int
    labels: List[NameValueOut] = []


class MetricsResourceOut(Wire):
    execution_id: str
    created_at: Optional[WireTime] = None
    modified_at: Optional[WireTime] = None
    metrics: Optional[List[MetricOut]] = None
    tags: Optional[List[NameValueOut]] = None
    custom_info: Optional[List[NameValueOut]] = None
