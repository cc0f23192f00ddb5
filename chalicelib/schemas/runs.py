"""Wire models for /lm/executions and /lm/deployments (their shapes differ only in a few fields)."""
from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Literal, Optional

from pydantic import Field

from chalicelib.domain.errors import InvalidInput

from .artifacts import ArtifactOut
from .common import ID_PATTERN, Body, Wire, stated
from .time import WireTime

StatusName = Literal["UNKNOWN", "PENDING", "RUNNING", "COMPLETED", "DEAD", "STOPPING", "STOPPED"]
# domain.deployments.TTL with its minimum (MIN_TTL_MINUTES = 10): minutes need two digits, hours and days one.
TTL = r"^(?:[1-9][0-9]+[mM]|[1-9][0-9]*[hHdD])$"
# PATCH of one run only stops it (deletion is DELETE); the bulk PATCH also deletes.
STOP = stated(enum=["STOPPED"])


# -- requests ------------------------------------------------------------------------------------------
class ExecutionCreate(Body):
    configuration_id: str = Field(pattern=ID_PATTERN)


class DeploymentCreate(Body):
    configuration_id: str = Field(pattern=ID_PATTERN)
    ttl: Optional[str] = Field(default=None, max_length=32, json_schema_extra=stated(TTL))


class ExecutionPatch(Body):
    target_status: str = Field(max_length=32, json_schema_extra=STOP)


class DeploymentPatch(Body):
    """Stop it, or switch it to another configuration: one of the two."""

    SCHEMA_EXTRA: ClassVar[Dict[str, Any]] = {
        "oneOf": [{"required": ["targetStatus"]}, {"required": ["configurationId"]}]}

    target_status: Optional[str] = Field(default=None, max_length=32, json_schema_extra=STOP)
    configuration_id: Optional[str] = Field(default=None, pattern=ID_PATTERN)


class BulkItem(Body):
    id: str = Field(pattern=ID_PATTERN)
    target_status: Literal["STOPPED", "DELETED"]


UNIQUE_IDS = "Each id at most once."


class ExecutionBulkPatch(Body):
    executions: List[BulkItem] = Field(min_length=1, max_length=100, description=UNIQUE_IDS)


class DeploymentBulkPatch(Body):
    deployments: List[BulkItem] = Field(min_length=1, max_length=100, description=UNIQUE_IDS)


# -- responses -----------------------------------------------------------------------------------------
class RunOut(Wire):
    id: str
    configuration_id: str
    configuration_name: str
    executable_id: str
    scenario_id: str
    status: StatusName
    status_message: Optional[str] = None
    target_status: str
    created_at: WireTime
    modified_at: WireTime
    submission_time: Optional[WireTime] = None
    start_time: Optional[WireTime] = None
    completion_time: Optional[WireTime] = None
    status_details: Optional[Dict[str, Any]] = None  # only on GET of one run


class ExecutionOut(RunOut):
    execution_schedule_id: Optional[str] = None
    output_artifacts: Optional[List[ArtifactOut]] = None


class DeploymentOut(RunOut):
    deployment_url: str = ""  # always present: the Python client requires it, "" until known
    last_operation: Optional[str] = None
    latest_running_configuration_id: Optional[str] = None
    ttl: Optional[str] = None
    details: Optional[Dict[str, Any]] = None


class RunStatusOut(Wire):
    """`$select=status`: exactly these keys; the Python client's model takes no others."""

    id: str
    configuration_id: str
    status: StatusName
    created_at: WireTime
    modified_at: WireTime
    status_details: Optional[Dict[str, Any]] = None


class DeploymentStatusOut(RunStatusOut):
    details: Optional[Dict[str, Any]] = None


class ExecutionCreated(Wire):
    id: str
    message: str = "Execution scheduled"
    status: StatusName
    target_status: str


class DeploymentCreated(Wire):
    id: str
    message: str = "Deployment scheduled"
    deployment_url: str
    status: StatusName
    ttl: Optional[str] = None


class BulkError(Wire):
    code: str
    message: str
    request_id: str
    target: str
    details: Optional[Any] = None


class BulkResult(Wire):
    id: str
    message: Optional[str] = None
    error: Optional[BulkError] = None


def select_status(values: List[str]) -> bool:
    """`$select`: the spec allows only `status` (a status-only projection)."""
    if not values:
        return False
    if values == ["status"]:
        return True
    raise InvalidInput(f"'$select' supports only 'status', got '{','.join(values)[:100]}'.", target="$select")
