"""The EventBridge-scheduled `schedule-tick` function (the AWS path of the ticker) starts the executions of
schedules created through the API, with executionScheduleId, once per due time."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.bootstrap import container, override
from chalicelib.domain.context import TenantContext
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.runs import Execution, RunRepository, mark_finished, mark_running
from tests.support.seed import seed_executable

T0 = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self):
        self.value = T0

    def now(self):
        return self.value


@pytest.fixture
def env(api):
    clock = Clock()
    override(clock=clock)  # before any service is built, so schedules, executions and the ticker share it
    seed_executable(container().store, "t1", "scen1", "train")
    config = api.call("POST", "/v2/lm/configurations", {"name": "c", "scenarioId": "scen1", "executableId": "train"})
    assert config.status == 201, config

    def tick():
        event = api.client.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={},
                                                    resources=[])
        api.client.lambda_.invoke("schedule-tick", event)

    return api, clock, config.json["id"], tick


def executions_of(api, schedule_id, **kw):
    listing = api.call("GET", f"/v2/lm/executions?executionScheduleId={schedule_id}", **kw)
    assert listing.status == 200, listing
    return listing.json["resources"]


def test_cron_schedule_fires_once_per_due_time(env):
    api, clock, config_id, tick = env
    created = api.call("POST", "/v2/lm/executionSchedules", {"name": "every5", "cron": "*/5 * * * *", "configurationId": config_id})
    assert created.status == 202, created
    schedule_id = created.json["id"]
    clock.value = T0 + timedelta(minutes=4)
    tick()
    assert executions_of(api, schedule_id) == []
    clock.value = T0 + timedelta(minutes=5, seconds=1)
    tick()
    tick()
    runs = executions_of(api, schedule_id)
    assert len(runs) == 1 and runs[0]["executionScheduleId"] == schedule_id
    assert runs[0]["configurationId"] == config_id and runs[0]["status"] == "PENDING"
    # Another tenant and another resource group see none of it.
    assert executions_of(api, schedule_id, tenant="t2") == []
    clock.value = T0 + timedelta(minutes=10, seconds=1)
    tick()
    assert len(executions_of(api, schedule_id)) == 2


def test_run_always_waits_for_the_previous_run(env):
    api, clock, config_id, tick = env
    created = api.call("POST", "/v2/lm/executionSchedules", {"name": "always", "cron": "* * * * *", "configurationId": config_id})
    schedule_id = created.json["id"]
    clock.value = T0 + timedelta(seconds=1)
    tick()
    clock.value = T0 + timedelta(seconds=2)
    tick()
    runs = executions_of(api, schedule_id)
    assert len(runs) == 1  # the first is still PENDING: no second one
    repo, ctx = RunRepository(container().store), TenantContext("t1", "default")
    repo.update(ctx, Execution, runs[0]["id"], lambda r: mark_running(r, clock.value))
    repo.update(ctx, Execution, runs[0]["id"], lambda r: mark_finished(r, Status.COMPLETED, clock.value))
    clock.value = T0 + timedelta(seconds=3)
    tick()
    assert len(executions_of(api, schedule_id)) == 2
    # Paused: nothing new even once the run has ended.
    assert api.call("PATCH", f"/v2/lm/executionSchedules/{schedule_id}", {"status": "INACTIVE"}).status == 202
    newest = [r for r in executions_of(api, schedule_id) if r["status"] == "PENDING"][0]
    repo.update(ctx, Execution, newest["id"], lambda r: mark_running(r, clock.value))
    repo.update(ctx, Execution, newest["id"], lambda r: mark_finished(r, Status.DEAD, clock.value))
    clock.value = T0 + timedelta(seconds=10)
    tick()
    assert len(executions_of(api, schedule_id)) == 2
