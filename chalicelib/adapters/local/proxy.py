"""The inference proxy of the local HTTP front: `{base}/v2/inference/deployments/{id}/<path>` -> the predictor.

Chalice buffers whole responses, so this runs in the front itself, before the Chalice gateway. Method, path,
query, headers (less hop-by-hop ones and the caller's token) and body go to the predictor; the response comes
back as it is produced: a body without Content-Length (chunked, server-sent events) is relayed piece by piece
as the predictor writes it. Who may call which deployment is decided by domain.inference.InferenceAccess.
"""
from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
import uuid
from typing import Callable, Dict, Optional
from urllib.parse import urlsplit

from chalicelib.api.auth import bearer_token
from chalicelib.api.errors import error_body
from chalicelib.domain.errors import DomainError
from chalicelib.domain.inference import InferenceAccess
from chalicelib.domain.telemetry import Telemetry
from chalicelib.domain.traffic_recording import TrafficRecorder

from .http_io import read_body, send_domain_error, send_json

log = logging.getLogger("aicore.proxy")

PREFIX = "/v2/inference/deployments/"
# Hop-by-hop headers (RFC 9110 7.6.1) belong to one connection; Authorization is our credential, not the model's.
NOT_FORWARDED = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                 "transfer-encoding", "upgrade", "host", "content-length", "authorization",
                 "expect"}  # 100-continue was answered by this front already; the body is read
NO_BODY = {204, 304}
CHUNK = 64 * 1024


