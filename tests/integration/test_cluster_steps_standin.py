"""ClusterRunSteps over the real k8s adapter (KubernetesCluster, the official client over HTTP) and the stand-in
cluster, with S3 in moto: an execution completes with its output registered and its log archived, a stop ends it
STOPPED with the Workflow gone, a deployment becomes RUNNING, switches configuration and stops, a crashing
predictor ends DEAD with its log kept. The steps are driven here as the state machines drive them (render, submit,
poll until done, finalize); tests/integration/test_step_functions.py drives them through Step Functions."""
from __future__ import annotations

import contextlib
import copy
import time

import pytest
import yaml

kube_standin = pytest.importorskip("tests.support.kube_standin").kube_standin
boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from chalicelib.adapters.k8s.cluster import KubernetesCluster  # noqa: E402
from chalicelib.domain.errors import NotFound  # noqa: E402
from chalicelib.domain.lifecycle import Status  # noqa: E402
from chalicelib.domain.object_store import ObjectLocation, StoreConnection, parse_ai_url  # noqa: E402
from chalicelib.domain.runs import Deployment, Execution, request_reconfigure, request_stop  # noqa: E402
from tests.support import cluster_world as steps_kit  # noqa: E402

CTX, NS = steps_kit.CTX, steps_kit.NS
BUCKET = "artifacts"
TRAIN_PY = ("import os,sys,time; os.makedirs('/out', exist_ok=True); open('/out/model','w').write('w'); "
            "print('epochs', sys.argv[1], flush=True); time.sleep(float(os.environ.get('SLEEP','0')))")
PREDICTOR = ("import http.server, os\n"
             "class H(http.server.BaseHTTPRequestHandler):\n"
             "    def do_GET(self): self._answer()\n"
             "    def do_POST(self): self._answer()\n"
             "    def _answer(self):\n"
             "        out = os.environ.get('ANSWER', '').encode()\n"
             "        self.send_response(200); self.send_header('Content-Length', str(len(out))); self.end_headers()\n"
             "        self.wfile.write(out)\n"
             "    def log_message(self, *args): pass\n"
             "print('listening', flush=True)\n"
             "http.server.HTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()\n")


class BucketLocations:
    """The group's `default` store: the bucket in moto, with its own credentials (synced as a Secret)."""

    def locate(self, ctx, secret_name, path, *, allow_empty=False):
        if secret_name != "default":
            raise NotFound(f"Object store secret '{secret_name}' not found.")
        return ObjectLocation(BUCKET, "/".join(p for p in ("prefix", path) if p),
                              StoreConnection(None, "us-east-1", "AK", "SK"), f"ai://{secret_name}/{path}",
                              secret_name)

    def resolve_url(self, ctx, url):
        secret, path = parse_ai_url(url)
        return self.locate(ctx, secret, path, allow_empty=True)


def train_template(sleep="0"):
    document = copy.deepcopy(steps_kit.TRAIN)
    document["spec"].pop("imagePullSecrets")
    train = document["spec"]["templates"][1]
    train["container"] = {"image": "python:3.12", "command": ["python", "-c", TRAIN_PY],
                          "args": ["{{workflow.parameters.epochs}}"], "env": [{"name": "SLEEP", "value": sleep}]}
    train["outputs"]["artifacts"][0]["path"] = "/out/model"
    return document


def serve_template(code):
    document = copy.deepcopy(steps_kit.SERVE)
    spec = {"predictor": {"containers": [{"name": "kserve-container", "image": "python:3.12",
                                          "command": ["python", "-c", code],
                                          "env": [{"name": "ANSWER", "value": "{{inputs.parameters.greeting}}"}]}]}}
    document["spec"]["template"]["spec"] = yaml.safe_dump(spec)
    return document


@pytest.fixture
def on_standin():
    """Builds a world (tests/support/cluster_world.py) over the stand-in, with the given templates."""
    with moto.mock_aws(), contextlib.ExitStack() as stack:
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="prefix/datasets/train", Body=b"data")

        def build(train=None, serve=None):
            standin = stack.enter_context(kube_standin())
            return steps_kit.build_world(KubernetesCluster(standin.api_client()), BucketLocations(),
                                         train=train or train_template(), serve=serve or serve_template(PREDICTOR))

        yield build


