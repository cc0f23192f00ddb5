"""/v2/lm/configurations through the HTTP layer: create checks, list filters, $count, $expand, isolation."""
import pytest

from chalicelib.bootstrap import container
from tests.support.seed import seed_executable

BASE = "/v2/lm/configurations"


@pytest.fixture
def catalog(api):
    store = container().store
    seed_executable(store, "t1", "scen1", "train", parameters=["lr", "epochs"], input_artifacts=["data"])
    seed_executable(store, "t1", "scen1", "serve", deployable=True, parameters=["lr"])
    seed_executable(store, "t1", "scen2", "other")
    seed_executable(store, "t2", "scen1", "train", parameters=["lr"])
    return api


def create(api, name="cfg", scenario="scen1", executable="train", **extra):
    return api.call("POST", BASE, {"name": name, "scenarioId": scenario, "executableId": executable, **extra})


def register_dataset(api, rg="default"):
    return api.call("POST", "/v2/lm/artifacts", {"name": "ds", "kind": "dataset", "url": "ai://default/ds",
                                                 "scenarioId": "scen1"}, rg=rg).json["id"]


def test_create_and_get(catalog):
    api = catalog
    data = register_dataset(api)
    created = create(api, "My config (v1)", parameterBindings=[{"key": "lr", "value": "0.1"}],
                     inputArtifactBindings=[{"key": "data", "artifactId": data}], versionId="ignored")
    assert created.status == 201, created
    assert created.json["message"] == "Configuration created"
    cid = created.json["id"]
    assert created.headers["location"] == f"{BASE}/{cid}"
    got = api.call("GET", f"{BASE}/{cid}")
    assert got.status == 200
    assert set(got.json) == {"id", "name", "scenarioId", "executableId", "parameterBindings",
                             "inputArtifactBindings", "createdAt"}
    assert got.json["parameterBindings"] == [{"key": "lr", "value": "0.1"}]
    assert got.json["inputArtifactBindings"] == [{"key": "data", "artifactId": data}]
    assert got.json["createdAt"].endswith("Z")


def test_official_client_model_parses_it(catalog):
    import humps
    from ai_api_client_sdk.models.configuration import Configuration

    cid = create(catalog, parameterBindings=[{"key": "lr", "value": "1"}]).json["id"]
    body = catalog.call("GET", f"{BASE}/{cid}?$expand=scenario").json
    parsed = Configuration.from_dict(humps.decamelize(body))
    assert parsed.id == cid and parsed.scenario.name == "Scenario scen1"
    assert parsed.parameter_bindings[0].value == "1"


def test_list_filters_count_and_paging(catalog):
    api = catalog
    ids = [create(api, "alpha").json["id"], create(api, "Beta", executable="serve").json["id"],
           create(api, "gamma", scenario="scen2", executable="other").json["id"]]
    listed = api.call("GET", BASE).json
    assert listed["count"] == 3 and [c["id"] for c in listed["resources"]] == ids  # creation order
    assert [c["id"] for c in api.call("GET", f"{BASE}?scenarioId=scen2").json["resources"]] == ids[2:]
    assert api.call("GET", f"{BASE}?executableIds=train,other").json["count"] == 2
    assert api.call("GET", f"{BASE}?executableIds=train&executableIds=serve").json["count"] == 2
    assert [c["name"] for c in api.call("GET", f"{BASE}?$search=beta").json["resources"]] == []
    assert [c["name"] for c in api.call("GET", f"{BASE}?$search=beta&searchCaseInsensitive=True").json["resources"]] == ["Beta"]
    page = api.call("GET", f"{BASE}?top=1&skip=1").json
    assert page["count"] == 3 and [c["id"] for c in page["resources"]] == ids[1:2]
    assert [c["id"] for c in api.call("GET", f"{BASE}?$top=2&$skip=1").json["resources"]] == ids[1:]
    counted = api.call("GET", f"{BASE}/$count?scenarioId=scen1")
    assert (counted.status, counted.body, counted.headers["content-type"]) == (200, b"2", "text/plain")
    assert api.call("GET", f"{BASE}/$count?executableIds=other").json == 1
    assert api.call("GET", f"{BASE}/$count?$search=A&searchCaseInsensitive=true").json == 3


