"""Executions through the local engine: real processes, in-process moto, the API in front (chalice.test)."""
from __future__ import annotations

import io
import os
import tarfile
import textwrap
import time

import pytest

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind
from chalicelib.domain.scenarios import Executable, ExecutableArtifact, ExecutableParameter
from tests.support.seed import SEEDED_AT, seed_scenario

FILES = "/v2/lm/dataset/files"
ANY = {"Accept": "*/*"}

TUTORIAL = {  # AI Core tutorial style: sh -c, /app/src, dataset at /app/data/, model at /app/model/
    "metadata": {"name": "house-train"},
    "spec": {"entrypoint": "pipeline", "arguments": {"parameters": [{"name": "alpha", "value": "0.5"}]},
             "templates": [
                 {"name": "pipeline", "steps": [[{"name": "train", "template": "trainer"}]]},
                 {"name": "trainer",
                  "inputs": {"artifacts": [{"name": "housedataset", "path": "/app/data/"}]},
                  "outputs": {"artifacts": [{"name": "housepricemodel", "globalName": "housemodel",
                                             "path": "/app/model/", "archive": {"none": {}}}]},
                  "container": {"image": "docker.io/me/house-price:01", "command": ["/bin/sh", "-c"],
                                "args": ["python /app/src/train.py --alpha {{workflow.parameters.alpha}}"],
                                "env": [{"name": "GREETING", "value": "hello"},
                                        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "creds",
                                                                                          "key": "token"}}}]}}]}}

SEED_STYLE = {  # python preprocess.py --input /data/input --output /data/processed, across dag tasks
    "metadata": {"name": "text-train"},
    "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "dag": {"tasks": [{"name": "preprocess", "template": "preprocess"},
                                           {"name": "train", "template": "train", "dependencies": ["preprocess"]}]}},
        {"name": "preprocess", "inputs": {"artifacts": [{"name": "dataset", "path": "/data/input"}]},
         "container": {"image": "text:latest", "command": ["python", "preprocess.py", "--input", "/data/input",
                                                           "--output", "/data/processed"]}},
        {"name": "train", "outputs": {"artifacts": [{"name": "model", "globalName": "textmodel",
                                                     "path": "/data/model"}]},
         "container": {"image": "text:latest", "command": ["python", "train.py", "--input", "/data/processed",
                                                           "--output", "/data/model"]}}]}}

REFERENCE_STYLE = {  # AI Core's ML Operations reference: the dataset declared once, at workflow level, with a path
    "metadata": {"name": "reference-train"},
    "spec": {"entrypoint": "main",
             "arguments": {"artifacts": [{"name": "dataset", "path": "/data/input", "archive": {"none": {}}}]},
             "templates": [
                 {"name": "main", "steps": [[{"name": "preprocess", "template": "preprocess"}],
                                            [{"name": "train", "template": "train"}]]},
                 {"name": "preprocess",
                  "container": {"image": "text:latest", "command": ["python", "preprocess.py"],
                                "args": ["--input", "/data/input", "--output", "/data/processed"]}},
                 {"name": "train", "outputs": {"artifacts": [{"name": "model", "globalName": "textmodel",
                                                              "path": "/data/model", "archive": {"none": {}}}]},
                  "container": {"image": "text:latest", "command": ["python", "train.py"],
                                "args": ["--input", "/data/processed", "--output", "/data/model"]}}]}}