class InferenceProxy:
    def __init__(self, access: Callable[[], InferenceAccess], max_body_bytes: int = 100 * 1024 * 1024,
                 timeout: float = 300.0, recorder: Optional[Callable[[], TrafficRecorder]] = None,
                 telemetry: Optional[Callable[[], Telemetry]] = None):
        self._access = access  # built on first use: the container is configured after the server exists
        self._recorder = recorder  # model monitoring: samples exchanges of opted-in deployments (traffic_recording)
        self._telemetry = telemetry  # requests, codes and latency per deployment (None: not recorded)
        self._max_body = max_body_bytes
        self._timeout = timeout
        self._local = threading.local()  # keep-alive connections to predictors, one set per server thread

    @staticmethod
    def matches(path: str) -> bool:
        return path.startswith(PREFIX)

    def handle(self, handler) -> None:
        """Serve one request on a BaseHTTPRequestHandler whose path matches()."""
        request_id = str(uuid.uuid4())
        started = time.monotonic()
        try:  # headers and body go out in separate writes: without this Nagle + delayed ACK add ~40 ms each
            handler.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except (OSError, AttributeError):
            pass
        parts = urlsplit(handler.path)
        deployment_id, _, rest = parts.path[len(PREFIX):].partition("/")
        target_path = "/" + rest + (f"?{parts.query}" if parts.query else "")
        try:
            # The body first, whatever the answer: read to its end, the connection stays usable after a 401/404.
            body = read_body(handler, self._max_body)
            token = bearer_token(handler.headers.get("Authorization"))
            target = self._access().resolve(token, handler.headers.get("AI-Resource-Group"), deployment_id)
        except DomainError as err:  # read_body closes (and says so) only when the body could not be read
            send_domain_error(handler, err, request_id, parts.path)
            return
        replica = target.upstream
        capture = self._recorder().capture(target.ctx, deployment_id, getattr(replica, "record_rate", 0.0),
                                           handler.command, target_path, body) if self._recorder else None
        code = 502
        try:
            code = self._forward(handler, replica.port, target_path, body, request_id, capture)
        except (OSError, http.client.HTTPException) as err:
            log.info("deployment %s: predictor did not answer (%r)", deployment_id, err)
            send_json(handler, 502, error_body("BadGateway", f"The predictor of deployment '{deployment_id}' did "
                                               "not answer; retry, or check the deployment's status and logs.",
                                               request_id, parts.path), {"X-Request-Id": request_id})
        finally:
            replica.release()
            self._observe(target, deployment_id, code, time.monotonic() - started)

    def _observe(self, target, deployment_id: str, code: int, seconds: float) -> None:
        # Only requests that reached a deployment of the caller's own: refused ones (401, 404) name no deployment
        # the caller owns, and recording them would let anyone grow the figures with made-up ids.
        if self._telemetry is None:
            return
        try:
            self._telemetry().inference_request(target.ctx.tenant, target.ctx.resource_group or "", deployment_id,
                                                code, seconds)
        except Exception:  # noqa: BLE001 - a figure never fails the request it describes
            log.warning("could not record a request of deployment %s", deployment_id, exc_info=True)

    # -- upstream ------------------------------------------------------------------------------------------
    def _connection(self, port: int, fresh: bool) -> http.client.HTTPConnection:
        pool: Dict[int, http.client.HTTPConnection] = self._local.__dict__.setdefault("pool", {})
        connection = pool.get(port)
        if connection is None or fresh:
            if connection is not None:
                connection.close()
            connection = pool[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=self._timeout)
        return connection

    def _upstream(self, handler, port: int, path: str, body: Optional[bytes]) -> http.client.HTTPResponse:
        headers = [(k, v) for k, v in handler.headers.items() if k.lower() not in NOT_FORWARDED]
        headers.append(("Host", f"127.0.0.1:{port}"))
        if body is not None or handler.command in ("POST", "PUT", "PATCH"):
            headers.append(("Content-Length", str(len(body or b""))))
        for attempt in (0, 1):
            # A kept-alive connection the predictor closed meanwhile fails at once: retry on a fresh one.
            connection = self._connection(port, fresh=attempt == 1)
            try:
                connection.putrequest(handler.command, path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    connection.putheader(name, value)
                connection.endheaders(body)
                _quick_ack(connection)
                return connection.getresponse()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                    http.client.ImproperConnectionState):
                connection.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    # -- response -----------------------------------------------------------------------------------------
    def _forward(self, handler, port: int, path: str, body: Optional[bytes], request_id: str,
                 capture=None) -> int:
        """Relays the predictor's answer; returns its status code."""
        response = self._upstream(handler, port, path, body)
        length = response.getheader("Content-Length")
        bodyless = handler.command == "HEAD" or response.status in NO_BODY or 100 <= response.status < 200
        chunked = not bodyless and length is None and handler.request_version == "HTTP/1.1"
        handler.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in NOT_FORWARDED:
                handler.send_header(name, value)
        handler.send_header("X-Request-Id", request_id)
        if length is not None:
            handler.send_header("Content-Length", length)
        elif chunked:
            handler.send_header("Transfer-Encoding", "chunked")
        elif not bodyless:
            handler.send_header("Connection", "close")  # an HTTP/1.0 client: the end of the body is the close
            handler.close_connection = True
        handler.end_headers()
        try:
            self._relay(response, handler.wfile, chunked, bodyless, capture)
        except (OSError, http.client.HTTPException):
            # Headers are gone already: all we can do is end both connections so nobody reads a cut body as whole.
            handler.close_connection = True
            self._connection(port, fresh=True)
            return response.status
        if response.will_close:
            self._connection(port, fresh=True)
        if capture is not None:
            capture.finish(response.status)  # only queues the record: the client has its answer already
        return response.status

    @staticmethod
    def _relay(response: http.client.HTTPResponse, out, chunked: bool, bodyless: bool, capture=None) -> None:
        if bodyless:
            response.read()
            return
        while True:
            _quick_ack(response)
            piece = response.read1(CHUNK)
            if not piece:
                break
            out.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            out.flush()
            if capture is not None:
                capture.feed(piece)
        if chunked:
            out.write(b"0\r\n\r\n")
            out.flush()
        response.read()  # marks the response done (read1 alone never does), so the connection can be reused


def _quick_ack(source) -> None:
    """ACK the predictor's packets at once (Linux TCP_QUICKACK, reset by the kernel, so set before each read):
    a predictor that writes headers and body separately with Nagle on (http.server, Flask's dev server) would
    otherwise wait for our delayed ACK, ~40 ms a response."""
    sock = getattr(source, "sock", None) or getattr(getattr(getattr(source, "fp", None), "raw", None), "_sock", None)
    if sock is not None and hasattr(socket, "TCP_QUICKACK"):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        except OSError:
            pass
