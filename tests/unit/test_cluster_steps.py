"""The orchestration steps of the cluster path (domain/cluster/steps.py) over an in-memory Cluster and record store:
the statuses an execution and a deployment reach, idempotent retries, what is synced and what is never shown."""
import base64
import json
import logging

import pytest

from chalicelib.domain.cluster.ports import ClusterError, ManifestRejected
from chalicelib.domain.cluster.steps import RunRef, failure_message
from chalicelib.domain.configurations import Configuration
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import NotFound
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.runs import Execution, request_stop
from chalicelib.domain.scenarios import Executable
from tests.support.cluster_world import (CTX, DOCKER_PASSWORD, GENERIC_VALUE, NS, STORE_SECRET, TRACKING, Locations,
                                         build_world, new_deployment, new_execution, record, started, train_status)


@pytest.fixture
def world():
    return build_world()


def test_render_gives_the_workflow_without_the_tracking_credential(world):
    ref = new_execution(world)
    manifest = world.steps.render(ref)
    assert manifest["kind"] == "Workflow" and manifest["metadata"]["name"] == "e0001"
    assert manifest["metadata"]["namespace"] == NS
    assert TRACKING not in json.dumps(manifest) and STORE_SECRET not in json.dumps(manifest)
    container = manifest["spec"]["templates"][1]["container"]
    assert {"name": "AICORE_EXECUTION_ID", "value": "e0001"} in container["env"]


def test_submit_syncs_secrets_into_the_namespace_and_creates_the_workflow_once(world):
    ref = new_execution(world)
    manifest = world.steps.render(ref)
    world.steps.submit(ref, manifest)
    world.steps.submit(ref, manifest)  # Step Functions retried a submit whose answer it did not see
    assert world.cluster.calls.count("create_workflow") == 2 and len(world.cluster.workflows) == 1
    secrets = {name: s for (ns, name), s in world.cluster.secrets.items() if ns == NS}
    assert set(secrets) >= {"my-registry", "api-token"}
    docker = json.loads(base64.b64decode(secrets["my-registry"]["data"][".dockerconfigjson"]))
    assert docker["auths"]["registry.example"]["password"] == DOCKER_PASSWORD
    assert base64.b64decode(secrets["api-token"]["data"]["token"]).decode() == GENERIC_VALUE
    store_secret = next(s for s in secrets.values() if s["metadata"]["labels"]["ai.sap.com/secretKind"]
                        == "object-store")
    assert base64.b64decode(store_secret["data"]["secretKey"]).decode() == STORE_SECRET
    submitted = world.cluster.workflows[(NS, "e0001")]
    env = submitted["spec"]["templates"][1]["container"]["env"]
    assert any(e.get("value", "").endswith(TRACKING) for e in env if e["name"] == "AICORE_TRACKING_ENDPOINT")
    assert record(world, ref).status is Status.PENDING


def test_secret_values_appear_in_no_log_message_or_record(world, caplog):
    caplog.set_level(logging.DEBUG)
    ref = started(world, new_execution(world))
    world.cluster.set_workflow_status(NS, "e0001", train_status("Failed", "Failed", "Error (exit code 1)", 1))
    world.steps.poll(ref)
    world.steps.finalize(ref)
    world.steps.fail(ref, "ManifestRejected", "refused")
    shown = caplog.text + json.dumps(record(world, ref).to_doc(), default=str)
    for value in (DOCKER_PASSWORD, GENERIC_VALUE, STORE_SECRET, TRACKING):
        assert value not in shown


def test_a_missing_secret_ends_the_run_dead_naming_it(world):
    ref = new_execution(world)
    manifest = world.steps.render(ref)
    world.steps._services.generic_secrets = type("NoSecrets", (), {"read_data": lambda self, ctx, name: (
        _ for _ in ()).throw(NotFound(f"Secret '{name}' not found."))})()
    world.steps.submit(ref, manifest)
    run = record(world, ref)
    assert run.status is Status.DEAD and "secret 'api-token'" in run.status_message
    assert not world.cluster.workflows


