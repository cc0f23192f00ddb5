"""Schedules created with the official client (AIAPIV2Client.execution_schedule) fire on the running stack: a
run-always schedule (`* * * * *`) within a tick, never two runs at once; a per-minute cron at the next minute."""
import time
from datetime import datetime, timezone

import pytest
from ai_api_client_sdk.models.status import ScheduleStatus
from ai_api_client_sdk.models.target_status import TargetStatus

from tests.support.conformance import provisioned_group, training_configuration
from tests.support.stack_process import wait_for

RG = "conf-fires"
LIVE = {"UNKNOWN", "PENDING", "RUNNING", "STOPPING"}


@pytest.fixture(scope="module")
def config(core, catalog):
    provisioned_group(core, RG)
    return training_configuration(core, RG, "fired by a schedule")


def runs_of(lm, schedule_id):
    return lm.execution.query(execution_schedule_id=schedule_id, resource_group=RG).resources


def stop_all(lm, schedule_id):
    lm.execution_schedule.modify(schedule_id, status=ScheduleStatus.INACTIVE, resource_group=RG)
    for run in runs_of(lm, schedule_id):
        if run.status.value in LIVE:
            lm.execution.modify(run.id, target_status=TargetStatus.STOPPED, resource_group=RG)


def test_run_always_fires_at_once_and_never_twice_at_a_time(lm, config):
    schedule = lm.execution_schedule.create("always", "* * * * *", config, resource_group=RG)
    try:
        runs = wait_for(lambda: runs_of(lm, schedule.id), timeout=15, what="the run-always schedule's first run")
        assert runs[0].execution_schedule_id == schedule.id and runs[0].configuration_id == config
        for _ in range(6):  # over several ticks: at most one live run of this schedule
            time.sleep(0.5)
            assert sum(r.status.value in LIVE for r in runs_of(lm, schedule.id)) <= 1
    finally:
        stop_all(lm, schedule.id)


def test_cron_fires_at_the_next_minute(lm, config):
    created_at = datetime.now(timezone.utc)
    schedule = lm.execution_schedule.create("every minute", "*/1 * * * *", config, resource_group=RG)
    try:
        runs = wait_for(lambda: runs_of(lm, schedule.id), timeout=70, interval=0.5,
                        what="the per-minute schedule's first run")
        assert len(runs) == 1 and runs[0].execution_schedule_id == schedule.id
        # Cron semantics: nothing before the first whole minute after the schedule was made.
        next_minute = created_at.replace(second=0, microsecond=0).timestamp() + 60
        assert runs[0].created_at.timestamp() >= next_minute
    finally:
        stop_all(lm, schedule.id)