TRAIN_PY = textwrap.dedent("""
    import os, sys
    rows = open('/app/data/train.csv').read().splitlines()
    os.makedirs('/app/model', exist_ok=True)
    open('/app/model/model.txt', 'w').write(f"rows={len(rows)} {' '.join(sys.argv[1:])}")
    print('trained on', len(rows), 'rows', os.environ['GREETING'], 'token-length', len(os.environ['TOKEN']))
    print('execution', os.environ['AICORE_EXECUTION_ID'], file=sys.stderr)
""")
PREPROCESS_PY = textwrap.dedent("""
    import argparse, os
    p = argparse.ArgumentParser(); p.add_argument('--input'); p.add_argument('--output'); a = p.parse_args()
    os.makedirs(a.output, exist_ok=True)
    text = open(os.path.join(a.input, 'reviews.txt')).read().lower()
    open(os.path.join(a.output, 'clean.txt'), 'w').write(text)
    print('preprocessed', len(text))
""")
SEED_TRAIN_PY = textwrap.dedent("""
    import argparse, os
    p = argparse.ArgumentParser(); p.add_argument('--input'); p.add_argument('--output'); a = p.parse_args()
    os.makedirs(a.output, exist_ok=True)
    words = open(os.path.join(a.input, 'clean.txt')).read().split()
    open(os.path.join(a.output, 'vocab.txt'), 'w').write('\\n'.join(sorted(set(words))))
    print('trained', len(words))
""")


def seed_template(store, template, inputs=(), outputs=()):
    seed_scenario(store, "t1", "scn-1")
    name = template["metadata"]["name"]
    executable = Executable(id=name, name=name, scenario_id="scn-1", version_id="1", deployable=False,
                            parameters=[ExecutableParameter(name=p["name"]) for p in
                                        template["spec"].get("arguments", {}).get("parameters", [])],
                            input_artifacts=[ExecutableArtifact(name=a) for a in inputs],
                            output_artifacts=[ExecutableArtifact(name=a, kind="model") for a in outputs],
                            created_at=SEEDED_AT, modified_at=SEEDED_AT, template=template)
    store.create(TenantContext("t1"), executable.to_record(Executable.record_id("scn-1", name)))


@pytest.fixture
def engine_api(api, tmp_path):
    from chalicelib.adapters.local.engine import use_local_engine
    from chalicelib.bootstrap import container

    c = container()
    engine = use_local_engine(c)
    ok(api.call("POST", "/v2/admin/objectStoreSecrets", {"name": "default", "type": "S3", "data": {}}, rg=None))
    images = tmp_path / "images"
    (images / "house" / "src").mkdir(parents=True)
    (images / "house" / "Dockerfile").write_text("FROM python:3.11-slim\nWORKDIR /app\nCOPY src/ /app/src/\n")
    (images / "house" / "src" / "train.py").write_text(TRAIN_PY)
    (images / "text").mkdir()
    (images / "text" / "Dockerfile").write_text("FROM python:3.11\nWORKDIR /app\nCOPY . .\nENV MODE=local\n")
    (images / "text" / "preprocess.py").write_text(PREPROCESS_PY)
    (images / "text" / "train.py").write_text(SEED_TRAIN_PY)
    c.settings.home.mkdir(parents=True, exist_ok=True)
    (c.settings.home / "images.yaml").write_text(
        f"images:\n  docker.io/me/house-price: {images / 'house'}\n  text:latest: {images / 'text'}\n")
    yield api
    engine.shutdown()


def ok(result):
    assert result.status < 300, result
    return result.json


def configure(api, executable, params=(), artifacts=()):
    return ok(api.call("POST", "/v2/lm/configurations", {
        "name": f"cfg-{executable}", "scenarioId": "scn-1", "executableId": executable,
        "parameterBindings": [{"key": k, "value": v} for k, v in params],
        "inputArtifactBindings": [{"key": k, "artifactId": v} for k, v in artifacts]}))["id"]


def dataset(api, path, content, name="data"):
    ok(api.call("PUT", f"{FILES}/default/{path}", raw=content, headers={"Content-Type": "text/plain"}))
    folder = path.rsplit("/", 1)[0]
    return ok(api.call("POST", "/v2/lm/artifacts", {"name": name, "kind": "dataset", "url": f"ai://default/{folder}",
                                                    "scenarioId": "scn-1"}))["id"]


