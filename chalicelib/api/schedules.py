"""/v2/lm/executionSchedules: cron schedules that start executions of a configuration."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.bootstrap import container
from chalicelib.domain.schedules import ExecutionSchedule, created_message
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse
from chalicelib.schemas.schedules import ScheduleCreate, ScheduleOut, SchedulePatch

from .parameters import SCHEDULE_STATUS
from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/lm/executionSchedules"
FILTERS = ("configurationId", SCHEDULE_STATUS)


def _out(schedule: ExecutionSchedule) -> ScheduleOut:
    return ScheduleOut.model_validate(container().schedules.seen(schedule).model_dump())


def _filters(req) -> dict:
    return {"configuration_id": req.id_param("configurationId"), "status": req.text("status", max_length=32)}


@route(bp, BASE, ["POST"], status=202, resource_group=True, body=ScheduleCreate, response=IdMessage,
       summary="Create an execution schedule (5-field cron, UTC; name defaults to the configuration's)")
def create(req):
    body = req.body(ScheduleCreate)
    schedule = container().schedules.create(req.ctx, body.name, body.cron, body.configuration_id, body.start,
                                            body.end)
    return json_response(IdMessage(id=schedule.id, message=created_message(schedule)), 202,
                         {"Location": f"{BASE}/{schedule.id}"})


@route(bp, BASE, ["GET"], resource_group=True, response=ListOf(ScheduleOut),
       query=FILTERS + ("$top", "$skip"), summary="List execution schedules")
def query(req):
    skip, top = req.paging()
    page = container().schedules.query(req.ctx, skip=skip, top=top, **_filters(req))
    items = [_out(ExecutionSchedule.from_record(record)) for record in page.items]
    return ListResponse[ScheduleOut](count=page.count, resources=items)


@route(bp, BASE + "/$count", ["GET"], resource_group=True, query=FILTERS, content_type="text/plain",
       summary="Count execution schedules (bare integer, text/plain)")
def count(req):
    number = container().schedules.count(req.ctx, **_filters(req))
    return Response(body=str(number), status_code=200, headers={"Content-Type": "text/plain"})


@route(bp, BASE + "/{schedule_id}", ["GET"], resource_group=True, response=ScheduleOut,
       summary="Get an execution schedule")
def get(req, schedule_id):
    return _out(container().schedules.get(req.ctx, schedule_id))


@route(bp, BASE + "/{schedule_id}", ["PATCH"], status=202, resource_group=True, body=SchedulePatch,
       response=IdMessage, summary="Change cron, window or configuration; pause (INACTIVE) or resume (ACTIVE)")
def modify(req, schedule_id):
    changes = req.body(SchedulePatch).model_dump(exclude_unset=True)
    schedule = container().schedules.modify(req.ctx, schedule_id, changes)
    return json_response(IdMessage(id=schedule.id, message="Execution Schedule modified"), 202)


@route(bp, BASE + "/{schedule_id}", ["DELETE"], status=202, resource_group=True, response=IdMessage,
       summary="Delete an execution schedule (its executions stay)")
def delete(req, schedule_id):
    container().schedules.delete(req.ctx, schedule_id)
    return json_response(IdMessage(id=schedule_id, message="Execution Schedule deleted"), 202)
