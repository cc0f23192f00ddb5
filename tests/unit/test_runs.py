"""The status-changing steps, the conditional-write repository and the run services on an in-memory store."""
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.adapters.local.orchestrator import IdleOrchestrator
from chalicelib.domain.artifacts import ArtifactService
from chalicelib.domain.context import TenantContext
from chalicelib.domain.deployments import DeploymentService, ttl_minutes
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, PreconditionFailed
from chalicelib.domain.executions import ExecutionService
from chalicelib.domain.lifecycle import Operation, Status, TargetStatus
from chalicelib.domain.records import Kind
from chalicelib.domain.runs import (Deployment, Execution, RunRepository, mark_finished, mark_pending, mark_running,
                                    mark_stopped, mark_stopping, mark_unknown, request, request_delete,
                                    request_reconfigure, request_stop, require_id)
from tests.support.memory_store import MemoryStore

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
CTX = TenantContext("t1", "default")


class StepClock:
    def __init__(self):
        self.value = T0

    def now(self):
        self.value += timedelta(seconds=1)
        return self.value


def execution(**kw):
    base = dict(id="e0001", configuration_id="c0001", configuration_name="cfg", scenario_id="scen1",
                executable_id="train", created_at=T0, modified_at=T0)
    return Execution(**{**base, **kw})


def deployment(**kw):
    base = dict(id="d0001", configuration_id="c0001", configuration_name="cfg", scenario_id="scen1",
                executable_id="serve", created_at=T0, modified_at=T0,
                inference_url="http://h/v2/inference/deployments/d0001")
    return Deployment(**{**base, **kw})


# -- steps ---------------------------------------------------------------------------------------------
def test_execution_happy_path_sets_times():
    run = execution()
    assert (run.status, run.target_status) == (Status.UNKNOWN, TargetStatus.COMPLETED)
    t1, t2, t3 = T0 + timedelta(seconds=1), T0 + timedelta(seconds=2), T0 + timedelta(seconds=3)
    mark_pending(run, t1)
    assert run.status is Status.PENDING and run.submission_time == t1 and run.modified_at == t1
    mark_running(run, t2)
    assert run.status is Status.RUNNING and run.start_time == t2
    mark_finished(run, Status.COMPLETED, t3, "done")
    assert run.status is Status.COMPLETED and run.completion_time == t3 and run.status_message == "done"
    with pytest.raises(PreconditionFailed, match="from COMPLETED to RUNNING"):
        mark_running(run, t3)


def test_deployment_url_appears_only_once_running_and_stays():
    run = deployment()
    assert run.target_status is TargetStatus.RUNNING and run.deployment_url == ""
    mark_pending(run, T0)
    assert run.deployment_url == "" and run.latest_running_configuration_id is None
    mark_running(run, T0)
    assert run.deployment_url == "http://h/v2/inference/deployments/d0001"
    assert run.latest_running_configuration_id == "c0001"
    request_reconfigure(run, "c0002", "cfg2", T0)
    assert (run.configuration_id, run.last_operation) == ("c0002", Operation.UPDATE)
    assert run.latest_running_configuration_id == "c0001"  # rollback target until the new one runs
    mark_pending(run, T0)
    assert run.deployment_url.endswith("/d0001")
    mark_running(run, T0)
    assert run.latest_running_configuration_id == "c0002"


def test_deployment_cannot_complete_but_can_die():
    run = deployment(status=Status.RUNNING)
    with pytest.raises(InvalidInput, match="only as DEAD"):
        mark_finished(run, Status.COMPLETED, T0)
    mark_finished(run, Status.DEAD, T0, "x" * 300)
    assert run.status is Status.DEAD and run.completion_time == T0 and len(run.status_message) == 256


def test_stop_steps():
    run = execution(status=Status.RUNNING)
    request_stop(run, T0)
    assert run.target_status is TargetStatus.STOPPED
    mark_stopping(run, T0)
    mark_stopped(run, T0)
    assert run.status is Status.STOPPED and run.completion_time == T0
    request_delete(run, T0)
    assert run.target_status is TargetStatus.DELETED


def test_user_requests_set_last_operation_on_deployments():
    run = deployment(status=Status.RUNNING)
    request_stop(run, T0)
    assert run.last_operation is Operation.UPDATE
    run.status = Status.STOPPED
    request_delete(run, T0)
    assert run.last_operation is Operation.DELETE


