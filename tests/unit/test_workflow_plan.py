"""The WorkflowTemplate interpreter: order of steps and dag tasks, parameters, retries, failures, stop."""
from __future__ import annotations

import threading
import time

import pytest

from chalicelib.domain.workflow import Cancelled, WorkflowError, WorkflowRun, substitute


class Recorder:
    def __init__(self, codes=None, delay=0.0):
        self.calls = []
        self.codes = codes or {}
        self.delay = delay
        self.lock = threading.Lock()

    def run(self, node, attempt):
        with self.lock:
            self.calls.append((node.step, attempt, node.template["container"]["args"]))
        time.sleep(self.delay)
        queue = self.codes.get(node.step.rsplit(".", 1)[-1])
        return queue.pop(0) if queue else 0


def container(name, args, **extra):
    return {"name": name, "container": {"image": "x", "command": ["sh", "-c"], "args": args}, **extra}


def wf(templates, entry="main", params=None):
    return {"spec": {"entrypoint": entry, "templates": templates,
                     "arguments": {"parameters": params or []}}}


def test_steps_run_groups_in_order_and_bind_parameters_over_defaults():
    templates = [
        {"name": "main", "steps": [[{"name": "prep", "template": "echo",
                                     "arguments": {"parameters": [{"name": "msg",
                                                                   "value": "{{workflow.parameters.lr}}"}]}}],
                                   [{"name": "train", "template": "echo"}]]},
        {"name": "echo", "inputs": {"parameters": [{"name": "msg", "value": "default"}]},
         **{k: v for k, v in container("echo", ["echo {{inputs.parameters.msg}} {{workflow.parameters.epochs}}"])
            .items() if k != "name"}},
    ]
    rec = Recorder()
    WorkflowRun(wf(templates, params=[{"name": "lr", "value": "0.1"}, {"name": "epochs", "value": "3"}]),
                {"epochs": "7"}, rec, "e1").run()
    assert [c[0] for c in rec.calls] == ["main.prep", "main.train"]
    assert rec.calls[0][2] == ["echo 0.1 7"]
    assert rec.calls[1][2] == ["echo default 7"]


def test_parallel_group_runs_concurrently():
    templates = [{"name": "main", "steps": [[{"name": "a", "template": "c"}, {"name": "b", "template": "c"}]]},
                 container("c", ["x"])]
    rec = Recorder(delay=0.3)
    started = time.monotonic()
    WorkflowRun(wf(templates), {}, rec, "e1").run()
    assert time.monotonic() - started < 0.55
    assert sorted(c[0] for c in rec.calls) == ["main.a", "main.b"]


def test_dag_respects_dependencies_and_depends_expressions():
    tasks = [{"name": "C", "template": "c", "depends": "A && B.Succeeded"},
             {"name": "A", "template": "c"}, {"name": "B", "template": "c", "dependencies": ["A"]}]
    rec = Recorder()
    WorkflowRun(wf([{"name": "main", "dag": {"tasks": tasks}}, container("c", ["x"])]), {}, rec, "e1").run()
    assert [c[0] for c in rec.calls] == ["main.A", "main.B", "main.C"]


def test_dag_cycle_and_unknown_dependency_are_reported():
    cyc = [{"name": "A", "template": "c", "dependencies": ["B"]}, {"name": "B", "template": "c",
                                                                   "dependencies": ["A"]}]
    with pytest.raises(WorkflowError, match="cycle"):
        WorkflowRun(wf([{"name": "main", "dag": {"tasks": cyc}}, container("c", [])]), {}, Recorder(), "e").run()
    unknown = [{"name": "A", "template": "c", "dependencies": ["Z"]}]
    with pytest.raises(WorkflowError, match="unknown task"):
        WorkflowRun(wf([{"name": "main", "dag": {"tasks": unknown}}, container("c", [])]), {}, Recorder(),
                    "e").run()


def test_retry_limit_retries_then_fails_with_the_exit_code():
    templates = [{"name": "main", "steps": [[{"name": "flaky", "template": "c"}]]},
                 container("c", ["x"], retryStrategy={"limit": "2"})]
    rec = Recorder(codes={"flaky": [1, 1, 0]})
    WorkflowRun(wf(templates), {}, rec, "e").run()
    assert [c[1] for c in rec.calls] == [1, 2, 3]
    rec = Recorder(codes={"flaky": [4, 4, 4]})
    with pytest.raises(WorkflowError, match="exit code 4 after 3 attempts"):
        WorkflowRun(wf(templates), {}, rec, "e").run()


def test_failure_stops_later_groups():
    templates = [{"name": "main", "steps": [[{"name": "a", "template": "c"}], [{"name": "b", "template": "c"}]]},
                 container("c", ["x"])]
    rec = Recorder(codes={"a": [2]})
    with pytest.raises(WorkflowError, match="'main.a' failed with exit code 2"):
        WorkflowRun(wf(templates), {}, rec, "e").run()
    assert [c[0] for c in rec.calls] == ["main.a"]


def test_missing_parameter_entrypoint_and_template_are_clear():
    with pytest.raises(WorkflowError, match="entrypoint 'nope'"):
        WorkflowRun(wf([container("c", [])], entry="nope"), {}, Recorder(), "e")
    with pytest.raises(WorkflowError, match="workflow.parameters.missing"):
        WorkflowRun(wf([container("main", ["{{workflow.parameters.missing}}"])]), {}, Recorder(), "e").run()
    with pytest.raises(WorkflowError, match="lacks"):
        WorkflowRun(wf([{"name": "main", "steps": [[{"name": "a", "template": "ghost"}]]}]), {}, Recorder(),
                    "e").run()


def test_cancelled_run_starts_nothing():
    run = WorkflowRun(wf([container("main", ["x"])]), {}, Recorder(), "e")
    run.cancelled.set()
    with pytest.raises(Cancelled):
        run.run()


def test_substitute_leaves_other_expressions():
    assert substitute({"a": ["{{ x }} {{steps.s.outputs.result}}"]}, {"x": "1"}) == \
        {"a": ["1 {{steps.s.outputs.result}}"]}


def test_default_gives_a_workflow_parameter_its_value_as_value_does():
    # AI Core's documentation and the seeds write `default`; an unbound parameter must not end the run DEAD.
    templates = [container("main", ["echo {{workflow.parameters.alpha}} {{workflow.parameters.beta}} "
                                    "{{workflow.parameters.gamma}}"])]
    params = [{"name": "alpha", "default": "0.5"}, {"name": "beta", "value": "v", "default": "ignored"},
              {"name": "gamma", "default": 3}]
    for bound, expected in (({}, "echo 0.5 v 3"), ({"beta": "b"}, "echo 0.5 b 3"),
                            ({"alpha": "0.9", "gamma": "4"}, "echo 0.9 v 4")):
        rec = Recorder()
        WorkflowRun(wf(templates, params=params), bound, rec, "e1").run()
        assert rec.calls[0][2] == [expected], bound


def test_parameter_without_value_or_default_still_names_itself():
    templates = [container("main", ["echo {{workflow.parameters.alpha}}"])]
    with pytest.raises(WorkflowError, match="workflow.parameters.alpha"):
        WorkflowRun(wf(templates, params=[{"name": "alpha"}]), {"other": "x"}, Recorder(), "e1").run()
