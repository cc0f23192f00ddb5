"""`aicore-ops` (aicore_ops/) against the running stack, as a user runs it: a subprocess configured only from the
stack's exports, on the example's content (prepared as test_example_text_classifier.py does)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.support.git_repo import commit_tree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "text-classifier"
RG = "ops-rg"


SCRIPT = Path(sys.executable).parent / "aicore-ops"  # the console script make install puts in .venv/bin


def cli(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


class Api:
    """Direct AI API calls, to check what the CLI did without trusting its own report."""

    def __init__(self, exports: dict):
        self.base = exports["AICORE_BASE_URL"]
        token = requests.post(exports["AICORE_AUTH_URL"], data={"grant_type": "client_credentials"}, timeout=10,
                              auth=(exports["AICORE_CLIENT_ID"], exports["AICORE_CLIENT_SECRET"])).json()
        self.headers = {"Authorization": f"Bearer {token['access_token']}", "AI-Resource-Group": RG}

    def call(self, method: str, path: str, **kwargs):
        response = requests.request(method, f"{self.base}{path}", headers=self.headers, timeout=10, **kwargs)
        assert response.ok, response.text
        return response.json() if response.content else None

    def declared_artifacts(self) -> list:
        """Artifacts registered by a client; a run's outputs (executionId set) are new on every run by nature."""
        items = self.call("GET", "/lm/artifacts", params={"$top": 1000})["resources"]
        return [a for a in items if not a.get("executionId")]

    def configurations(self) -> list:
        return self.call("GET", "/lm/configurations", params={"$top": 1000})["resources"]


@pytest.fixture(scope="module")
def ops(stack, tmp_path_factory):
    """The example's content in its own Git repository, a resource group with the default object store and the
    training data uploaded; returns (env for the CLI, content folder, Api)."""
    content = tmp_path_factory.mktemp("ops") / "text-classifier"
    shutil.copytree(EXAMPLE, content, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    config = content / "cicd" / "config.json"
    config.write_text(config.read_text().replace("REPLACE_WITH_YOUR_REPOSITORY_URL", content.as_uri()))
    commit_tree(content, {str(p.relative_to(content)): p.read_text() for p in content.rglob("*") if p.is_file()})

    # A tenant of its own: the example's repository and its runs must not meet the other modules' (they share
    # the session's stack, and `apply --cleanup` removes every run of its group).
    exports = {**stack.mint_tenant("aicore-ops"), "AICORE_RESOURCE_GROUP": RG}
    api = Api(exports)
    requests.post(f"{api.base}/admin/resourceGroups", json={"resourceGroupId": RG}, headers=api.headers, timeout=10)
    api.call("POST", "/admin/objectStoreSecrets", json={
        "name": "default", "type": "S3", "pathPrefix": "ops",
        "data": {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}})
    upload = requests.put(f"{api.base}/lm/dataset/files/default/text-classifier/data/reviews.csv", timeout=10,
                          data=(EXAMPLE / "data" / "reviews.csv").read_bytes(),
                          headers={**api.headers, "Content-Type": "text/csv"})
    assert upload.status_code == 201, upload.text
    home = tmp_path_factory.mktemp("ops-home")  # no profile files: the exports alone configure the CLI
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AICORE_")}, **exports,
           "AICORE_HOME": str(home)}
    return env, content, api


@pytest.fixture(scope="module")
def applied(ops):
    env, content, api = ops
    run = cli(env, "apply", str(content / "cicd" / "config.json"), "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout), run.stderr


def test_apply_trains_then_serves_and_the_deployment_predicts(ops, applied):
    env, content, api = ops
    outcome, progress = applied
    assert [(r["kind"], r["status"]) for r in outcome["runs"]] == [("execution", "COMPLETED"),
                                                                   ("deployment", "RUNNING")]
    assert "evaluate: accuracy" in progress and "synced at" in progress  # the followed logs, the sync
    deployment = outcome["runs"][1]["id"]
    data = content / "reviews.json"
    data.write_text(json.dumps({"instances": ["The screen is excellent. I love it", "It keeps crashing"]}))
    answer = cli(env, "predict", deployment, "--data", f"@{data}", "--path", "/v1/models/text-classifier:predict",
                 "--json")
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout) == {"predictions": ["positive", "negative"]}


