"""/v2/lm/scenarios, versions and executables: the synced catalog, read through the HTTP layer."""
from __future__ import annotations

import humps
import pytest

from tests.support.git_repos import sync_now, templates_repo

BASE = "/v2/lm/scenarios"


@pytest.fixture
def synced(api, tmp_path):
    repo = templates_repo(tmp_path)
    api.call("POST", "/v2/admin/repositories", {"name": "templates", "url": repo.url, "username": "", "password": ""})
    api.call("POST", "/v2/admin/applications", {"repositoryUrl": repo.url, "revision": "HEAD", "path": "workflows",
                                                "applicationName": "app-one"})
    sync_now()
    return repo


def test_scenarios(api, synced):
    listed = api.call("GET", BASE).json
    assert listed["count"] == 1
    (scenario,) = listed["resources"]
    assert (scenario["id"], scenario["name"], scenario["description"]) == (
        "text-clf", "Text classification", "Train and serve a text classifier")
    assert scenario["createdAt"].endswith("Z") and scenario["modifiedAt"].endswith("Z")
    assert api.call("GET", f"{BASE}/text-clf").json == scenario
    from ai_api_client_sdk.models.scenario import Scenario

    assert Scenario.from_dict(humps.decamelize(scenario)).id == "text-clf"


def test_versions_and_label_selector(api, synced):
    versions = api.call("GET", f"{BASE}/text-clf/versions").json
    assert versions["count"] == 1 and versions["resources"][0]["id"] == "1.0.0"
    assert versions["resources"][0]["scenarioId"] == "text-clf"
    matching = api.call("GET", f"{BASE}/text-clf/versions?labelSelector=ext.ai.sap.com/team=nlp").json
    assert matching["count"] == 1
    assert api.call("GET", f"{BASE}/text-clf/versions?labelSelector=ext.ai.sap.com/team=cv").json["count"] == 0
    bad = api.call("GET", f"{BASE}/text-clf/versions?labelSelector=no-operator")
    assert bad.status == 400 and "key=value" in bad.json["error"]["message"]
    from ai_api_client_sdk.models.version import Version

    assert Version.from_dict(humps.decamelize(versions["resources"][0])).scenario_id == "text-clf"


def test_executables_list_filter_and_get(api, synced):
    listed = api.call("GET", f"{BASE}/text-clf/executables").json
    assert listed["count"] == 2
    by_id = {e["id"]: e for e in listed["resources"]}
    train, serve = by_id["text-clf-train"], by_id["text-clf-serve"]
    assert (train["deployable"], serve["deployable"]) == (False, True)
    assert train["versionId"] == "1.0.0" and train["scenarioId"] == "text-clf"
    assert {"template", "application", "sourceFile"}.isdisjoint(train)
    assert all(p["type"] == "string" for p in train["parameters"] + serve["parameters"])
    assert train["inputArtifacts"] == [{"name": "text-data", "kind": "dataset", "description": "Labelled sentences"}]
    assert train["outputArtifacts"] == [{"name": "text-model", "kind": "model",
                                         "labels": [{"key": "ext.ai.sap.com/framework", "value": "sklearn"}]}]
    assert train["labels"] == [{"key": "ext.ai.sap.com/team", "value": "nlp"}]
    assert api.call("GET", f"{BASE}/text-clf/executables?versionId=1.0.0").json["count"] == 2
    assert api.call("GET", f"{BASE}/text-clf/executables?versionId=2.0").json == {"count": 0, "resources": []}
    got = api.call("GET", f"{BASE}/text-clf/executables/text-clf-train").json
    assert got == train
    from ai_api_client_sdk.models.executable import Executable

    for item in listed["resources"]:  # the official client accepts exactly these shapes
        parsed = Executable.from_dict(humps.decamelize(item))
        assert parsed.id == item["id"]


def test_not_found_and_bad_ids(api, synced):
    assert api.call("GET", f"{BASE}/no-such-scenario").status == 404
    assert api.call("GET", f"{BASE}/no-such-scenario/executables").status == 404
    assert api.call("GET", f"{BASE}/no-such-scenario/versions").status == 404
    assert api.call("GET", f"{BASE}/text-clf/executables/no-such-exe").status == 404
    assert api.call("GET", f"{BASE}/ab").status == 400
    assert api.call("GET", f"{BASE}/text-clf/executables/a%20b").status == 400


def test_resource_group_header_is_required_but_any_group_sees_the_catalog(api, synced):
    assert api.call("GET", BASE, rg=None).status == 400
    assert api.call("GET", BASE, rg="missing-group").status == 404
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "team-a"}).status == 202
    assert api.call("GET", f"{BASE}/text-clf/executables", rg="team-a").json["count"] == 2


def test_other_tenant_sees_nothing(api, synced):
    assert api.call("GET", BASE, tenant="t2").json == {"count": 0, "resources": []}
    assert api.call("GET", f"{BASE}/text-clf", tenant="t2").status == 404
    assert api.call("GET", f"{BASE}/text-clf/versions", tenant="t2").status == 404
    assert api.call("GET", f"{BASE}/text-clf/executables", tenant="t2").status == 404
    assert api.call("GET", f"{BASE}/text-clf/executables/text-clf-train", tenant="t2").status == 404