def wait_for(api, execution_id, statuses=("COMPLETED", "DEAD", "STOPPED"), timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        execution = ok(api.call("GET", f"/v2/lm/executions/{execution_id}"))
        if execution["status"] in statuses:
            return execution
        time.sleep(0.1)
    raise AssertionError(f"execution {execution_id} still {execution['status']}: {execution}")


def test_tutorial_style_runs_with_app_paths_secrets_and_registers_the_model(engine_api):
    api = engine_api
    from chalicelib.bootstrap import container

    seed_template(container().store, TUTORIAL, inputs=["housedataset"], outputs=["housemodel"])
    ok(api.call("POST", "/v2/admin/secrets", {"name": "creds", "data": {"token": "c2VjcmV0"}}))
    data = dataset(api, "house/train.csv", b"a,b\n1,2\n3,4\n")
    config = configure(api, "house-train", params=[("alpha", "0.9")], artifacts=[("housedataset", data)])
    created = api.call("POST", "/v2/lm/executions", {"configurationId": config})
    assert created.status == 202 and created.json["status"] in ("PENDING", "RUNNING", "COMPLETED")
    done = wait_for(api, created.json["id"])
    assert done["status"] == "COMPLETED", done
    assert done["startTime"] and done["completionTime"] and done["statusMessage"]
    assert [s["status"] for s in done["statusDetails"]["steps"]] == ["Succeeded"]
    outputs = done["outputArtifacts"]
    assert [a["name"] for a in outputs] == ["housemodel"]
    assert outputs[0]["url"] == f"ai://default/{done['id']}/housemodel"
    model = api.call("GET", f"{FILES}/default/{done['id']}/housemodel/model.txt", headers=ANY)
    assert model.body == b"rows=3 --alpha 0.9"
    logs = ok(api.call("GET", f"/v2/lm/executions/{done['id']}/logs"))["data"]["result"]
    messages = [line["msg"] for line in logs]
    assert "trained on 3 rows hello token-length 6" in messages
    assert f"execution {done['id']}" in messages
    assert all(line["pod"].startswith(done["id"]) and line["container"] == "main" for line in logs)
    assert "c2VjcmV0" not in str(logs) and "secret" not in str(logs)


def test_seed_style_passes_data_between_steps_and_archives_the_model(engine_api):
    api = engine_api
    from chalicelib.bootstrap import container

    seed_template(container().store, SEED_STYLE, inputs=["dataset"], outputs=["textmodel"])
    data = dataset(api, "reviews/reviews.txt", b"Good movie\nBad Movie\n")
    config = configure(api, "text-train", artifacts=[("dataset", data)])
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": config}))
    done = wait_for(api, execution["id"])
    assert done["status"] == "COMPLETED", done
    assert [s["name"] for s in done["statusDetails"]["steps"]] == ["main.preprocess", "main.train"]
    archive = api.call("GET", f"{FILES}/default/{done['id']}/textmodel", headers=ANY).body
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        assert tar.extractfile("vocab.txt").read() == b"bad\ngood\nmovie"


def test_workflow_level_input_artifact_is_placed_at_its_path_for_every_step(engine_api):
    api = engine_api
    from chalicelib.bootstrap import container

    seed_template(container().store, REFERENCE_STYLE, inputs=["dataset"], outputs=["textmodel"])
    data = dataset(api, "reference/reviews.txt", b"Great Movie\nawful movie\n")
    config = configure(api, "reference-train", artifacts=[("dataset", data)])
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": config}))
    done = wait_for(api, execution["id"])
    assert done["status"] == "COMPLETED", done
    vocab = api.call("GET", f"{FILES}/default/{done['id']}/textmodel/vocab.txt", headers=ANY)
    assert vocab.body == b"awful\ngreat\nmovie"
    unbound = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "reference-train")}))
    failed = wait_for(api, unbound["id"])
    assert failed["status"] == "DEAD" and "inputArtifactBindings key 'dataset'" in failed["statusMessage"]


