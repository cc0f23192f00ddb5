"""The Argo walk (chalicelib/domain/argo/interpreter.py) against a scripted pod runner: what runs, in which order,
with which resolved values, and how the run ends - as Argo's documentation defines it."""
from __future__ import annotations

import json
import threading
import time

import pytest

from chalicelib.domain.argo.interpreter import WorkflowRun
from chalicelib.domain.argo.pods import (ERROR, FAILED, SUCCEEDED, Cancelled, PodResult, StoredArtifact,
                                         WorkflowError)


class Runner:
    """Pods answer by template name: a function of the request, or exit 0 echoing the args as stdout."""

    def __init__(self, **behaviour):
        self.behaviour = behaviour
        self.requests = []
        self.lock = threading.Lock()
        self.running = 0
        self.peak = 0
        self.slept = []

    def run_pod(self, request):
        with self.lock:
            self.requests.append(request)
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            name = request.template.get("name")
            answer = self.behaviour.get(name)
            if answer is None:
                args = (request.template.get("container") or request.template.get("script") or {}).get("args")
                return PodResult(SUCCEEDED, 0, result=" ".join(args or []))
            return answer(request)
        finally:
            time.sleep(0.01)
            with self.lock:
                self.running -= 1

    def suspend(self, seconds):
        self.slept.append(seconds)

    def args(self, template=None):
        return [" ".join(r.template["container"].get("args") or []) for r in self.requests
                if template is None or r.template.get("name") == template]


def echo(name="echo", arg="{{inputs.parameters.m}}", **extra):
    return {"name": name, "inputs": {"parameters": [{"name": "m"}]},
            "container": {"image": "alpine", "command": ["echo"], "args": [arg]}, **extra}


def plain(name, arg="x"):
    return {"name": name, "container": {"image": "alpine", "command": ["echo"], "args": [arg]}}


def wf(templates, entry="main", params=None, **spec):
    return {"metadata": {"name": "wf"}, "spec": {"entrypoint": entry, "templates": templates,
                                                  "arguments": {"parameters": params or []}, **spec}}


def call(name, template="echo", m=None, **extra):
    step = {"name": name, "template": template, **extra}
    if m is not None:
        step["arguments"] = {"parameters": [{"name": "m", "value": m}]}
    return step


def run(doc, runner, bound=None, **kw):
    return WorkflowRun(doc, bound or {}, runner, "r1", **kw).run()


def test_workflow_arguments_reach_the_entrypoint_inputs_and_global_names():
    doc = wf([{"name": "main", "inputs": {"parameters": [{"name": "who"}]},
               "steps": [[call("a", m="{{inputs.parameters.who}} {{workflow.parameters.who}} {{workflow.name}}")]]},
              echo()], params=[{"name": "who", "value": "world"}])
    runner = Runner()
    assert run(doc, runner).phase == SUCCEEDED
    assert runner.args() == ["world world r1"]
    runner = Runner()
    run(doc, runner, {"who": "bound"})
    assert runner.args() == ["bound bound r1"]


def test_enum_and_missing_values_are_errors_naming_the_parameter():
    doc = wf([{"name": "main", "steps": [[call("a", m="x")]]}, echo()],
             params=[{"name": "size", "value": "s", "enum": ["s", "m"]}])
    with pytest.raises(WorkflowError, match="spec.arguments.size.enum list: 'xl'"):
        run(doc, Runner(), {"size": "xl"})
    doc = wf([{"name": "main", "steps": [[call("a")]]}, echo()])
    outcome = run(doc, Runner())
    assert outcome.phase == ERROR and "inputs.parameters.m was not supplied" in outcome.message


def test_with_items_scalars_and_maps_run_each_item():
    doc = wf([{"name": "main", "steps": [[call("a", m="{{item}}", withItems=["x", 2, True])],
                                         [call("b", m="{{item.os}}-{{item.v}}",
                                               withItems=[{"os": "debian", "v": 9}, {"os": "alpine", "v": 3.1}])]]},
              echo()])
    runner = Runner()
    assert run(doc, runner).phase == SUCCEEDED
    assert sorted(runner.args()[:3]) == ["2", "true", "x"]
    assert sorted(runner.args()[3:]) == ["alpine-3.1", "debian-9"]
    assert {r.path for r in runner.requests} >= {"main.a(0:x)", "main.a(1:2)", "main.b(0:os:debian,v:9)"}


