"""The packaged state machines, executed by moto's ASL interpreter, their tasks run by the real cluster_task handler.

The cluster steps are a recording fake here (tests/support/fake_cluster_steps.py): these tests prove the wiring
(order of steps, retries, the DEAD path, the control machine, the orchestrator's starts); the end-to-end tests
run the same wiring with the real ClusterRunSteps over the stand-in cluster.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from chalicelib import bootstrap
from chalicelib.adapters.aws.stepfunctions import execution_name
from chalicelib.domain.cluster.ports import ClusterError, ManifestRejected
from chalicelib.domain.context import TenantContext
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.runs import Deployment, Execution, RunRepository
from tests.support.aws_wiring import aws_wiring, instant_retries
from tests.support.fake_cluster_steps import FakeClusterSteps

CTX = TenantContext("tenant-a", "default")


def run_of(run_id: str, kind: str = "execution") -> dict:
    return {"kind": kind, "tenant": CTX.tenant, "resourceGroup": CTX.resource_group, "id": run_id}


@pytest.fixture
def steps():
    return FakeClusterSteps(polls_until_done=3)


@pytest.fixture
def wiring(settings, steps):
    settings = settings.model_copy(update={"cluster_poll_pending_seconds": 0})
    with aws_wiring(settings) as wired:
        wired.configure(cluster_steps=steps)
        yield wired
    bootstrap.reset()


# -- the execution and deployment state machines -------------------------------------------------------------------
def test_execution_machine_renders_submits_polls_until_done_then_finalizes(wiring, steps):
    ended = wiring.run("execution", {"run": run_of("e0001")})

    assert ended["status"] == "SUCCEEDED"
    assert steps.steps_of("e0001") == ["render", "submit", "poll", "poll", "poll", "finalize"]
    assert steps.args_of("submit", "e0001") == [(steps.manifest,)]  # the rendered manifest, through the state
    output = json.loads(ended["output"])
    assert "manifest" not in json.dumps(output)  # Submit's result replaced it: the state stays small
    assert output["run"] == run_of("e0001")


def test_every_task_event_names_the_step_and_the_run(wiring, steps):
    wiring.run("execution", {"run": run_of("e0002")})

    assert [event["step"] for event in wiring.task_events] == steps.steps_of("e0002")
    assert all(event["run"] == run_of("e0002") for event in wiring.task_events)


def test_a_transient_cluster_error_is_retried_and_the_run_goes_on(wiring, steps):
    steps.fail_next("poll", "e0003", ClusterError("the API server timed out"))

    ended = wiring.run("execution", {"run": run_of("e0003")})

    assert ended["status"] == "SUCCEEDED"
    assert steps.steps_of("e0003") == ["render", "submit", "poll", "poll", "poll", "poll", "finalize"]
    failed = [e for e in wiring.history(ended["executionArn"]) if e["type"] == "LambdaFunctionFailed"]
    assert [e["lambdaFunctionFailedEventDetails"]["error"] for e in failed] == ["TransientError"]


def test_a_transient_error_that_outlasts_the_retries_ends_the_run_dead(wiring, steps):
    steps.fail_next("poll", "e0009", *[ClusterError("the API server timed out")] * 7)

    with instant_retries() as intervals:
        ended = wiring.run("execution", {"run": run_of("e0009")})

    assert ended["status"] == "FAILED"
    assert steps.steps_of("e0009") == ["render", "submit"] + ["poll"] * 7 + ["fail"]  # first try + 6 retries
    assert len(intervals) == 6 and all(0 <= i <= 60 for i in intervals)
    assert steps.args_of("fail", "e0009") == [("TransientError", "the API server timed out")]


def test_a_permanent_error_ends_the_run_dead_with_its_message(wiring, steps):
    steps.fail_next("submit", "e0004", ManifestRejected("Workflow.argoproj.io \"e0004\" is invalid: spec.entrypoint"))

    ended = wiring.run("execution", {"run": run_of("e0004")})

    assert ended["status"] == "FAILED" and ended["error"] == "RunDead"
    assert steps.steps_of("e0004") == ["render", "submit", "fail"]  # no retry, no poll, no finalize
    assert steps.args_of("fail", "e0004") == [
        ("ManifestRejected", "Workflow.argoproj.io \"e0004\" is invalid: spec.entrypoint")]


def test_an_unexpected_exception_in_a_step_also_ends_the_run_dead(wiring, steps):
    steps.fail_next("finalize", "e0005", KeyError("outputs"))

    ended = wiring.run("execution", {"run": run_of("e0005")})

    assert ended["status"] == "FAILED"
    assert steps.args_of("fail", "e0005") == [("KeyError", "'outputs'")]


def test_a_manifest_too_large_for_the_state_ends_the_run_dead_before_submit(wiring, steps):
    steps.manifest = {"kind": "Workflow", "spec": {"script": "x" * 210_000}}

    ended = wiring.run("execution", {"run": run_of("e0006")})

    assert ended["status"] == "FAILED"
    assert steps.steps_of("e0006") == ["render", "fail"]
    error, message = steps.args_of("fail", "e0006")[0]
    assert error == "ManifestTooLarge" and "256 KB" in message and "Workflow" in message


def test_a_failing_fail_step_still_ends_the_machine(wiring, steps):
    steps.fail_next("render", "e0007", ManifestRejected("bad"))
    steps.fail_next("fail", "e0007", RuntimeError("the table is gone"))

    ended = wiring.run("execution", {"run": run_of("e0007")})

    assert ended["status"] == "FAILED" and steps.steps_of("e0007") == ["render", "fail"]


def test_a_long_run_continues_in_new_executions_of_the_same_machine(wiring, steps):
    steps.polls_until_done = 8  # 3 polls per execution with pollsPerExecution 2: two continuations

    first = wiring.run("execution", {"run": run_of("e0008"), "pollsPerExecution": 2}, name="e0008-first")

    assert first["status"] == "SUCCEEDED"
    for name in ("e0008-first--c1", "e0008-first--c2"):  # each started by the one before, once that one ended
        by_name = {e["name"]: e for e in wiring.executions("execution")}
        continued = wiring.wait(by_name[name]["executionArn"])
        assert continued["status"] == "SUCCEEDED"
        assert json.loads(continued["input"])["run"] == run_of("e0008")
    assert len(wiring.executions("execution")) == 3
    # render and submit once; the polls carry on in the continuations; finalize once, in the last one
    assert steps.steps_of("e0008") == ["render", "submit"] + ["poll"] * 8 + ["finalize"]


def test_deployment_machine_polls_until_the_deployment_ended(wiring, steps):
    ended = wiring.run("deployment", {"run": run_of("d0001", "deployment")})

    assert ended["status"] == "SUCCEEDED"
    assert steps.steps_of("d0001") == ["render", "submit", "poll", "poll", "poll"]


# -- the control state machine ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("action", ["stop", "delete", "update"])
def test_control_machine_runs_the_requested_action(wiring, steps, action):
    ended = wiring.run("control", {"run": run_of("c0001"), "action": action, "requestedAt": "2026-01-01T00:00:00Z"})

    assert ended["status"] == "SUCCEEDED"
    assert steps.steps_of("c0001") == [action]


@pytest.mark.parametrize("action", ["provision", "deprovision"])
def test_control_machine_provisions_and_removes_a_resource_groups_namespace(wiring, steps, action):
    group = {"kind": "resourceGroup", "tenant": "t1", "resourceGroup": "team-b", "id": "team-b"}
    ended = wiring.run("control", {"run": group, "action": action, "requestedAt": "2026-01-01T00:00:00Z"})

    assert ended["status"] == "SUCCEEDED"
    assert steps.steps_of("team-b") == [action]


def test_the_orchestrator_provisions_a_group_through_the_control_machine(wiring, steps):
    bootstrap.container().orchestrator.provision_group("t1", "team-b")

    [started] = wiring.executions("control")
    assert started["name"].startswith("team-b-") and "-provision-" in started["name"]
    assert wiring.wait(started["executionArn"])["status"] == "SUCCEEDED"
    assert steps.steps_of("team-b") == ["provision"]


def test_a_deleted_secrets_copies_are_forgotten_through_the_control_machine(wiring, steps):
    bootstrap.container().orchestrator.forget_secret("t1", None, "my-creds")  # tenant-wide: every group's copy

    [started] = wiring.executions("control")
    assert started["name"].startswith("my-creds-") and "-forget-" in started["name"]
    assert wiring.wait(started["executionArn"])["status"] == "SUCCEEDED"
    assert steps.steps_of("my-creds") == ["forget"]


def test_control_machine_refuses_an_unknown_action_without_a_task(wiring, steps):
    ended = wiring.run("control", {"run": run_of("c0002"), "action": "finalize"})

    assert ended["status"] == "FAILED" and ended["error"] == "UnknownAction"
    assert steps.steps_of("c0002") == []


def test_a_failed_stop_ends_the_run_dead(wiring, steps):
    steps.fail_next("stop", "c0003", ClusterError("Forbidden: workflows.argoproj.io", transient=False))

    ended = wiring.run("control", {"run": run_of("c0003"), "action": "stop"})

    assert ended["status"] == "FAILED"
    assert steps.args_of("fail", "c0003") == [("ClusterError", "Forbidden: workflows.argoproj.io")]


# -- the orchestrator (the API side) ------------------------------------------------------------------------------
def _stored(cls, run_id: str, status: Status = Status.UNKNOWN, **fields):
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    run = cls(id=run_id, configuration_id="cfg", configuration_name="cfg", scenario_id="scn", executable_id="exe",
              status=status, created_at=now, modified_at=now, **fields)
    return RunRepository(bootstrap.container().store).create(CTX, run)


def _deployment(run_id: str, status: Status = Status.UNKNOWN):
    return _stored(Deployment, run_id, status, inference_url=f"http://x/v2/inference/deployments/{run_id}")


def test_orchestrator_starts_the_execution_machine_named_after_the_run(wiring, steps):
    execution = _stored(Execution, "e1001")
    orchestrator = bootstrap.container().orchestrator

    orchestrator.start_execution(CTX, execution)

    [started] = wiring.executions("execution")
    assert started["name"] == execution_name(CTX, execution)
    ended = wiring.wait(started["executionArn"])
    assert json.loads(ended["input"]) == {"run": run_of("e1001"), "pollsPerExecution": 1000}
    assert ended["status"] == "SUCCEEDED"
    assert steps.steps_of("e1001") == ["render", "submit", "poll", "poll", "poll", "finalize"]


def test_orchestrator_marks_the_run_pending(wiring, steps):
    execution = _stored(Execution, "e1002")

    bootstrap.container().orchestrator.start_execution(CTX, execution)

    stored = RunRepository(bootstrap.container().store).get(CTX, Execution, "e1002")
    assert stored.status == Status.PENDING and stored.submission_time is not None


def test_a_second_start_of_the_same_run_does_not_start_a_second_machine(wiring, steps):
    execution = _stored(Execution, "e1003")
    orchestrator = bootstrap.container().orchestrator

    orchestrator.start_execution(CTX, execution)
    orchestrator.start_execution(CTX, execution)

    assert len(wiring.executions("execution")) == 1
    wiring.wait(wiring.executions("execution")[0]["executionArn"])
    assert steps.steps_of("e1003").count("render") == 1


def test_runs_of_two_tenants_with_the_same_id_get_two_machines(wiring, steps):
    other = TenantContext("tenant-b", "default")
    execution = _stored(Execution, "e1004")

    bootstrap.container().orchestrator.start_execution(CTX, execution)
    bootstrap.container().orchestrator.start_execution(other, execution)

    assert len({e["name"] for e in wiring.executions("execution")}) == 2


def test_orchestrator_starts_the_deployment_machine(wiring, steps):
    deployment = _deployment("d1001")

    bootstrap.container().orchestrator.start_deployment(CTX, deployment)

    [started] = wiring.executions("deployment")
    assert wiring.wait(started["executionArn"])["status"] == "SUCCEEDED"
    assert steps.steps_of("d1001") == ["render", "submit", "poll", "poll", "poll"]


@pytest.mark.parametrize("method, action", [("stop_execution", "stop"), ("delete_execution", "delete")])
def test_stop_and_delete_go_through_the_control_machine(wiring, steps, method, action):
    execution = _stored(Execution, "e1005", Status.RUNNING)

    getattr(bootstrap.container().orchestrator, method)(CTX, execution)

    [started] = wiring.executions("control")
    ended = wiring.wait(started["executionArn"])
    assert json.loads(ended["input"])["action"] == action
    assert json.loads(ended["input"])["run"] == run_of("e1005")
    assert started["name"].startswith(f"{execution_name(CTX, execution)}-{action}-")
    assert steps.steps_of("e1005") == [action]


def test_an_ended_run_that_is_deleted_is_still_cleaned_on_the_cluster(wiring, steps):
    execution = _stored(Execution, "e1006", Status.COMPLETED)

    bootstrap.container().orchestrator.delete_execution(CTX, execution)

    [started] = wiring.executions("control")
    wiring.wait(started["executionArn"])
    assert steps.steps_of("e1006") == ["delete"]


def test_repeated_control_requests_are_distinct_executions(wiring, steps):
    deployment = _deployment("d1002", Status.RUNNING)
    orchestrator = bootstrap.container().orchestrator

    orchestrator.update_deployment(CTX, deployment)
    orchestrator.update_deployment(CTX, deployment)

    started = wiring.executions("control")
    assert len({e["name"] for e in started}) == 2
    for execution in started:
        wiring.wait(execution["executionArn"])
    assert steps.steps_of("d1002") == ["update", "update"]
    # the status is the update step's to move (it keeps a RUNNING deployment's configuration if the new one fails)
    assert RunRepository(bootstrap.container().store).get(CTX, Deployment, "d1002").status == Status.RUNNING


def test_a_dead_deployment_given_a_new_configuration_gets_a_new_deployment_machine(wiring, steps):
    deployment = _deployment("d1003", Status.DEAD)

    bootstrap.container().orchestrator.update_deployment(CTX, deployment)

    [started] = wiring.executions("deployment")
    assert "-revive-" in started["name"]
    assert wiring.wait(started["executionArn"])["status"] == "SUCCEEDED"
    assert steps.steps_of("d1003") == ["render", "submit", "poll", "poll", "poll"]
    assert wiring.executions("control") == []


# -- through the API (AICORE_ENGINE=stepfunctions picks the orchestrator) -------------------------------------------
def test_the_api_starts_and_stops_an_execution_through_the_state_machines(wiring, steps):
    from app import app
    from tests.support.api_client import Api
    from tests.support.seed import seed_executable

    api = Api(app, bootstrap.container().settings)
    seed_executable(bootstrap.container().store, "t1", "scen1", "train")
    configuration = api.call("POST", "/v2/lm/configurations", {"name": "train-cfg", "scenarioId": "scen1",
                                                                "executableId": "train"}).json["id"]

    created = api.call("POST", "/v2/lm/executions", {"configurationId": configuration})
    assert created.status == 202 and created.json["status"] == "PENDING", created
    execution_id = created.json["id"]
    [started] = wiring.executions("execution")
    assert json.loads(wiring.wait(started["executionArn"])["input"])["run"] == {
        "kind": "execution", "tenant": "t1", "resourceGroup": "default", "id": execution_id}
    assert steps.steps_of(execution_id) == ["render", "submit", "poll", "poll", "poll", "finalize"]

    stopped = api.call("PATCH", f"/v2/lm/executions/{execution_id}", {"targetStatus": "STOPPED"})
    assert stopped.status == 202, stopped
    # (the tenant's first call onboarded its default group: that group's provisioning is a control execution too)
    [control] = [e for e in wiring.executions("control") if e["name"].startswith(execution_id)]
    wiring.wait(control["executionArn"])
    assert steps.steps_of(execution_id)[-1] == "stop"


def test_a_start_that_aws_refuses_ends_the_run_dead_saying_so(wiring, steps):
    from chalicelib.adapters.aws.stepfunctions import StepFunctionsOrchestrator

    container = bootstrap.container()
    missing = wiring.machine_arns["execution"] + "-gone"
    orchestrator = StepFunctionsOrchestrator(container.store, container.clock, wiring.sfn, missing,
                                             missing, missing)
    execution = _stored(Execution, "e1007")

    orchestrator.start_execution(CTX, execution)

    stored = RunRepository(container.store).get(CTX, Execution, "e1007")
    assert stored.status == Status.DEAD
    assert "Could not start the execution on AWS Step Functions (StateMachineDoesNotExist)" in stored.status_message
