"""The Argo walk (chalicelib/domain/argo/interpreter.py) against a scripted pod runner: parameters, loops, outputs,
conditions, DAGs and artifacts - what runs, with which resolved values, and how the run ends, as Argo defines it."""
from __future__ import annotations

import time

import pytest

from chalicelib.domain.argo.pods import ERROR, FAILED, SUCCEEDED, PodResult, StoredArtifact, WorkflowError
from tests.support.argo_walk import Runner, call, echo, failing, plain, run, wf


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


def test_global_output_parameter_reaches_later_steps_and_the_outcome():
    prod = {"name": "prod", "outputs": {"parameters": [{"name": "v", "globalName": "g",
                                                        "valueFrom": {"path": "/tmp/v"}}]},
            "container": {"image": "a", "command": ["x"]}}
    doc = wf([{"name": "main", "steps": [[call("p", "prod")], [call("e", m="{{workflow.outputs.parameters.g}}")]]},
              prod, echo()])
    runner = Runner(prod=lambda r: PodResult(SUCCEEDED, 0, parameters={"v": "42"}))
    outcome = run(doc, runner)
    assert outcome.phase == SUCCEEDED and outcome.outputs == {"g": "42"} and runner.args("echo") == ["42"]


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
