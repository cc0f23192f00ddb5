"""/v2/lm/metrics through the API (executions are seeded straight into the store)."""
import json

import humps
import pytest
from ai_api_client_sdk.models.metrics_query_response import MetricsQueryResponse

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind, Record

BASE = "/v2/lm/metrics"


def seed_execution(id: str, tenant: str = "t1", rg: str = "default") -> None:
    from chalicelib.bootstrap import container

    container().store.create(TenantContext(tenant, rg), Record(Kind.EXECUTION, id, {"id": id}))


@pytest.fixture
def runs(api):
    for id in ("exec-1", "exec-2", "exec-3"):
        seed_execution(id)
    return api


def patch(api, body, **kwargs):
    return api.call("PATCH", BASE, body, **kwargs)


def test_patch_then_get_and_the_client_parses_it(runs):
    api = runs
    result = patch(api, {"executionId": "exec-1",
                         "metrics": [{"name": "loss", "value": 0.5, "timestamp": "2024-05-01T14:00:00+02:00",
                                      "step": 1, "labels": [{"name": "metrics.ai.sap.com/Artifact.name",
                                                             "value": "model"}]},
                                     {"name": "Error Rate", "value": 3}],
                         "tags": [{"name": "team", "value": "a"}],
                         "customInfo": [{"name": "Confusion Matrix", "value": "[[1,2],[3,4]]"}]})
    assert result.status == 204 and not result.body, result

    got = api.call("GET", f"{BASE}?executionIds=exec-1")
    assert got.status == 200, got
    resource = got.json["resources"][0]
    assert got.json["count"] == 1 and resource["executionId"] == "exec-1"
    assert resource["createdAt"].endswith("Z") and resource["modifiedAt"].endswith("Z")
    loss, rate = resource["metrics"]
    assert loss == {"name": "loss", "value": 0.5, "timestamp": "2024-05-01T12:00:00Z", "step": 1,
                    "labels": [{"name": "metrics.ai.sap.com/Artifact.name", "value": "model"}]}
    assert rate["value"] == 3 and rate["step"] == 0 and rate["timestamp"].endswith("Z")  # write time
    assert resource["tags"] == [{"name": "team", "value": "a"}]
    assert resource["customInfo"] == [{"name": "Confusion Matrix", "value": "[[1,2],[3,4]]"}]

    parsed = MetricsQueryResponse.from_dict(humps.decamelize(got.json))
    assert parsed.resources[0].metrics[0].name == "loss" and parsed.resources[0].custom_info[0].name == \
        "Confusion Matrix"


def test_upsert_rules_and_merge_patch_content_type(runs):
    api = runs
    first = {"executionId": "exec-1", "metrics": [{"name": "acc", "value": 0.1, "step": 0,
                                                   "timestamp": "2024-05-01T12:00:00Z"}],
             "tags": [{"name": "stage", "value": "dev"}]}
    assert patch(api, first).status == 204
    second = {"executionId": "exec-1",
              "metrics": [{"name": "acc", "value": 0.9, "step": 0, "timestamp": "2024-05-01T12:00:00Z"},
                          {"name": "acc", "value": 0.95, "step": 1, "timestamp": "2024-05-01T12:01:00Z"}],
              "tags": [{"name": "stage", "value": "prod"}, {"name": "owner", "value": "me"}]}
    assert patch(api, second, headers={"Content-Type": "application/merge-patch+json"}).status == 204
    resource = api.call("GET", f"{BASE}?executionIds=exec-1").json["resources"][0]
    assert [(m["step"], m["value"]) for m in resource["metrics"]] == [(0, 0.9), (1, 0.95)]
    assert resource["tags"] == [{"name": "stage", "value": "prod"}, {"name": "owner", "value": "me"}]


