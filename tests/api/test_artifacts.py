"""/v2/lm/artifacts through the HTTP layer: register, filters, label selectors, search, $count, isolation."""
import pytest

from chalicelib.bootstrap import container
from chalicelib.domain.artifacts import ArtifactKind
from chalicelib.domain.context import TenantContext
from tests.support.seed import seed_scenario

BASE = "/v2/lm/artifacts"
OWNER = "ext.ai.sap.com/owner"
STAGE = "ext.ai.sap.com/stage"


def register(api, name="ds", kind="dataset", url="ai://default/data", scenario="scen1", rg="default", **extra):
    return api.call("POST", BASE, {"name": name, "kind": kind, "url": url, "scenarioId": scenario, **extra}, rg=rg)


def test_register_and_get(api):
    created = register(api, description="training data", labels=[{"key": OWNER, "value": "me"}])
    assert created.status == 201, created
    aid = created.json["id"]
    assert created.json == {"id": aid, "message": "Artifact acknowledged", "url": "ai://default/data"}
    assert created.headers["location"] == f"{BASE}/{aid}" == created.headers["content-location"]
    got = api.call("GET", f"{BASE}/{aid}").json
    assert set(got) == {"id", "name", "kind", "url", "scenarioId", "description", "labels", "createdAt",
                        "modifiedAt"}
    assert got["labels"] == [{"key": OWNER, "value": "me"}] and got["kind"] == "dataset"


def test_official_client_model_parses_it(api):
    import humps
    from ai_api_client_sdk.models.artifact import Artifact

    seed_scenario(container().store, "t1", "scen1")
    aid = register(api, kind="model", url="s3://bucket/model", labels=[{"key": OWNER, "value": "me"}]).json["id"]
    parsed = Artifact.from_dict(humps.decamelize(api.call("GET", f"{BASE}/{aid}?$expand=scenario").json))
    assert parsed.kind == Artifact.Kind.MODEL and parsed.scenario.id == "scen1" and parsed.labels[0].value == "me"


def test_filters_search_and_count(api):
    a = register(api, "train-data", labels=[{"key": OWNER, "value": "me"}, {"key": STAGE, "value": "a,b"}],
                 description="Images of CATS").json["id"]
    b = register(api, "model-1", kind="model", url="ai://default/m", labels=[{"key": OWNER, "value": "you"}]).json["id"]
    c = register(api, "other", scenario="scen2", url="https://example.com/x").json["id"]
    output = container().artifacts.register(TenantContext("t1", "default"), "out", ArtifactKind.MODEL,
                                            "ai://default/1234abcd/out", "scen1", execution_id="1234abcd")

    def ids(query):
        result = api.call("GET", f"{BASE}?{query}")
        assert result.status == 200, result
        return [x["id"] for x in result.json["resources"]]

    assert ids("") == [a, b, c, output.id]
    assert ids("scenarioId=scen2") == [c]
    assert ids("name=model-1") == [b]
    assert ids("kind=model") == [b, output.id]
    assert ids("executionId=1234abcd") == [output.id]
    assert ids(f"artifactLabelSelector={OWNER}=me") == [a]
    assert ids(f"artifactLabelSelector={OWNER}!=me") == [b, c, output.id]
    assert ids(f"artifactLabelSelector={OWNER}=me,{STAGE}=a{{comma}}b") == [a]
    assert ids(f"artifactLabelSelector={OWNER}=me,{STAGE}=a") == []
    assert ids("$search=cats") == []
    assert ids("$search=cats&searchCaseInsensitive=True") == [a]
    assert ids("$search=model") == [b]
    assert ids("top=2&skip=1") == [b, c]
    listed = api.call("GET", f"{BASE}?$expand=scenario&$top=1").json
    assert listed["count"] == 4 and "scenario" not in listed["resources"][0]  # scenario not synced: left out
    counted = api.call("GET", f"{BASE}/$count?kind=model")
    assert counted.status == 200 and counted.body == b"2" and counted.headers["content-type"] == "text/plain"
    assert api.call("GET", f"{BASE}/$count?artifactLabelSelector={OWNER}=you").json == 1


@pytest.mark.parametrize("body,needle", [
    ({"kind": "weights"}, "'kind'"),
    ({"url": "default/data"}, "'url' must look like <scheme>://<location>"),
    ({"url": "ai://default/../etc/passwd"}, "no '.' or '..' path segments"),
    ({"url": "ai://default/" + "x" * 1020}, "'url'"),
    ({"labels": [{"key": "owner", "value": "me"}]}, "'labels.0.key'"),
    ({"scenarioId": "s"}, "'scenarioId'"),
    ({"name": "x" * 257}, "'name'"),
    ({"description": "x" * 5001}, "'description'"),
])
def test_bad_registration_is_400(api, body, needle):
    result = register(api, **body)
    assert result.status == 400, result
    assert needle in result.json["error"]["message"]


def test_missing_fields_are_400(api):
    result = api.call("POST", BASE, {"name": "x"})
    assert result.status == 400 and "'kind' is required" in result.json["error"]["message"]


@pytest.mark.parametrize("query,needle", [
    ("kind=weights", "'kind' must be one of"),
    ("artifactLabelSelector=owner=me", "ext.ai.sap.com/<key>=<value>"),
    ("artifactLabelSelector=" + ",".join(f"{OWNER}{i}=v" for i in range(11)), "at most 10"),
    ("executionId=a", "executionId"),
    ("$expand=labels", "$expand"),
    ("$search=" + "x" * 81, "$search"),
])
def test_bad_filters_are_400(api, query, needle):
    result = api.call("GET", f"{BASE}?{query}")
    assert result.status == 400, result
    assert needle in result.json["error"]["message"]
    if "$expand" not in query:  # $count takes the same filters, but no $expand
        assert api.call("GET", f"{BASE}/$count?{query}").status == 400


def test_not_found_bad_id_and_isolation(api):
    aid = register(api).json["id"]
    assert api.call("GET", f"{BASE}/abcd-unknown").status == 404
    assert api.call("GET", f"{BASE}/a%20b").status == 400
    assert api.call("GET", f"{BASE}/{aid}", tenant="t2").status == 404
    assert api.call("GET", f"{BASE}/$count", tenant="t2").json == 0
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "rg2"}).status == 202
    assert api.call("GET", f"{BASE}/{aid}", rg="rg2").status == 404
    assert api.call("GET", BASE, rg="rg2").json == {"count": 0, "resources": []}
    assert api.call("DELETE", f"{BASE}/{aid}").status == 405
