"""HTTP middleware: a request id for every call, a verified Bearer token on every route."""
from __future__ import annotations

import time
import uuid
from typing import Any, Callable

from chalice import Response

from chalicelib.domain.errors import Unauthorized
from chalicelib.domain.tracking import RUN_TOKEN_PREFIX, TRACKING_PREFIX
from chalicelib.domain.traffic_collector import TRAFFIC_PREFIX

from .access_log import AccessLog
from .errors import error_response, normalize
from .routing import PRINCIPAL_KEY, PUBLIC_PATHS, REQUEST_ID_KEY, ROUTE_METHODS

# One structured line per request (JSON, CloudWatch-friendly). Never headers or bodies: they carry tokens
# and secret data.
access_log = AccessLog(service="aicore")


def bearer_token(header: str | None) -> str:
    if not header:
        raise Unauthorized("Missing Authorization header: send 'Authorization: Bearer <token>' "
                           "with a token from the service key's url + /oauth/token.")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <token>'.")
    return token.strip()


def auth_middleware(event: Any, get_response: Callable[[Any], Response]) -> Response:
    started = time.perf_counter()
    request_id = event.context.get(REQUEST_ID_KEY) or str(uuid.uuid4())
    event.context[REQUEST_ID_KEY] = request_id
    path = event.context.get("path", "")
    allowed = ROUTE_METHODS.get(event.path)
    try:
        from chalicelib.bootstrap import container

        if allowed is not None and event.method.upper() not in allowed:
            pass  # answered below with 405: which methods a path has is no secret, so no token is asked first
        elif event.path in PUBLIC_PATHS:
            pass  # the health check: load balancers and troubleshooting call it without a token
        elif path.startswith(TRACKING_PREFIX):
            # Inside a run the SDK sends an empty Authorization header: the path carries the credential.
            grant = container().tracking_credentials.verify((event.uri_params or {}).get("credential", ""))
            event.context[PRINCIPAL_KEY] = grant.principal
        elif path.startswith(TRAFFIC_PREFIX):
            # KServe's payload logger on the cluster sends no credential of its own: the logger URL carries one.
            grant = container().traffic_credentials.verify((event.uri_params or {}).get("credential", ""))
            event.context[PRINCIPAL_KEY] = grant.principal
        else:
            token = bearer_token(event.headers.get("authorization"))
            if token.startswith(RUN_TOKEN_PREFIX):  # AICORE_AUTH_TOKEN inside a run: the same credential
                principal = container().tracking_credentials.verify(token[len(RUN_TOKEN_PREFIX):]).principal
            else:
                principal = container().verifier.verify(token)
            event.context[PRINCIPAL_KEY] = principal
    except Unauthorized as err:
        response = error_response(401, err.code, err.message, request_id, path)
        response.headers["WWW-Authenticate"] = 'Bearer realm="aicore"'
    else:
        if allowed is not None and event.method.upper() not in allowed:
            response = method_not_allowed(event.method, allowed, request_id, path)
        else:
            response = normalize(get_response(event), request_id, path)
    response.headers["X-Request-Id"] = request_id
    principal = event.context.get(PRINCIPAL_KEY)
    access_log.info("request", method=event.method, path=_loggable(path), status=response.status_code,
                    tenant=getattr(principal, "tenant", None), request_id=request_id,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1))
    return response


def method_not_allowed(method: str, allowed, request_id: str, path: str) -> Response:
    """RFC 9110: 405 names the methods the path has. Here wherever the app is reached (chalice.test, the local
    front, Lambda). On AWS, API Gateway answers a method no route declares itself (403 MissingAuthenticationToken)
    before the function runs."""
    methods = ", ".join(sorted(allowed))
    response = error_response(405, "MethodNotAllowed", f"{path} does not support {method}; it supports {methods}.",
                              request_id, path)
    response.headers["Allow"] = methods
    return response


def _loggable(path: str) -> str:
    """Tracking and traffic credentials travel in the path; they must not reach the logs."""
    for prefix in (TRACKING_PREFIX, TRAFFIC_PREFIX):
        if path.startswith(prefix):
            head, sep, rest = path[len(prefix):].partition("/")
            return f"{prefix}***{sep}{rest}" if head else path
    return path

