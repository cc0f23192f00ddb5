"""/v2/lm/deployments through the HTTP layer: create/ttl, URL, PATCH stop or switch, delete, bulk, isolation."""
import humps
import pytest

from chalicelib.bootstrap import container
from chalicelib.domain.context import TenantContext
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.runs import Deployment, RunRepository, mark_finished, mark_running
from tests.support.seed import seed_executable

BASE = "/v2/lm/deployments"
CTX = TenantContext("t1", "default")
STATUS_KEYS = {"id", "configurationId", "status", "createdAt", "modifiedAt"}


@pytest.fixture
def configs(api):
    store = container().store
    seed_executable(store, "t1", "scen1", "serve", deployable=True, parameters=["lr"])
    seed_executable(store, "t1", "scen1", "serve2", deployable=True)
    seed_executable(store, "t1", "scen1", "train")

    def config(executable, name, **extra):
        result = api.call("POST", "/v2/lm/configurations", {"name": name, "scenarioId": "scen1",
                                                            "executableId": executable, **extra})
        assert result.status == 201, result
        return result.json["id"]

    return {"serve": config("serve", "serve-a"), "serve-b": config("serve", "serve-b",
                                                                   parameterBindings=[{"key": "lr", "value": "2"}]),
            "serve2": config("serve2", "other-exe"), "train": config("train", "train-cfg")}


def deploy(api, configuration_id, ttl=None, **kw):
    body = {"configurationId": configuration_id, **({"ttl": ttl} if ttl is not None else {})}
    result = api.call("POST", BASE, body, **kw)
    assert result.status == 202, result
    return result.json["id"]


def move(deployment_id, step):
    RunRepository(container().store).update(CTX, Deployment, deployment_id, step)


def run(deployment_id):
    move(deployment_id, lambda d: mark_running(d, container().clock.now()))


def test_create_and_get(api, configs):
    created = api.call("POST", BASE, {"configurationId": configs["serve"], "ttl": "24H"})
    assert created.status == 202, created
    did = created.json["id"]
    assert created.json == {"id": did, "message": "Deployment scheduled", "deploymentUrl": "", "status": "PENDING",
                            "ttl": "24H"}
    assert created.headers["location"] == f"{BASE}/{did}"
    got = api.call("GET", f"{BASE}/{did}").json
    assert got["deploymentUrl"] == "" and got["lastOperation"] == "CREATE" and got["targetStatus"] == "RUNNING"
    assert got["configurationName"] == "serve-a" and got["scenarioId"] == "scen1" and got["ttl"] == "24H"
    assert "inferenceUrl" not in got and "latestRunningConfigurationId" not in got

    from ai_api_client_sdk.models.deployment import Deployment as ClientDeployment
    from ai_api_client_sdk.models.deployment_create_response import DeploymentCreateResponse
    assert DeploymentCreateResponse.from_dict(humps.decamelize(created.json)).deployment_url == ""
    assert ClientDeployment.from_dict(humps.decamelize(got)).last_operation.value == "CREATE"


def test_url_is_stable_across_configuration_switch(api, configs):
    did = deploy(api, configs["serve"])
    run(did)
    url = f"{api.settings.base_url}/v2/inference/deployments/{did}"
    got = api.call("GET", f"{BASE}/{did}").json
    assert (got["status"], got["deploymentUrl"], got["latestRunningConfigurationId"]) == ("RUNNING", url,
                                                                                          configs["serve"])
    switched = api.call("PATCH", f"{BASE}/{did}", {"configurationId": configs["serve-b"]})
    assert switched.status == 202 and switched.json == {"id": did, "message": "Deployment modification scheduled"}
    got = api.call("GET", f"{BASE}/{did}").json
    assert (got["status"], got["configurationId"], got["configurationName"]) == ("PENDING", configs["serve-b"],
                                                                                 "serve-b")
    assert got["lastOperation"] == "UPDATE" and got["deploymentUrl"] == url
    assert got["latestRunningConfigurationId"] == configs["serve"]  # the rollback target until the new one runs
    run(did)
    assert api.call("GET", f"{BASE}/{did}").json["latestRunningConfigurationId"] == configs["serve-b"]


