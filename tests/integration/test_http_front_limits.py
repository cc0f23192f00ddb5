"""The local HTTP front's own limits, on the real server object over real sockets (loopback): a connection
past the bound gets 503 + Retry-After (never a reset), an oversize body a 413 on a connection that stays
usable, and a stop lets requests under way finish without waiting for idle keep-alive clients."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest
from chalice import Chalice

from chalicelib.adapters.local.server import TokenEndpoint, build_server

MAX_BODY = 1000
SLOW_ENTERED = threading.Event()  # set by /slow once its request is under way


@pytest.fixture
def front():
    app = Chalice(app_name="front-limits")

    @app.route("/ping", methods=["GET", "POST"], content_types=["*/*"])
    def ping():
        return {"pong": True}

    @app.route("/slow")
    def slow():
        SLOW_ENTERED.set()
        time.sleep(1)
        return {"slow": True}

    tokens = TokenEndpoint(lambda client_id, secret: None, lambda tenant, client_id: {})
    server = build_server(app, "127.0.0.1", 0, tokens, max_body_bytes=MAX_BODY, max_connections=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def connect(server) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)


def call(connection, method="GET", path="/ping", body=None, headers=None, chunked=False):
    connection.request(method, path, body, headers or {}, encode_chunked=chunked)
    response = connection.getresponse()
    return response, response.read()


def test_past_the_connection_bound_a_503_with_retry_after_then_service_again(front):
    held = [connect(front), connect(front)]
    for connection in held:  # two kept-alive connections hold both slots
        assert call(connection)[0].status == 200
    extra = connect(front)
    response, body = call(extra, "POST", "/ping", b"x" * 200_000)  # a body it never reads: no reset either
    assert response.status == 503 and response.getheader("Retry-After") == "1"
    assert response.getheader("Connection") == "close" and json.loads(body)["error"]["code"] == "ServiceUnavailable"
    extra.close()
    held.pop().close()
    deadline = time.monotonic() + 5
    while True:  # the freed slot comes back once the server sees the close
        response, _ = call(fresh := connect(front))
        fresh.close()
        if response.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert response.status == 200
    held[0].close()


def test_an_oversize_body_gets_413_and_the_connection_stays_usable(front):
    connection = connect(front)
    port = None
    for body in (b"x" * (MAX_BODY + 1), b"y" * (20 * MAX_BODY)):
        response, payload = call(connection, "POST", "/ping", body)
        assert response.status == 413 and json.loads(payload)["error"]["code"] == "PayloadTooLarge"
        assert response.getheader("Connection") is None
        port = port or connection.sock.getsockname()[1]
        assert connection.sock.getsockname()[1] == port  # the same connection, not a silent reconnect
    response, payload = call(connection, "POST", "/ping", b"{}")
    assert response.status == 200 and connection.sock.getsockname()[1] == port
    connection.close()


def raw_exchange(server, request: bytes) -> bytes:
    """Send bytes, read until the server closes; a reset raises."""
    with socket.create_connection(server.server_address, timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while piece := sock.recv(65536):
            chunks.append(piece)
    return b"".join(chunks)


@pytest.mark.parametrize("request_bytes", [
    b"POST /ping HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
    b"POST /ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
    b"POST /ping HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + b"400\r\n" + b"x" * 1024 + b"\r\n" * 3,
    b"POST /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000000\r\nExpect: 100-continue\r\n\r\n",
], ids=["bad-length", "bad-chunk", "chunked-too-large", "expect-too-large"])
def test_unreadable_bodies_are_answered_then_closed_with_notice(front, request_bytes):
    answer = raw_exchange(front, request_bytes)  # ends: the server closed, and said so first
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    assert head.split()[1] in ("400", "413"), head
    assert "Connection: close" in head
    assert b"100 Continue" not in answer


def test_chunked_bodies_are_read(front):
    connection = connect(front)
    response, payload = call(connection, "POST", "/ping", iter([b"{", b"}"]),
                             {"Transfer-Encoding": "chunked", "Content-Type": "application/json"}, chunked=True)
    assert response.status == 200 and json.loads(payload) == {"pong": True}
    assert call(connection)[0].status == 200  # the chunked framing was consumed exactly
    connection.close()


def test_stopping_finishes_requests_under_way_and_not_idle_connections(front):
    idle, busy = connect(front), connect(front)
    assert call(idle)[0].status == 200  # kept alive, then silent
    answers = {}
    SLOW_ENTERED.clear()
    slow = threading.Thread(target=lambda: answers.update(slow=call(busy, "GET", "/slow")))
    slow.start()
    assert SLOW_ENTERED.wait(10)
    started = time.monotonic()
    stopper = threading.Thread(target=lambda: (front.shutdown(), front.server_close()))
    stopper.start()
    deadline = time.monotonic() + 5
    while not front.stopping and time.monotonic() < deadline:
        time.sleep(0.01)
    response, body = call(idle)  # a new request on a kept-alive connection while stopping
    assert response.status == 503 and response.getheader("Connection") == "close"
    assert response.getheader("Retry-After") == "1"
    stopper.join(10)
    slow.join(10)
    assert not stopper.is_alive() and time.monotonic() - started < 5
    assert answers["slow"][0].status == 200 and json.loads(answers["slow"][1]) == {"slow": True}
    idle.close()
    busy.close()


class _Replica:
    def __init__(self, port: int):
        self.port = port

    def release(self) -> None:
        pass


class _Access:
    """Resolves every deployment to `port`: the proxy's own code runs unchanged around it."""

    def __init__(self, port: int):
        self.port = port

    def resolve(self, token, resource_group, deployment_id):
        from chalicelib.domain.errors import NotFound

        if deployment_id == "missing":
            raise NotFound("Deployment 'missing' not found.")
        return type("Target", (), {"upstream": _Replica(self.port)})()