def test_second_apply_of_an_unchanged_file_creates_no_artifact_or_configuration(ops, applied):
    """In the seed's shape: every input bound to a declared artifact (here the model the first apply trained)."""
    env, content, api = ops
    outcome, _ = applied
    model = next(a for a in api.call("GET", f"/lm/executions/{outcome['runs'][0]['id']}")["outputArtifacts"]
                 if a["name"] == "textmodel")
    config = json.loads((content / "cicd" / "config.json").read_text())
    config["artifacts"].append({"key": "textmodel", "name": "trained model", "kind": "model", "url": model["url"],
                                "scenario_id": "text-classifier"})
    config["deployments"][0]["configuration"]["input_artifact_bindings"] = [{"key": "textmodel"}]
    seed_shaped = content / "cicd" / "seed-shaped.json"
    seed_shaped.write_text(json.dumps(config))

    first = cli(env, "apply", str(seed_shaped), "--cleanup", "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    assert {r["id"] for r in json.loads(first.stdout)["cleaned"]} >= {r["id"] for r in outcome["runs"]}
    before = (len(api.declared_artifacts()), len(api.configurations()))
    second = cli(env, "apply", str(seed_shaped), "--json")
    assert second.returncode == 0, second.stdout + second.stderr
    assert (len(api.declared_artifacts()), len(api.configurations())) == before
    again = json.loads(second.stdout)
    assert not any(a["created"] for a in again["artifacts"].values())
    assert not any(c["created"] for c in again["configurations"])
    assert [r["status"] for r in again["runs"]] == ["COMPLETED", "RUNNING"]  # its runs start again


def test_logs_follow_ends_with_the_run_and_prints_the_steps_in_order(ops, applied):
    env, content, api = ops
    outcome, _ = applied
    training = next(c for c in outcome["configurations"] if c["name"] == "text-classifier training")
    run_id = api.call("POST", "/lm/executions", json={"configurationId": training["id"]})["id"]
    followed = cli(env, "logs", run_id, "-f", timeout=240)
    assert followed.returncode == 0, followed.stderr
    assert api.call("GET", f"/lm/executions/{run_id}")["status"] == "COMPLETED"  # it returned when the run ended
    text = followed.stdout
    marks = [text.find("preprocess:"), text.find("train:"), text.find("evaluate: accuracy")]
    assert -1 not in marks and marks == sorted(marks), text


def test_a_broken_template_stops_apply_naming_the_file_and_reason(ops, tmp_path):
    env, _, _ = ops
    commit_tree(tmp_path, {"templates/broken.yaml": "kind: [broken"})
    config = {"application": {"name": "ops-broken", "repository_url": tmp_path.as_uri(), "revision": "HEAD",
                              "path": "templates"},
              "artifacts": [],
              "executions": [{"configuration": {"name": "never", "scenario_id": "ops-broken",
                                                "executable_id": "ops-broken-train", "parameter_bindings": [],
                                                "input_artifact_bindings": []}, "wait_for_status": "COMPLETED"}],
              "deployments": []}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    run = cli(env, "apply", str(path))
    assert run.returncode == 4, run.stdout + run.stderr
    said = " ".join((run.stdout + run.stderr).split())
    assert "templates/broken.yaml" in said and "invalid YAML" in said and "ops-broken-train" in said


def test_json_output_parses_and_secrets_stay_hidden(ops, applied):
    env, content, api = ops
    listed = cli(env, "runs", "--json")
    assert listed.returncode == 0, listed.stderr
    runs = [r["id"] for kind in ("executions", "deployments") for r in api.call("GET", f"/lm/{kind}")["resources"]]
    assert runs and sorted(r["id"] for r in json.loads(listed.stdout)) == sorted(runs)
    plan = cli(env, "apply", str(content / "cicd" / "config.json"), "--dry-run", "--json")
    assert plan.returncode == 0, plan.stderr
    steps = json.loads(plan.stdout)["plan"]
    assert len(steps) == 5 and f"resource group {RG}" in steps[0] and "text-classifier-train" in steps[1], steps
    shown = cli(env, "profile", "--json")
    assert json.loads(shown.stdout)["client_secret"] == "***"
    assert env["AICORE_CLIENT_SECRET"] not in shown.stdout + shown.stderr


def test_sync_wait_shows_each_template(ops, applied):
    env, _, _ = ops
    shown = cli(env, "sync", "text-classifier", "--wait", "--json")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    result = json.loads(shown.stdout)
    assert result["sync_status"] == "Synced" and result["finished"] and not result["broken"]
    assert {"text-classifier-train", "text-classifier-serve"} <= {r["name"] for r in result["synced"]}
    table = cli(env, "sync", "text-classifier", "--wait")
    assert table.returncode == 0 and "text-classifier-train" in table.stdout and "Synced" in table.stdout


def _finished(api: Api, execution_id: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        run = api.call("GET", f"/lm/executions/{execution_id}")
        if run["status"] in ("COMPLETED", "DEAD", "STOPPED") or time.monotonic() > deadline:
            return run
        time.sleep(1)


def test_metrics_and_compare_show_parameters_and_final_metrics(ops, applied):
    env, _, api = ops
    outcome, _ = applied  # its runs may be gone (the --cleanup above): start two of its training's own
    training = next(c for c in outcome["configurations"] if c["name"] == "text-classifier training")
    first = api.call("POST", "/lm/executions", json={"configurationId": training["id"]})["id"]
    conf = api.call("GET", f"/lm/configurations/{training['id']}")
    other = api.call("POST", "/lm/configurations", json={
        "name": "ops strong regularisation", "scenarioId": conf["scenarioId"], "executableId": conf["executableId"],
        "parameterBindings": [{"key": "alpha", "value": "0.1"}], "inputArtifactBindings": conf["inputArtifactBindings"]})
    second = api.call("POST", "/lm/executions", json={"configurationId": other["id"]})["id"]
    assert _finished(api, first)["status"] == "COMPLETED" and _finished(api, second)["status"] == "COMPLETED"

    metrics = cli(env, "metrics", first, "--json")
    assert metrics.returncode == 0, metrics.stderr
    logged = {m["name"]: m["value"] for m in json.loads(metrics.stdout)["metrics"]}
    assert 0 < logged["accuracy"] <= 1
    table = cli(env, "metrics", first)
    assert "accuracy" in table.stdout and str(logged["accuracy"])[:4] in table.stdout

    compared = cli(env, "compare", first, second, "--json")
    assert compared.returncode == 0, compared.stderr
    columns = json.loads(compared.stdout)
    assert columns[second]["param alpha"] == "0.1" and columns[first]["param alpha"] == "0.5"
    assert all(columns[r]["status"] == "COMPLETED" and "metric accuracy" in columns[r] for r in (first, second))
    assert "param alpha" in cli(env, "compare", first, second).stdout
    assert cli(env, "compare", first).returncode == 2  # one id compares nothing: a usage error


def test_api_errors_exit_3_with_the_api_message(ops):
    env, _, _ = ops
    missing = cli(env, "stop", "does-not-exist")
    assert missing.returncode == 3, missing.stdout + missing.stderr
    assert "API error" in missing.stderr


def test_a_run_that_ends_dead_fails_apply_with_its_status_message(ops, applied):
    env, content, _ = ops
    config = json.loads((content / "cicd" / "config.json").read_text())
    config["executions"][0]["configuration"]["parameter_bindings"] = [{"key": "alpha", "value": "0.5"},
                                                                      {"key": "min_accuracy", "value": "1.1"}]
    config["deployments"] = []
    path = content / "cicd" / "unreachable.json"
    path.write_text(json.dumps(config))
    run = cli(env, "apply", str(path))
    assert run.returncode == 4, run.stdout + run.stderr
    said = " ".join(run.stderr.split())
    assert "ended DEAD instead of COMPLETED" in said, run.stdout + run.stderr
    assert "Step 'pipeline.evaluate' failed" in said  # the run's statusMessage
    assert "accuracy" in run.stdout  # the followed logs show why before the exit


def test_stop_stops_a_running_deployment(ops):
    """Last in the module: it stops the group's running deployment (and frees its predictor for other modules)."""
    env, _, api = ops
    running = [d["id"] for d in api.call("GET", "/lm/deployments", params={"status": "RUNNING"})["resources"]]
    assert running, "the applies above leave a RUNNING deployment"
    stopped = cli(env, "stop", running[-1], "--json")
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(stopped.stdout) == {"kind": "deployment", "id": running[-1], "targetStatus": "STOPPED"}
    deadline = time.monotonic() + 120
    while api.call("GET", f"/lm/deployments/{running[-1]}")["status"] != "STOPPED":
        assert time.monotonic() < deadline, "the deployment did not stop"
        time.sleep(1)
