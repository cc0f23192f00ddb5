"""Two tenants (and two resource groups), every route: nobody reaches another's objects.

The routes come from the route registry, so a route added later is covered without editing this file; the
test fails if a path parameter appears that it does not know how to fill.
"""
import base64
import re

import pytest

from chalicelib.api.routing import ROUTE_DOCS
from tests.support.git_repo import commit_tree
from tests.support.seed import seed_executable

RG = "iso-rg"
PARAM = re.compile(r"{(\w+)}")
SECRET_MARKER = "iso-secret-value-123"

WRITE_BODIES = {
    "/v2/admin/resourceGroups/{resource_group_id}": {"labels": []},
    "/v2/admin/objectStoreSecrets/{name}": {"name": "default", "type": "S3", "data": {"AWS_ACCESS_KEY_ID": "x"}},
    "/v2/admin/dockerRegistrySecrets/{name}": {"data": {".dockerconfigjson": '{"auths": {}}'}},
    "/v2/admin/secrets/{name}": {"data": {"k": base64.b64encode(b"v").decode()}},
    "/v2/admin/repositories/{repository_name}": {"username": "u", "password": "p"},
    "/v2/admin/applications/{application_name}": {"repositoryUrl": "https://example.com/x.git", "revision": "HEAD",
                                                  "path": "workflows"},
    "/v2/lm/executions/{execution_id}": {"targetStatus": "STOPPED"},
    "/v2/lm/deployments/{deployment_id}": {"targetStatus": "STOPPED"},
    "/v2/lm/executionSchedules/{schedule_id}": {"status": "INACTIVE"},
    "/v2/lm/executions/{execution_id}/metrics": {"metrics": [{"name": "m", "value": 1, "step": 0}]},
}


def ok(result, status=(200, 201, 202, 204)):
    assert result.status in status, result
    return result.json


@pytest.fixture
def world(api, tmp_path):
    """Tenant t1 owns one object of every kind in resource group iso-rg; t2 has a group of the same name."""
    for tenant in ("t1", "t2"):
        ok(api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": RG}, tenant=tenant))
    ok(api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "other-rg"}, tenant="t1"))
    from chalicelib.bootstrap import container

    seed_executable(container().store, "t1", "iso-scn", "iso-train", parameters=["p"], input_artifacts=["data"])
    seed_executable(container().store, "t1", "iso-scn", "iso-serve", deployable=True)

    repo = tmp_path / "repo"
    commit_tree(repo, {"workflows/readme.txt": "nothing to sync"})
    ids = {"resource_group_id": RG, "scenario_id": "iso-scn", "executable_id": "iso-train",
           "service_name": "iso-service"}  # services: none exist for anyone (always 404)
    ok(api.call("POST", "/v2/admin/objectStoreSecrets", {"name": "default", "type": "S3", "data": {
        "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": SECRET_MARKER}}, rg=RG))
    ok(api.call("POST", "/v2/admin/dockerRegistrySecrets", {"name": "iso-docker", "data": {
        ".dockerconfigjson": '{"auths": {"r.io": {"password": "%s"}}}' % SECRET_MARKER}}))
    ok(api.call("POST", "/v2/admin/secrets", {"name": "iso-secret", "data": {
        "k": base64.b64encode(SECRET_MARKER.encode()).decode()}}, rg=RG))
    ok(api.call("POST", "/v2/admin/repositories", {"name": "iso-repo", "url": repo.as_uri(), "username": "u",
                                                   "password": SECRET_MARKER}))
    ok(api.call("POST", "/v2/admin/applications", {"repositoryUrl": repo.as_uri(), "revision": "HEAD",
                                                   "path": "workflows", "applicationName": "iso-app"}))
    artifact = ok(api.call("POST", "/v2/lm/artifacts", {"name": "iso-data", "kind": "dataset",
                                                        "url": "ai://default/iso", "scenarioId": "iso-scn"}, rg=RG))
    train = ok(api.call("POST", "/v2/lm/configurations", {
        "name": "iso-train-cfg", "scenarioId": "iso-scn", "executableId": "iso-train",
        "parameterBindings": [{"key": "p", "value": "1"}],
        "inputArtifactBindings": [{"key": "data", "artifactId": artifact["id"]}]}, rg=RG))
    serve = ok(api.call("POST", "/v2/lm/configurations", {"name": "iso-serve-cfg", "scenarioId": "iso-scn",
                                                          "executableId": "iso-serve"}, rg=RG))
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": train["id"]}, rg=RG))
    deployment = ok(api.call("POST", "/v2/lm/deployments", {"configurationId": serve["id"]}, rg=RG))
    schedule = ok(api.call("POST", "/v2/lm/executionSchedules", {
        "name": "iso-sched", "cron": "0 3 * * *", "configurationId": train["id"]}, rg=RG))
    ok(api.call("PATCH", "/v2/lm/metrics", {"executionId": execution["id"], "metrics": [
        {"name": "acc", "value": 0.9}]}, rg=RG))
    ok(api.call("PUT", "/v2/lm/dataset/files/default/iso/data.csv", raw=b"a,b\n1,2\n",
                headers={"Content-Type": "text/csv"}, rg=RG))
    ids.update(name=None, repository_name="iso-repo", application_name="iso-app",
               configuration_id=train["id"], artifact_id=artifact["id"], execution_id=execution["id"],
               deployment_id=deployment["id"], schedule_id=schedule["id"])
    names = {"/v2/admin/objectStoreSecrets/{name}": "default", "/v2/admin/dockerRegistrySecrets/{name}": "iso-docker",
             "/v2/admin/secrets/{name}": "iso-secret"}
    return ids, names