def test_request_refuses_other_targets_and_wrong_status():
    with pytest.raises(InvalidInput):
        request(execution(status=Status.RUNNING), TargetStatus.COMPLETED, T0)
    with pytest.raises(PreconditionFailed, match="RUNNING"):
        request(execution(status=Status.RUNNING), TargetStatus.DELETED, T0)


def test_mark_unknown_from_running():
    run = execution(status=Status.RUNNING)
    mark_unknown(run, T0, "lost the pod")
    assert run.status is Status.UNKNOWN


def test_require_id():
    assert require_id("abcd", "Execution") == "abcd"
    with pytest.raises(InvalidInput, match="Execution id 'a/b' is invalid"):
        require_id("a/b", "Execution")


# -- repository ----------------------------------------------------------------------------------------
class RacingStore(MemoryStore):
    """Lets another writer change the record just before our first `races` writes."""

    def __init__(self, races):
        super().__init__()
        self.races = races

    def replace(self, ctx, record):
        if self.races > 0:
            self.races -= 1
            current = self.get(ctx, record.kind, record.id)
            current.doc["status_message"] = "written by the other writer"
            super().replace(ctx, current)
        return super().replace(ctx, record)


def test_update_retries_on_conflict_and_keeps_both_writes():
    store = RacingStore(races=2)
    repo = RunRepository(store)
    repo.create(CTX, execution(status=Status.RUNNING))
    calls = []

    def stop(run):
        calls.append(run.status_message)
        request_stop(run, T0)

    updated = repo.update(CTX, Execution, "e0001", stop)
    assert len(calls) == 3  # two lost races, then success on fresh data
    assert updated.target_status is TargetStatus.STOPPED
    assert updated.status_message == "written by the other writer"


def test_update_gives_up_after_retries():
    repo = RunRepository(RacingStore(races=100), retries=3)
    repo.create(CTX, execution(status=Status.RUNNING))
    with pytest.raises(Conflict, match="retry"):
        repo.update(CTX, Execution, "e0001", lambda r: request_stop(r, T0))


def test_update_refusal_writes_nothing():
    store = MemoryStore()
    repo = RunRepository(store)
    repo.create(CTX, execution(status=Status.COMPLETED))
    writes = store.writes
    with pytest.raises(PreconditionFailed):
        repo.update(CTX, Execution, "e0001", lambda r: request_stop(r, T0))
    assert store.writes == writes


def test_get_missing_and_invalid():
    repo = RunRepository(MemoryStore())
    with pytest.raises(NotFound, match="Execution 'e9999' not found in resource group 'default'"):
        repo.get(CTX, Execution, "e9999")
    with pytest.raises(InvalidInput):
        repo.get(CTX, Execution, "x")


# -- services with the idle orchestrator ---------------------------------------------------------------
@pytest.fixture
def services():
    from tests.support.seed import seed_executable
    from chalicelib.domain.configurations import ConfigurationService

    store, clock = MemoryStore(), StepClock()
    seed_executable(store, "t1", "scen1", "train")
    seed_executable(store, "t1", "scen1", "serve", deployable=True)
    configs = ConfigurationService(store, clock)
    train = configs.create(CTX, "train-cfg", "scen1", "train", [], [])
    serve = configs.create(CTX, "serve-cfg", "scen1", "serve", [], [])
    orchestrator = IdleOrchestrator(store, clock)
    executions = ExecutionService(store, clock, orchestrator, ArtifactService(store, clock))
    deployments = DeploymentService(store, clock, orchestrator, "http://api.test/")
    return store, executions, deployments, train, serve


def test_execution_lifecycle_through_service(services):
    store, executions, _, train, _ = services
    run = executions.create(CTX, train.id, execution_schedule_id="sched1")
    assert run.status is Status.PENDING and run.submission_time is not None
    assert (run.configuration_name, run.execution_schedule_id) == ("train-cfg", "sched1")
    with pytest.raises(PreconditionFailed, match="PENDING"):
        executions.delete(CTX, run.id)
    stopped = executions.modify(CTX, run.id, "STOPPED")
    assert executions.get(CTX, run.id).status is Status.STOPPED and stopped.target_status is TargetStatus.STOPPED
    assert executions.get(CTX, run.id).completion_time is not None
    executions.delete(CTX, run.id)
    assert store.get(CTX, Kind.EXECUTION, run.id) is None


def test_execution_of_deployable_executable_is_refused(services):
    _, executions, _, _, serve = services
    with pytest.raises(InvalidInput, match="is deployable"):
        executions.create(CTX, serve.id)