def test_failing_step_ends_dead_with_the_reason_and_its_logs(engine_api):
    api = engine_api
    from chalicelib.bootstrap import container

    template = {"metadata": {"name": "failing"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "retryStrategy": {"limit": 1},
         "container": {"image": "none", "command": ["sh", "-c", "echo attempt; exit 3"]}}]}}
    seed_template(container().store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "failing")}))
    done = wait_for(api, execution["id"])
    assert done["status"] == "DEAD"
    assert "exit code 3 after 2 attempts" in done["statusMessage"]
    logs = ok(api.call("GET", f"/v2/lm/executions/{done['id']}/logs"))["data"]["result"]
    assert [line["msg"] for line in logs] == ["attempt", "attempt"]
    log_file = container().log_store.path(TenantContext("t1", "default"), Kind.EXECUTION, done["id"])
    assert log_file.exists()
    assert api.call("DELETE", f"/v2/lm/executions/{done['id']}").status == 202
    assert api.call("GET", f"/v2/lm/executions/{done['id']}").status == 404
    assert not log_file.exists()  # a deleted execution's logs go with it


def test_a_host_without_namespaces_refuses_steps_by_name(engine_api, monkeypatch, tmp_path):
    api = engine_api
    from chalicelib.adapters.local import runner
    from chalicelib.bootstrap import container

    monkeypatch.setattr(runner, "_mode", "unavailable")  # what the probe finds where namespaces are refused
    marker = tmp_path / "ran"
    template = {"metadata": {"name": "unsandboxed"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "script": {"image": "none", "command": ["sh"], "source": f"touch {marker}"}}]}}
    seed_template(container().store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "unsandboxed")}))
    done = wait_for(api, execution["id"])
    assert done["status"] == "DEAD", done
    assert done["statusMessage"].startswith("Step 'main' could not start: this host refuses the private mount "
                                            "and pid namespaces"), done["statusMessage"]
    assert not marker.exists()


def test_missing_default_store_or_binding_ends_dead_with_a_clear_message(engine_api):
    api = engine_api
    from chalicelib.bootstrap import container

    seed_template(container().store, TUTORIAL, inputs=["housedataset"], outputs=["housemodel"])
    unbound = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "house-train")}))
    done = wait_for(api, unbound["id"])
    assert done["status"] == "DEAD" and "inputArtifactBindings key 'housedataset'" in done["statusMessage"]
    ok(api.call("DELETE", "/v2/admin/objectStoreSecrets/default", rg=None))
    again = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "house-train")}))
    done = wait_for(api, again["id"])
    assert done["status"] == "DEAD" and "object store secret named 'default'" in done["statusMessage"]


def test_unbound_parameter_with_only_a_default_runs_with_it(engine_api):
    """AI Core's documentation style: spec.arguments.parameters[].default, one parameter bound, one not."""
    api = engine_api
    from chalicelib.bootstrap import container

    template = {"metadata": {"name": "defaults"}, "spec": {
        "entrypoint": "main", "arguments": {"parameters": [{"name": "alpha", "default": "0.5"},
                                                           {"name": "envexample", "default": "dev"}]},
        "templates": [{"name": "main", "container": {
            "image": "none", "command": ["sh", "-c"],
            "args": ["echo alpha={{workflow.parameters.alpha}} env={{workflow.parameters.envexample}}"]}}]}}
    seed_template(container().store, template)
    config = configure(api, "defaults", params=[("envexample", "test1")])
    done = wait_for(api, ok(api.call("POST", "/v2/lm/executions", {"configurationId": config}))["id"])
    assert done["status"] == "COMPLETED", done
    logs = ok(api.call("GET", f"/v2/lm/executions/{done['id']}/logs"))["data"]["result"]
    assert [line["msg"] for line in logs] == ["alpha=0.5 env=test1"]


