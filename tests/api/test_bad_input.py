"""No bad input ever earns a 500: every route, with malformed bodies, wrong types and oversize values."""
import json
import re

import pytest

import app  # noqa: F401 - importing the app fills the route registry
from chalicelib.api.request import MAX_JSON_DEPTH
from chalicelib.api.routing import ROUTE_DOCS

PARAM = re.compile(r"{(\w+)}")
WRONG_VALUES = [None, 12345, 3.5, True, [], {"nested": {"deep": [1, 2]}}, "x" * 20000, "\u0000\ud7ff\u202e",
                "\ud800", 10 ** 4000, -(10 ** 300), float("inf"), float("nan"), 1e-320]
DEEP = 2000  # Python's parser gives up near 1,000 levels (RecursionError); this was a 500


def bodies_for(doc):
    yield b"{not json"
    yield b"[]"
    yield b'"a string"'
    yield b"null"
    yield b'{"name": "\xff\xfe"}'  # not UTF-8
    yield b'{"name": 1, "name": 2}'  # duplicate keys: the last wins, as in every JSON parser we know
    model = doc.request_model
    if model is None:
        return
    aliases = [field.alias or name for name, field in model.model_fields.items()]
    for alias in aliases:
        for wrong in WRONG_VALUES:
            yield json.dumps({a: wrong if a == alias else "abcd" for a in aliases}).encode()


def deep_bodies():
    yield b"[" * DEEP + b"]" * DEEP
    yield b'{"a":' * DEEP + b"1" + b"}" * DEEP
    yield json.dumps({"name": nested(MAX_JSON_DEPTH)}).encode()  # parses fine, still past the limit


def nested(levels: int):
    value: object = "leaf"
    for _ in range(levels):
        value = {"a": [value]}
    return value


def route_cases():
    for doc in ROUTE_DOCS:
        if doc.method in ("POST", "PATCH", "PUT"):
            yield pytest.param(doc, id=f"{doc.method} {doc.path}")


@pytest.mark.parametrize("doc", list(route_cases()))
def test_malformed_bodies_are_never_500(api, doc):
    """A wrong value for one field may happen to be valid (an empty list), so the rule is: never 5xx, and
    every refusal carries the error body; the first four bodies are never valid and must be refused."""
    url = PARAM.sub("abcd", doc.path)
    for index, body in enumerate(bodies_for(doc)):
        result = api.call(doc.method, url, raw=body)
        assert result.status < 500, (doc.method, url, body[:80], result)
        if index < 4 and "/refresh" not in url:
            assert result.status >= 400, (doc.method, url, body[:80], result)
        if result.status >= 400:
            error = result.json["error"]
            assert error["code"] and error["message"] and "Traceback" not in error["message"]


def test_deeply_nested_bodies_get_400_with_the_reason(api):
    """Every route in one test: the set-up (moto, tables) costs more than the calls."""
    for doc in (case.values[0] for case in route_cases()):
        url = PARAM.sub("abcd", doc.path)
        for body in deep_bodies():
            result = api.call(doc.method, url, raw=body)
            if doc.request_model is None or url.startswith("/v2/tracking/"):  # not JSON / no credential here
                assert result.status < 500, (doc.method, url, result)
                continue
            assert result.status == 400, (doc.method, url, body[:40], result)
            assert f"nested deeper than {MAX_JSON_DEPTH} levels" in result.json["error"]["message"]


def test_deep_body_on_the_tracking_route_gets_400(api):
    from chalicelib.bootstrap import container
    from chalicelib.domain.context import TenantContext

    credential = container().tracking_credentials.mint(TenantContext("t1", "default"), "exec-run")
    for body in deep_bodies():
        result = api.call("PATCH", f"/v2/tracking/{credential}/api/v1/metrics", raw=body, token="", rg=None)
        assert result.status == 400 and "nested deeper" in result.json["error"]["message"], result


def test_docker_config_nested_deeper_than_the_parser_goes_gets_400(api):
    config = "[" * DEEP + "]" * DEEP
    result = api.call("POST", "/v2/admin/dockerRegistrySecrets",
                      {"name": "abcd", "data": {".dockerconfigjson": config}}, rg=None)
    assert result.status == 400, result


@pytest.mark.parametrize("query", ["$top=-1", "$top=abc", "$skip=x", "top=999999999", "$select=nonsense",
                                   "status=NOT_A_STATUS", "executableIds=" + ",".join(["a"] * 2000),
                                   "$search=" + "~" * 100, "start=yesterday", "labelSelector=bad"])
def test_bad_query_parameters_are_never_500(api, query):
    for doc in ROUTE_DOCS:
        if doc.method != "GET":
            continue
        url = PARAM.sub("abcd", doc.path) + "?" + query
        result = api.call("GET", url, headers={"Accept": "*/*"})
        assert result.status < 500, (url, result)