def test_select_filter_tag_filters_and_paging(runs):
    api = runs
    for id, team in (("exec-1", "a"), ("exec-2", "b"), ("exec-3", "a")):
        patch(api, {"executionId": id, "metrics": [{"name": "m", "value": 1}], "tags": [{"name": "team",
                                                                                        "value": team}]})
    only_metrics = api.call("GET", f"{BASE}?executionIds=exec-1&%24select=metrics").json["resources"][0]
    assert set(only_metrics) == {"executionId", "createdAt", "modifiedAt", "metrics"}
    tags_info = api.call("GET", f"{BASE}?executionIds=exec-1&%24select=tags,customInfo").json["resources"][0]
    assert "metrics" not in tags_info and tags_info["tags"] and tags_info["customInfo"] == []

    eq = api.call("GET", f"{BASE}?%24filter=executionId%20eq%20'exec-2'").json
    assert [r["executionId"] for r in eq["resources"]] == ["exec-2"]
    listed = api.call("GET", f"{BASE}?%24filter=executionId%20in%20('exec-3','exec-1')").json
    assert [r["executionId"] for r in listed["resources"]] == ["exec-3", "exec-1"]

    team_a = api.call("GET", f"{BASE}?executionIds=exec-1,exec-2,exec-3&tagFilters=team%3Da").json
    assert team_a["count"] == 2 and [r["executionId"] for r in team_a["resources"]] == ["exec-1", "exec-3"]
    not_a = api.call("GET", f"{BASE}?executionIds=exec-1,exec-2,exec-3&tagFilters=team!%3Da").json
    assert [r["executionId"] for r in not_a["resources"]] == ["exec-2"]

    paged = api.call("GET", f"{BASE}?executionIds=exec-1,exec-2,exec-3&top=1&skip=1").json
    assert paged["count"] == 3 and [r["executionId"] for r in paged["resources"]] == ["exec-2"]
    unknown_left_out = api.call("GET", f"{BASE}?executionIds=exec-1,nope-123").json
    assert [r["executionId"] for r in unknown_left_out["resources"]] == ["exec-1"]


@pytest.mark.parametrize("query, status, words", [
    ("", 400, "executionIds"),
    ("?executionIds=" + ",".join(f"exec-{i}" for i in range(11)), 400, "at most 10"),
    ("?executionIds=a%2Fb", 400, "must match"),
    ("?%24filter=status%20eq%20'x'", 501, "only executionId eq"),
    ("?executionIds=exec-1&%24select=labels", 400, "metrics, tags, customInfo"),
    ("?executionIds=exec-1&%24top=20000", 400, "between 0 and 10000"),
    ("?executionIds=exec-1&tagFilters=%3Dx", 400, "no tag name"),
])
def test_bad_queries(runs, query, status, words):
    result = runs.call("GET", BASE + query)
    assert result.status == status and words in result.json["error"]["message"], result
    assert "details" not in result.json["error"] or isinstance(result.json["error"]["details"], list)


@pytest.mark.parametrize("body, words", [
    ({"metrics": []}, "'executionId' is required"),
    ({"executionId": "exec-1", "metrics": [{"name": "loss", "value": "0.5"}]}, "finite number"),
    ({"executionId": "exec-1", "metrics": [{"name": "loss"}]}, "finite number"),
    ({"executionId": "exec-1", "metrics": [{"name": "!!", "value": 1}]}, "metrics[0].name"),
    ({"executionId": "exec-1", "metrics": [{"name": "loss", "value": 1, "step": -2}]}, "integer >= 0"),
    ({"executionId": "exec-1", "metrics": [{"name": "loss", "value": 1, "timestamp": "soon"}]}, "RFC 3339"),
    ({"executionId": "exec-1", "tags": [{"name": "t"}]}, "tags[0].value"),
    ({"executionId": "exec-1", "metrics": "loss"}, "'metrics'"),
])
def test_bad_patch_bodies(runs, body, words):
    result = patch(runs, body)
    assert result.status == 400 and words in result.json["error"]["message"], result
    assert runs.call("GET", f"{BASE}?executionIds=exec-1").json["count"] == 0  # nothing half-written


def test_nan_and_infinity_literals_are_refused(runs):
    for literal in ("NaN", "Infinity", "-Infinity"):
        raw = ('{"executionId": "exec-1", "metrics": [{"name": "loss", "value": %s}]}' % literal).encode()
        result = runs.call("PATCH", BASE, raw=raw)
        assert result.status == 400 and "finite number" in result.json["error"]["message"], result


def test_unknown_execution_is_404(runs):
    result = patch(runs, {"executionId": "exec-404", "metrics": [{"name": "m", "value": 1}]})
    assert result.status == 404 and "exec-404" in result.json["error"]["message"]


