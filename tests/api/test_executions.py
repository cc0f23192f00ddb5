"""/v2/lm/executions through the HTTP layer: create, get/$select, filters, $count, stop, delete, bulk, isolation."""
import humps
import pytest

from chalicelib.bootstrap import container
from chalicelib.domain.artifacts import ArtifactKind
from chalicelib.domain.context import TenantContext
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.runs import Execution, RunRepository, mark_finished, mark_running
from tests.support.seed import seed_executable

BASE = "/v2/lm/executions"
CTX = TenantContext("t1", "default")
STATUS_KEYS = {"id", "configurationId", "status", "createdAt", "modifiedAt"}


@pytest.fixture
def configs(api):
    store = container().store
    seed_executable(store, "t1", "scen1", "train", output_artifacts=["model"])
    seed_executable(store, "t1", "scen1", "prep")
    seed_executable(store, "t1", "scen1", "serve", deployable=True)

    def config(executable, name):
        result = api.call("POST", "/v2/lm/configurations", {"name": name, "scenarioId": "scen1",
                                                            "executableId": executable})
        assert result.status == 201, result
        return result.json["id"]

    return {"train": config("train", "train-cfg"), "prep": config("prep", "prep-cfg"),
            "serve": config("serve", "serve-cfg")}


def start(api, configuration_id, **kw):
    result = api.call("POST", BASE, {"configurationId": configuration_id}, **kw)
    assert result.status == 202, result
    return result.json["id"]


def move(execution_id, *steps):
    runs = RunRepository(container().store)
    for step in steps:
        runs.update(CTX, Execution, execution_id, step)


def finish(execution_id):
    now = container().clock.now
    move(execution_id, lambda r: mark_running(r, now()), lambda r: mark_finished(r, Status.COMPLETED, now()))


def test_create_and_get(api, configs):
    created = api.call("POST", BASE, {"configurationId": configs["train"]})
    assert created.status == 202, created
    eid = created.json["id"]
    assert created.json == {"id": eid, "message": "Execution scheduled", "status": "PENDING",
                            "targetStatus": "COMPLETED"}
    assert created.headers["location"] == f"{BASE}/{eid}"
    assert len(eid) == 16 and int(eid, 16) >= 0
    got = api.call("GET", f"{BASE}/{eid}").json
    assert got["configurationName"] == "train-cfg" and got["scenarioId"] == "scen1"
    assert got["executableId"] == "train" and got["targetStatus"] == "COMPLETED" and got["status"] == "PENDING"
    assert got["submissionTime"].endswith("Z") and "completionTime" not in got
    assert got["outputArtifacts"] == []


def test_official_client_models_parse_it(api, configs):
    from ai_api_client_sdk.models.execution import Execution as ClientExecution
    from ai_api_client_sdk.models.execution_get_status_response import ExecutionGetStatusResponse

    eid = start(api, configs["train"])
    container().artifacts.register(CTX, "model", ArtifactKind.MODEL, f"ai://default/{eid}/model", "scen1",
                                   execution_id=eid)
    full = ClientExecution.from_dict(humps.decamelize(api.call("GET", f"{BASE}/{eid}").json))
    assert full.configuration_name == "train-cfg" and full.output_artifacts[0].name == "model"
    status = ExecutionGetStatusResponse.from_dict(humps.decamelize(api.call("GET", f"{BASE}/{eid}?$select=status").json))
    assert status.status.value == "PENDING"
    listed = api.call("GET", BASE).json["resources"]
    assert ClientExecution.from_dict(humps.decamelize(listed[0])).id == eid


def test_select_status_is_the_exact_projection(api, configs):
    eid = start(api, configs["train"])
    assert set(api.call("GET", f"{BASE}/{eid}?$select=status").json) == STATUS_KEYS
    assert set(api.call("GET", f"{BASE}/{eid}?select=status").json) == STATUS_KEYS
    listed = api.call("GET", f"{BASE}?$select=status").json
    assert listed["count"] == 1 and set(listed["resources"][0]) == STATUS_KEYS
    bad = api.call("GET", f"{BASE}/{eid}?$select=status,name")
    assert bad.status == 400 and "'$select' supports only 'status'" in bad.json["error"]["message"]