def test_completed_registers_the_outputs_once(world):
    ref = started(world, new_execution(world))
    world.cluster.set_workflow_status(NS, "e0001", train_status("Running", "Running"))
    assert world.steps.poll(ref)["done"] is False
    assert record(world, ref).status is Status.RUNNING
    world.cluster.add_pod(NS, "e0001-train-1", {"workflows.argoproj.io/workflow": "e0001"}, "Succeeded",
                          {"main": "2026-12-04T10:00:02.123456789Z epoch 1\n2026-12-04T10:00:03Z done\n"})
    world.cluster.set_workflow_status(NS, "e0001", train_status("Succeeded", "Succeeded"))
    assert world.steps.poll(ref)["done"] is True
    world.steps.finalize(ref)
    world.steps.finalize(ref)  # retried
    run = record(world, ref)
    assert run.status is Status.COMPLETED and run.status_message == "Execution completed."
    outputs = world.artifacts.outputs_of(CTX, "e0001")
    assert [(a.name, a.url, a.kind.value) for a in outputs] == [("model", "ai://default/e0001/model", "model")]
    assert [e.msg for e in world.archive.read(CTX, "execution", "e0001")] == ["epoch 1", "done"]
    assert run.status_details["steps"][0]["name"] == "main.train"


def test_a_failed_step_ends_dead_with_its_message(world):
    ref = started(world, new_execution(world))
    world.cluster.set_workflow_status(NS, "e0001", train_status("Failed", "Failed", "Error (exit code 1)", 1))
    assert world.steps.poll(ref)["done"] is True
    world.steps.finalize(ref)
    run = record(world, ref)
    assert run.status is Status.DEAD
    assert run.status_message == "Step 'main.train' failed: Error (exit code 1)"
    assert run.status_details["steps"][0]["exitCode"] == 1
    assert world.artifacts.outputs_of(CTX, "e0001") == []


def test_a_stop_terminates_the_workflow_and_ends_stopped_with_the_workflow_gone(world):
    ref = started(world, new_execution(world))
    world.cluster.set_workflow_status(NS, "e0001", train_status("Running", "Running"))
    world.steps.poll(ref)
    world.runs.update(CTX, Execution, "e0001", lambda r: request_stop(r, world.clock.now()))
    assert world.steps.poll(ref)["done"] is False
    assert world.cluster.workflows[(NS, "e0001")]["spec"]["shutdown"] == "Terminate"
    assert record(world, ref).status is Status.STOPPING
    status = train_status("Failed", "Failed", "Stopped with strategy 'Terminate'")
    status["message"] = "Stopped with strategy 'Terminate'"
    world.cluster.set_workflow_status(NS, "e0001", status)
    assert world.steps.poll(ref)["done"] is True
    world.steps.finalize(ref)
    run = record(world, ref)
    assert run.status is Status.STOPPED and run.status_message == "Execution stopped."
    assert run.status_details["steps"][0]["status"] == "Stopped"
    assert (NS, "e0001") not in world.cluster.workflows


def test_the_stop_step_ends_stopped_at_once(world):
    ref = started(world, new_execution(world))
    world.cluster.set_workflow_status(NS, "e0001", train_status("Running", "Running"))
    world.runs.update(CTX, Execution, "e0001", lambda r: request_stop(r, world.clock.now()))
    world.steps.stop(ref)
    world.steps.stop(ref)
    assert record(world, ref).status is Status.STOPPED and not world.cluster.workflows
    assert world.steps.poll(ref)["done"] is True


def test_a_workflow_terminated_outside_the_api_ends_dead(world):
    ref = started(world, new_execution(world))
    status = train_status("Failed", "Failed", "Stopped with strategy 'Terminate'")
    status["message"] = "Stopped with strategy 'Terminate'"
    world.cluster.set_workflow_status(NS, "e0001", status)
    world.cluster.workflows[(NS, "e0001")]["spec"]["shutdown"] = "Terminate"
    world.steps.poll(ref)
    world.steps.finalize(ref)
    run = record(world, ref)
    assert run.status is Status.DEAD and "not through the AI API" in run.status_message


def test_delete_removes_workflow_logs_and_record(world):
    ref = started(world, new_execution(world))
    world.cluster.add_pod(NS, "e0001-train-1", {"workflows.argoproj.io/workflow": "e0001"}, "Succeeded",
                          {"main": "2026-12-04T10:00:02Z hi\n"})
    world.cluster.set_workflow_status(NS, "e0001", train_status("Running", "Running"))
    world.steps.poll(ref)
    assert world.archive.read(CTX, "execution", "e0001")
    world.steps.delete(ref)  # the control machine's delete, after the API accepted it
    world.steps.delete(ref)
    assert record(world, ref) is None and not world.cluster.workflows and not world.cluster.pods
    assert world.archive.read(CTX, "execution", "e0001") == []


