"""/v2/tracking/{credential}/api/v1/metrics: where ai_core_sdk inside a run writes its metrics.

The SDK sends no Bearer token and no resource group from inside a run; the auth middleware accepts these
paths on the credential in the path instead (domain/tracking.py), which grants writing one execution's
metrics in one resource group. The body and the answer are those of PATCH /v2/lm/metrics.
"""
from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.bootstrap import container
from chalicelib.domain.errors import PayloadTooLarge
from chalicelib.schemas.metrics import MetricsPatch

from .routing import principal_of, route

bp = Blueprint(__name__)
TRACKING_CONTEXT_KEY = "aicore.tracking.context"


def _plain(items) -> list:
    return [item.model_dump(exclude_none=True) for item in items or []]


@route(bp, "/v2/tracking/{credential}/api/v1/metrics", ["PATCH"], status=204, allow_restricted=True,
       body=MetricsPatch, summary="Metrics written from inside a run (credential in the path, no Bearer token)")
def patch(req, credential):
    ctx = req.raw.context[TRACKING_CONTEXT_KEY]  # set by the auth middleware from the verified credential
    limit = container().settings.metrics_max_document_bytes
    if len(req.raw_body()) > limit:
        raise PayloadTooLarge(f"Request body is larger than the metrics limit of {limit} bytes.")
    body = req.body(MetricsPatch)
    container().metrics.write(ctx, body.execution_id, _plain(body.metrics), _plain(body.tags),
                              _plain(body.custom_info), scopes=principal_of(req).scopes)
    return Response(body="", status_code=204)
