"""The Argo walk's lifecycle against a scripted pod runner: retries and backoff, exit handlers and hooks, deadlines,
suspend, recursion, parallelism, inline templates and templateDefaults, as Argo defines them."""
from __future__ import annotations

import json
import threading
import time

import pytest

from chalicelib.domain.argo.pods import ERROR, FAILED, SUCCEEDED, Cancelled, PodResult, StoredArtifact
from tests.support.argo_walk import Runner, call, echo, failing, plain, run, wf


def test_retry_with_backoff_and_retries_variable():
    flaky = {"name": "flaky", "retryStrategy": {"limit": "3", "backoff": {"duration": "1", "factor": "2"}},
             "container": {"image": "a", "command": ["x"], "args": ["try {{retries}}"]}}
    codes = [1, 1, 0]
    runner = Runner(flaky=lambda r: PodResult(SUCCEEDED, 0) if codes.pop(0) == 0 else PodResult(FAILED, 1))
    cancelled = threading.Event()
    waits = []
    cancelled.wait = lambda t=None: waits.append(t) or False  # record the backoff instead of sleeping
    doc = wf([{"name": "main", "steps": [[call("f", "flaky")]]}, flaky])
    assert run(doc, runner, cancelled=cancelled).phase == SUCCEEDED
    assert runner.args() == ["try 0", "try 1", "try 2"] and waits == [1.0, 2.0]


def test_retry_strategy_without_limit_retries_until_the_step_passes():
    flaky = {"name": "flaky", "retryStrategy": {},
             "container": {"image": "a", "command": ["x"], "args": ["{{retries}}"]}}
    codes = [1, 1, 1, 1, 0]
    runner = Runner(flaky=lambda r: PodResult(SUCCEEDED, 0) if codes.pop(0) == 0 else PodResult(FAILED, 1))
    doc = wf([{"name": "main", "steps": [[call("f", "flaky")]]}, flaky])
    assert run(doc, runner).phase == SUCCEEDED
    assert runner.args() == ["0", "1", "2", "3", "4"]


def test_retry_policy_on_error_does_not_retry_failures():
    flaky = {"name": "flaky", "retryStrategy": {"limit": 2, "retryPolicy": "OnError"},
             "container": {"image": "a", "command": ["x"]}}
    runner = Runner(flaky=failing())
    doc = wf([{"name": "main", "steps": [[call("f", "flaky")]]}, flaky])
    assert run(doc, runner).phase == FAILED and len(runner.requests) == 1


def test_exit_handler_sees_status_and_failures():
    exit_t = echo("exit", arg="{{workflow.status}} {{workflow.failures}}")
    exit_t.pop("inputs")
    doc = wf([{"name": "main", "steps": [[call("a", "bad")]]}, plain("bad"), exit_t], onExit="exit")
    runner = Runner(bad=failing())
    outcome = run(doc, runner)
    assert outcome.phase == FAILED
    status, failures = runner.args("exit")[0].split(" ", 1)
    assert status == "Failed" and json.loads(json.loads(failures))[0]["displayName"] == "a"  # Go-quoted, as Argo


def test_recursion_until_a_condition_holds():
    flip = {"name": "flip", "inputs": {"parameters": [{"name": "n"}]},
            "steps": [[call("count", m="{{inputs.parameters.n}}")],
                      [{"name": "again", "template": "flip", "when": "{{inputs.parameters.n}} != 3",
                        "arguments": {"parameters": [{"name": "n", "value": "{{=asInt(inputs.parameters.n) * 1}}"}]}}]]}
    # counting up needs arithmetic: the shim multiplies; the point here is the recursion and the stop condition
    runner = Runner()
    doc = wf([{"name": "main", "steps": [[{"name": "f", "template": "flip",
                                           "arguments": {"parameters": [{"name": "n", "value": "3"}]}}]]},
              flip, echo()])
    assert run(doc, runner).phase == SUCCEEDED and runner.args() == ["3"]


def test_runaway_recursion_ends_with_a_message():
    loop = {"name": "loop", "steps": [[{"name": "again", "template": "loop"}]]}
    outcome = run(wf([loop], entry="loop"), Runner())
    assert outcome.phase == ERROR and "levels deep" in outcome.message


def test_parallelism_limits_pods_at_once():
    slow = lambda r: (time.sleep(0.05), PodResult(SUCCEEDED, 0))[1]  # noqa: E731
    doc = wf([{"name": "main", "steps": [[call("a", "slow", m="{{item}}", withItems=list(range(8)))]]},
              plain("slow")], parallelism=2)
    runner = Runner(slow=slow)
    assert run(doc, runner).phase == SUCCEEDED and runner.peak == 2
    doc = wf([{"name": "main", "parallelism": 3,
               "steps": [[call("a", "slow", m="{{item}}", withItems=list(range(8)))]]}, plain("slow")])
    runner = Runner(slow=slow)
    assert run(doc, runner).phase == SUCCEEDED and runner.peak == 3


