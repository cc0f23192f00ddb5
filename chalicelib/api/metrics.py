"""/v2/lm/metrics: metrics, tags and custom info of executions (AI Core's tracking extension).

Beside the spec's routes, /v2/lm/executions/{id}/metrics (POST to write, GET to read one execution's
MetricResource) serves training code written after AI Core's ML operations reference, which posts there
with AICORE_API_URL and AICORE_AUTH_TOKEN (a run's credential; domain/tracking/credentials.py)."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge
from chalicelib.domain.ids import is_valid_id
from chalicelib.domain.tracking.query import (MAX_EXECUTION_IDS, TagFilters, check_execution_ids,
                                              parse_execution_filter, select_parts)
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse
from chalicelib.schemas.metrics import ExecutionMetricsIn, MetricsPatch, MetricsResourceOut

from .parameters import (METRICS_EXECUTION, METRICS_EXECUTION_IDS, METRICS_FILTER, METRICS_SELECT,
                         METRICS_TAG_FILTERS, METRICS_TOP)
from .request import METRICS_MAX_TOP
from .routing import json_response, principal_of, route

bp = Blueprint(__name__)
BASE = "/v2/lm/metrics"
OF_EXECUTION = "/v2/lm/executions/{execution_id}/metrics"


def _plain(items) -> list:
    return [item.model_dump(exclude_none=True) for item in items or []]


@route(bp, BASE, ["PATCH"], status=204, resource_group=True, allow_restricted=True, body=MetricsPatch,
       summary="Add or update metrics, tags and customInfo of an execution (application/json or merge-patch+json)")
def patch(req):
    return write_metrics(req, req.ctx)


def write_metrics(req, ctx, execution_id=None) -> Response:
    """The PATCH body as the SDK sends it (or, with `execution_id` from the path, the reference's POST body),
    to `ctx` (the request's group, or a run credential's)."""
    limit = container().settings.metrics_max_document_bytes
    if len(req.raw_body()) > limit:
        raise PayloadTooLarge(f"Request body is larger than the metrics limit of {limit} bytes.")
    body = req.body(MetricsPatch) if execution_id is None else req.body(ExecutionMetricsIn)
    container().metrics.write(ctx, execution_id or body.execution_id, _plain(body.metrics), _plain(body.tags),
                              _plain(body.custom_info), scopes=principal_of(req).scopes)
    return Response(body="", status_code=204)


def _execution_id(value: str) -> str:
    if not is_valid_id(value):
        raise InvalidInput(f"Execution id '{value}' must match ^[\\w.-]{{4,64}}$.", target="executionId")
    return value


@route(bp, OF_EXECUTION, ["POST"], status=204, resource_group=True, allow_restricted=True,
       body=ExecutionMetricsIn,
       summary="Convenience beside PATCH /lm/metrics: add metrics (tags, customInfo) to this execution, as "
               "training code after AI Core's ML operations reference posts them (AICORE_API_URL, "
               "AICORE_AUTH_TOKEN inside a run; no AI-Resource-Group needed with that token)")
def post_for_execution(req, execution_id):
    return write_metrics(req, req.ctx, _execution_id(execution_id))


@route(bp, OF_EXECUTION, ["GET"], resource_group=True, response=MetricsResourceOut, query=(METRICS_SELECT,),
       summary="Convenience beside GET /lm/metrics: this execution's MetricResource (empty lists if it has "
               "no metrics yet; 404 if the execution does not exist)")
def get_for_execution(req, execution_id):
    doc = container().metrics.read_execution(req.ctx, _execution_id(execution_id), select_parts(
        req.list_param("$select")))
    return MetricsResourceOut.model_validate(doc)


@route(bp, BASE, ["GET"], resource_group=True, response=ListOf(MetricsResourceOut),
       query=(METRICS_EXECUTION_IDS, METRICS_FILTER, METRICS_SELECT, METRICS_TAG_FILTERS, METRICS_TOP, "$skip"),
       errors=(501,),
       summary="Read metrics of up to 10 executions (executionIds, or $filter with eq/in on executionId)")
def query(req):
    ids = check_execution_ids(req.list_param("executionIds", max_items=MAX_EXECUTION_IDS))
    expression = req.text("$filter")
    if expression:
        from_filter = parse_execution_filter(expression)
        ids = [i for i in ids if i in from_filter] if ids else from_filter  # both given: both must hold
    elif not ids:
        raise InvalidInput("Give executionIds (a comma list of up to 10 execution ids) or $filter "
                           "(executionId eq 'id').", target="executionIds")
    parts = select_parts(req.list_param("$select"))
    tag_filters = TagFilters(req.text("tagFilters"))
    skip, top = req.paging(default_top=1000, max_top=METRICS_MAX_TOP)
    count, docs = container().metrics.read(req.ctx, ids, parts, tag_filters, skip, top)
    resources = [MetricsResourceOut.model_validate(doc) for doc in docs]
    return ListResponse[MetricsResourceOut](count=count, resources=resources)


@route(bp, BASE, ["DELETE"], resource_group=True, response=IdMessage, query=(METRICS_EXECUTION,),
       summary="Delete the metrics, tags and customInfo of an execution")
def delete(req):
    execution_id = req.text("executionId", max_length=256)
    if not execution_id:
        raise InvalidInput("Query parameter 'executionId' is required.", target="executionId")
    container().metrics.delete(req.ctx, execution_id)
    return json_response(IdMessage(id=execution_id, message="Metric Resource was successfully deleted"))
