"""Execution schedules through ai-api-client-sdk (AIAPIV2Client.execution_schedule; ai-core-sdk has none)."""
from datetime import datetime, timedelta, timezone

import pytest
from ai_api_client_sdk.exception import AIAPIInvalidRequestException, AIAPINotFoundException
from ai_api_client_sdk.models.status import ScheduleStatus

from tests.support.conformance import provisioned_group, training_configuration

RG = "conf-schedules"


@pytest.fixture(scope="module")
def configs(core, catalog):
    provisioned_group(core, RG)
    return training_configuration(core, RG, "scheduled a"), training_configuration(core, RG, "scheduled b")


def test_schedule_lifecycle(lm, configs):
    first, second = configs
    start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    created = lm.execution_schedule.create("nightly", "0 3 * * *", first, start=start, end=start + timedelta(days=30),
                                           resource_group=RG)
    assert created.id and created.message
    other = lm.execution_schedule.create("weekly", "0 4 * * 1", second, resource_group=RG)

    got = lm.execution_schedule.get(created.id, resource_group=RG)
    assert (got.name, got.cron, got.configuration_id, got.status) == ("nightly", "0 3 * * *", first,
                                                                     ScheduleStatus.ACTIVE)
    assert (got.start, got.end) == (start, start + timedelta(days=30))

    assert {s.id for s in lm.execution_schedule.query(resource_group=RG).resources} == {created.id, other.id}
    assert [s.id for s in lm.execution_schedule.query(configuration_id=second, resource_group=RG).resources] == \
        [other.id]
    assert len(lm.execution_schedule.query(top=1, resource_group=RG).resources) == 1
    assert lm.execution_schedule.count(resource_group=RG) == 2
    assert lm.execution_schedule.count(configuration_id=first, resource_group=RG) == 1

    assert lm.execution_schedule.modify(created.id, status=ScheduleStatus.INACTIVE, resource_group=RG).id == \
        created.id
    assert lm.execution_schedule.get(created.id, resource_group=RG).status == ScheduleStatus.INACTIVE
    assert lm.execution_schedule.count(status=ScheduleStatus.INACTIVE, resource_group=RG) == 1
    assert [s.id for s in lm.execution_schedule.query(status=ScheduleStatus.ACTIVE, resource_group=RG).resources] \
        == [other.id]
    lm.execution_schedule.modify(created.id, cron="30 2 * * *", status=ScheduleStatus.ACTIVE, resource_group=RG)
    got = lm.execution_schedule.get(created.id, resource_group=RG)
    assert (got.cron, got.status) == ("30 2 * * *", ScheduleStatus.ACTIVE)
    lm.execution_schedule.modify(created.id, configurationId=second, resource_group=RG)
    assert lm.execution_schedule.get(created.id, resource_group=RG).configuration_id == second

    for schedule in (created, other):
        assert lm.execution_schedule.delete(schedule.id, resource_group=RG).id == schedule.id
    with pytest.raises(AIAPINotFoundException):
        lm.execution_schedule.get(created.id, resource_group=RG)
    assert lm.execution_schedule.count(resource_group=RG) == 0


def test_bad_cron_is_invalid_request(lm, configs):
    for cron in ("every day", "61 * * * *", "0 3 * *"):
        with pytest.raises(AIAPIInvalidRequestException) as raised:
            lm.execution_schedule.create("broken", cron, configs[0], resource_group=RG)
        assert raised.value.error_code and "cron" in raised.value.error_message.lower()
    with pytest.raises(AIAPIInvalidRequestException):
        lm.execution_schedule.create("unknown configuration", "0 3 * * *", "no-such-configuration", resource_group=RG)
    assert lm.execution_schedule.count(resource_group=RG) == 0