def test_with_param_from_a_result_and_sequence_with_format():
    gen = {"name": "gen", "script": {"image": "python", "command": ["python"], "source": "print('[1, 2]')"}}
    doc = wf([{"name": "main", "steps": [[call("g", "gen")],
                                         [call("p", m="{{item}}", withParam="{{steps.g.outputs.result}}")],
                                         [call("s", m="{{item}}", withSequence={"start": "8", "end": "10",
                                                                                "format": "n%02d"})]]},
              echo(), gen])
    runner = Runner(gen=lambda r: PodResult(SUCCEEDED, 0, result="[1, 2]"))
    assert run(doc, runner).phase == SUCCEEDED
    assert sorted(runner.args("echo")) == ["1", "2", "n08", "n09", "n10"]


def test_bad_with_param_is_an_error_before_its_pods():
    doc = wf([{"name": "main", "steps": [[call("p", m="{{item}}", withParam="not json")]]}, echo()])
    runner = Runner()
    outcome = run(doc, runner)
    assert outcome.phase == ERROR and "JSON list" in outcome.message and runner.requests == []


def test_outputs_aggregate_over_a_loop_as_argo_does():
    producer = {"name": "prod", "inputs": {"parameters": [{"name": "m"}]},
                "outputs": {"parameters": [{"name": "n", "valueFrom": {"path": "/tmp/n"}}]},
                "container": {"image": "a", "command": ["x"], "args": ["{{inputs.parameters.m}}"]}}
    doc = wf([{"name": "main", "steps": [[call("p", "prod", m="{{item}}", withItems=[1, 2, 3])],
                                         [call("v", m="{{steps.p.outputs.parameters.n}}")],
                                         [call("all", m="{{steps.p.outputs.parameters}}")],
                                         [call("res", m="{{steps.p.outputs.result}}")]]}, echo(), producer])
    runner = Runner(prod=lambda r: PodResult(SUCCEEDED, 0, result=r.template["container"]["args"][0],
                                             parameters={"n": "n" + r.template["container"]["args"][0]}))
    assert run(doc, runner).phase == SUCCEEDED
    assert runner.args("echo") == ['["n1","n2","n3"]', '[{"n":"n1"},{"n":"n2"},{"n":"n3"}]', "[1,2,3]"]


def test_when_skips_and_a_skipped_step_does_not_fail_the_run():
    doc = wf([{"name": "main", "steps": [[call("flip", m="heads")],
                                         [call("h", m="yes", when="{{steps.flip.outputs.result}} == heads"),
                                          call("t", m="no", when="{{steps.flip.outputs.result}} == tails")]]},
              echo()])
    runner = Runner()
    assert run(doc, runner).phase == SUCCEEDED
    assert runner.args() == ["heads", "yes"]


def test_unresolved_placeholder_is_an_error_naming_it_and_no_pod_gets_it():
    doc = wf([{"name": "main", "steps": [[call("a", m="{{steps.nope.outputs.result}}")]]}, echo()])
    runner = Runner()
    outcome = run(doc, runner)
    assert outcome.phase == ERROR and "steps.nope.outputs.result" in outcome.message
    assert runner.requests == []


def failing(code=1):
    return lambda r: PodResult(FAILED, code, message=f"Error (exit code {code})")


def test_dag_depends_runs_handlers_and_omits_the_rest():
    tasks = [call("A", "bad"), call("onfail", m="handled", depends="A.Failed"),
             call("onok", m="never", depends="A.Succeeded"), call("after", m="x", depends="onok")]
    doc = wf([{"name": "main", "dag": {"tasks": tasks}}, echo(), plain("bad")])
    runner = Runner(bad=failing())
    outcome = run(doc, runner)
    assert runner.args("echo") == ["handled"]
    # A failed, its handler ran: but the branch A -> onok -> after ends at an omitted leaf after a failure.
    assert outcome.phase == FAILED and "Step 'main.A' failed: Error (exit code 1)" == outcome.message


