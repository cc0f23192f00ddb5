"""The cluster steps of a deployment (domain/cluster/deployment_steps.py and steps.py's update): RUNNING when KServe
reports it ready, a configuration switch rolled over (and only once it is applied), the previous configuration kept
when a switch fails, a crash DEAD with its logs kept, stop and ttl. The world and its fakes: test_cluster_steps.py."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.lifecycle import Status
from chalicelib.domain.runs import Deployment, request_reconfigure, request_stop
from tests.support.cluster_world import CTX, NS, T0, build_world, new_deployment, record, started


@pytest.fixture
def world():
    return build_world()


READY = {"url": "http://d0001.example", "components": {"predictor": {"latestReadyRevision": "d0001-predictor-1"}},
         "conditions": [{"type": "PredictorReady", "status": "True"}, {"type": "Ready", "status": "True"}]}
CRASH = {"conditions": [
    {"type": "PredictorReady", "status": "False", "reason": "RevisionFailed",
     "message": 'Revision "d0001-predictor-00001" failed with message: Container failed with: boom.'},
    {"type": "Ready", "status": "False", "reason": "RevisionFailed"}]}


def test_a_deployment_runs_when_kserve_is_ready(world):
    ref = started(world, new_deployment(world))
    isvc = world.cluster.isvcs[(NS, "d0001")]
    assert isvc["spec"]["predictor"]["containers"][0]["env"][0]["value"] == "hello"
    assert record(world, ref).status is Status.PENDING
    world.cluster.set_isvc_status(NS, "d0001", {"conditions": [{"type": "Ready", "status": "Unknown"}]})
    assert world.steps.poll(ref)["done"] is False and record(world, ref).status is Status.PENDING
    world.cluster.set_isvc_status(NS, "d0001", READY)
    assert world.steps.poll(ref)["done"] is False
    run = record(world, ref)
    assert run.status is Status.RUNNING and run.deployment_url.endswith("/v2/inference/deployments/d0001")


def test_a_crashing_predictor_ends_dead_with_its_reason_and_logs_kept(world):
    ref = started(world, new_deployment(world))
    world.cluster.add_pod(NS, "d0001-predictor-1", {"serving.kserve.io/inferenceservice": "d0001"}, "Running",
                          {"kserve-container": "2026-12-04T10:00:02Z Traceback: boom\n"})
    world.cluster.set_isvc_status(NS, "d0001", CRASH)
    assert world.steps.poll(ref)["done"] is True
    run = record(world, ref)
    assert run.status is Status.DEAD and "RevisionFailed" in run.status_message and "boom" in run.status_message
    assert [e.msg for e in world.archive.read(CTX, "deployment", "d0001")] == ["Traceback: boom"]
    assert not world.cluster.isvcs


def test_a_new_configuration_rolls_over_and_runs(world):
    ref = started(world, new_deployment(world))
    world.cluster.set_isvc_status(NS, "d0001", READY)
    world.steps.poll(ref)
    world.runs.update(CTX, Deployment, "d0001", lambda d: request_reconfigure(d, "c-serve2", "c-serve2",
                                                                               world.clock.now()))
    world.steps.update(ref)
    assert record(world, ref).status is Status.PENDING
    isvc = world.cluster.isvcs[(NS, "d0001")]
    assert isvc["spec"]["predictor"]["containers"][0]["env"][0]["value"] == "hey"
    world.steps.poll(ref)  # KServe has not seen the new generation yet
    assert record(world, ref).status is Status.PENDING
    world.cluster.set_isvc_status(NS, "d0001", READY)
    world.steps.poll(ref)
    run = record(world, ref)
    assert run.status is Status.RUNNING and run.latest_running_configuration_id == "c-serve2"


def test_a_switch_not_yet_applied_is_not_reported_as_rolled_out(world):
    """Between the PATCH and the control machine's update, KServe's Ready is the previous spec's."""
    ref = started(world, new_deployment(world))
    world.cluster.set_isvc_status(NS, "d0001", READY)
    world.steps.poll(ref)
    world.runs.update(CTX, Deployment, "d0001", lambda d: request_reconfigure(d, "c-serve2", "c-serve2",
                                                                               world.clock.now()))
    world.steps.poll(ref)  # the deployment machine's poll comes first

    run = record(world, ref)
    assert run.status is Status.RUNNING and run.latest_running_configuration_id == "c-serve"
    world.steps.update(ref)
    assert world.cluster.isvcs[(NS, "d0001")]["metadata"]["annotations"]["ai.sap.com/configurationId"] == "c-serve2"


def test_a_switch_keeps_a_snapshot_of_the_retiring_predictors_log(world):
    """KServe removes the previous revision's pods after the rollover, and their logs with them."""
    ref = started(world, new_deployment(world))
    world.cluster.set_isvc_status(NS, "d0001", READY)
    world.steps.poll(ref)
    world.cluster.add_pod(NS, "d0001-predictor-00001-1", {"serving.kserve.io/inferenceservice": "d0001"}, "Running",
                          {"kserve-container": "2026-12-04T10:00:02Z serving hello\n"})
    world.runs.update(CTX, Deployment, "d0001", lambda d: request_reconfigure(d, "c-serve2", "c-serve2",
                                                                               world.clock.now()))
    world.steps.update(ref)
    del world.cluster.pods[(NS, "d0001-predictor-00001-1")]  # the old revision scaled away

    assert [e.msg for e in world.archive.read(CTX, "deployment", "d0001")] == ["serving hello"]


def test_a_failed_switch_keeps_the_previous_configuration_serving(world):
    ref = started(world, new_deployment(world))
    world.cluster.set_isvc_status(NS, "d0001", READY)
    world.steps.poll(ref)
    world.runs.update(CTX, Deployment, "d0001", lambda d: request_reconfigure(d, "c-serve2", "c-serve2",
                                                                               world.clock.now()))
    world.steps.update(ref)
    world.cluster.set_isvc_status(NS, "d0001", {**READY, "conditions": CRASH["conditions"]})
    assert world.steps.poll(ref)["done"] is False
    run = record(world, ref)
    assert run.status is Status.RUNNING and run.latest_running_configuration_id == "c-serve"
    assert run.status_message.startswith("Configuration 'c-serve2' failed, still serving 'c-serve'")


def test_stopping_a_deployment_removes_the_inference_service(world):
    ref = started(world, new_deployment(world))
    world.cluster.set_isvc_status(NS, "d0001", READY)
    world.steps.poll(ref)
    world.runs.update(CTX, Deployment, "d0001", lambda d: request_stop(d, world.clock.now()))
    assert world.steps.poll(ref)["done"] is True
    assert record(world, ref).status is Status.STOPPED and not world.cluster.isvcs


def test_an_expired_ttl_deletes_the_deployment(world):
    ref = started(world, new_deployment(world, ttl="10m"))
    world.cluster.set_isvc_status(NS, "d0001", READY)
    world.steps.poll(ref)
    world.clock.value = T0 + timedelta(minutes=11)
    assert world.steps.poll(ref)["done"] is True
    assert record(world, ref) is None and not world.cluster.isvcs