def test_deployment_needs_deployable_executable_and_valid_ttl(services):
    _, _, deployments, train, serve = services
    with pytest.raises(InvalidInput, match="not deployable"):
        deployments.create(CTX, train.id)
    with pytest.raises(InvalidInput, match="at least 10m"):
        deployments.create(CTX, serve.id, "9m")
    run = deployments.create(CTX, serve.id, "10m")
    assert run.inference_url == f"http://api.test/v2/inference/deployments/{run.id}"
    assert (run.status, run.deployment_url, run.last_operation) == (Status.PENDING, "", Operation.CREATE)


def test_deployment_modify_rules(services):
    _, _, deployments, train, serve = services
    run = deployments.create(CTX, serve.id)
    with pytest.raises(InvalidInput, match="not both"):
        deployments.modify(CTX, run.id, "STOPPED", serve.id)
    with pytest.raises(InvalidInput, match="Send 'targetStatus'"):
        deployments.modify(CTX, run.id, None, None)
    with pytest.raises(InvalidInput, match="Use DELETE"):
        deployments.modify(CTX, run.id, "DELETED", None)
    with pytest.raises(InvalidInput, match="same scenario and executable"):
        deployments.modify(CTX, run.id, None, train.id)
    switched = deployments.modify(CTX, run.id, None, serve.id)
    assert switched.last_operation is Operation.UPDATE
    deployments.modify(CTX, run.id, "STOPPED", None)
    assert deployments.get(CTX, run.id).status is Status.STOPPED
    with pytest.raises(PreconditionFailed, match="STOPPED"):
        deployments.modify(CTX, run.id, None, serve.id)


def test_bulk_rules(services):
    _, executions, _, train, _ = services
    with pytest.raises(InvalidInput, match="more than once"):
        executions.bulk_modify(CTX, [("e0001", TargetStatus.STOPPED), ("e0001", TargetStatus.DELETED)])
    with pytest.raises(InvalidInput, match="1 to 100"):
        executions.bulk_modify(CTX, [])
    with pytest.raises(InvalidInput, match="1 to 100"):
        executions.bulk_modify(CTX, [(f"e{i:04d}", TargetStatus.STOPPED) for i in range(101)])
    a, b = executions.create(CTX, train.id), executions.create(CTX, train.id)
    outcomes = executions.bulk_modify(CTX, [(a.id, TargetStatus.STOPPED), (b.id, TargetStatus.DELETED),
                                            ("missing1", TargetStatus.STOPPED)])
    assert outcomes[0].message == "Execution modification scheduled" and outcomes[0].error is None
    assert isinstance(outcomes[1].error, PreconditionFailed) and "PENDING" in outcomes[1].error.message
    assert isinstance(outcomes[2].error, NotFound)


class RecordingOrchestrator(IdleOrchestrator):
    def __init__(self, store, clock):
        super().__init__(store, clock)
        self.calls = []

    def stop_execution(self, ctx, execution):
        self.calls.append(("stop", execution.target_status))
        super().stop_execution(ctx, execution)


def test_intent_is_stored_before_the_orchestrator_is_asked(services):
    store, _, _, train, _ = services
    clock = StepClock()
    orchestrator = RecordingOrchestrator(store, clock)
    executions = ExecutionService(store, clock, orchestrator, ArtifactService(store, clock))
    run = executions.create(CTX, train.id)
    executions.stop(CTX, run.id)
    assert orchestrator.calls == [("stop", TargetStatus.STOPPED)]


@pytest.mark.parametrize("ttl,minutes", [("10m", 10), ("24H", 1440), ("5h", 300), ("2d", 2880), ("1D", 1440)])
def test_ttl_valid(ttl, minutes):
    assert ttl_minutes(ttl) == minutes


@pytest.mark.parametrize("ttl", ["4.5h", "4h30m", "9m", "", "10s", "10,", "h", "-1h", "0d"])
def test_ttl_invalid(ttl):
    with pytest.raises(InvalidInput, match="ttl"):
        ttl_minutes(ttl)


def test_status_details_are_stored_as_one_json_string_and_read_back_either_way():
    run = execution(status_details={"steps": [{"name": "main.a", "status": "Succeeded", "exitCode": 0}]})
    record = run.to_record(run.id)
    assert isinstance(record.doc["status_details_json"], str) and "status_details" not in record.doc
    assert Execution.from_record(record).status_details == run.status_details
    legacy = dict(record.doc, status_details=run.status_details)  # written before the JSON form
    legacy.pop("status_details_json")
    assert Execution.model_validate(legacy).status_details == run.status_details
