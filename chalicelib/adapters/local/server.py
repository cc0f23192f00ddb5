"""The local HTTP front: /oauth/token here, every other path through Chalice's local API Gateway.

Chalice's own dev server answers unknown paths with API Gateway's 403; users of the AI API expect the
error body and a 404, so this front does the routing miss itself.

Connections, limits and stopping are http_server.LocalHTTPServer's; request framing is http_io's.
"""
from __future__ import annotations

import base64
import logging
import uuid
from typing import Callable, Optional
from urllib.parse import parse_qs, urlparse

from chalice.config import Config
from chalice.local import CustomLocalChalice, LocalChalice, LocalGateway, LocalGatewayException

from chalicelib.api.errors import error_body
from chalicelib.domain.errors import DomainError

from .http_io import read_body, send_bytes, send_domain_error, send_json
from .http_server import MAX_CONNECTIONS, LocalHTTPServer, RequestHandler

log = logging.getLogger("aicore.local")

MAX_FORM_BYTES = 64 * 1024
# The service key's `url` + /oauth/token is the token URL, and the exports print it that way (the SDK's
# AICORE_AUTH_URL). Scripts written for AI Core, such as the seed's CI/CD pipeline, append /oauth/token
# themselves; with our export pasted in, that is the doubled path, which must not be a 404.
TOKEN_PATHS = ("/oauth/token", "/oauth/token/oauth/token")


class TokenEndpoint:
    """OAuth2 client credentials: client id and secret in the form body or as HTTP Basic auth."""

    def __init__(self, authenticate: Callable[[str, str], Optional[str]], issue: Callable[[str, str], dict]):
        self._authenticate = authenticate
        self._issue = issue

    def handle(self, headers, body: bytes) -> tuple[int, dict]:
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        auth = headers.get("Authorization") or ""
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
                client_id, _, client_secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                return 401, {"error": "invalid_client", "error_description": "Malformed Basic credentials."}
        grant = form.get("grant_type", "client_credentials")
        if grant != "client_credentials":
            return 400, {"error": "unsupported_grant_type",
                         "error_description": "Only grant_type=client_credentials is supported."}
        if not client_id or not client_secret:
            return 401, {"error": "invalid_client",
                         "error_description": "Send client_id and client_secret (form body or Basic auth)."}
        tenant = self._authenticate(client_id, client_secret)
        if tenant is None:
            return 401, {"error": "invalid_client", "error_description": "Bad client credentials."}
        return 200, self._issue(tenant, client_id)


def make_handler(gateway: LocalGateway, tokens: TokenEndpoint, proxy=None, max_body_bytes: int = 100 << 20,
                 operator=None):
    class Handler(RequestHandler):
        def handle_expect_100(self) -> bool:
            # Refuse an oversize upload before the client sends it; it may send it anyway, so close after.
            if _declared_length(self) > max_body_bytes:
                self.close_connection = True
                send_json(self, 413, error_body("PayloadTooLarge", f"Request body is larger than {max_body_bytes}"
                                                " bytes.", str(uuid.uuid4()), urlparse(self.path).path))
                return False
            return super().handle_expect_100()

        def _json(self, status: int, payload: dict, extra: Optional[dict] = None) -> None:
            send_json(self, status, payload, extra)

        def _handle(self) -> None:
            if proxy is not None and proxy.matches(self.path):
                proxy.handle(self)  # inference: streamed to the predictor, never through Chalice (it buffers)
                return
            if operator is not None and operator.matches(self.path):
                operator.handle(self)  # GET /metrics: the operator's figures, not a tenant route (operator_metrics.py)
                return
            path = urlparse(self.path).path
            try:
                body = read_body(self, max_body_bytes) or b""
            except DomainError as err:  # 400/413: the connection stays usable if the body was read to its end
                send_domain_error(self, err, str(uuid.uuid4()), path)
                return
            if path.rstrip("/") in TOKEN_PATHS:
                if self.command != "POST":
                    self._json(405, {"error": "invalid_request", "error_description": "Use POST."})
                    return
                if len(body) > MAX_FORM_BYTES:
                    self._json(413, {"error": "invalid_request", "error_description": "Form too large."})
                    return
                status, payload = tokens.handle(self.headers, body)
                self._json(status, payload, {"Cache-Control": "no-store"})
                return
            try:
                response = gateway.handle_request(self.command, self.path, dict(self.headers), body or None)
            except LocalGatewayException:
                request_id = str(uuid.uuid4())
                self._json(404, error_body("NotFound", f"No route for {self.command} {path}.", request_id, path))
                return
            except Exception:  # noqa: BLE001 - an answer, not a dropped connection the client cannot interpret
                request_id = str(uuid.uuid4())
                log.exception("request %s: %s %s failed outside the routes", request_id, self.command, path)
                self._json(500, error_body("InternalError", f"Internal error; quote request id {request_id} when "
                                           "reporting it.", request_id, path))
                return
            headers = dict(response.get("headers") or {})
            headers.update(response.get("multiValueHeaders") or {})
            payload = response.get("body") or b""
            if response.get("isBase64Encoded"):
                payload = base64.b64decode(payload)
            elif isinstance(payload, str):
                payload = payload.encode("utf-8")
            send_bytes(self, response["statusCode"], headers, payload)

        def _handle_while_serving(self) -> None:
            if self.server.begin_request(self):  # False while stopping: it answered 503 already
                try:
                    self._handle()
                finally:
                    self.server.end_request()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle_while_serving

        def __getattr__(self, name: str):
            # http.server answers a method without a do_<METHOD> (TRACE, CONNECT, PROPFIND...) with an HTML 501;
            # these go to the app like any other, which answers 405 + Allow on its paths and 404 elsewhere.
            if name.startswith("do_") and name[3:].isalpha() and name[3:].isupper():
                return self._handle_while_serving
            raise AttributeError(name)

    return Handler


def _declared_length(handler) -> int:
    try:
        return int(handler.headers.get("Content-Length") or 0)
    except ValueError:
        return 0  # read_body answers the malformed header


def build_server(app, host: str, port: int, tokens: TokenEndpoint, proxy=None, *, max_body_bytes: int = 100 << 20,
                 max_connections: int = MAX_CONNECTIONS, operator=None) -> LocalHTTPServer:
    """`proxy` (adapters/local/proxy.InferenceProxy) takes /v2/inference/deployments/... before Chalice;
    `operator` (adapters/local/operator_metrics.OperatorMetrics) takes /metrics.
    `max_body_bytes`: larger bodies are refused here (413) before any route buffers them."""
    if not isinstance(app, LocalChalice):
        # Requests run on many threads: make app.current_request thread-local, as `chalice local` does.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    gateway = LocalGateway(app, Config(chalice_stage="dev"))
    return LocalHTTPServer((host, port), make_handler(gateway, tokens, proxy, max_body_bytes, operator),
                           max_connections)