def fill(path, ids, names):
    def value(match):
        param = match[1]
        if param == "name":
            return names[path]
        assert param in ids, f"test_isolation does not know how to fill {{{param}}} in {path}"
        return ids[param]

    return PARAM.sub(value, path)


def targeted_routes():
    # /v2/tracking/{credential} and /v2/monitoring/traffic/{credential}: the signed credential, not the token, names
    # tenant and group (test_tracking.py, test_traffic_collector.py).
    return [doc for doc in ROUTE_DOCS if PARAM.search(doc.path) and "/dataset/files/" not in doc.path
            and not doc.path.startswith(("/v2/tracking/", "/v2/monitoring/traffic/"))]


def test_other_tenant_gets_404_on_every_object_route(api, world):
    ids, names = world
    checked = 0
    for doc in targeted_routes():
        if doc.path.endswith("/models") or doc.path == "/v2/admin/resourceGroups/{resource_group_id}":
            continue  # the model catalogue is empty for all; t2 has its own group named iso-rg
        url = fill(doc.path, ids, names)
        result = api.call(doc.method, url, WRITE_BODIES.get(doc.path), tenant="t2", rg=RG)
        assert result.status == 404, (doc.method, url, result)
        assert SECRET_MARKER.encode() not in (result.body or b"")
        checked += 1
    assert checked >= 30


def test_other_resource_group_gets_404_on_every_group_route(api, world):
    ids, names = world
    for doc in targeted_routes():
        if not doc.resource_group or "/scenarios/" in doc.path:
            continue  # scenarios and executables are tenant-level: every group of the tenant sees them
        url = fill(doc.path, ids, names)
        result = api.call(doc.method, url, WRITE_BODIES.get(doc.path), tenant="t1", rg="other-rg")
        assert result.status == 404, (doc.method, url, result)


def test_nothing_was_changed_by_the_attempts(api, world):
    ids, names = world
    test_other_tenant_gets_404_on_every_object_route(api, world)
    execution = api.call("GET", f"/v2/lm/executions/{ids['execution_id']}", rg=RG).json
    assert execution["targetStatus"] == "COMPLETED"
    assert api.call("GET", f"/v2/lm/executionSchedules/{ids['schedule_id']}", rg=RG).json["status"] == "ACTIVE"
    assert api.call("GET", "/v2/admin/repositories/iso-repo").status == 200
    assert api.call("GET", "/v2/admin/secrets", rg=RG).json["count"] == 1


def test_other_tenant_lists_show_nothing_of_t1(api, world):
    ids, _ = world
    own = {v for v in ids.values() if v and v != RG} | {"iso-docker", "iso-secret", "iso-scn"}
    for doc in ROUTE_DOCS:
        if doc.method != "GET" or PARAM.search(doc.path):
            continue
        url = doc.path
        if url.endswith("/metrics"):
            url += f"?executionIds={ids['execution_id']}"
        result = api.call("GET", url, tenant="t2", rg=RG)
        assert result.status in (200, 400, 404), (url, result)
        body = (result.body or b"").decode()
        leaked = [v for v in own if v in body]
        assert not leaked, (url, leaked)
        assert SECRET_MARKER not in body


def test_dataset_files_and_metrics_stay_in_their_tenant(api, world):
    ids, _ = world
    path = "/v2/lm/dataset/files/default/iso/data.csv"
    assert api.call("GET", path, rg=RG, headers={"Accept": "*/*"}).status == 200
    assert api.call("GET", path, tenant="t2", rg=RG, headers={"Accept": "*/*"}).status == 404
    assert api.call("DELETE", path, tenant="t2", rg=RG).status == 404
    assert api.call("GET", path, tenant="t1", rg="other-rg", headers={"Accept": "*/*"}).status == 404
    assert api.call("DELETE", f"/v2/lm/metrics?executionId={ids['execution_id']}", tenant="t2", rg=RG).status == 404
    assert api.call("GET", path, rg=RG, headers={"Accept": "*/*"}).status == 200
