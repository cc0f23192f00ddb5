"""Argo's Workflow status and KServe's InferenceService status in the AI API's words (domain/cluster/*_status.py),
and statusDetails in the local engine's shape for the same run."""
from chalicelib.adapters.local.step_details import StepDetails
from chalicelib.domain.argo.interpreter import WorkflowRun
from chalicelib.domain.argo.pods import FAILED, PodResult
from chalicelib.domain.cluster.isvc_status import deployment_progress
from chalicelib.domain.cluster.workflow_status import (execution_progress, fnv32a, global_outputs, pod_names,
                                                       step_details)
from chalicelib.domain.lifecycle import Status
from tests.support.argo_walk import Runner, plain, wf


class Clock:
    def now(self):
        from datetime import datetime, timezone
        return datetime(2026, 12, 4, 10, 0, 0, tzinfo=timezone.utc)


def n(node_id, name, type_, phase, template="", children=(), message="", exit_code=None, start="00", end=None,
      outputs=None):
    node = {"id": node_id, "name": name, "displayName": name, "type": type_, "phase": phase,
            "templateName": template, "children": list(children), "startedAt": f"2026-12-04T10:00:{start}Z"}
    if end:
        node["finishedAt"] = f"2026-12-04T10:00:{end}Z"
    if message:
        node["message"] = message
    if exit_code is not None or outputs:
        node["outputs"] = {**({"exitCode": str(exit_code)} if exit_code is not None else {}), **(outputs or {})}
    return node


def workflow(phase, *nodes, message="", shutdown=None, entry="main", name="e1"):
    spec = {"entrypoint": entry}
    if shutdown:
        spec["shutdown"] = shutdown
    status = {"nodes": {x["id"]: x for x in nodes}}
    if phase:
        status["phase"] = phase
    if message:
        status["message"] = message
    return {"metadata": {"name": name}, "spec": spec, "status": status}


# -- phases -------------------------------------------------------------------------------------------------------
def test_no_phase_yet_is_pending_then_running():
    assert execution_progress(workflow("")).status is Status.PENDING
    assert execution_progress(workflow("Pending")).status is Status.RUNNING
    assert execution_progress(workflow("Running")).status is Status.RUNNING


def test_succeeded_is_completed_with_its_global_outputs():
    done = workflow("Succeeded", n("e1", "e1", "Steps", "Succeeded", "main", ["p"], end="05"),
                    n("p", "e1[0].train", "Pod", "Succeeded", "train", exit_code=0, end="04", outputs={
                        "artifacts": [{"name": "model", "globalName": "model", "s3": {"key": "k/e1/model"}}]}))
    progress = execution_progress(done)
    assert progress.status is Status.COMPLETED and progress.ended
    assert progress.outputs == {"model": "k/e1/model"} == global_outputs(done)


def test_failed_is_dead_with_the_failing_steps_message_not_argos_summary():
    failed = workflow("Failed", n("e1", "e1", "Steps", "Failed", "main", ["g"], end="09"),
                      n("g", "e1[0]", "StepGroup", "Failed", "", ["p"], end="09"),
                      n("p", "e1[0].train", "Pod", "Failed", "train", message="Error (exit code 2)", exit_code=2,
                        end="08"),
                      message="child 'p' failed")
    progress = execution_progress(failed)
    assert progress.status is Status.DEAD
    assert progress.message == "Step 'main.train' failed: Error (exit code 2)"


def test_a_retry_that_succeeded_is_not_the_cause_and_attempts_are_counted():
    nodes = [n("e1", "e1", "DAG", "Failed", "main", ["r", "q"], end="20"),
             n("r", "e1.fetch", "Retry", "Succeeded", "fetch", ["a1", "a2"], end="05"),
             n("a1", "e1.fetch(0)", "Pod", "Failed", "fetch", message="Error (exit code 1)", exit_code=1, end="02"),
             n("a2", "e1.fetch(1)", "Pod", "Succeeded", "fetch", exit_code=0, start="03", end="05"),
             n("q", "e1.train", "Retry", "Failed", "train", ["b1", "b2"], end="20", message="No more retries left"),
             n("b1", "e1.train(0)", "Pod", "Failed", "train", message="Error (exit code 3)", exit_code=3,
               start="06", end="10"),
             n("b2", "e1.train(1)", "Pod", "Failed", "train", message="Error (exit code 3)", exit_code=3,
               start="11", end="19")]
    progress = execution_progress(workflow("Failed", *nodes))
    assert progress.message == "Step 'main.train' failed: Error (exit code 3); no more retries left after 2 attempts"
    steps = {s["name"]: s for s in progress.details["steps"]}
    assert steps["main.fetch"]["attempt"] == 2 and steps["main.fetch"]["status"] == "Succeeded"
    assert steps["main.train"]["attempt"] == 2 and steps["main.train"]["exitCode"] == 3


def test_a_terminated_workflow_is_stopped_and_its_running_step_too():
    stopped = workflow("Failed", n("e1", "e1", "Steps", "Failed", "main", ["p"], end="09"),
                       n("p", "e1[0].train", "Pod", "Failed", "train", end="09",
                         message="Stopped with strategy 'Terminate'"),
                       message="Stopped with strategy 'Terminate'", shutdown="Terminate")
    progress = execution_progress(stopped)
    assert progress.status is Status.STOPPED and progress.terminated
    assert progress.details["steps"][0]["status"] == "Stopped"