def test_dead_deployment_can_be_given_a_new_configuration(api, configs):
    did = deploy(api, configs["serve"])
    move(did, lambda d: mark_finished(d, Status.DEAD, container().clock.now()))
    assert api.call("PATCH", f"{BASE}/{did}", {"configurationId": configs["serve-b"]}).status == 202
    assert api.call("GET", f"{BASE}/{did}").json["status"] == "PENDING"


@pytest.mark.parametrize("body,needle", [
    ({"configurationId": "CFG:serve2"}, "same scenario and executable"),
    ({"configurationId": "abcd-unknown"}, "not found in resource group"),
    ({"targetStatus": "STOPPED", "configurationId": "CFG:serve-b"}, "not both"),
    ({}, "Send 'targetStatus'"),
    ({"targetStatus": "DELETED"}, "Use DELETE"),
    ({"configurationId": "a b"}, "configurationId"),
])
def test_patch_errors(api, configs, body, needle):
    did = deploy(api, configs["serve"])
    body = {k: configs[v[4:]] if isinstance(v, str) and v.startswith("CFG:") else v for k, v in body.items()}
    result = api.call("PATCH", f"{BASE}/{did}", body)
    assert result.status == 400 and needle in result.json["error"]["message"], result


def test_stop_then_delete(api, configs):
    did = deploy(api, configs["serve"])
    run(did)
    refused = api.call("DELETE", f"{BASE}/{did}")
    assert refused.status == 412 and "current status is RUNNING" in refused.json["error"]["message"]
    assert "Stop it first" in refused.json["error"]["message"]
    assert api.call("PATCH", f"{BASE}/{did}", {"targetStatus": "STOPPED"}).status == 202
    got = api.call("GET", f"{BASE}/{did}").json
    assert (got["status"], got["targetStatus"], got["lastOperation"]) == ("STOPPED", "STOPPED", "UPDATE")
    assert got["completionTime"].endswith("Z")
    for body in ({"targetStatus": "STOPPED"}, {"configurationId": configs["serve-b"]}):
        result = api.call("PATCH", f"{BASE}/{did}", body)
        assert result.status == 412 and "STOPPED" in result.json["error"]["message"], result
    deleted = api.call("DELETE", f"{BASE}/{did}")
    assert deleted.status == 202 and deleted.json == {"id": did, "message": "Deployment deletion scheduled"}
    assert api.call("GET", f"{BASE}/{did}").status == 404


@pytest.mark.parametrize("ttl", ["4.5h", "4h30m", "9m", "10s", "", "1,h"])
def test_bad_ttl_is_400(api, configs, ttl):
    result = api.call("POST", BASE, {"configurationId": configs["serve"], "ttl": ttl})
    assert result.status == 400 and "'ttl'" in result.json["error"]["message"], result


@pytest.mark.parametrize("ttl", ["10m", "5h", "2d", "1D", None])
def test_good_ttl(api, configs, ttl):
    did = deploy(api, configs["serve"], ttl)
    assert api.call("GET", f"{BASE}/{did}").json.get("ttl") == ttl


def test_create_errors(api, configs):
    non_deployable = api.call("POST", BASE, {"configurationId": configs["train"]})
    assert non_deployable.status == 400 and "is not deployable" in non_deployable.json["error"]["message"]
    unknown = api.call("POST", BASE, {"configurationId": "abcd-unknown"})
    assert unknown.status == 400 and "Configuration 'abcd-unknown' not found" in unknown.json["error"]["message"]
    assert api.call("POST", BASE, {"ttl": "1h"}).status == 400


