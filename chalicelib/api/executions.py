"""/v2/lm/executions: start, list, count, get, stop (single and bulk) and delete executions."""
from __future__ import annotations

from typing import Iterable, List

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.executions import ExecutionDetails
from chalicelib.domain.lifecycle import TargetStatus, parse_status
from chalicelib.domain.run_service import BulkOutcome, RunFilter
from chalicelib.domain.runs import Execution
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse
from chalicelib.schemas.runs import (BulkError, BulkResult, ExecutionBulkPatch, ExecutionCreate, ExecutionCreated,
                                     ExecutionOut, ExecutionPatch, RunStatusOut, select_status)

from .artifacts import artifact_out
from .configurations import count_response
from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/lm/executions"
FILTERS = ("executableIds", "configurationId", "scenarioId", "executionScheduleId", "status")


def run_filter(req, schedules: bool = True) -> RunFilter:
    status = req.text("status", max_length=32)
    return RunFilter(executable_ids=req.list_param("executableIds"), configuration_id=req.id_param("configurationId"),
                     scenario_id=req.id_param("scenarioId"), status=parse_status(status) if status else None,
                     execution_schedule_id=req.id_param("executionScheduleId") if schedules else None)


def bulk_results(req, base: str, outcomes: Iterable[BulkOutcome]) -> List[dict]:
    """Each item on its own: {id, message} or {id, error{code, message, requestId, target}} (the client needs all four)."""
    results = []
    for outcome in outcomes:
        if outcome.error is None:
            results.append(BulkResult(id=outcome.id, message=outcome.message).dump())
        else:
            error = BulkError(code=outcome.error.code, message=outcome.error.message, request_id=req.request_id,
                              target=f"{base}/{outcome.id}", details=outcome.error.details)
            results.append(BulkResult(id=outcome.id, error=error).dump())
    return results


def _out(execution: Execution, details: bool = False) -> ExecutionOut:
    data = execution.model_dump(exclude=None if details else {"status_details"})
    return ExecutionOut.model_validate(data)


@route(bp, BASE, ["POST"], status=202, resource_group=True, body=ExecutionCreate, response=ExecutionCreated,
       summary="Start an execution of a configuration")
def create(req):
    body = req.body(ExecutionCreate)
    execution = container().executions.create(req.ctx, body.configuration_id)
    return json_response(ExecutionCreated(id=execution.id, status=execution.status.value,
                                          target_status=execution.target_status.value), 202,
                         {"Location": f"{BASE}/{execution.id}"})


@route(bp, BASE, ["GET"], resource_group=True, response=(ListOf(ExecutionOut), ListOf(RunStatusOut)),
       query=FILTERS + ("$top", "$skip", "$select"), summary="List executions")
def query(req):
    skip, top = req.paging()
    status_only = select_status(req.list_param("$select"))
    listing = container().executions.query(req.ctx, run_filter(req), skip, top)
    if status_only:
        return ListResponse[RunStatusOut](count=listing.count, resources=[
            RunStatusOut.model_validate(e.model_dump()) for e in listing.items])
    return ListResponse[ExecutionOut](count=listing.count, resources=[_out(e) for e in listing.items])


@route(bp, BASE, ["PATCH"], status=202, resource_group=True, body=ExecutionBulkPatch,
       summary="Stop or delete up to 100 executions; each item succeeds or fails on its own")
def bulk_modify(req):
    body = req.body(ExecutionBulkPatch)
    items = [(item.id, TargetStatus(item.target_status)) for item in body.executions]
    outcomes = container().executions.bulk_modify(req.ctx, items)
    return json_response({"executions": bulk_results(req, BASE, outcomes)}, 202)


@route(bp, BASE + "/$count", ["GET"], resource_group=True, query=FILTERS,
       content_type="text/plain", summary="Count executions")
def count(req):
    return count_response(container().executions.count(req.ctx, run_filter(req)))


@route(bp, BASE + "/{execution_id}", ["GET"], resource_group=True, response=(ExecutionOut, RunStatusOut),
       query=("$select",),
       summary="Get an execution (with $select=status: only its status)")
def get(req, execution_id):
    if select_status(req.list_param("$select")):
        return RunStatusOut.model_validate(container().executions.get(req.ctx, execution_id).model_dump())
    found: ExecutionDetails = container().executions.details(req.ctx, execution_id)
    out = _out(found.execution, details=True)
    out.output_artifacts = [artifact_out(a) for a in found.output_artifacts]
    return out


@route(bp, BASE + "/{execution_id}", ["PATCH"], status=202, resource_group=True, body=ExecutionPatch,
       response=IdMessage, summary="Stop an execution (targetStatus STOPPED)")
def modify(req, execution_id):
    body = req.body(ExecutionPatch)
    execution = container().executions.modify(req.ctx, execution_id, body.target_status)
    return IdMessage(id=execution.id, message="Execution modification scheduled")


@route(bp, BASE + "/{execution_id}", ["DELETE"], status=202, resource_group=True, response=IdMessage,
       summary="Delete an execution (COMPLETED, DEAD, STOPPED or UNKNOWN)")
def delete(req, execution_id):
    execution = container().executions.delete(req.ctx, execution_id)
    return IdMessage(id=execution.id, message="Execution deletion scheduled")
