"""The inference path on AWS: API Gateway's REQUEST authorizer in front of the cluster's ingress.

`{api}/v2/inference/deployments/{deploymentId}/{proxy+}` is an HTTP_PROXY integration over a VPC link to the
internal load balancer of the cluster's ingress (KServe's Istio or Kourier gateway): request and response bodies
never pass through a Lambda, so API Gateway's Lambda payload limit does not apply and a predictor's response can
stream. This authorizer decides, per request (cache TTL 0: the answer depends on the path's deployment id, which
API Gateway cannot key a cache on), whether the caller reaches that deployment, with the same rules as the local
front's proxy (`domain.inference.InferenceAccess`): the token's tenant and the AI-Resource-Group header must own the
deployment, and it must be RUNNING. An allowed request carries `context.host`, the virtual host the ingress routes
to the deployment's InferenceService (the integration sets it as the Host header), and the deployment, tenant and
resource group for the stage's access log.

A refusal is a Deny policy whose context holds the AI API error (`code`, `message`); the stage's gateway response
for ACCESS_DENIED renders it as the AI API error body. API Gateway gives every Deny the same status (403), so a
missing deployment and another tenant's deployment look alike there, which is what the local 404 achieves too.
A bad or missing token raises `Unauthorized`, API Gateway's signal for a 401.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import DomainError, Unauthorized
from chalicelib.domain.inference import InferenceAccess
from chalicelib.domain.lifecycle import Operation, Status
from chalicelib.domain.records import Kind, RecordStore
from chalicelib.domain.runs import Deployment

# (tenant context, deployment id) -> the ingress virtual host of its InferenceService
HostOf = Callable[[TenantContext, str], str]


def running_host(store: RecordStore, host_of: HostOf) -> Callable[[TenantContext, str], Optional[str]]:
    """InferenceAccess's endpoint lookup on AWS: the virtual host while a predictor serves the deployment, else None.

    A predictor serves while the deployment is RUNNING, and also while a configuration switch rolls out (PENDING
    after an update of a deployment that was running): KServe keeps the previous revision answering until the new one
    is ready, so requests must keep reaching it (a switch drops no request)."""

    def lookup(ctx: TenantContext, deployment_id: str) -> Optional[str]:
        record = store.get(ctx, Kind.DEPLOYMENT, deployment_id)
        if record is None or not _serving(Deployment.from_record(record)):
            return None
        return host_of(ctx, deployment_id)

    return lookup


def _serving(deployment: Deployment) -> bool:
    if deployment.status is Status.RUNNING:
        return True
    rolling_over = deployment.status is Status.PENDING and deployment.last_operation is Operation.UPDATE
    return rolling_over and deployment.latest_running_configuration_id is not None


def authorize(access: InferenceAccess, event: Dict[str, Any]) -> Dict[str, Any]:
    """API Gateway REQUEST authorizer event -> IAM policy document with context."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    deployment_id = (event.get("pathParameters") or {}).get("deploymentId") or ""
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Missing bearer token.")
    try:
        target = access.resolve(token.strip(), headers.get("ai-resource-group"), deployment_id)
    except Unauthorized:
        raise
    except DomainError as err:
        # The gateway response pastes these into a JSON body as they are: no quote or backslash may break it.
        return _policy("anonymous", "Deny", event["methodArn"], {"code": err.code, "message": _json_safe(err.message)})
    principal = f"{target.ctx.tenant}/{target.ctx.resource_group}"
    # host routes the request; the rest names it in the stage's access log, which the inference metrics read
    # (infra/inference_metrics.py): API Gateway sees the answer's status and time, no function of ours does.
    return _policy(principal, "Allow", event["methodArn"], {
        "host": target.upstream, "deploymentId": deployment_id, "tenant": target.ctx.tenant,
        "resourceGroup": target.ctx.resource_group or ""})


def lambda_handler(event: Dict[str, Any], context: Any = None) -> Dict[str, Any]:
    """app.py's `inference_authorizer` function."""
    from chalicelib.bootstrap import container

    return handle(container().cluster_inference_access, event)


def handle(access: InferenceAccess, event: Dict[str, Any]) -> Dict[str, Any]:
    """The Lambda entry: API Gateway wants the exception message 'Unauthorized' for a 401."""
    try:
        return authorize(access, event)
    except Unauthorized:
        raise Exception("Unauthorized") from None  # noqa: TRY002 - API Gateway matches this exact message


def _policy(principal: str, effect: str, method_arn: str, context: Dict[str, str]) -> Dict[str, Any]:
    return {"principalId": principal,
            "policyDocument": {"Version": "2012-10-17",
                               "Statement": [{"Action": "execute-api:Invoke", "Effect": effect,
                                              "Resource": method_arn}]},
            "context": context}


def _json_safe(text: str) -> str:
    return "".join(" " if ch in "\r\n\t" else "'" if ch == '"' else "/" if ch == "\\" else ch
                   for ch in text if ch >= " " or ch in "\r\n\t")
