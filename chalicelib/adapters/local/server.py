"""The local HTTP front: /oauth/token here, every other path through Chalice's local API Gateway.

Chalice's own dev server answers unknown paths with API Gateway's 403; users of the AI API expect the
error body and a 404, so this front does the routing miss itself.
"""
from __future__ import annotations

import base64
import json
import logging
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qs, urlparse

from chalice.config import Config
from chalice.local import CustomLocalChalice, LocalChalice, LocalGateway, LocalGatewayException

from chalicelib.api.errors import error_body

log = logging.getLogger("aicore.local")

MAX_FORM_BYTES = 64 * 1024


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


def make_handler(gateway: LocalGateway, tokens: TokenEndpoint, proxy=None):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "aicore-local"
        # Headers and body go out in separate writes: with Nagle's algorithm on, the body waits for the client's
        # delayed ACK (~40 ms on Linux) on every keep-alive request.
        disable_nagle_algorithm = True

        def log_message(self, fmt, *args):  # route access logs through logging, not stderr
            log.debug("%s " + fmt, self.address_string(), *args)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length > 0 else b""

        def _send(self, status: int, headers: dict, body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                for item in value if isinstance(value, list) else [value]:
                    self.send_header(name, str(item))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, payload: dict, extra: Optional[dict] = None) -> None:
            self._send(status, {"Content-Type": "application/json", **(extra or {})}, json.dumps(payload).encode())

        def _handle(self) -> None:
            if proxy is not None and proxy.matches(self.path):
                proxy.handle(self)  # inference: streamed to the predictor, never through Chalice (it buffers)
                return
            body = self._body()
            path = urlparse(self.path).path
            if path.rstrip("/") == "/oauth/token":
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
            headers = dict(response.get("headers") or {})
            headers.update(response.get("multiValueHeaders") or {})
            payload = response.get("body") or b""
            if response.get("isBase64Encoded"):
                payload = base64.b64decode(payload)
            elif isinstance(payload, str):
                payload = payload.encode("utf-8")
            self._send(response["statusCode"], headers, payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    return Handler


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # listen backlog: 5 (the default) resets connections when 50 writers arrive at once


def build_server(app, host: str, port: int, tokens: TokenEndpoint, proxy=None) -> LocalHTTPServer:
    """`proxy` (adapters/local/proxy.InferenceProxy) takes /v2/inference/deployments/... before Chalice."""
    if not isinstance(app, LocalChalice):
        # Requests run on many threads: make app.current_request thread-local, as `chalice local` does.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    gateway = LocalGateway(app, Config(chalice_stage="dev"))
    return LocalHTTPServer((host, port), make_handler(gateway, tokens, proxy))
