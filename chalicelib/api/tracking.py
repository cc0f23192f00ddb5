"""/v2/tracking/{credential}/api/v1/metrics: where ai_core_sdk inside a run writes its metrics.

The SDK sends no Bearer token and no resource group from inside a run; the auth middleware accepts these
paths on the credential in the path instead (domain/tracking/credentials.py), which grants writing one
execution's metrics in one resource group. The body and the answer are those of PATCH /v2/lm/metrics.
"""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.schemas.metrics import MetricsPatch

from .metrics import write_metrics
from .routing import route

bp = Blueprint(__name__)


@route(bp, "/v2/tracking/{credential}/api/v1/metrics", ["PATCH"], status=204, allow_restricted=True,
       body=MetricsPatch, summary="Metrics written from inside a run (credential in the path, no Bearer token)")
def patch(req, credential):
    # The tenant and resource group come from the credential the auth middleware verified, not from headers.
    return write_metrics(req, req.ctx)