def test_a_poll_after_the_record_was_deleted_removes_the_workflow_and_ends(world):
    ref = started(world, new_execution(world))
    world.runs.remove(CTX, Execution, "e0001")
    assert world.steps.poll(ref) == {"done": True, "waitSeconds": 0}
    assert not world.cluster.workflows


@pytest.mark.parametrize("gone, message", [("configuration", "Configuration 'c-train' no longer exists."),
                                           ("executable", "Executable 'train' of scenario 'scen1' no longer")])
def test_a_missing_configuration_or_executable_ends_dead(world, gone, message):
    ref = new_execution(world)
    if gone == "configuration":
        world.store.delete(CTX, Configuration.KIND, "c-train")
    else:
        world.store.delete(TenantContext("t1"), Executable.KIND, Executable.record_id("scen1", "train"))
    assert world.steps.render(ref) == {}
    world.steps.submit(ref, {})
    assert world.steps.poll(ref)["done"] is True
    run = record(world, ref)
    assert run.status is Status.DEAD and run.status_message.startswith(message)


def test_outputs_without_a_default_store_end_dead_saying_what_to_create(world):
    world.steps._services.locations = Locations(stores=())
    ref = new_execution(world)
    assert world.steps.render(ref) == {}
    run = record(world, ref)
    assert run.status is Status.DEAD and "object store secret named 'default'" in run.status_message


def test_a_refused_manifest_ends_dead_with_the_api_servers_words(world):
    ref = new_execution(world)
    world.cluster.fail["create_workflow"] = ManifestRejected("spec.templates[0].name: Required value")
    world.steps.submit(ref, world.steps.render(ref))
    run = record(world, ref)
    assert run.status is Status.DEAD
    assert run.status_message == "The cluster refused the Workflow: spec.templates[0].name: Required value"


def test_a_transient_cluster_error_goes_up_for_a_retry(world):
    ref = started(world, new_execution(world))
    world.cluster.fail["get_workflow"] = ClusterError("503 from the API server")
    with pytest.raises(ClusterError):
        world.steps.poll(ref)
    assert record(world, ref).status is Status.PENDING


def test_finalize_before_the_end_asks_for_a_retry(world):
    ref = started(world, new_execution(world))
    world.cluster.set_workflow_status(NS, "e0001", train_status("Running", "Running"))
    with pytest.raises(ClusterError) as caught:
        world.steps.finalize(ref)
    assert caught.value.transient


def test_fail_ends_dead_with_the_cause_and_stops_the_workflow(world):
    ref = started(world, new_execution(world))
    world.steps.fail(ref, "TransientError", "503 from the API server")
    run = record(world, ref)
    assert run.status is Status.DEAD
    assert run.status_message == "The cluster could not be reached, also after retries: 503 from the API server"
    assert world.cluster.workflows[(NS, "e0001")]["spec"]["shutdown"] == "Terminate"


def test_failure_message_never_shows_a_stack_trace():
    assert failure_message("States.Timeout", "") == "The run failed in an orchestration step (States.Timeout)."
    assert failure_message("KeyError", "'x'\nTraceback (most recent call last):\n  File") == "'x'"


def test_run_ref_round_trips_the_event_shape():
    event = {"kind": "deployment", "tenant": "t1", "resourceGroup": "rg", "id": "d1"}
    assert RunRef.from_event(event).to_event() == event
    with pytest.raises(ValueError):
        RunRef.from_event({"kind": "job", "tenant": "t1", "resourceGroup": "rg", "id": "x"})


# -- deployments --------------------------------------------------------------------------------------------------
def test_what_submit_sends_passes_the_argo_and_kserve_schemas(world):
    from tests.support.cluster_schemas import inference_service_problems, workflow_problems

    started(world, new_execution(world))
    started(world, new_deployment(world))
    assert workflow_problems(world.cluster.workflows[(NS, "e0001")]) == []
    assert inference_service_problems(world.cluster.isvcs[(NS, "d0001")]) == []