def test_expand_scenario(catalog):
    api = catalog
    cid = create(api).json["id"]
    listed = api.call("GET", f"{BASE}?$expand=scenario").json["resources"][0]
    assert listed["scenario"]["id"] == "scen1" and listed["scenario"]["name"] == "Scenario scen1"
    assert "scenario" not in api.call("GET", f"{BASE}/{cid}").json
    assert api.call("GET", f"{BASE}/{cid}?$expand=scenario").json["scenario"]["createdAt"] == "2024-05-01T12:00:00Z"
    bad = api.call("GET", f"{BASE}?$expand=executable")
    assert bad.status == 400 and "'$expand' supports only 'scenario'" in bad.json["error"]["message"]


def test_unknown_executable_is_400_with_the_documented_message(catalog):
    result = create(catalog, executable="nope")
    assert result.status == 400
    assert result.json["error"]["message"] == ("Could not create configuration, because executable nope for "
                                               "scenario scen1 is not found.")
    assert create(catalog, scenario="scen2", executable="train").status == 400


@pytest.mark.parametrize("extra,needle", [
    ({"inputArtifactBindings": [{"key": "model", "artifactId": "abcd-1234"}]}, "Valid keys: data."),
    ({"inputArtifactBindings": [{"key": "data", "artifactId": "abcd-1234"}]}, "artifact 'abcd-1234' not found"),
    ({"parameterBindings": [{"key": "lr", "value": "1"}, {"key": "lr", "value": "2"}]}, "more than once"),
    ({"parameterBindings": [{"key": "lr"}]}, "'parameterBindings.0.value' is required"),
    ({"parameterBindings": [{"key": "lr", "value": "x" * 5001}]}, "parameterBindings.0.value"),
    ({"parameterBindings": [{"key": "lr", "value": "1"}] * 1001}, "parameterBindings"),
    ({"inputArtifactBindings": [{"key": "data", "artifactId": "a/b"}]}, "artifactId"),
])
def test_bad_bindings_are_400(catalog, extra, needle):
    result = create(catalog, **extra)
    assert result.status == 400, result
    assert needle in result.json["error"]["message"]


@pytest.mark.parametrize("body,needle", [
    ({"scenarioId": "scen1", "executableId": "train"}, "'name' is required"),
    ({"name": "n", "executableId": "train"}, "'scenarioId' is required"),
    ({"name": "bad\u0000name", "scenarioId": "scen1", "executableId": "train"}, "'name'"),
    ({"name": "x" * 257, "scenarioId": "scen1", "executableId": "train"}, "'name'"),
    ({"name": "n", "scenarioId": "s", "executableId": "train"}, "'scenarioId'"),
])
def test_bad_body_is_400(catalog, body, needle):
    result = catalog.call("POST", BASE, body)
    assert result.status == 400 and needle in result.json["error"]["message"], result


def test_artifact_of_other_resource_group_cannot_be_bound(catalog):
    api = catalog
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "rg2"}).status == 202
    foreign = register_dataset(api, rg="rg2")
    result = create(api, inputArtifactBindings=[{"key": "data", "artifactId": foreign}])
    assert result.status == 400 and "not found in resource group 'default'" in result.json["error"]["message"]


def test_not_found_bad_id_and_isolation(catalog):
    api = catalog
    cid = create(api).json["id"]
    assert api.call("GET", f"{BASE}/abcd-unknown").status == 404
    assert api.call("GET", f"{BASE}/ab").status == 400
    assert api.call("GET", f"{BASE}/{cid}", tenant="t2").status == 404
    assert api.call("GET", BASE, tenant="t2").json == {"count": 0, "resources": []}
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "rg2"}).status == 202
    assert api.call("GET", f"{BASE}/{cid}", rg="rg2").status == 404
    assert api.call("GET", f"{BASE}/$count", rg="rg2").json == 0


def test_bad_query_parameters_are_400(catalog):
    api = catalog
    assert api.call("GET", f"{BASE}?scenarioId=a").status == 400
    assert api.call("GET", f"{BASE}?executableIds=ok-id,x").status == 400
    assert api.call("GET", f"{BASE}?$search=a~b").status == 400
    assert api.call("GET", f"{BASE}?$top=-1").status == 400
    assert api.call("GET", f"{BASE}?searchCaseInsensitive=maybe").status == 400


def test_resource_group_header_is_required(catalog):
    result = catalog.call("GET", BASE, rg=None)
    assert result.status == 400 and "AI-Resource-Group" in result.json["error"]["message"]
    assert catalog.call("GET", BASE, rg="missing-rg").status == 404


def test_configurations_are_immutable(catalog):
    cid = create(catalog).json["id"]
    assert catalog.call("PATCH", f"{BASE}/{cid}", {"name": "x"}).status == 405
    assert catalog.call("DELETE", f"{BASE}/{cid}").status == 405