def test_select_filters_and_count(api, configs):
    a, b, c = deploy(api, configs["serve"]), deploy(api, configs["serve-b"]), deploy(api, configs["serve2"])
    run(a)
    assert set(api.call("GET", f"{BASE}/{a}?$select=status").json) == STATUS_KEYS

    from ai_api_client_sdk.models.deployment_get_status_response import DeploymentGetStatusResponse
    parsed = DeploymentGetStatusResponse.from_dict(humps.decamelize(api.call("GET", f"{BASE}/{a}?$select=status").json))
    assert parsed.status.value == "RUNNING"

    def ids(query):
        result = api.call("GET", f"{BASE}?{query}")
        assert result.status == 200, result
        assert api.call("GET", f"{BASE}/$count?{query}").json == result.json["count"]
        return [x["id"] for x in result.json["resources"]]

    assert ids("") == [a, b, c]
    assert ids("executableIds=serve2") == [c]
    assert ids(f"configurationId={configs['serve-b']}") == [b]
    assert ids("scenarioId=scen1&status=RUNNING") == [a]
    assert ids("status=PENDING&top=1") == [b]
    assert ids("skip=2") == [c]
    listed = api.call("GET", f"{BASE}?$select=status").json["resources"]
    assert all(set(item) == STATUS_KEYS for item in listed) and len(listed) == 3
    assert all("deploymentUrl" in item for item in api.call("GET", BASE).json["resources"])
    assert api.call("GET", f"{BASE}?$select=id").status == 400
    assert api.call("GET", f"{BASE}?status=DELETING").status == 400


def test_bulk_modify(api, configs):
    running, pending, stopped = (deploy(api, configs["serve"]) for _ in range(3))
    run(running)
    api.call("PATCH", f"{BASE}/{stopped}", {"targetStatus": "STOPPED"})
    result = api.call("PATCH", BASE, {"deployments": [
        {"id": running, "targetStatus": "STOPPED"}, {"id": pending, "targetStatus": "DELETED"},
        {"id": stopped, "targetStatus": "DELETED"}]}, headers={"Content-Type": "application/merge-patch+json"})
    assert result.status == 202, result
    items = {item["id"]: item for item in result.json["deployments"]}
    assert items[running]["message"] == "Deployment modification scheduled"
    assert items[stopped]["message"] == "Deployment deletion scheduled"
    error = items[pending]["error"]
    assert error["code"] == "PreconditionFailed" and "PENDING" in error["message"]
    assert error["requestId"] and error["target"] == f"{BASE}/{pending}"
    assert api.call("GET", f"{BASE}/{running}").json["status"] == "STOPPED"
    assert api.call("GET", f"{BASE}/{stopped}").status == 404
    bad = api.call("PATCH", BASE, {"deployments": [{"id": running, "targetStatus": "RUNNING"}]})
    assert bad.status == 400
    assert api.call("PATCH", BASE, {"executions": [{"id": running, "targetStatus": "STOPPED"}]}).status == 400

    from ai_api_client_sdk.models.deployment_bulk_modify_response import DeploymentBulkModifyResponse
    assert len(DeploymentBulkModifyResponse.from_dict(humps.decamelize(result.json)).deployments) == 3


def test_bad_ids_and_isolation(api, configs):
    did = deploy(api, configs["serve"])
    assert api.call("GET", f"{BASE}/x").status == 400
    assert api.call("GET", f"{BASE}/ffffffffffffffff").status == 404
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "rg2"}).status == 202
    for other in ({"tenant": "t2"}, {"rg": "rg2"}):
        assert api.call("GET", f"{BASE}/{did}", **other).status == 404
        assert api.call("PATCH", f"{BASE}/{did}", {"targetStatus": "STOPPED"}, **other).status == 404
        assert api.call("DELETE", f"{BASE}/{did}", **other).status == 404
        assert api.call("GET", BASE, **other).json == {"count": 0, "resources": []}
        assert api.call("POST", BASE, {"configurationId": configs["serve"]}, **other).status == 400
    assert api.call("GET", f"{BASE}/{did}").json["status"] == "PENDING"