def test_suspend_with_duration_and_stop():
    doc = wf([{"name": "main", "steps": [[call("wait", "pause")]]}, {"name": "pause", "suspend": {"duration": "2m"}}])
    runner = Runner()
    assert run(doc, runner).phase == SUCCEEDED and runner.slept == [120.0]
    stopped = threading.Event()
    stopped.set()
    with pytest.raises(Cancelled):
        run(wf([{"name": "main", "steps": [[call("a", m="x")]]}, echo()]), Runner(), cancelled=stopped)


def test_inline_template_and_step_exit_handler():
    steps = [[{"name": "i", "inline": {"container": {"image": "a", "command": ["echo"], "args": ["inline"]}},
               "onExit": "bye"}]]
    bye = {"name": "bye", "container": {"image": "a", "command": ["echo"], "args": ["bye"]}}
    runner = Runner()
    assert run(wf([{"name": "main", "steps": steps}, bye]), runner).phase == SUCCEEDED
    assert runner.args() == ["inline", "bye"]


def test_exit_hook_gets_the_steps_own_outputs_as_arguments():
    make = {"name": "make", "outputs": {"parameters": [{"name": "p", "valueFrom": {"path": "/p"}}],
                                        "artifacts": [{"name": "a", "path": "/a"}]},
            "container": {"image": "a", "command": ["x"]}}
    hook = {"exit": {"template": "echo", "arguments": {
        "parameters": [{"name": "m", "value": "got {{steps.s.outputs.parameters.p}} {{steps.s.status}}"}],
        "artifacts": [{"name": "in", "from": "{{steps.s.outputs.artifacts.a}}"}]}}}
    runner = Runner(make=lambda r: PodResult(SUCCEEDED, 0, parameters={"p": "value"},
                                              artifacts={"a": StoredArtifact("r1/p/a.tgz")}))
    doc = wf([{"name": "main", "steps": [[call("s", "make", hooks=hook)]]}, make,
              echo(inputs={"parameters": [{"name": "m"}], "artifacts": [{"name": "in", "path": "/in"}]})])
    assert run(doc, runner).phase == SUCCEEDED
    assert runner.args("echo") == ["got value Succeeded"]
    assert runner.requests[-1].artifacts[0].stored.key == "r1/p/a.tgz"
    dag = wf([{"name": "main", "dag": {"tasks": [call("t", "make", hooks={"exit": {"template": "echo", "arguments": {
        "parameters": [{"name": "m", "value": "{{tasks.t.outputs.parameters.p}}"}]}}})]}}, make, echo()])
    runner = Runner(make=lambda r: PodResult(SUCCEEDED, 0, parameters={"p": "from dag"}))
    assert run(dag, runner).phase == SUCCEEDED and runner.args("echo") == ["from dag"]


def test_template_defaults_merge_into_each_template_its_own_values_first():
    from chalicelib.domain.argo.defaults import with_template_defaults

    doc = wf([{"name": "main", "steps": [[call("a", "plainer")], [call("b", "own")]]},
              {"name": "plainer",
               "container": {"image": "a", "command": ["x"], "env": [{"name": "B", "value": "own"}]}},
              {"name": "own", "retryStrategy": {"limit": "0"}, "container": {"image": "a", "command": ["y"]}}],
             templateDefaults={"retryStrategy": {"limit": "2"}, "timeout": "30s",
                               "container": {"image": "ignored", "env": [{"name": "A", "value": "1"},
                                                                         {"name": "B", "value": "default"}]},
                               "steps": [[{"name": "never", "template": "own"}]]})
    merged = {t["name"]: t for t in with_template_defaults(doc)["spec"]["templates"]}
    assert merged["main"]["steps"] == [[call("a", "plainer")], [call("b", "own")]] and "container" not in merged["main"]
    assert merged["plainer"]["container"]["image"] == "a" and merged["plainer"]["timeout"] == "30s"
    assert merged["plainer"]["container"]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "own"}]
    assert merged["own"]["retryStrategy"] == {"limit": "0"} and merged["plainer"]["retryStrategy"] == {"limit": "2"}
    assert "templateDefaults" not in with_template_defaults(doc)["spec"]
    codes = [1, 1, 0]
    runner = Runner(plainer=lambda r: PodResult(SUCCEEDED, 0) if codes.pop(0) == 0 else PodResult(FAILED, 1))
    assert run(doc, runner).phase == SUCCEEDED and len(runner.requests) == 4  # plainer retried twice, then own


def test_workflow_deadline_passes_to_pods_and_ends_the_run():
    doc = wf([{"name": "main", "steps": [[call("a", "slow")]]}, plain("slow")], activeDeadlineSeconds=5)
    runner = Runner(slow=lambda r: PodResult(ERROR, None, message="Step exceeded its deadline"))
    outcome = run(doc, runner)
    assert 0 < runner.requests[0].timeout_seconds <= 5 and outcome.phase == ERROR
