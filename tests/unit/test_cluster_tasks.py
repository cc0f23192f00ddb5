"""The cluster_task handler's side of the Step Functions contract, without moto: errors, results, names."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.adapters.aws.cluster_tasks import (ClusterTaskHandler, ManifestTooLarge, TaskRefused, TransientError,
                                                   continuation_name, error_of)
from chalicelib.domain.cluster.ports import ClusterError, ManifestRejected
from tests.support.fake_cluster_steps import FakeClusterSteps

RUN = {"kind": "execution", "tenant": "t", "resourceGroup": "default", "id": "e0001"}


def handler(steps=None, **kwargs) -> ClusterTaskHandler:
    return ClusterTaskHandler(steps or FakeClusterSteps(), **kwargs)  # refs: the domain's RunRef


def test_render_returns_the_manifest_for_submit():
    steps = FakeClusterSteps()
    assert handler(steps).handle({"step": "render", "run": RUN}) == {"manifest": steps.manifest}


def test_submit_starts_the_first_wait_from_the_setting():
    assert handler(first_wait_seconds=7).handle({"step": "submit", "run": RUN, "manifest": {}}) == {
        "done": False, "waitSeconds": 7}


@pytest.mark.parametrize("wait, expected", [(2.6, 3), (-5, 0), ("12", 12), (None, 30), (10 ** 9, 86_400)])
def test_poll_gives_the_wait_state_a_whole_number_of_seconds(wait, expected):
    class Steps(FakeClusterSteps):
        def poll(self, ref):
            return {"done": 0, "waitSeconds": wait}

    assert handler(Steps()).handle({"step": "poll", "run": RUN}) == {"done": False, "waitSeconds": expected}


def test_a_transient_cluster_error_becomes_transient_error():
    steps = FakeClusterSteps()
    steps.fail_next("poll", "e0001", ClusterError("503 from the API server"))
    with pytest.raises(TransientError, match="503 from the API server"):
        handler(steps).handle({"step": "poll", "run": RUN})


def test_a_permanent_cluster_error_keeps_its_name_and_message():
    steps = FakeClusterSteps()
    steps.fail_next("submit", "e0001", ManifestRejected("spec.templates[0].name: Required value"))
    with pytest.raises(ManifestRejected, match="Required value"):
        handler(steps).handle({"step": "submit", "run": RUN, "manifest": {}})


@pytest.mark.parametrize("error", [
    ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutItem"),
    EndpointConnectionError(endpoint_url="https://dynamodb.eu-central-1.amazonaws.com"),
])
def test_aws_throttling_and_connection_errors_are_transient(error):
    steps = FakeClusterSteps()
    steps.fail_next("finalize", "e0001", error)
    with pytest.raises(TransientError):
        handler(steps).handle({"step": "finalize", "run": RUN})


def test_a_refused_aws_call_is_not_transient():
    steps = FakeClusterSteps()
    steps.fail_next("finalize", "e0001", ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "GetObject"))
    with pytest.raises(ClientError):
        handler(steps).handle({"step": "finalize", "run": RUN})


def test_a_manifest_too_large_for_the_state_is_refused_before_it_leaves_the_function():
    steps = FakeClusterSteps(manifest={"kind": "InferenceService", "spec": {"x": "y" * 300}})
    with pytest.raises(ManifestTooLarge, match="InferenceService is 0 KB"):
        handler(steps, max_manifest_bytes=100).handle({"step": "render", "run": RUN})


@pytest.mark.parametrize("event", [{"step": "reboot", "run": RUN}, {"run": RUN}, {"step": "poll"}])
def test_an_event_the_function_cannot_act_on_is_refused(event):
    with pytest.raises(TaskRefused):
        handler().handle(event)


def test_a_run_object_the_domain_cannot_read_is_refused():
    with pytest.raises(ValueError, match="run.kind"):
        handler().handle({"step": "poll", "run": {**RUN, "kind": "job"}})


def test_fail_passes_the_lambda_errors_message_not_its_json_document():
    steps = FakeClusterSteps()
    cause = json.dumps({"errorMessage": "Workflow is invalid", "errorType": "ManifestRejected", "stackTrace": []})
    handler(steps).handle({"step": "fail", "run": RUN, "error": {"Error": "ManifestRejected", "Cause": cause}})
    assert steps.args_of("fail", "e0001") == [("ManifestRejected", "Workflow is invalid")]


@pytest.mark.parametrize("caught, expected", [
    ({"Error": "States.Timeout"}, ("States.Timeout", "A step on the cluster took longer than allowed.")),
    ({"Error": "States.TaskFailed", "Cause": "plain words"}, ("States.TaskFailed", "plain words")),
    ({"Error": "Sandbox.Timedout", "Cause": ""}, ("Sandbox.Timedout", "The run failed with Sandbox.Timedout.")),
])
def test_error_of_reads_step_functions_own_errors(caught, expected):
    assert error_of({"error": caught}) == expected


def test_error_of_reads_the_flat_form_too():
    assert error_of({"error": "X", "cause": "why"}) == ("X", "why")


def test_continuation_names_count_generations_within_80_characters():
    assert continuation_name("e0001-abc") == "e0001-abc--c1"
    assert continuation_name("e0001-abc--c1") == "e0001-abc--c2"
    assert continuation_name("e0001-abc--c41") == "e0001-abc--c42"
    assert continuation_name("e0001-c00000000001") == "e0001-c00000000001--c1"  # a digest that looks like one
    assert len(continuation_name("x" * 80)) <= 80