def test_filters_and_count(api, configs):
    a, b = start(api, configs["train"]), start(api, configs["prep"])
    scheduled = container().executions.create(CTX, configs["train"], execution_schedule_id="sched-1").id
    finish(a)

    def ids(query):
        result = api.call("GET", f"{BASE}?{query}")
        assert result.status == 200, result
        count = api.call("GET", f"{BASE}/$count?{query}")
        assert count.headers["content-type"] == "text/plain" and count.json == result.json["count"]
        return [x["id"] for x in result.json["resources"]]

    assert ids("") == [a, b, scheduled]
    assert ids("executableIds=prep") == [b]
    assert ids("executableIds=prep,train") == [a, b, scheduled]
    assert ids(f"configurationId={configs['train']}") == [a, scheduled]
    assert ids("scenarioId=scen1") == [a, b, scheduled]
    assert ids("scenarioId=scen2") == []
    assert ids("executionScheduleId=sched-1") == [scheduled]
    assert ids("status=COMPLETED") == [a]
    assert ids("status=PENDING&executableIds=train") == [scheduled]
    assert ids("top=1&skip=1") == [b]
    assert ids("$top=5&$skip=2") == [scheduled]
    assert api.call("GET", f"{BASE}?top=1").json["count"] == 3
    for query in ("status=DELETING", "status=running", "configurationId=x", "executableIds=ok-id,no"):
        assert api.call("GET", f"{BASE}?{query}").status == 400
        assert api.call("GET", f"{BASE}/$count?{query}").status == 400


def test_create_errors(api, configs):
    def error(body):
        result = api.call("POST", BASE, body)
        assert result.status == 400, result
        return result.json["error"]["message"]

    assert "not found in resource group 'default'" in error({"configurationId": "abcd-unknown"})
    assert "is deployable" in error({"configurationId": configs["serve"]})
    assert "'configurationId' is required" in error({})
    assert "configurationId" in error({"configurationId": "a b"})


def test_stop_then_delete(api, configs):
    eid = start(api, configs["train"])
    refused = api.call("DELETE", f"{BASE}/{eid}")
    assert refused.status == 412 and "current status is PENDING" in refused.json["error"]["message"]
    stopped = api.call("PATCH", f"{BASE}/{eid}", {"targetStatus": "STOPPED"})
    assert stopped.status == 202 and stopped.json == {"id": eid, "message": "Execution modification scheduled"}
    got = api.call("GET", f"{BASE}/{eid}").json
    assert (got["status"], got["targetStatus"]) == ("STOPPED", "STOPPED") and got["completionTime"].endswith("Z")
    again = api.call("PATCH", f"{BASE}/{eid}", {"targetStatus": "STOPPED"})
    assert again.status == 412 and "STOPPED" in again.json["error"]["message"]
    deleted = api.call("DELETE", f"{BASE}/{eid}")
    assert deleted.status == 202 and deleted.json == {"id": eid, "message": "Execution deletion scheduled"}
    assert api.call("GET", f"{BASE}/{eid}").status == 404
    assert api.call("DELETE", f"{BASE}/{eid}").status == 404


def test_completed_execution_cannot_be_stopped_but_can_be_deleted(api, configs):
    eid = start(api, configs["train"])
    finish(eid)
    refused = api.call("PATCH", f"{BASE}/{eid}", {"targetStatus": "STOPPED"})
    assert refused.status == 412 and "current status is COMPLETED" in refused.json["error"]["message"]
    assert api.call("DELETE", f"{BASE}/{eid}").status == 202
    assert api.call("GET", f"{BASE}/{eid}").status == 404


