"""A method a path does not have: 405 with the AI API error body and `Allow`, with or without a token, both
through the app (chalice.test) and through the local HTTP front (which used to answer TRACE with an HTML 501)."""
from __future__ import annotations

import http.client
import json
import threading

import pytest


@pytest.mark.parametrize("token", ["auto", None])
def test_the_app_answers_405_with_allow(api, token):
    result = api.call("PUT", "/v2/lm/executions", {}, token=token)
    assert result.status == 405, result
    assert result.headers["allow"] == "GET, PATCH, POST"
    error = result.json["error"]
    assert error["code"] == "MethodNotAllowed" and error["target"] == "/v2/lm/executions"
    assert error["requestId"] == result.headers["x-request-id"]


def test_a_path_parameter_route_lists_its_own_methods(api):
    result = api.call("POST", "/v2/lm/executions/e0123456789abcde")
    assert result.status == 405 and result.headers["allow"] == "DELETE, GET, PATCH"


@pytest.fixture
def front(api):
    from app import app
    from chalicelib.adapters.local.server import TokenEndpoint, build_server

    tokens = TokenEndpoint(lambda client_id, secret: None, lambda tenant, client_id: {})
    server = build_server(app, "127.0.0.1", 0, tokens)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PROPFIND"])
def test_the_local_front_answers_405_with_allow(front, method):
    connection = http.client.HTTPConnection("127.0.0.1", front.server_address[1], timeout=10)
    connection.request(method, "/v2/lm/executions")
    response = connection.getresponse()
    body = json.loads(response.read())
    assert response.status == 405
    assert response.getheader("Allow") == "GET, PATCH, POST"
    assert response.getheader("Content-Type") == "application/json"
    assert body["error"]["code"] == "MethodNotAllowed"


def test_the_local_front_answers_an_unknown_method_on_an_unknown_path_with_404(front):
    connection = http.client.HTTPConnection("127.0.0.1", front.server_address[1], timeout=10)
    connection.request("TRACE", "/v2/no/such/path")
    response = connection.getresponse()
    assert response.status == 404 and json.loads(response.read())["error"]["code"] == "NotFound"
