"""The running stack's HTTP front holds what clients do: bursts of parallel writers on kept-alive and fresh
connections lose no call (every acknowledged create is stored), and error answers keep a keep-alive
connection usable, or say `Connection: close` when they cannot."""
from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest

from tests.support.conformance import SCENARIO, TRAIN, bearer, provisioned_group, training_configuration
from tests.support.parallel_writers import Writers

RG = "conf-http-front"


@pytest.fixture(scope="module")
def token(stack):
    return bearer(stack.exports)


@pytest.fixture(scope="module")
def writers(stack, core, catalog, token):
    provisioned_group(core, RG)
    run_configuration = training_configuration(core, RG, "front writers", env="quick")
    return Writers(stack.exports["AICORE_BASE_URL"], token, RG, SCENARIO, TRAIN, run_configuration)


def listed_ids(stack, token, kind: str) -> set:
    # Artifacts of kind `other` only: the writers' runs add their `model` outputs meanwhile.
    query = "$top=10000" + ("&kind=other" if kind == "artifacts" else "")
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    connection.request("GET", f"/v2/lm/{kind}?{query}", headers={"Authorization": token, "AI-Resource-Group": RG})
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 200, body
    assert body["count"] == len(body["resources"])
    return {item["id"] for item in body["resources"]}


@pytest.mark.parametrize("count,calls,runs_every", [(16, 4, 4), (64, 2, 0)])
def test_parallel_writers_lose_no_call(stack, token, writers, count, calls, runs_every):
    """Half the writers keep one connection, half open one per call; all start at once. Before: the listen
    backlog of 5 reset about 1 call in 60 at 16 writers (and 1 in 8 at 64)."""
    before = {kind: listed_ids(stack, token, kind) for kind in ("artifacts", "configurations", "executions")}
    writers.runs_every = runs_every
    outcome = writers.run(count, calls, f"w{count}")
    assert outcome.connection_errors == [], outcome.summary()
    assert outcome.refused == [], outcome.summary()
    assert outcome.calls == count * calls
    for kind, created in outcome.created.items():  # acknowledged means stored: exactly these appeared
        assert listed_ids(stack, token, kind) - before[kind] == set(created), kind
    if runs_every:
        assert len(outcome.created["executions"]) == count * calls // runs_every


def test_api_error_answers_keep_the_connection(stack, token):
    connection = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
    auth = {"Authorization": token, "AI-Resource-Group": RG, "Content-Type": "application/json"}
    deep = b"[" * 2000 + b"]" * 2000
    cases = [("GET", "/v2/lm/scenarios", None, {}, 401),
             ("GET", "/v2/lm/no-such-route", None, auth, 404),
             ("POST", "/v2/lm/artifacts", b"{not json", auth, 400),
             ("POST", "/v2/lm/artifacts", deep, auth, 400),
             ("POST", "/v2/lm/artifacts", b"[" + b" " * (1 << 20) + b"]", auth, 413),  # over max_body_bytes
             ("POST", "/oauth/token", b"client_id=x&client_secret=y", {}, 401),
             ("GET", "/v2/lm/scenarios", None, auth, 200)]
    port = None
    for method, path, body, headers, status in cases:
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        payload = response.read()
        assert response.status == status, (path, payload[:200])
        assert response.getheader("Connection") is None, path
        port = port or connection.sock.getsockname()[1]
        assert connection.sock.getsockname()[1] == port, f"{path}: reconnected"  # the same connection throughout
    connection.close()


def test_a_body_it_cannot_read_is_answered_with_connection_close(stack):
    with socket.create_connection(("127.0.0.1", stack.port), timeout=10) as sock:
        sock.sendall(b"POST /v2/lm/artifacts HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n{}")
        answer = b""
        while piece := sock.recv(65536):  # the server closes after saying so; a reset would raise here
            answer += piece
    head = answer.split(b"\r\n\r\n", 1)[0].decode()
    assert head.startswith("HTTP/1.1 400") and "Connection: close" in head


def test_a_chunked_create_is_read_whole(stack, token, catalog, writers):
    host = urlsplit(stack.exports["AICORE_BASE_URL"])
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    body = json.dumps({"name": "chunked", "kind": "other", "url": "ai://default/chunked", "scenarioId": SCENARIO})
    pieces = iter([body[:10].encode(), body[10:].encode()])
    connection.request("POST", "/v2/lm/artifacts", pieces, {"Authorization": token, "AI-Resource-Group": RG,
                       "Content-Type": "application/json", "Transfer-Encoding": "chunked"}, encode_chunked=True)
    response = connection.getresponse()
    created = json.loads(response.read())
    assert response.status == 201, created
    assert created["id"] in listed_ids(stack, token, "artifacts")
    connection.close()