def test_stop_kills_a_long_running_tree_and_ends_stopped(engine_api, tmp_path):
    api = engine_api
    from chalicelib.bootstrap import container

    template = {"metadata": {"name": "sleepy"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "container": {"image": "none", "command": ["sh", "-c", "sleep 300 & wait"]}}]}}
    seed_template(container().store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "sleepy")}))
    wait_for(api, execution["id"], statuses=("RUNNING",))
    deadline = time.time() + 20
    # The step lives in its own pid namespace: find the background sleep by its host pid and environment.
    while not (children := [p for p in processes_of(execution["id"]) if _cmdline(p) == ["sleep", "300"]]):
        assert time.time() < deadline
        time.sleep(0.05)
    child = children[0]
    stopped = api.call("PATCH", f"/v2/lm/executions/{execution['id']}", {"targetStatus": "STOPPED"})
    assert stopped.status == 202, stopped
    done = wait_for(api, execution["id"], timeout=30)
    assert done["status"] == "STOPPED" and done["targetStatus"] == "STOPPED"
    assert done["statusDetails"]["steps"][0]["status"] == "Stopped"
    assert not _alive(child)
    assert processes_of(execution["id"]) == []


def test_a_stop_before_the_run_gets_going_ends_stopped_and_runs_nothing(engine_api, tmp_path, monkeypatch):
    """SAP's JS SDK walk stops an execution right after creating it: the stop lands while the engine's thread is
    still loading the run. It used to end DEAD ("cannot change from STOPPING to RUNNING")."""
    import threading

    from chalicelib.adapters.local.engine import LocalExecutionEngine
    from chalicelib.bootstrap import container

    api = engine_api
    loading, release = threading.Event(), threading.Event()
    original = LocalExecutionEngine._load

    def slow_load(self, ctx, execution):
        loading.set()
        assert release.wait(20)
        return original(self, ctx, execution)

    monkeypatch.setattr(LocalExecutionEngine, "_load", slow_load)
    template = {"metadata": {"name": "never"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "container": {"image": "none", "command": ["sh", "-c", "echo step-ran"]}}]}}
    seed_template(container().store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "never")}))
    assert loading.wait(20)
    assert api.call("PATCH", f"/v2/lm/executions/{execution['id']}", {"targetStatus": "STOPPED"}).status == 202
    release.set()
    done = wait_for(api, execution["id"], timeout=30)
    assert (done["status"], done["targetStatus"]) == ("STOPPED", "STOPPED"), done
    assert _step_lines(api, execution["id"]) == []  # the step never started


def test_a_stop_that_lands_before_the_run_starts_ends_stopped_not_dead(engine_api, tmp_path):
    """A stop right after the create (the ML Operations reference's order) can reach the record while the run is
    still being set up; the run must then end STOPPED without starting a step (it ended DEAD with "cannot change
    from STOPPING to RUNNING")."""
    api = engine_api
    from chalicelib.bootstrap import container
    from chalicelib.domain.runs import Execution

    template = {"metadata": {"name": "quick"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "container": {"image": "none", "command": ["sh", "-c", "echo step-ran"]}}]}}
    seed_template(container().store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "quick")}))
    assert wait_for(api, execution["id"])["status"] == "COMPLETED"
    # The state a stop leaves when it lands during set-up: STOPPING, target STOPPED, no process yet.
    ctx = TenantContext("t1", "default")
    record = container().store.get(ctx, Kind.EXECUTION, execution["id"])
    record.doc.update(status="STOPPING", target_status="STOPPED", completion_time=None)
    container().store.replace(ctx, record)
    engine = container().execution_engine
    engine._execute(ctx, execution["id"], ("t1", "default", execution["id"]))  # the run's thread, in this one
    done = Execution.from_record(container().store.get(ctx, Kind.EXECUTION, execution["id"]))
    assert done.status.value == "STOPPED", done
    assert _step_lines(api, execution["id"]) == ["step-ran"]  # only the first run's step ever ran


def _step_lines(api, execution_id):
    logs = ok(api.call("GET", f"/v2/lm/executions/{execution_id}/logs"))["data"]["result"]
    return [line["msg"] for line in logs if line["msg"] == "step-ran"]


