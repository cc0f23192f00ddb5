"""Executions through ai-core-sdk: every filter, $count, $select=status, stop, bulk stop/delete, delete, logs.

The local engine runs them: these use the suite's "hold" configuration, whose step keeps running until stopped,
so every route meets a live execution (RUNNING) and a stop really ends its process."""
from datetime import datetime, timedelta, timezone

import pytest
from ai_api_client_sdk.exception import AIAPIInvalidRequestException, AIAPINotFoundException
from ai_api_client_sdk.models.base_models import BasicModifyRequest, BasicResponse, BulkModifyErrorResponse, Order
from ai_api_client_sdk.models.execution_get_status_response import ExecutionGetStatusResponse
from ai_api_client_sdk.models.status import Status
from ai_api_client_sdk.models.target_status import TargetStatus

from tests.support.conformance import TRAIN, provisioned_group, training_configuration
from tests.support.stack_process import wait_for

RG = "conf-executions"
UNKNOWN_ID = "ffffffffffffffff"


@pytest.fixture(scope="module")
def runs(core, catalog):
    provisioned_group(core, RG)
    first, second = training_configuration(core, RG, "first training"), training_configuration(core, RG, "second")
    made = {"a": core.execution.create(first, resource_group=RG), "b": core.execution.create(first, resource_group=RG),
            "c": core.execution.create(second, resource_group=RG)}
    for run in made.values():
        wait_for(lambda: core.execution.get(run.id, resource_group=RG).status == Status.RUNNING, what="running")
    return {"first": first, "second": second, **{k: v.id for k, v in made.items()}}


def ids(listing) -> set:
    return {e.id for e in listing.resources}


def test_create_and_get(core, catalog, runs):
    got = core.execution.get(runs["a"], resource_group=RG)
    assert (got.configuration_id, got.configuration_name, got.scenario_id) == (runs["first"], "first training",
                                                                               catalog)
    assert got.status == Status.RUNNING and got.target_status == TargetStatus.COMPLETED
    assert got.submission_time is not None and got.start_time is not None and got.completion_time is None
    status = core.execution.get(runs["a"], select="status", resource_group=RG)
    assert isinstance(status, ExecutionGetStatusResponse)
    assert (status.id, status.configuration_id, status.status) == (runs["a"], runs["first"], Status.RUNNING)


def test_query_with_every_filter(core, catalog, runs):
    everything = {runs["a"], runs["b"], runs["c"]}
    assert ids(core.execution.query(resource_group=RG)) == everything
    assert ids(core.execution.query(configuration_id=runs["first"], resource_group=RG)) == {runs["a"], runs["b"]}
    assert ids(core.execution.query(scenario_id=catalog, executable_ids=[TRAIN, "other"], resource_group=RG)) == \
        everything
    assert core.execution.query(executable_ids=["other-executable"], resource_group=RG).count == 0
    assert ids(core.execution.query(status=Status.RUNNING, resource_group=RG)) == everything
    assert core.execution.query(status=Status.PENDING, resource_group=RG).count == 0
    assert core.execution.query(execution_schedule_id="0123456789abcdef", resource_group=RG).count == 0
    page, rest = core.execution.query(top=2, resource_group=RG), core.execution.query(skip=2, resource_group=RG)
    assert len(page.resources) == 2 and len(rest.resources) == 1 and ids(page) | ids(rest) == everything


def test_count_with_filters(core, catalog, runs):
    assert core.execution.count(resource_group=RG) == 3
    assert core.execution.count(configuration_id=runs["second"], resource_group=RG) == 1
    assert core.execution.count(scenario_id=catalog, status=Status.COMPLETED, resource_group=RG) == 0
    assert core.execution.count(executable_ids=[TRAIN], resource_group=RG) == 3
    assert core.execution.count(execution_schedule_id="0123456789abcdef", resource_group=RG) == 0


def test_logs_window_and_order(core, runs):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    logs = core.execution.query_logs(runs["a"], top=10, start=now - timedelta(hours=1), end=now + timedelta(minutes=1),
                                     order=Order.DESC, resource_group=RG)
    assert [line.msg for line in logs.data.result] == ["holding until stopped"]  # the step's stdout
    before = core.execution.query_logs(runs["a"], start=now - timedelta(hours=2), end=now - timedelta(hours=1),
                                       resource_group=RG)
    assert before.data.result == []  # the window is honoured
    with pytest.raises(AIAPIInvalidRequestException):  # `top` (sent without `$`) is read and bounded
        core.execution.query_logs(runs["a"], top=100000, resource_group=RG)
    with pytest.raises(AIAPIInvalidRequestException):  # so are `start` and `end`
        core.execution.query_logs(runs["a"], start=now, end=now - timedelta(hours=1), resource_group=RG)
    with pytest.raises(AIAPINotFoundException):
        core.execution.query_logs(UNKNOWN_ID, resource_group=RG)


def test_stop_then_delete(core, runs):
    assert core.execution.modify(runs["a"], TargetStatus.STOPPED, resource_group=RG).id == runs["a"]
    wait_for(lambda: core.execution.get(runs["a"], resource_group=RG).status == Status.STOPPED, what="stopped")
    assert core.execution.get(runs["a"], resource_group=RG).target_status == TargetStatus.STOPPED
    assert core.execution.count(status=Status.STOPPED, resource_group=RG) == 1
    assert core.execution.delete(runs["a"], resource_group=RG).id == runs["a"]
    wait_for(lambda: runs["a"] not in ids(core.execution.query(resource_group=RG)), what="deleted")
    with pytest.raises(AIAPINotFoundException):
        core.execution.get(runs["a"], resource_group=RG)


def test_bulk_stop_and_delete_with_an_item_error(core, runs):
    stopped = core.execution.bulk_modify([BasicModifyRequest(runs["b"], TargetStatus.STOPPED),
                                          BasicModifyRequest(runs["c"], TargetStatus.STOPPED),
                                          BasicModifyRequest(UNKNOWN_ID, TargetStatus.STOPPED)], resource_group=RG)
    by_id = {item.id: item for item in stopped.executions}
    assert isinstance(by_id[runs["b"]], BasicResponse) and isinstance(by_id[runs["c"]], BasicResponse)
    error = by_id[UNKNOWN_ID]
    assert isinstance(error, BulkModifyErrorResponse)
    assert error.error.code and UNKNOWN_ID in error.error.message and error.error.request_id and error.error.target
    wait_for(lambda: core.execution.count(status=Status.STOPPED, resource_group=RG) == 2, what="bulk stopped")

    deleted = core.execution.bulk_modify([BasicModifyRequest(runs["b"], TargetStatus.DELETED),
                                          BasicModifyRequest(runs["c"], TargetStatus.DELETED)], resource_group=RG)
    assert [type(item) for item in deleted.executions] == [BasicResponse, BasicResponse]
    wait_for(lambda: core.execution.count(resource_group=RG) == 0, what="bulk deleted")
