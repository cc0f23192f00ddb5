"""/v2/lm/executions/{id}/logs and /v2/lm/deployments/{id}/logs (window and defaults: domain/logs.py)."""
from __future__ import annotations

import re

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.clock import parse_timestamp
from chalicelib.domain.logs import DEFAULT_TOP, MAX_TOP
from chalicelib.domain.records import Kind
from chalicelib.schemas.logs import LogData, LogLine, LogsOut

from .parameters import LOG_END, LOG_ORDER, LOG_START, LOG_TOP
from .routing import route

bp = Blueprint(__name__)
QUERY = (LOG_TOP, LOG_START, LOG_END, LOG_ORDER)
# An unencoded '+' in an offset arrives as a space ("...14.347 02:00"); the spec asks for %2B, we forgive it.
SPACED_OFFSET = re.compile(r"(T[\d:.]+) (\d{2}:?\d{2})$")


def _time(req, name: str):
    value = req.text(name, max_length=64)
    if not value:
        return None
    return parse_timestamp(SPACED_OFFSET.sub(r"\1+\2", value), name)


def _logs(req, kind: Kind, run_id: str) -> LogsOut:
    top = req.integer("$top", DEFAULT_TOP, minimum=1, maximum=MAX_TOP)
    order = (req.text("$order", max_length=16) or "asc").lower()
    entries = container().logs.read(req.ctx, kind, run_id, _time(req, "start"), _time(req, "end"), top, order)
    return LogsOut(data=LogData(result=[LogLine.model_validate(e.model_dump()) for e in entries]))


@route(bp, "/v2/lm/executions/{execution_id}/logs", resource_group=True, response=LogsOut, query=QUERY,
       summary="Logs of an execution")
def execution_logs(req, execution_id):
    return _logs(req, Kind.EXECUTION, execution_id)


@route(bp, "/v2/lm/deployments/{deployment_id}/logs", resource_group=True, response=LogsOut, query=QUERY,
       summary="Logs of a deployment")
def deployment_logs(req, deployment_id):
    return _logs(req, Kind.DEPLOYMENT, deployment_id)
