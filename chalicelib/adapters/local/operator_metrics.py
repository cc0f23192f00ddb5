"""`GET /metrics` on the local front: the stack's operational figures in Prometheus' text format, for the operator.

Why in the front and not a Chalice route: the figures live in this process's registry (the inference proxy,
which records requests, runs in the front too); the routes are the tenants' AI API (their OpenAPI document, their
authorizer), and the operator credential is not a tenant's token. So, like the proxy, this answers before Chalice.

Who may read it: only the bearer of the operator token, a random secret the stack writes at each start to
AICORE_HOME/operator-token (mode 0600, so only the operator's account reads it; Prometheus' scrape config reads it
with `authorization: credentials_file`). Tenants' tokens get 403 and no token (or an invalid one) 401: a tenant
cannot read any figures, its own or another's, since every series names its tenant.
"""
from __future__ import annotations

import hmac
import logging
import os
import secrets
import uuid
from pathlib import Path
from typing import Callable, Tuple
from urllib.parse import urlsplit

from chalicelib.api.auth import bearer_token
from chalicelib.api.errors import error_body
from chalicelib.domain.auth import TokenVerifier
from chalicelib.domain.errors import DomainError, Forbidden, Unauthorized

from .http_io import read_body, send_bytes, send_domain_error, send_json
from .prometheus_telemetry import PrometheusTelemetry

log = logging.getLogger("aicore.local")
PATH = "/metrics"
TOKEN_FILE = "operator-token"


def write_operator_token(home: Path) -> Path:
    """A fresh operator token at every start (the previous one stops working with the previous stack)."""
    path = home / TOKEN_FILE
    tmp = path.with_name(f".{TOKEN_FILE}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others, not even briefly
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(32) + "\n")
    os.replace(tmp, path)
    return path


def read_operator_token(home: Path) -> str:
    return (home / TOKEN_FILE).read_text().strip()


class OperatorMetrics:
    def __init__(self, operator_token: str, exposition: Callable[[], Tuple[bytes, str]],
                 verifier: Callable[[], TokenVerifier]):
        self._token = operator_token
        self._exposition = exposition
        self._verifier = verifier  # tells a tenant's valid token (403) from a bad one (401)

    @staticmethod
    def matches(path: str) -> bool:
        return urlsplit(path).path.rstrip("/") == PATH

    def handle(self, handler) -> None:
        request_id = str(uuid.uuid4())
        try:
            read_body(handler, 64 * 1024)  # read to its end: the connection stays usable after a refusal
            if handler.command not in ("GET", "HEAD"):
                send_json(handler, 405, error_body("MethodNotAllowed", "Use GET /metrics.", request_id, PATH),
                          {"Allow": "GET, HEAD", "X-Request-Id": request_id})
                return
            self._authorize(handler.headers.get("Authorization"))
        except DomainError as err:
            send_domain_error(handler, err, request_id, PATH)
            return
        body, content_type = self._exposition()
        send_bytes(handler, 200, {"Content-Type": content_type, "Cache-Control": "no-store",
                                  "X-Request-Id": request_id}, b"" if handler.command == "HEAD" else body)

    def _authorize(self, header) -> None:
        if not header:
            raise Unauthorized("Missing Authorization header: send 'Authorization: Bearer <operator token>' with "
                               "the token in AICORE_HOME/operator-token.")
        token = bearer_token(header)  # Unauthorized when not a bearer credential
        if hmac.compare_digest(token.encode(), self._token.encode()):
            return
        try:
            self._verifier().verify(token)
        except Unauthorized:
            raise Unauthorized("Invalid token: /metrics takes the operator token (AICORE_HOME/operator-token).") \
                from None
        raise Forbidden("Tenant tokens cannot read the operator metrics; use the operator token "
                        "(AICORE_HOME/operator-token).")


def use_local_metrics(c) -> OperatorMetrics:
    """Local stack start, before the engines are built: figures go to a Prometheus registry, served at /metrics."""
    telemetry = PrometheusTelemetry()
    c.__dict__["telemetry"] = telemetry
    write_operator_token(c.settings.home)
    return OperatorMetrics(read_operator_token(c.settings.home), telemetry.exposition, lambda: c.verifier)
