"""The local HTTP front: /oauth/token here, every other path through Chalice's local API Gateway.

Chalice's own dev server answers unknown paths with API Gateway's 403; users of the AI API expect the
error body and a 404, so this front does the routing miss itself.

What clients do to a server (bursts of parallel connections, keep-alive, bodies of any framing) it holds: a
deep listen backlog, a bound on connections answered past it with 503 + Retry-After, and closes that never
reset (http_io.linger_close).
"""
from __future__ import annotations

import base64
import logging
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Optional
from urllib.parse import parse_qs, urlparse

from chalice.config import Config
from chalice.local import CustomLocalChalice, LocalChalice, LocalGateway, LocalGatewayException

from chalicelib.api.errors import error_body
from chalicelib.domain.errors import DomainError

from .http_io import linger_close, read_body, send_domain_error, send_json

log = logging.getLogger("aicore.local")

MAX_FORM_BYTES = 64 * 1024
# Connections wait here while all handler threads are busy starting up; Python's default of 5 made the kernel
# reset about 1 connection in 60 under 16 parallel clients. Linux caps it at net.core.somaxconn.
LISTEN_BACKLOG = 1024
MAX_CONNECTIONS = 512  # threads serving connections at once; more get 503 + Retry-After
MAX_REFUSING = 32  # threads answering those 503s; past both, accepting waits (the backlog holds the rest)
IDLE_SECONDS = 120  # a keep-alive connection silent this long is closed (it holds a thread)


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


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aicore-local"
    timeout = IDLE_SECONDS

    def log_message(self, fmt, *args):  # route access logs through logging, not stderr
        log.debug("%s " + fmt, self.address_string(), *args)


class _Busy(_Handler):
    """Past MAX_CONNECTIONS: a clean answer that says when to come back, instead of a reset or a long wait."""

    timeout = 5

    def _refuse(self) -> None:
        self.close_connection = True
        request_id = str(uuid.uuid4())
        send_json(self, 503, error_body("ServiceUnavailable", "The server is at its connection limit; retry "
                                        "after the time in Retry-After.", request_id, urlparse(self.path).path),
                  {"Retry-After": "1", "X-Request-Id": request_id})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _refuse


def make_handler(gateway: LocalGateway, tokens: TokenEndpoint, proxy=None, max_body_bytes: int = 100 << 20):
    class Handler(_Handler):
        def handle_expect_100(self) -> bool:
            # Refuse an oversize upload before the client sends it; it may send it anyway, so close after.
            if _declared_length(self) > max_body_bytes:
                self.close_connection = True
                send_json(self, 413, error_body("PayloadTooLarge", f"Request body is larger than {max_body_bytes}"
                                                " bytes.", str(uuid.uuid4()), urlparse(self.path).path))
                return False
            return super().handle_expect_100()

        def _send(self, status: int, headers: dict, body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                for item in value if isinstance(value, list) else [value]:
                    self.send_header(name, str(item))
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, payload: dict, extra: Optional[dict] = None) -> None:
            send_json(self, status, payload, extra)

        def _handle(self) -> None:
            if proxy is not None and proxy.matches(self.path):
                proxy.handle(self)  # inference: streamed to the predictor, never through Chalice (it buffers)
                return
            path = urlparse(self.path).path
            try:
                body = read_body(self, max_body_bytes) or b""
            except DomainError as err:  # 400/413: the connection stays usable if the body was read to its end
                send_domain_error(self, err, str(uuid.uuid4()), path)
                return
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
            self._send(response["statusCode"], headers, payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    return Handler


def _declared_length(handler) -> int:
    try:
        return int(handler.headers.get("Content-Length") or 0)
    except ValueError:
        return 0  # read_body answers the malformed header


class LocalHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False  # stopping must not wait for idle keep-alive connections
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address, handler, max_connections: int = MAX_CONNECTIONS):
        self._slots = threading.BoundedSemaphore(max_connections)
        self._refusing = threading.BoundedSemaphore(MAX_REFUSING)
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        if self._slots.acquire(blocking=False):
            super().process_request(request, client_address)
            return
        self._refusing.acquire()  # both full: stop accepting until a refusal ends (clients wait in the backlog)
        threading.Thread(target=self._refuse, args=(request, client_address), daemon=True).start()

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse(self, request, client_address):
        try:
            _Busy(request, client_address, self)
        except Exception:  # noqa: BLE001 - the client went away meanwhile
            log.debug("refusing %s failed", client_address, exc_info=True)
        finally:
            linger_close(request)
            self._refusing.release()

    def shutdown_request(self, request):
        linger_close(request)

    def handle_error(self, request, client_address):
        # A client that hangs up mid-answer is routine (timeouts, Ctrl-C): not a traceback on stderr.
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s went away", client_address)
        else:
            log.exception("error serving %s", client_address)


def build_server(app, host: str, port: int, tokens: TokenEndpoint, proxy=None, *, max_body_bytes: int = 100 << 20,
                 max_connections: int = MAX_CONNECTIONS) -> LocalHTTPServer:
    """`proxy` (adapters/local/proxy.InferenceProxy) takes /v2/inference/deployments/... before Chalice.
    `max_body_bytes`: larger bodies are refused here (413) before any route buffers them."""
    if not isinstance(app, LocalChalice):
        # Requests run on many threads: make app.current_request thread-local, as `chalice local` does.
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    gateway = LocalGateway(app, Config(chalice_stage="dev"))
    return LocalHTTPServer((host, port), make_handler(gateway, tokens, proxy, max_body_bytes), max_connections)