def test_runs_in_flight_at_a_restart_are_reconciled_dead(engine_api):
    api = engine_api
    from chalicelib.adapters.local.engine import RESTARTED, LocalExecutionEngine
    from chalicelib.bootstrap import container

    c = container()
    template = {"metadata": {"name": "long"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "container": {"image": "none", "command": ["sleep", "300"]}}]}}
    seed_template(c.store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "long")}))
    wait_for(api, execution["id"], statuses=("RUNNING",))
    steps = next(iter(c.execution_engine._active.values()))
    deadline = time.time() + 10
    while not steps.processes:
        assert time.time() < deadline
        time.sleep(0.05)
    pid = next(iter(steps.processes)).pid
    # What the next start of the stack does: a fresh engine over the same AICORE_HOME finds the marker, ends the
    # run and kills the step's process group (after a kill -9 of the stack it would be an orphan).
    restarted = LocalExecutionEngine(c.store, c.clock, c.execution_engine._services, c.settings.home)
    assert restarted.reconcile() == 1
    time.sleep(0.3)
    assert not _alive(pid)
    done = ok(api.call("GET", f"/v2/lm/executions/{execution['id']}"))
    assert done["status"] == "DEAD" and done["statusMessage"] == RESTARTED and done["completionTime"]
    assert restarted.reconcile() == 0  # markers are consumed
    c.execution_engine.shutdown()  # the old engine's process ends; the DEAD status stays
    assert ok(api.call("GET", f"/v2/lm/executions/{execution['id']}"))["status"] == "DEAD"


SYNCED_TEMPLATE = """
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: repo-train
  annotations:
    scenarios.ai.sap.com/name: "repo scenario"
    executables.ai.sap.com/name: "repo-train"
  labels:
    scenarios.ai.sap.com/id: "repo-scn"
    ai.sap.com/version: "1.0.0"
spec:
  entrypoint: train
  templates:
    - name: train
      outputs:
        artifacts:
          - name: model
            globalName: model
            path: /app/model
            archive:
              none: {}
      container:
        image: docker.io/me/repo-trainer:2.0
        command: ["/bin/sh", "-c"]
        args: ["python /app/src/train.py"]
"""


def test_image_defaults_to_the_synced_repository_folder_with_a_dockerfile(engine_api, tmp_path):
    api = engine_api
    from chalicelib.bootstrap import container
    from tests.support.git_repo import commit_tree

    repo = tmp_path / "repo"
    commit_tree(repo, {"workflows/train.yaml": SYNCED_TEMPLATE,
                       "trainer/Dockerfile": "FROM python:3.11\nWORKDIR /app\nCOPY src /app/src\n",
                       "trainer/src/train.py": "import os\nos.makedirs('/app/model', exist_ok=True)\n"
                                               "open('/app/model/m.txt', 'w').write('from git')\nprint('ok')\n"})
    ok(api.call("POST", "/v2/admin/repositories", {"name": "repo-1", "url": repo.as_uri(), "username": "u",
                                                   "password": "p"}))
    ok(api.call("POST", "/v2/admin/applications", {"repositoryUrl": repo.as_uri(), "revision": "HEAD",
                                                   "path": "workflows", "applicationName": "repo-app"}))
    container().git_sync.sync_application(TenantContext("t1"), "repo-app")
    config = ok(api.call("POST", "/v2/lm/configurations", {"name": "repo-cfg", "scenarioId": "repo-scn",
                                                           "executableId": "repo-train"}))["id"]
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": config}))
    done = wait_for(api, execution["id"])
    assert done["status"] == "COMPLETED", done
    got = api.call("GET", f"{FILES}/default/{done['id']}/model/m.txt", headers=ANY)
    assert got.body == b"from git"
    assert (container().settings.home / "checkouts" / "t1").is_dir()  # exported under AICORE_HOME only


def processes_of(execution_id: str) -> list:
    """Host pids of live processes carrying this execution's AICORE_EXECUTION_ID (we run as root: all readable)."""
    needle = f"AICORE_EXECUTION_ID={execution_id}".encode()
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0") and _alive(int(entry)):
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def _cmdline(pid: int) -> list:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [part.decode() for part in f.read().split(b"\0") if part]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie waiting to be reaped is dead
    except FileNotFoundError:
        return False
