"""Traffic recording through the real inference proxy over loopback sockets: an opted-in deployment's exchange is
recorded whole (also when the predictor streams its answer in chunks), a deployment without the annotation is not,
and a slow object store neither slows predictions down nor grows memory (the writer's queue is bounded)."""
from __future__ import annotations

import http.client
import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from chalice import Chalice

from chalicelib.adapters.local.proxy import InferenceProxy
from chalicelib.adapters.local.server import TokenEndpoint, build_server
from chalicelib.adapters.local.traffic_writer import AsyncTrafficWriter
from chalicelib.domain.context import TenantContext
from chalicelib.domain.traffic_recording import TrafficRecorder

CTX = TenantContext("tenant-a", "rg-a")
AUTH = {"Authorization": "Bearer t", "AI-Resource-Group": "rg-a", "Content-Type": "application/json"}


class Predictor(BaseHTTPRequestHandler):
    """/stream answers in three chunks without Content-Length; anything else echoes predictions with a length."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        instances = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["instances"]
        body = json.dumps({"predictions": [len(x) for x in instances]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.path.endswith("/stream"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (body[:5], body[5:9], body[9:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                time.sleep(0.01)
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Replica:
    def __init__(self, port: int, rate: float):
        self.port, self.record_rate = port, rate

    def release(self) -> None:
        pass


class Access:
    """Deployment 'recorded' opted in at rate 1, 'plain' not (the engine sets record_rate from the template)."""

    def __init__(self, port: int):
        self.port = port

    def resolve(self, token, resource_group, deployment_id):
        rate = 1.0 if deployment_id == "recorded" else 0.0
        return type("Target", (), {"upstream": Replica(self.port, rate), "ctx": CTX})()


class Files:
    """The dataset files service as the writer uses it; `delay` makes the store slow."""

    def __init__(self, delay: float = 0.0):
        self.delay, self.uploaded = delay, []

    def upload(self, ctx, secret, path, data, overwrite):
        time.sleep(self.delay)
        self.uploaded.append((ctx, secret, path, data, overwrite))
        return f"ai://{secret}/{path}"


@pytest.fixture
def front():
    predictor = ThreadingHTTPServer(("127.0.0.1", 0), Predictor)
    threading.Thread(target=predictor.serve_forever, daemon=True).start()
    servers = []

    def start(writer):
        recorder = TrafficRecorder(writer.submit, lambda: datetime(2026, 12, 4, tzinfo=timezone.utc),
                                   lambda: 0.5, lambda: "r1")
        access = Access(predictor.server_address[1])
        proxy = InferenceProxy(lambda: access, max_body_bytes=10_000, recorder=lambda: recorder)
        tokens = TokenEndpoint(lambda client_id, secret: None, lambda tenant, client_id: {})
        server = build_server(Chalice(app_name="recording-front"), "127.0.0.1", 0, tokens, proxy)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=10)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
    predictor.shutdown()
    predictor.server_close()


def predict(connection, deployment: str, path: str, instances: list) -> dict:
    body = json.dumps({"instances": instances})
    connection.request("POST", f"/v2/inference/deployments/{deployment}{path}", body, AUTH)
    response = connection.getresponse()
    assert response.status == 200
    return json.loads(response.read())


@pytest.mark.parametrize("path", ["/v1/models/m:predict", "/stream"])
def test_an_opted_in_exchange_is_recorded_whole_and_a_plain_one_not(front, path):
    files = Files()
    writer = AsyncTrafficWriter(files)
    connection = front(writer)
    assert predict(connection, "recorded", path, ["ab", "abcd"]) == {"predictions": [2, 4]}
    assert predict(connection, "plain", path, ["x"]) == {"predictions": [1]}
    assert writer.flush()
    [(ctx, secret, key, data, overwrite)] = files.uploaded
    assert (ctx, secret, overwrite) == (CTX, "default", False)
    assert key == "monitoring/recorded/2026-12-04/20261204T000000.000000Z-r1.jsonl"
    record = json.loads(data)
    assert record["request"] == {"instances": ["ab", "abcd"]} and record["response"] == {"predictions": [2, 4]}
    assert record["path"] == path and record["status"] == 200
    writer.stop()


def test_a_slow_store_does_not_slow_predictions_and_the_queue_is_bounded(front):
    files = Files(delay=0.5)
    writer = AsyncTrafficWriter(files, capacity=2)
    connection = front(writer)
    started = time.monotonic()
    for i in range(8):
        predict(connection, "recorded", "/v1/models/m:predict", ["a" * i])
    assert time.monotonic() - started < 2.0  # eight uploads would take 4 s if predictions waited for them
    assert writer.dropped >= 4  # one being written, two queued: the rest are dropped, not held
    assert writer.flush(5)
    assert len(files.uploaded) == 8 - writer.dropped
    writer.stop()


def test_a_group_without_a_default_store_loses_its_records_not_the_writer():
    from chalicelib.domain.errors import NotFound

    class Refusing(Files):
        def upload(self, ctx, secret, path, data, overwrite):
            if ctx.resource_group == "no-store":
                raise NotFound("Object store secret 'default' not found.")
            return super().upload(ctx, secret, path, data, overwrite)

    files = Refusing()
    writer = AsyncTrafficWriter(files)
    writer.submit(TenantContext("t", "no-store"), "monitoring/d/x.jsonl", b"{}\n")
    writer.submit(CTX, "monitoring/d/y.jsonl", b"{}\n")
    assert writer.flush()
    assert writer.failed == 1 and [u[2] for u in files.uploaded] == ["monitoring/d/y.jsonl"]
    writer.stop()