def test_pod_names_follow_argos_v2_format():
    running = workflow("Running", n("e1", "e1", "Steps", "Running", "main", ["p"]),
                       n("p", "e1[0].train", "Pod", "Running", "train"))
    assert step_details(running)["steps"] == [{"name": "main.train", "pod": f"e1-train-{fnv32a('e1[0].train')}",
                                               "attempt": 1, "status": "Running",
                                               "startedAt": "2026-12-04T10:00:00Z"}]
    assert fnv32a("") == 0x811C9DC5 and fnv32a("a") == 0xE40C292C  # FNV-1a 32-bit reference values
    pods = pod_names([{"metadata": {"name": "e1-train-7", "annotations": {
        "workflows.argoproj.io/node-name": "e1[0].train"}}}])
    assert execution_progress(running, pods=pods).details["steps"][0]["pod"] == "e1-train-7"


# -- statusDetails: the same shape as the local engine's --------------------------------------------------------------
class Reporting:
    """A PodRunner reporting steps as adapters/local/steps.py ExecutionSteps does (start, then the end)."""

    def __init__(self, runner, details):
        self.runner, self.details = runner, details

    def run_pod(self, request):
        self.details.update(request.path, {"pod": request.pod, "status": "Running", "attempt": request.attempt})
        result = self.runner.run_pod(request)
        end = {"status": result.phase, "finished": True}
        if result.exit_code is not None:
            end["exitCode"] = result.exit_code
        if result.message:
            end["message"] = result.message
        self.details.update(request.path, end)
        return result

    def suspend(self, seconds):
        pass


def test_status_details_have_the_local_engines_shape_for_the_same_run():
    template = wf([{"name": "main", "steps": [[{"name": "prep", "template": "prep"}],
                                              [{"name": "print", "template": "prep", "withItems": ["a", "b"]}],
                                              [{"name": "train", "template": "train"},
                                               {"name": "skip", "template": "prep", "when": "1 == 2"}]]},
                   plain("prep"), plain("train")])
    snapshots = []
    details = StepDetails(snapshots.append, Clock(), interval=0.0)
    runner = Reporting(Runner(train=lambda r: PodResult(FAILED, 1, message="Error (exit code 1)")), details)
    outcome = WorkflowRun(template, {}, runner, "e1", on_node=details.update).run()
    details.close()
    assert outcome.phase == FAILED
    local = {s["name"]: s for s in snapshots[-1]["steps"]}

    argo = workflow(
        "Failed",
        n("e1", "e1", "Steps", "Failed", "main", ["g0", "g1", "g2"], end="30"),
        n("g0", "e1[0]", "StepGroup", "Succeeded", "", ["p"], end="05"),
        n("p", "e1[0].prep", "Pod", "Succeeded", "prep", exit_code=0, start="01", end="05"),
        n("g1", "e1[1]", "StepGroup", "Succeeded", "", ["l"], end="10"),
        n("l", "e1[1].print", "TaskGroup", "Succeeded", "", ["l0", "l1"], end="10"),
        n("l0", "e1[1].print(0:a)", "Pod", "Succeeded", "prep", exit_code=0, start="06", end="09"),
        n("l1", "e1[1].print(1:b)", "Pod", "Succeeded", "prep", exit_code=0, start="06", end="10"),
        n("g2", "e1[2]", "StepGroup", "Failed", "", ["t", "s"], end="30"),
        n("t", "e1[2].train", "Pod", "Failed", "train", message="Error (exit code 1)", exit_code=1, start="11",
          end="30"),
        n("s", "e1[2].skip", "Skipped", "Skipped", "prep", message="when '1 == 2' evaluated false", start="11",
          end="11"),
        message="child 't' failed")
    cluster = {s["name"]: s for s in execution_progress(argo).details["steps"]}

    assert set(cluster) == set(local)
    for name, entry in local.items():
        assert set(cluster[name]) == set(entry), name
        for key in ("status", "attempt", "exitCode"):
            assert cluster[name].get(key) == entry.get(key), (name, key)
        assert isinstance(cluster[name].get("pod", ""), str)
    assert execution_progress(argo).message == outcome.message


# -- KServe ---------------------------------------------------------------------------------------------------------
def test_kserve_ready_is_running_not_yet_ready_is_pending():
    assert deployment_progress({}).status is Status.PENDING
    waiting = {"status": {"conditions": [{"type": "PredictorReady", "status": "Unknown", "reason": "Deploying",
                                          "message": "Revision is deploying"}, {"type": "Ready", "status": "Unknown"}]}}
    progress = deployment_progress(waiting)
    assert progress.status is Status.PENDING and "Revision is deploying" in progress.message
    ready = {"status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    assert deployment_progress(ready).status is Status.RUNNING


def test_kserve_failures_are_dead_with_reason_and_message():
    crash = {"status": {"conditions": [
        {"type": "PredictorReady", "status": "False", "reason": "RevisionFailed",
         "message": "Container failed with: exit 1"}, {"type": "Ready", "status": "False"}]}}
    progress = deployment_progress(crash)
    assert progress.status is Status.DEAD
    assert progress.message == "The predictor failed (PredictorReady): RevisionFailed: Container failed with: exit 1"
    model = {"status": {"modelStatus": {"transitionStatus": "BlockedByFailedLoad",
                                        "states": {"targetModelState": "FailedToLoad"},
                                        "lastFailureInfo": {"reason": "ModelLoadFailed",
                                                            "message": "no model.joblib"}}}}
    assert deployment_progress(model).message == "The predictor failed: ModelLoadFailed: no model.joblib."
