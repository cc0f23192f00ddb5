"""/v2/lm/metrics: metrics, tags and custom info of executions (AI Core's tracking extension)."""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.bootstrap import container
from chalicelib.domain.errors import InvalidInput, PayloadTooLarge
from chalicelib.domain.metrics_query import (MAX_EXECUTION_IDS, TagFilters, check_execution_ids,
                                             parse_execution_filter, select_parts)
from chalicelib.schemas.common import IdMessage, ListResponse
from chalicelib.schemas.metrics import MetricsPatch, MetricsResourceOut

from .routing import json_response, principal_of, route

bp = Blueprint(__name__)
BASE = "/v2/lm/metrics"


def _plain(items) -> list:
    return [item.model_dump(exclude_none=True) for item in items or []]


@route(bp, BASE, ["PATCH"], status=204, resource_group=True, allow_restricted=True, body=MetricsPatch,
       summary="Add or update metrics, tags and customInfo of an execution (application/json or merge-patch+json)")
def patch(req):
    return write_metrics(req, req.ctx)


def write_metrics(req, ctx) -> Response:
    """The PATCH body as the SDK sends it, to `ctx` (the request's group, or a tracking credential's)."""
    limit = container().settings.metrics_max_document_bytes
    if len(req.raw_body()) > limit:
        raise PayloadTooLarge(f"Request body is larger than the metrics limit of {limit} bytes.")
    body = req.body(MetricsPatch)
    container().metrics.write(ctx, body.execution_id, _plain(body.metrics), _plain(body.tags),
                              _plain(body.custom_info), scopes=principal_of(req).scopes)
    return Response(body="", status_code=204)


@route(bp, BASE, ["GET"], resource_group=True, response=ListResponse[MetricsResourceOut],
       query=("executionIds", "$filter", "$select", "tagFilters", "$top", "$skip"),
       summary="Read metrics of up to 10 executions (executionIds, or $filter with eq/in on executionId)")
def query(req):
    ids = check_execution_ids(req.list_param("executionIds", max_items=MAX_EXECUTION_IDS))
    expression = req.text("$filter", max_length=5000)
    if expression:
        from_filter = parse_execution_filter(expression)
        ids = [i for i in ids if i in from_filter] if ids else from_filter  # both given: both must hold
    elif not ids:
        raise InvalidInput("Give executionIds (a comma list of up to 10 execution ids) or $filter "
                           "(executionId eq 'id').", target="executionIds")
    parts = select_parts(req.list_param("$select"))
    tag_filters = TagFilters(req.text("tagFilters", max_length=5000))
    skip, top = req.paging(default_top=1000, max_top=10000)
    count, docs = container().metrics.read(req.ctx, ids, parts, tag_filters, skip, top)
    resources = [MetricsResourceOut.model_validate(doc) for doc in docs]
    return ListResponse[MetricsResourceOut](count=count, resources=resources)


@route(bp, BASE, ["DELETE"], resource_group=True, response=IdMessage, query=("executionId",),
       summary="Delete the metrics, tags and customInfo of an execution")
def delete(req):
    execution_id = req.text("executionId", max_length=256)
    if not execution_id:
        raise InvalidInput("Query parameter 'executionId' is required.", target="executionId")
    container().metrics.delete(req.ctx, execution_id)
    return json_response(IdMessage(id=execution_id, message="Metric Resource was successfully deleted"))