def test_dag_target_runs_only_the_targets_and_what_they_depend_on():
    tasks = [call("A", m="A"), call("B", m="B", depends="A"), call("C", m="C", depends="A"),
             call("D", m="D", depends="B && C"), call("E", m="E", depends="C")]
    doc = wf([{"name": "main", "dag": {"target": "{{workflow.parameters.target}}", "tasks": tasks}}, echo()],
             params=[{"name": "target", "value": "E"}])
    runner = Runner()
    assert run(doc, runner).phase == SUCCEEDED and sorted(runner.args()) == ["A", "C", "E"]
    runner = Runner()
    assert run(doc, runner, {"target": "B E"}).phase == SUCCEEDED and sorted(runner.args()) == ["A", "B", "C", "E"]
    outcome = run(doc, Runner(), {"target": "Z"})
    assert outcome.phase == ERROR and "dag.target names no task Z" in outcome.message


def test_dag_continue_on_and_fail_fast():
    tasks = [call("A", "bad", continueOn={"failed": True}), call("B", m="b", dependencies=["A"])]
    runner = Runner(bad=failing())
    doc = wf([{"name": "main", "dag": {"tasks": tasks}}, echo(), plain("bad")])
    assert run(doc, runner).phase == SUCCEEDED and runner.args("echo") == ["b"]
    slow = lambda r: (time.sleep(0.2), PodResult(SUCCEEDED, 0))[1]  # noqa: E731
    tasks = [call("A", "bad"), call("S", "slow"), call("C", m="c", depends="S")]
    runner = Runner(bad=failing(), slow=slow)
    doc = wf([{"name": "main", "dag": {"tasks": tasks}}, echo(), plain("bad"), plain("slow")])
    assert run(doc, runner).phase == FAILED and runner.args("echo") == []  # failFast: C never starts
    doc["spec"]["templates"][0]["dag"]["failFast"] = False
    runner = Runner(bad=failing(), slow=slow)
    assert run(doc, runner).phase == FAILED and runner.args("echo") == ["c"]


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


def test_workflow_argument_artifacts_with_a_source_reach_the_entrypoint():
    main = {"name": "main", "inputs": {"artifacts": [{"name": "text", "path": "/in/text"},
                                                     {"name": "keyed", "path": "/in/keyed"},
                                                     {"name": "bound", "path": "/in/bound"}]},
            "container": {"image": "a", "command": ["cat"]}}
    doc = wf([main], artifacts=[{"name": "text", "raw": {"data": "for {{workflow.name}}"}},
                                {"name": "keyed", "s3": {"key": "runs/{{workflow.name}}/data/"}},
                                {"name": "bound", "raw": {"data": "unused: the configuration binds it"}}])
    doc["spec"]["arguments"]["artifacts"] = doc["spec"].pop("artifacts")
    runner = Runner()
    assert run(doc, runner, bindings=["bound"]).phase == SUCCEEDED
    given = {a.name: a for a in runner.requests[0].artifacts}
    assert given["text"].raw == "for r1" and given["text"].path == "/in/text"
    assert given["keyed"].stored.key == "runs/r1/data" and given["keyed"].stored.archived  # detected when read
    assert given["bound"].binding == "bound" and given["bound"].raw is None


def test_key_only_input_with_archive_none_is_read_as_stored():
    use = {"name": "use", "inputs": {"artifacts": [
        {"name": "plain", "path": "/p", "s3": {"key": "k/plain"}, "archive": {"none": {}}},
        {"name": "auto", "path": "/a", "s3": {"key": "k/auto"}}]}, "container": {"image": "a", "command": ["x"]}}
    runner = Runner()
    assert run(wf([use], entry="use"), runner).phase == SUCCEEDED
    given = {a.name: a.stored for a in runner.requests[0].artifacts}
    assert not given["plain"].archived and given["auto"].archived


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


def test_artifacts_pass_between_steps_by_from():
    make = {"name": "make", "outputs": {"artifacts": [{"name": "out", "path": "/tmp/out"}]},
            "container": {"image": "a", "command": ["x"]}}
    use = {"name": "use", "inputs": {"artifacts": [{"name": "data", "path": "/in"}]},
           "container": {"image": "a", "command": ["cat"], "args": ["{{inputs.artifacts.data.path}}"]}}
    steps = [[call("m", "make")], [{"name": "u", "template": "use", "arguments": {"artifacts": [
        {"name": "data", "from": "{{steps.m.outputs.artifacts.out}}"}]}}]]
    runner = Runner(make=lambda r: PodResult(SUCCEEDED, 0, artifacts={"out": StoredArtifact("r1/p/out.tgz")}))
    assert run(wf([{"name": "main", "steps": steps}, make, use]), runner).phase == SUCCEEDED
    used = runner.requests[1]
    assert used.artifacts[0].stored.key == "r1/p/out.tgz" and used.artifacts[0].path == "/in"
    assert used.template["container"]["args"] == ["/in"]


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