def test_a_write_larger_than_one_item_is_stored_in_chunks_all_kept(runs):
    from chalicelib import bootstrap
    from chalicelib.domain.records import Kind
    from chalicelib.domain.tracking.service import MetricsService

    c = bootstrap.container()
    bootstrap.override(metrics=MetricsService(c.store, c.clock, 4000))  # items of at most ~4 KB
    at = "2024-05-01T12:00:00Z"
    assert patch(runs, {"executionId": "exec-1", "metrics": [{"name": "m", "value": -1, "step": 0, "timestamp": at}]}) \
        .status == 204
    many = [{"name": "m", "value": i, "step": i, "timestamp": at} for i in range(100)]
    assert patch(runs, {"executionId": "exec-1", "metrics": many, "tags": [{"name": "t", "value": "v"}]}).status \
        == 204
    stored = list(c.store.iterate(TenantContext("t1", "default"), Kind.METRICS_BATCH, id_prefix="exec-1/"))
    assert len(stored) > 3 and all(len(r.doc["points"]) < 4300 for r in stored)
    resource = runs.call("GET", f"{BASE}?executionIds=exec-1").json["resources"][0]
    assert [(m["step"], m["value"]) for m in resource["metrics"]] == [(i, i) for i in range(100)]  # step 0 replaced
    assert resource["tags"] == [{"name": "t", "value": "v"}]
    assert runs.call("DELETE", f"{BASE}?executionId=exec-1").status == 200
    assert list(c.store.iterate(TenantContext("t1", "default"), Kind.METRICS_BATCH, id_prefix="exec-1/")) == []


def test_body_larger_than_the_limit_is_413(runs):
    limit = runs.settings.metrics_max_document_bytes
    body = {"executionId": "exec-1", "customInfo": [{"name": "blob", "value": "x" * (limit + 10)}]}
    result = patch(runs, body)
    assert result.status == 413 and result.json["error"]["code"] == "PayloadTooLarge"


def test_delete(runs):
    api = runs
    patch(api, {"executionId": "exec-1", "metrics": [{"name": "m", "value": 1}]})
    deleted = api.call("DELETE", f"{BASE}?executionId=exec-1")
    assert deleted.status == 200 and deleted.json["id"] == "exec-1" and deleted.json["message"]
    assert api.call("GET", f"{BASE}?executionIds=exec-1").json["count"] == 0
    assert api.call("DELETE", f"{BASE}?executionId=exec-1").status == 404
    assert api.call("DELETE", BASE).status == 400
    assert api.call("DELETE", f"{BASE}?executionId=a%2Fb").status == 400


def test_other_tenant_and_other_resource_group_are_isolated(runs):
    api = runs
    patch(api, {"executionId": "exec-1", "metrics": [{"name": "m", "value": 1}]})
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "rg-b"}).status == 202
    for kwargs in ({"tenant": "t2"}, {"rg": "rg-b"}):
        assert api.call("GET", f"{BASE}?executionIds=exec-1", **kwargs).json == {"count": 0, "resources": []}
        assert api.call("DELETE", f"{BASE}?executionId=exec-1", **kwargs).status == 404
        assert patch(api, {"executionId": "exec-1", "metrics": [{"name": "m", "value": 2}]}, **kwargs).status == 404
    assert api.call("GET", f"{BASE}?executionIds=exec-1").json["resources"][0]["metrics"][0]["value"] == 1


def test_restricted_token_writes_only_its_own_execution(runs):
    api = runs
    token = "Bearer " + api.token("t1", scope="aicore.metrics.write:exec-1")
    own = patch(api, {"executionId": "exec-1", "metrics": [{"name": "m", "value": 1}]}, token=token)
    assert own.status == 204, own
    other = patch(api, {"executionId": "exec-2", "metrics": [{"name": "m", "value": 1}]}, token=token)
    assert other.status == 403 and "its own execution" in other.json["error"]["message"]
    assert api.call("GET", f"{BASE}?executionIds=exec-1", token=token).status == 403
    assert api.call("DELETE", f"{BASE}?executionId=exec-1", token=token).status == 403
    assert api.call("GET", f"{BASE}?executionIds=exec-2").json["count"] == 0
    # The same scope in another tenant reaches nothing of t1's.
    foreign = "Bearer " + api.token("t2", scope="aicore.metrics.write:exec-1")
    refused = patch(api, {"executionId": "exec-1", "metrics": []}, token=foreign, tenant="t2")
    assert refused.status == 401 and "was deleted" in refused.json["error"]["message"], refused


def test_metrics_need_the_resource_group_header(runs):
    result = patch(runs, {"executionId": "exec-1"}, rg=None)
    assert result.status == 400 and "AI-Resource-Group" in result.json["error"]["message"]
    assert json.loads(result.body)["error"]["code"]