def test_proxy_error_answers_keep_the_connection():
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from chalicelib.adapters.local.net import free_port
    from chalicelib.adapters.local.proxy import InferenceProxy

    class Predictor(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    predictor = ThreadingHTTPServer(("127.0.0.1", 0), Predictor)
    threading.Thread(target=predictor.serve_forever, daemon=True).start()
    access = _Access(free_port())  # nothing listens there yet: 502
    proxy = InferenceProxy(lambda: access, max_body_bytes=MAX_BODY)
    tokens = TokenEndpoint(lambda client_id, secret: None, lambda tenant, client_id: {})
    server = build_server(Chalice(app_name="proxy-front"), "127.0.0.1", 0, tokens, proxy, max_body_bytes=MAX_BODY)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    connection = connect(server)
    auth = {"Authorization": "Bearer t", "AI-Resource-Group": "default"}
    base = "/v2/inference/deployments"
    try:
        cases = [(f"{base}/d1/v2/predict", b"{}", {}, 401),
                 (f"{base}/missing/v2/predict", b"{}", auth, 404),
                 (f"{base}/d1/v2/predict", b"x" * (MAX_BODY + 1), auth, 413),
                 (f"{base}/d1/v2/predict", b'{"a": 1}', auth, 502)]
        port = None
        for path, body, headers, status in cases:
            response, payload = call(connection, "POST", path, body, headers)
            assert response.status == status, (path, payload)
            assert response.getheader("Connection") is None, path
            port = port or connection.sock.getsockname()[1]
            assert connection.sock.getsockname()[1] == port, f"{path}: reconnected"
        access.port = predictor.server_address[1]
        response, payload = call(connection, "POST", f"{base}/d1/v2/predict", b'{"a": 2}', auth)
        assert response.status == 200 and payload == b'{"a": 2}' and connection.sock.getsockname()[1] == port
    finally:
        connection.close()
        server.shutdown()
        server.server_close()
        predictor.shutdown()
        predictor.server_close()
