"""Executions through the local engine: real processes, in-process moto, the API in front (chalice.test)."""
from __future__ import annotations

import io
import tarfile

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind
from tests.support.local_engine import FILES, TUTORIAL, configure, dataset, ok, seed_template, wait_for

ANY = {"Accept": "*/*"}

SEED_STYLE = {  # python preprocess.py --input /data/input --output /data/processed, across dag tasks: each task is
    # its own pod, so the processed folder goes from one to the next as a declared artifact, as on a cluster
    "metadata": {"name": "text-train"},
    "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "dag": {"tasks": [
            {"name": "preprocess", "template": "preprocess"},
            {"name": "train", "template": "train", "dependencies": ["preprocess"],
             "arguments": {"artifacts": [{"name": "processed",
                                          "from": "{{tasks.preprocess.outputs.artifacts.processed}}"}]}}]}},
        {"name": "preprocess", "inputs": {"artifacts": [{"name": "dataset", "path": "/data/input"}]},
         "outputs": {"artifacts": [{"name": "processed", "path": "/data/processed"}]},
         "container": {"image": "text:latest", "command": ["python", "preprocess.py", "--input", "/data/input",
                                                           "--output", "/data/processed"]}},
        {"name": "train", "inputs": {"artifacts": [{"name": "processed", "path": "/data/processed"}]},
         "outputs": {"artifacts": [{"name": "model", "globalName": "textmodel", "path": "/data/model"}]},
         "container": {"image": "text:latest", "command": ["python", "train.py", "--input", "/data/processed",
                                                           "--output", "/data/model"]}}]}}


def reference_style(shared_folder: bool = False) -> dict:
    """AI Core's ML Operations reference: the dataset declared once, at workflow level, with a path. With
    `shared_folder` train reads /data/processed without declaring it, as if the steps shared a disk."""
    passed = {} if shared_folder else {"arguments": {"artifacts": [{
        "name": "processed", "from": "{{steps.preprocess.outputs.artifacts.processed}}"}]}}
    return {
        "metadata": {"name": "reference-train-shared" if shared_folder else "reference-train"},
        "spec": {"entrypoint": "main",
                 "arguments": {"artifacts": [{"name": "dataset", "path": "/data/input", "archive": {"none": {}}}]},
                 "templates": [
                     {"name": "main", "steps": [[{"name": "preprocess", "template": "preprocess"}],
                                                [{"name": "train", "template": "train", **passed}]]},
                     {"name": "preprocess",
                      "outputs": {"artifacts": [{"name": "processed", "path": "/data/processed"}]},
                      "container": {"image": "text:latest", "command": ["python", "preprocess.py"],
                                    "args": ["--input", "/data/input", "--output", "/data/processed"]}},
                     {"name": "train",
                      "inputs": {"artifacts": [] if shared_folder else [{"name": "processed",
                                                                         "path": "/data/processed"}]},
                      "outputs": {"artifacts": [{"name": "model", "globalName": "textmodel",
                                                 "path": "/data/model", "archive": {"none": {}}}]},
                      "container": {"image": "text:latest", "command": ["python", "train.py"],
                                    "args": ["--input", "/data/processed", "--output", "/data/model"]}}]}}


REFERENCE_STYLE = reference_style()


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


def test_a_step_that_leans_on_a_folder_an_earlier_step_wrote_fails_saying_why(engine_api):
    """Each step is its own pod: /data/processed of preprocess is not in train's pod unless passed as an artifact
    (on a cluster it fails the same way); the failure names the step that wrote it and what to do."""
    api = engine_api
    from chalicelib.bootstrap import container

    seed_template(container().store, reference_style(shared_folder=True), inputs=["dataset"], outputs=["textmodel"])
    data = dataset(api, "shared/reviews.txt", b"Great Movie\n")
    config = configure(api, "reference-train-shared", artifacts=[("dataset", data)])
    done = wait_for(api, ok(api.call("POST", "/v2/lm/executions", {"configurationId": config}))["id"])
    assert done["status"] == "DEAD", done
    assert ("'/data/processed' was written by step 'main.preprocess', but each step is its own pod: pass it as an "
            "output artifact of that step and an input artifact of this one") in done["statusMessage"], done
    assert [s["status"] for s in done["statusDetails"]["steps"]] == ["Succeeded", "Failed"]


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
    assert "Error (exit code 3); no more retries left after 2 attempts" in done["statusMessage"]
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
    assert done["statusMessage"].startswith("Step 'main'"), done["statusMessage"]
    assert "could not start: this host refuses the private mount and pid namespaces" in done["statusMessage"]
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


