"""/v2/monitoring/traffic/{credential}: where KServe's payload logger on the cluster sends a deployment's predictions.

The logger sends no token; the auth middleware accepts this path on the credential in it (a deployment's, minted
when its InferenceService is applied: domain/traffic_collector.py). A kept half is written to the deployment's
folder in its group's `default` object store, as the local proxy's records are."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain.traffic_collector import half_record
from chalicelib.domain.traffic_recording import OBJECT_STORE_SECRET

from .routing import route

bp = Blueprint(__name__)


@route(bp, "/v2/monitoring/traffic/{credential}", ["POST"], status=202, allow_restricted=True,
       content_type="application/json", errors=(400, 401),
       summary="A prediction's request or response from KServe's payload logger (credential in the path)")
def post(req, credential):
    from chalicelib.bootstrap import container

    c = container()
    grant = c.traffic_credentials.verify(credential)  # the middleware did too; this gives the rate and deployment
    headers = {name: req.header(name) or "" for name in ("ce-id", "ce-type", "ce-time")}
    found = half_record(grant, headers, req.raw_body(), c.clock.now())
    if found is not None:
        path, data = found
        c.dataset_files.upload(grant.context, OBJECT_STORE_SECRET, path, data, overwrite=True)
    return {"recorded": found is not None}
