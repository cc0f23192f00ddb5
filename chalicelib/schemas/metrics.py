"""Wire models for /lm/metrics. Values, steps and timestamps are checked by the domain (domain/tracking/metrics.py),
which words its messages per metric; here only the shape is fixed."""
from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional, Union

from pydantic import Field

from chalicelib.domain.tracking.metrics import METRIC_NAME

from .common import ID_PATTERN, Body, Wire, stated
from .time import WireTime


# What domain/tracking/metrics.py accepts: names and values are texts; tag values and label values at most 256
# characters (customInfo values have no limit); a metric name has a run of [\w-] in it; values are finite numbers
# DynamoDB can store (|v| up to 9.99E+125 and, zero aside, from 1E-130).
PAIR_NAME = stated(type="string", minLength=1, maxLength=256)
SHORT_VALUE = stated(type="string", minLength=1, maxLength=256)
METRIC_VALUE = stated(type="number", minimum=-9.9e125, maximum=9.9e125, anyOf=[
    {"const": 0}, {"minimum": 1e-130}, {"maximum": -1e-130}])


class NamedValue(Body):
    """A tag or a metric label: both texts, the value at most 256 characters."""

    name: Any = Field(default=None, json_schema_extra=PAIR_NAME)
    value: Any = Field(default=None, json_schema_extra=SHORT_VALUE)
    SCHEMA_EXTRA: ClassVar[Dict[str, Any]] = {"required": ["name", "value"]}


class CustomInfo(NamedValue):
    value: Any = Field(default=None, json_schema_extra=stated(type="string", minLength=1))


class MetricIn(Body):
    # The name pattern is searched, not anchored: the domain searches it too (the spec's example is "Error Rate").
    name: Any = Field(default=None, json_schema_extra=stated(type="string", maxLength=256) | {
        "pattern": METRIC_NAME.pattern})
    value: Any = Field(default=None, json_schema_extra=METRIC_VALUE)
    timestamp: Any = Field(default=None, description="defaults to the time of the write",
                           json_schema_extra=stated(type="string", format="date-time"))
    step: Any = Field(default=None, description="defaults to 0", json_schema_extra=stated(type="integer", minimum=0))
    labels: Optional[List[NamedValue]] = None
    SCHEMA_EXTRA: ClassVar[Dict[str, Any]] = {"required": ["name", "value"]}


class MetricsPatch(Body):
    execution_id: str = Field(pattern=ID_PATTERN)
    metrics: Optional[List[MetricIn]] = None
    tags: Optional[List[NamedValue]] = None
    custom_info: Optional[List[CustomInfo]] = None


class ExecutionMetricsIn(Body):
    """POST /v2/lm/executions/{id}/metrics: PATCH /lm/metrics's body with the execution in the path."""

    metrics: Optional[List[MetricIn]] = None
    tags: Optional[List[NamedValue]] = None
    custom_info: Optional[List[CustomInfo]] = None


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