def until(world, ref, check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = world.steps.poll(ref)
        run = steps_kit.record(world, ref)
        if check(run, result):
            return run
        time.sleep(0.1)
    raise AssertionError(f"not reached: {steps_kit.record(world, ref)}")


def test_an_execution_completes_with_its_output_registered_and_its_log_archived(on_standin):
    world = on_standin()
    ref = steps_kit.new_execution(world)
    manifest = world.steps.render(ref)
    world.steps.submit(ref, manifest)
    world.steps.submit(ref, manifest)
    until(world, ref, lambda run, result: result["done"])
    world.steps.finalize(ref)
    world.steps.finalize(ref)
    run = steps_kit.record(world, ref)
    assert run.status is Status.COMPLETED, run.status_message
    [step] = run.status_details["steps"]
    assert step["name"] == "main.train" and step["status"] == "Succeeded" and step["exitCode"] == 0
    assert [a.url for a in world.artifacts.outputs_of(CTX, "e0001")] == ["ai://default/e0001/model"]
    assert [e.msg for e in world.archive.read(CTX, "execution", "e0001")] == ["epochs 3"]


def test_a_stop_ends_stopped_and_the_workflow_is_gone(on_standin):
    world = on_standin(train=train_template(sleep="30"))
    ref = steps_kit.new_execution(world)
    world.steps.submit(ref, world.steps.render(ref))
    until(world, ref, lambda run, result: run.status is Status.RUNNING)
    world.runs.update(CTX, Execution, "e0001", lambda r: request_stop(r, world.clock.now()))
    until(world, ref, lambda run, result: result["done"])
    world.steps.finalize(ref)
    run = steps_kit.record(world, ref)
    assert run.status is Status.STOPPED and run.status_details["steps"][0]["status"] == "Stopped"
    assert world.cluster.get_workflow(NS, "e0001") is None


def test_a_deployment_runs_switches_configuration_and_stops(on_standin):
    world = on_standin()
    ref = steps_kit.new_deployment(world)
    world.steps.submit(ref, world.steps.render(ref))
    until(world, ref, lambda run, result: run.status is Status.RUNNING)
    world.runs.update(CTX, Deployment, "d0001", lambda d: request_reconfigure(d, "c-serve2", "c-serve2",
                                                                               world.clock.now()))
    world.steps.update(ref)
    run = until(world, ref, lambda run, result: run.status is Status.RUNNING and
                run.latest_running_configuration_id == "c-serve2")
    assert run.deployment_url.endswith("/v2/inference/deployments/d0001")
    world.runs.update(CTX, Deployment, "d0001", lambda d: request_stop(d, world.clock.now()))
    run = until(world, ref, lambda run, result: result["done"])
    assert run.status is Status.STOPPED and world.cluster.get_inference_service(NS, "d0001") is None


def test_a_crashing_predictor_ends_dead_with_its_log_kept(on_standin):
    world = on_standin(serve=serve_template("import sys; print('cannot load model', flush=True); sys.exit(2)"))
    ref = steps_kit.new_deployment(world)
    world.steps.submit(ref, world.steps.render(ref))
    run = until(world, ref, lambda run, result: result["done"])
    assert run.status is Status.DEAD and "cannot load model" in run.status_message
    assert "cannot load model" in [e.msg for e in world.archive.read(CTX, "deployment", "d0001")]


def test_a_failing_step_ends_dead_with_its_exit_code(on_standin):
    failing = train_template()
    failing["spec"]["templates"][1]["container"]["command"] = ["python", "-c", "import sys; sys.exit(3)"]
    world = on_standin(train=failing)
    ref = steps_kit.new_execution(world)
    world.steps.submit(ref, world.steps.render(ref))
    until(world, ref, lambda run, result: result["done"])
    world.steps.finalize(ref)
    run = steps_kit.record(world, ref)
    assert run.status is Status.DEAD and run.status_message == "Step 'main.train' failed: Error (exit code 3)"
    assert world.artifacts.outputs_of(CTX, "e0001") == []
