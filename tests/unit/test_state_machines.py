"""Static checks of the packaged ASL (cfn-lint checks the schema; these check what our design relies on)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ASL_DIR = Path(__file__).resolve().parents[2] / "infra" / "statemachines"
MACHINES = ("execution", "deployment", "control")
LAMBDA = "${ClusterTaskArn}"
RETRIED = {"TransientError", "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException",
           "Lambda.TooManyRequestsException"}


def load(name: str) -> dict:
    return json.loads((ASL_DIR / f"{name}.asl.json").read_text())


def targets(state: dict):
    yield state.get("Next")
    yield state.get("Default")
    for choice in state.get("Choices", []):
        yield choice.get("Next")
    for catch in state.get("Catch", []):
        yield catch.get("Next")


@pytest.mark.parametrize("name", MACHINES)
def test_every_transition_names_a_state_and_every_state_is_reached(name):
    machine = load(name)
    states = machine["States"]
    reached = {machine["StartAt"]} | {t for s in states.values() for t in targets(s) if t}
    assert reached <= set(states)
    assert set(states) <= reached


@pytest.mark.parametrize("name", MACHINES)
def test_the_only_substitution_is_the_cluster_task_function(name):
    text = (ASL_DIR / f"{name}.asl.json").read_text()
    assert text.count("${") == text.count(LAMBDA) > 0


@pytest.mark.parametrize("name", MACHINES)
def test_every_task_retries_transient_errors_with_a_bound_and_ends_dead_on_others(name):
    states = load(name)["States"]
    tasks = {key: s for key, s in states.items() if s["Type"] == "Task"}
    assert all(s["Resource"] == LAMBDA for s in tasks.values())
    for key, task in tasks.items():
        [retry] = task["Retry"]
        assert RETRIED <= set(retry["ErrorEquals"]) and "States.ALL" not in retry["ErrorEquals"]
        assert 1 <= retry["MaxAttempts"] <= 10 and retry["BackoffRate"] > 1
        [catch] = task["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"]
        assert catch["Next"] == ("Dead" if key == "MarkDead" else "MarkDead")
    assert states["MarkDead"]["Parameters"]["step"] == "fail"
    assert states["Dead"]["Type"] == "Fail"


@pytest.mark.parametrize("name", ("execution", "deployment"))
def test_the_rendered_manifest_leaves_the_state_at_submit(name):
    states = load(name)["States"]
    assert states["Render"]["ResultPath"] == states["Submit"]["ResultPath"] == "$.last"
    assert states["Submit"]["Parameters"]["manifest.$"] == "$.last.manifest"