@pytest.mark.parametrize("body,needle", [
    ({"targetStatus": "DELETED"}, "Use DELETE"),
    ({"targetStatus": "RUNNING"}, "must be STOPPED"),
    ({}, "'targetStatus' is required"),
])
def test_patch_body_errors(api, configs, body, needle):
    eid = start(api, configs["train"])
    result = api.call("PATCH", f"{BASE}/{eid}", body)
    assert result.status == 400 and needle in result.json["error"]["message"], result


def test_bulk_modify(api, configs):
    stop_me, pending, done = (start(api, configs["train"]) for _ in range(3))
    finish(done)
    result = api.call("PATCH", BASE, {"executions": [
        {"id": stop_me, "targetStatus": "STOPPED"}, {"id": pending, "targetStatus": "DELETED"},
        {"id": done, "targetStatus": "DELETED"}, {"id": "abcd-missing", "targetStatus": "STOPPED"},
    ]}, headers={"Content-Type": "application/merge-patch+json"})
    assert result.status == 202, result
    items = {item["id"]: item for item in result.json["executions"]}
    assert items[stop_me] == {"id": stop_me, "message": "Execution modification scheduled"}
    assert items[done] == {"id": done, "message": "Execution deletion scheduled"}
    for failed, code in ((pending, "PreconditionFailed"), ("abcd-missing", "NotFound")):
        error = items[failed]["error"]
        assert error["code"] == code and error["message"] and error["requestId"]
        assert error["target"] == f"{BASE}/{failed}"
    assert "current status is PENDING" in items[pending]["error"]["message"]
    assert api.call("GET", f"{BASE}/{stop_me}").json["status"] == "STOPPED"
    assert api.call("GET", f"{BASE}/{done}").status == 404

    from ai_api_client_sdk.models.execution_bulk_modify_response import ExecutionBulkModifyResponse
    parsed = ExecutionBulkModifyResponse.from_dict(humps.decamelize(result.json))
    assert len(parsed.executions) == 4


@pytest.mark.parametrize("executions,needle", [
    ([], "executions"),
    ([{"id": f"abcd-{i}", "targetStatus": "STOPPED"} for i in range(101)], "executions"),
    ([{"id": "abcd-1", "targetStatus": "STOPPED"}, {"id": "abcd-1", "targetStatus": "DELETED"}], "more than once"),
    ([{"id": "abcd-1", "targetStatus": "COMPLETED"}], "targetStatus"),
    ([{"id": "a", "targetStatus": "STOPPED"}], "executions.0.id"),
])
def test_bulk_request_errors(api, configs, executions, needle):
    result = api.call("PATCH", BASE, {"executions": executions})
    assert result.status == 400 and needle in result.json["error"]["message"], result


def test_bad_ids_and_isolation(api, configs):
    eid = start(api, configs["train"])
    assert api.call("GET", f"{BASE}/abc").status == 400
    assert api.call("PATCH", f"{BASE}/abc", {"targetStatus": "STOPPED"}).status == 400
    assert api.call("GET", f"{BASE}/ffffffffffffffff").status == 404
    assert api.call("DELETE", f"{BASE}/ffffffffffffffff").status == 404
    for other in ({"tenant": "t2"}, {"rg": "rg2"}):
        if "rg" in other:
            assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "rg2"}).status == 202
        assert api.call("GET", f"{BASE}/{eid}", **other).status == 404
        assert api.call("PATCH", f"{BASE}/{eid}", {"targetStatus": "STOPPED"}, **other).status == 404
        assert api.call("DELETE", f"{BASE}/{eid}", **other).status == 404
        assert api.call("GET", f"{BASE}/$count", **other).json == 0
        bulk = api.call("PATCH", BASE, {"executions": [{"id": eid, "targetStatus": "STOPPED"}]}, **other)
        assert bulk.json["executions"][0]["error"]["code"] == "NotFound"
        assert api.call("POST", BASE, {"configurationId": configs["train"]}, **other).status == 400
    assert api.call("GET", f"{BASE}/{eid}").json["status"] == "PENDING"
