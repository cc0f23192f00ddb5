"""Executions and deployments ("runs"): the entities, the status-changing steps and their storage.

The `mark_*` steps are what an engine does when it observes a run (submitted, running, finished, stopped);
the `request_*` steps are what a user asks for. Each step mutates an entity in memory after checking the
state machine (domain/lifecycle.py); `RunRepository.update` applies a step as a conditional write on the
record version and retries when another writer got there first, so no status change is ever lost.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable, ClassVar, Dict, Optional, Type, TypeVar

from pydantic import model_validator

from .context import TenantContext
from .entity import Entity
from .errors import Conflict, InvalidInput, NotFound
from .ids import is_valid_id
from .lifecycle import (Operation, RunKind, Status, TargetStatus, check_delete, check_reconfigure,
                        check_stop, check_transition)
from .records import Kind, RecordStore

R = TypeVar("R", bound="Run")
DETAILS_JSON = "status_details_json"


class Run(Entity):
    RUN_KIND: ClassVar[RunKind]

    id: str
    configuration_id: str
    configuration_name: str
    scenario_id: str
    executable_id: str
    status: Status = Status.UNKNOWN
    target_status: TargetStatus
    status_message: Optional[str] = None
    status_details: Optional[Dict[str, Any]] = None
    created_at: datetime
    modified_at: datetime
    submission_time: Optional[datetime] = None
    start_time: Optional[datetime] = None
    completion_time: Optional[datetime] = None

    # statusDetails is stored as one JSON string: a nested map of a few hundred steps costs the database layer
    # (and the embedded emulator) a conversion per value on every status write and read.
    def to_doc(self) -> Dict[str, Any]:
        doc = super().to_doc()
        if doc.get("status_details") is not None:
            doc[DETAILS_JSON] = json.dumps(doc.pop("status_details"), separators=(",", ":"))
        return doc

    @model_validator(mode="before")
    @classmethod
    def _details_from_json(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get(DETAILS_JSON), str):
            data = {**data, "status_details": json.loads(data[DETAILS_JSON])}
            data.pop(DETAILS_JSON)
        return data


class Execution(Run):
    """A training/batch run of a non-deployable executable (Argo WorkflowTemplate)."""

    KIND: ClassVar[Kind] = Kind.EXECUTION
    RUN_KIND: ClassVar[RunKind] = RunKind.EXECUTION

    target_status: TargetStatus = TargetStatus.COMPLETED
    execution_schedule_id: Optional[str] = None  # set when a schedule started it


class Deployment(Run):
    """An inference server of a deployable executable (ServingTemplate)."""

    KIND: ClassVar[Kind] = Kind.DEPLOYMENT
    RUN_KIND: ClassVar[RunKind] = RunKind.DEPLOYMENT

    target_status: TargetStatus = TargetStatus.RUNNING
    # What clients see: "" until the deployment has run once, then inference_url for good.
    deployment_url: str = ""
    inference_url: str  # fixed at creation: {base_url}/v2/inference/deployments/{id}
    last_operation: Operation = Operation.CREATE
    latest_running_configuration_id: Optional[str] = None
    ttl: Optional[str] = None
    details: Optional[Dict[str, Any]] = None


# -- engine-side steps ---------------------------------------------------------------------------------
def _move(run: Run, status: Status, now: datetime, message: Optional[str]) -> None:
    check_transition(run.RUN_KIND, run.status, status)
    run.status = status
    run.modified_at = now
    if message is not None:
        run.status_message = message[:256]


def mark_pending(run: Run, now: datetime, message: Optional[str] = None) -> None:
    """Submitted to the engine (again, for a deployment given a new configuration)."""
    _move(run, Status.PENDING, now, message)
    run.submission_time = now
    run.completion_time = None


def mark_running(run: Run, now: datetime, message: Optional[str] = None) -> None:
    _move(run, Status.RUNNING, now, message)
    run.start_time = now
    if isinstance(run, Deployment):
        run.deployment_url = run.inference_url
        run.latest_running_configuration_id = run.configuration_id


def mark_stopping(run: Run, now: datetime, message: Optional[str] = None) -> None:
    _move(run, Status.STOPPING, now, message)


def mark_stopped(run: Run, now: datetime, message: Optional[str] = None) -> None:
    _move(run, Status.STOPPED, now, message)
    run.completion_time = now


def mark_finished(run: Run, status: Status, now: datetime, message: Optional[str] = None) -> None:
    """COMPLETED or DEAD (a deployment can only die)."""
    allowed = (Status.COMPLETED, Status.DEAD) if run.RUN_KIND is RunKind.EXECUTION else (Status.DEAD,)
    if status not in allowed:
        raise InvalidInput(f"A {run.RUN_KIND.value} can finish only as {' or '.join(s.value for s in allowed)}.")
    _move(run, status, now, message)
    run.completion_time = now


def mark_unknown(run: Run, now: datetime, message: Optional[str] = None) -> None:
    """The engine lost track of the run."""
    _move(run, Status.UNKNOWN, now, message)


# -- user-side steps -----------------------------------------------------------------------------------
def request_stop(run: Run, now: datetime) -> None:
    check_stop(run.RUN_KIND, run.status, run.target_status)
    run.target_status = TargetStatus.STOPPED
    run.modified_at = now
    if isinstance(run, Deployment):
        run.last_operation = Operation.UPDATE


def request_delete(run: Run, now: datetime) -> None:
    check_delete(run.RUN_KIND, run.status, run.target_status)
    run.target_status = TargetStatus.DELETED
    run.modified_at = now
    if isinstance(run, Deployment):
        run.last_operation = Operation.DELETE


def request_reconfigure(deployment: Deployment, configuration_id: str, configuration_name: str,
                        now: datetime) -> None:
    """Switch to another configuration of the same executable; the URL stays, the old config is the rollback."""
    check_reconfigure(deployment.status, deployment.target_status)
    deployment.configuration_id = configuration_id
    deployment.configuration_name = configuration_name
    deployment.last_operation = Operation.UPDATE
    deployment.modified_at = now


def request(run: Run, target: TargetStatus, now: datetime) -> None:
    """A targetStatus request as bulk PATCH sends it: STOPPED or DELETED."""
    if target == TargetStatus.STOPPED:
        request_stop(run, now)
    elif target == TargetStatus.DELETED:
        request_delete(run, now)
    else:
        raise InvalidInput(f"targetStatus must be STOPPED or DELETED, got {target.value}.", target="targetStatus")


# -- storage -------------------------------------------------------------------------------------------
def require_id(value: str, what: str) -> str:
    if not is_valid_id(value):
        raise InvalidInput(f"{what} id '{value}' is invalid: it must match ^[\\w.-]{{4,64}}$.")
    return value


class RunRepository:
    """Reads and conditional writes of runs in one resource group."""

    def __init__(self, store: RecordStore, retries: int = 8):
        self._store = store
        self._retries = retries

    def find(self, ctx: TenantContext, cls: Type[R], run_id: str) -> Optional[R]:
        record = self._store.get(ctx, cls.KIND, run_id)
        return cls.from_record(record) if record is not None else None

    def get(self, ctx: TenantContext, cls: Type[R], run_id: str) -> R:
        label = cls.RUN_KIND.label
        require_id(run_id, label)
        run = self.find(ctx, cls, run_id)
        if run is None:
            raise NotFound(f"{label} '{run_id}' not found in resource group '{ctx.resource_group}'.")
        return run

    def create(self, ctx: TenantContext, run: R) -> R:
        stored = self._store.create(ctx, run.to_record(run.id))
        return type(run).from_record(stored)

    def update(self, ctx: TenantContext, cls: Type[R], run_id: str, step: Callable[[R], None]) -> R:
        """Read, apply `step` (which may refuse), write back only if nobody wrote in between; else retry."""
        for _ in range(self._retries):
            run = self.get(ctx, cls, run_id)
            step(run)
            try:
                stored = self._store.replace(ctx, run.to_record(run.id, run.stored_version))
            except Conflict:
                continue
            return cls.from_record(stored)
        raise Conflict(f"{cls.RUN_KIND.label} '{run_id}' is being changed by other requests; retry.")

    def remove(self, ctx: TenantContext, cls: Type[Run], run_id: str) -> bool:
        return self._store.delete(ctx, cls.KIND, run_id)
