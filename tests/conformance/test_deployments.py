"""Deployments through ai-core-sdk: filters, $count, $select=status, ttl, configuration switch, stop, bulk, delete,
logs. Without an engine they wait in PENDING (deploymentUrl stays "" until one serves them)."""
from datetime import datetime, timedelta, timezone

import pytest
from ai_api_client_sdk.exception import AIAPIInvalidRequestException, AIAPINotFoundException
from ai_api_client_sdk.models.base_models import BasicModifyRequest, BasicResponse, BulkModifyErrorResponse, Order
from ai_api_client_sdk.models.deployment_get_status_response import DeploymentGetStatusResponse
from ai_api_client_sdk.models.status import Status
from ai_api_client_sdk.models.target_status import TargetStatus

from tests.support.conformance import SERVE, provisioned_group, serving_configuration, training_configuration
from tests.support.stack_process import wait_for

RG = "conf-deployments"
UNKNOWN_ID = "eeeeeeeeeeeeeeee"


@pytest.fixture(scope="module")
def runs(core, catalog):
    provisioned_group(core, RG)
    blue, green = serving_configuration(core, RG, "blue"), serving_configuration(core, RG, "green")
    a = core.deployment.create(blue, ttl="2h", resource_group=RG)
    assert a.ttl == "2h" and a.deployment_url == "" and a.status in (Status.UNKNOWN, Status.PENDING)
    return {"blue": blue, "green": green, "a": a.id,
            "b": core.deployment.create(blue, resource_group=RG).id,
            "c": core.deployment.create(green, resource_group=RG).id}


def ids(listing) -> set:
    return {d.id for d in listing.resources}


def test_get_and_select_status(core, catalog, runs):
    got = core.deployment.get(runs["a"], resource_group=RG)
    assert (got.configuration_id, got.configuration_name, got.scenario_id, got.ttl) == (runs["blue"], "blue",
                                                                                        catalog, "2h")
    assert got.status == Status.PENDING and got.target_status == TargetStatus.RUNNING
    assert got.deployment_url == ""
    status = core.deployment.get(runs["a"], select="status", resource_group=RG)
    assert isinstance(status, DeploymentGetStatusResponse) and status.status == Status.PENDING


def test_ttl_is_validated(core, runs):
    for ttl in ("4.5h", "5m", "1w"):
        with pytest.raises(AIAPIInvalidRequestException):
            core.deployment.create(runs["blue"], ttl=ttl, resource_group=RG)


def test_query_and_count_with_every_filter(core, catalog, runs):
    everything = {runs["a"], runs["b"], runs["c"]}
    assert ids(core.deployment.query(resource_group=RG)) == everything
    assert ids(core.deployment.query(configuration_id=runs["green"], resource_group=RG)) == {runs["c"]}
    assert ids(core.deployment.query(scenario_id=catalog, executable_ids=[SERVE], status=Status.PENDING,
                                     resource_group=RG)) == everything
    assert core.deployment.query(executable_ids=["other-executable"], resource_group=RG).count == 0
    assert core.deployment.count(configuration_id=runs["blue"], resource_group=RG) == 2
    assert core.deployment.count(status=Status.RUNNING, resource_group=RG) == 0
    page, rest = core.deployment.query(top=1, resource_group=RG), core.deployment.query(skip=1, resource_group=RG)
    assert len(page.resources) == 1 and len(rest.resources) == 2 and ids(page) | ids(rest) == everything


def test_logs(core, runs):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    logs = core.deployment.query_logs(runs["a"], top=5, start=now - timedelta(minutes=30), end=now,
                                      order=Order.ASC, resource_group=RG)
    assert logs.data.result == []
    with pytest.raises(AIAPIInvalidRequestException):
        core.deployment.query_logs(runs["a"], start=now, end=now - timedelta(minutes=1), resource_group=RG)


def test_switch_configuration(core, runs):
    assert core.deployment.modify(runs["a"], configuration_id=runs["green"], resource_group=RG).id == runs["a"]
    got = core.deployment.get(runs["a"], resource_group=RG)
    assert (got.configuration_id, got.configuration_name) == (runs["green"], "green")
    assert got.last_operation.value == "UPDATE"
    assert core.deployment.count(configuration_id=runs["green"], resource_group=RG) == 2
    other_executable = training_configuration(core, RG, "not servable")
    with pytest.raises(AIAPIInvalidRequestException):
        core.deployment.modify(runs["a"], configuration_id=other_executable, resource_group=RG)


def test_stop_then_delete(core, runs):
    assert core.deployment.modify(runs["a"], target_status=TargetStatus.STOPPED, resource_group=RG).id == runs["a"]
    wait_for(lambda: core.deployment.get(runs["a"], resource_group=RG).status == Status.STOPPED, what="stopped")
    assert core.deployment.delete(runs["a"], resource_group=RG).id == runs["a"]
    wait_for(lambda: runs["a"] not in ids(core.deployment.query(resource_group=RG)), what="deleted")
    with pytest.raises(AIAPINotFoundException):
        core.deployment.get(runs["a"], resource_group=RG)


def test_bulk_stop_and_delete_with_an_item_error(core, runs):
    stopped = core.deployment.bulk_modify([BasicModifyRequest(runs["b"], TargetStatus.STOPPED),
                                           BasicModifyRequest(runs["c"], TargetStatus.STOPPED)], resource_group=RG)
    assert [type(item) for item in stopped.deployments] == [BasicResponse, BasicResponse]
    wait_for(lambda: core.deployment.count(status=Status.STOPPED, resource_group=RG) == 2, what="bulk stopped")
    deleted = core.deployment.bulk_modify([BasicModifyRequest(runs["b"], TargetStatus.DELETED),
                                           BasicModifyRequest(UNKNOWN_ID, TargetStatus.DELETED),
                                           BasicModifyRequest(runs["c"], TargetStatus.DELETED)], resource_group=RG)
    by_id = {item.id: item for item in deleted.deployments}
    assert isinstance(by_id[runs["b"]], BasicResponse) and isinstance(by_id[runs["c"]], BasicResponse)
    assert isinstance(by_id[UNKNOWN_ID], BulkModifyErrorResponse)
    assert by_id[UNKNOWN_ID].error.code and by_id[UNKNOWN_ID].error.target
    wait_for(lambda: core.deployment.count(resource_group=RG) == 0, what="bulk deleted")