def test_global_output_parameter_reaches_later_steps_and_the_outcome():
    prod = {"name": "prod", "outputs": {"parameters": [{"name": "v", "globalName": "g",
                                                        "valueFrom": {"path": "/tmp/v"}}]},
            "container": {"image": "a", "command": ["x"]}}
    doc = wf([{"name": "main", "steps": [[call("p", "prod")], [call("e", m="{{workflow.outputs.parameters.g}}")]]},
              prod, echo()])
    runner = Runner(prod=lambda r: PodResult(SUCCEEDED, 0, parameters={"v": "42"}))
    outcome = run(doc, runner)
    assert outcome.phase == SUCCEEDED and outcome.outputs == {"g": "42"} and runner.args("echo") == ["42"]


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


def test_skipped_producer_outputs_default_or_absent():
    produce = {"name": "produce", "outputs": {"parameters": [
        {"name": "msg", "valueFrom": {"path": "/tmp/o", "default": "from-default"}},
        {"name": "bare", "valueFrom": {"path": "/tmp/b"}}]},
        "container": {"image": "a", "command": ["x"]}}
    consume = {"name": "consume", "inputs": {"parameters": [{"name": "a"}, {"name": "b", "default": "own"}]},
               "container": {"image": "a", "command": ["echo"],
                             "args": ["{{inputs.parameters.a}} {{inputs.parameters.b}}"]}}
    tasks = [{"name": "producer", "template": "produce", "when": "false == true"},
             {"name": "consumer", "template": "consume", "depends": "producer.Succeeded || producer.Skipped",
              "arguments": {"parameters": [{"name": "a", "value": "{{tasks.producer.outputs.parameters.msg}}"},
                                           {"name": "b", "value": "{{tasks.producer.outputs.parameters.bare}}"}]}}]
    runner = Runner()
    assert run(wf([{"name": "main", "dag": {"tasks": tasks}}, produce, consume]), runner).phase == SUCCEEDED
    assert runner.args() == ["from-default own"]


def test_placeholders_naming_nothing_declared_are_found_before_any_step():
    from chalicelib.domain.argo.references import unresolvable

    doc = wf([{"name": "main", "steps": [[call("a", m="{{steps.b.outputs.result}}")],
                                         [call("b", m="{{inputs.parameters.nowhere}} {{workflow.parameters.p}}")]]},
              echo(arg="{{inputs.parameters.m}} {{inputs.parameters.typo}}"),
              {"name": "d", "dag": {"tasks": [call("x", m="{{tasks.y.outputs.result}} {{tasks.x.id}}")]}}],
             params=[{"name": "p", "value": "1"}])
    assert unresolvable(doc) == [
        "template 'main': failed to resolve {{steps.b.outputs.result}}",
        "template 'main': failed to resolve {{inputs.parameters.nowhere}}",
        "template 'echo': failed to resolve {{inputs.parameters.typo}}",
        "template 'd': failed to resolve {{tasks.y.outputs.result}}"]
    assert unresolvable(wf([echo(arg="{{workflow.parameters.q}}")]), bound=["q"]) == []
    hooked = wf([{"name": "main", "steps": [[call("a", hooks={"exit": {"template": "echo", "arguments": {
        "parameters": [{"name": "m", "value": "{{steps.a.outputs.result}} {{steps.b.outputs.result}}"}]}}})],
        [call("b", m="x")]]}, echo()])
    assert unresolvable(hooked) == ["template 'main': failed to resolve {{steps.b.outputs.result}}"]


def test_broken_depends_are_found_before_any_step():
    from chalicelib.domain.argo.references import unresolvable

    tasks = [call("a", m="x", depends="b.Finished"), call("b", m="y", depends="a")]
    problems = unresolvable(wf([{"name": "main", "dag": {"tasks": tasks}}, echo()]))
    assert len(problems) == 1 and "'Finished'" in problems[0] and "template 'main'" in problems[0]
    cycle = [call("a", m="x", depends="b"), call("b", m="y", depends="a")]
    assert "cycle" in unresolvable(wf([{"name": "main", "dag": {"tasks": cycle}}, echo()]))[0]
