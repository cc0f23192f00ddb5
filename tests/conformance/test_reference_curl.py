"""The ML Operations reference users follow (../shared/seeds/001_*.txt): every curl call in it, taken from the
reference's own text and run with the real /usr/bin/curl through bash, exactly as written; only the placeholders
are filled in ($AI_API_URL, $AUTH_TOKEN, <configuration-id> ... from earlier answers).

The repository URL is the reference's placeholder (its text has it markdown-mangled): it becomes a local Git
repository holding the reference's own "Basic Structure" template (content in tests/conformance/reference/), and
its images map to folders with the steps' preprocess.py, train.py (the reference's `log_metrics`) and evaluate.py.
The whole walk runs twice against the same stack: a user runs their script again. The reference's template has
its steps share /data, which Argo's pods do not: its execution ends DEAD as on a cluster, saying why; the same
template with the hand-overs declared as artifacts trains.
"""
from __future__ import annotations

import base64
import json
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import pytest

from tests.support.git_repo import commit_tree
from tests.support.stack_process import ROOT, StackProcess, wait_for

SEED = ROOT.parent / "shared" / "seeds" / "001_6e5326952730d5d3.txt"
CONTENT = Path(__file__).resolve().parent / "reference"
CURL = "/usr/bin/curl"
IMAGES = {"my-registry/preprocessing": "preprocessing", "my-registry/training": "training",
          "my-registry/evaluation": "evaluation"}
DOCKER_CONFIG = {"auths": {"my-registry.example.com": {"username": "ci", "password": "registry-password",
                                                       "auth": base64.b64encode(b"ci:registry-password").decode()}}}
# The reference's markdown turned `"url": "https://...",` into `"url": "[https://...",](https://...",)`.
MANGLED_LINK = re.compile(r"\[(https?://[^\]\s]*)\]\(\1\)")

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"the reference seed {SEED} is not beside the clone")


def curl_calls(text: str) -> List[str]:
    """Each `curl ...` of the text with its continuation lines (trailing `\\`, or an open single quote)."""
    calls, current = [], None
    for line in text.splitlines():
        if current is None and line.startswith("curl "):
            current = line
        elif current is not None:
            current += "\n" + line
        else:
            continue
        if not current.endswith("\\") and current.count("'") % 2 == 0:
            calls.append(MANGLED_LINK.sub(r"\1", current))
            current = None
    return calls


def call_key(command: str) -> Tuple[str, str]:
    """(method, path with placeholders) of a reference call, e.g. ('GET', '/v2/lm/executions/<execution-id>')."""
    method = re.search(r"-X (\w+)", command)
    url = re.search(r'"\$AI_API_URL(/[^"?]*)', command)
    return (method[1] if method else "GET"), url[1]


@dataclass
class Answer:
    status: int
    text: str

    def json(self):
        return json.loads(self.text)


@dataclass
class Reference:
    """The reference's calls by (method, path), run through bash with /usr/bin/curl as written."""

    calls: Dict[Tuple[str, str], str]
    home: Path  # HOME of the shell: its .curlrc makes curl print the status code after the body
    env: Dict[str, str] = field(default_factory=dict)

    def run(self, method: str, path: str, **fill: str) -> Answer:
        command = self.calls[(method, path)]
        for placeholder, value in fill.items():
            command = command.replace(f"<{placeholder}>", value)
        assert not re.search(r"<[a-z-]+>", command), f"unfilled placeholder in:\n{command}"
        done = subprocess.run(["/bin/bash", "-c", command], env={**self.env, "HOME": str(self.home)},
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"curl failed ({done.returncode}): {done.stderr}\n{command}"
        body, _, status = done.stdout.rpartition("\n")
        return Answer(int(status), body)


def curl(*args: str) -> Answer:
    """A call the reference does not spell out (token, dataset upload, application): curl all the same."""
    done = subprocess.run([CURL, "-s", "-w", "\n%{http_code}", *args], capture_output=True, text=True, timeout=60)
    body, _, status = done.stdout.rpartition("\n")
    return Answer(int(status), body)


@pytest.fixture(scope="module")
def reference_stack(tmp_path_factory):
    home = tmp_path_factory.mktemp("reference-home")
    images = "\n".join(f"  {image}: {CONTENT / 'images' / folder}" for image, folder in IMAGES.items())
    (home / "images.yaml").write_text(f"images:\n{images}\n")
    process = StackProcess(home).start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def reference(reference_stack, tmp_path_factory) -> Reference:
    exports = reference_stack.exports
    shell_home = tmp_path_factory.mktemp("shell-home")
    (shell_home / ".curlrc").write_text('silent\nshow-error\nwrite-out = "\\n%{http_code}"\n')
    token = curl("-u", f"{exports['AICORE_CLIENT_ID']}:{exports['AICORE_CLIENT_SECRET']}", "-d",
                 "grant_type=client_credentials", exports["AICORE_AUTH_URL"])
    assert token.status == 200, token.text
    root = exports["AICORE_BASE_URL"].removesuffix("/v2")
    calls = {call_key(c): c for c in curl_calls(SEED.read_text())}
    return Reference(calls, shell_home, {"PATH": "/usr/bin:/bin", "AI_API_URL": root,
                                         "AUTH_TOKEN": token.json()["access_token"]})


@dataclass
class Walk:
    answers: Dict[str, Answer] = field(default_factory=dict)
    execution: Optional[dict] = None
    stopped: Optional[dict] = None
    schedules: Optional[dict] = None


def walk(ref: Reference, repo_url: str) -> Walk:
    """The reference from top to bottom, as a user runs it (with the steps it leaves implicit: sync, data)."""
    out = Walk()
    a = out.answers
    headers = ["-H", f"Authorization: Bearer {ref.env['AUTH_TOKEN']}", "-H", "AI-Resource-Group: default"]
    api = ref.env["AI_API_URL"]

    a["object_store_secret"] = ref.run("POST", "/v2/admin/objectStoreSecrets", **{
        "access-key": "AKIAREFERENCE", "secret-key": "reference-secret-key"})
    a["docker_secret"] = ref.run("POST", "/v2/admin/dockerRegistrySecrets", **{
        "base64-encoded-docker-config": base64.b64encode(json.dumps(DOCKER_CONFIG).encode()).decode()})
    ref.calls[("POST", "/v2/admin/repositories")] = ref.calls[("POST", "/v2/admin/repositories")].replace(
        "https://github.com/org/training-workflows", repo_url)
    a["repository"] = ref.run("POST", "/v2/admin/repositories", **{"git-user": "git", "git-token": "unused"})

    # Between the reference's sections: an application syncs the repository, and the dataset gets a file.
    a["application"] = curl("-X", "POST", f"{api}/v2/admin/applications", *headers, "-H",
                            "Content-Type: application/json", "-d", json.dumps(
                                {"applicationName": "training-app", "repositoryUrl": repo_url, "revision": "HEAD",
                                 "path": "workflows"}))
    curl("-X", "POST", f"{api}/v2/admin/applications/training-app/refresh", *headers)
    # Synced, or Degraded (a broken file): test_the_reference_template_syncs_under_its_ids then shows why.
    wait_for(lambda: _settled(curl(f"{api}/v2/admin/applications/training-app/status", *headers).json()),
             timeout=60, what="application training-app synced")
    a["application_status"] = curl(f"{api}/v2/admin/applications/training-app/status", *headers)
    a["dataset_file"] = curl("-X", "PUT", f"{api}/v2/lm/dataset/files/default/datasets/training-v1/reviews.csv",
                             *headers, "-H", "Content-Type: text/csv", "--data-binary",
                             "text,label\nGreat product,1\nAwful service,0\nWould buy again,1\n")

    a["artifact"] = ref.run("POST", "/v2/lm/artifacts")
    assert a["artifact"].status == 201, a["artifact"].text
    a["artifacts"] = ref.run("GET", "/v2/lm/artifacts")
    a["configuration"] = ref.run("POST", "/v2/lm/configurations",
                                 **{"dataset-artifact-id": a["artifact"].json()["id"]})
    assert a["configuration"].status == 201, a["configuration"].text
    configuration_id = a["configuration"].json()["id"]

    a["execution"] = ref.run("POST", "/v2/lm/executions", **{"configuration-id": configuration_id})
    assert a["execution"].status == 202, a["execution"].text
    execution_id = a["execution"].json()["id"]
    out.execution = wait_for(lambda: _ended(ref.run("GET", "/v2/lm/executions/<execution-id>",
                                                    **{"execution-id": execution_id})),
                             timeout=120, interval=0.5, what=f"execution {execution_id} ended")
    a["execution_get"] = ref.run("GET", "/v2/lm/executions/<execution-id>", **{"execution-id": execution_id})
    a["logs"] = ref.run("GET", "/v2/lm/executions/<execution-id>/logs", **{"execution-id": execution_id})
    a["metrics"] = ref.run("GET", "/v2/lm/executions/<execution-id>/metrics", **{"execution-id": execution_id})

    # The stop call, on a second execution of the same configuration while it trains.
    second = ref.run("POST", "/v2/lm/executions", **{"configuration-id": configuration_id}).json()["id"]
    a["stop"] = ref.run("PATCH", "/v2/lm/executions/<execution-id>", **{"execution-id": second})
    out.stopped = wait_for(lambda: _ended(ref.run("GET", "/v2/lm/executions/<execution-id>",
                                                  **{"execution-id": second})),
                           timeout=60, interval=0.5, what=f"execution {second} stopped")

    a["schedule"] = ref.run("POST", "/v2/lm/executionSchedules", **{"configuration-id": configuration_id})
    a["schedules"] = ref.run("GET", "/v2/lm/executionSchedules")
    if a["schedule"].status == 202:
        a["schedule_delete"] = ref.run("DELETE", "/v2/lm/executionSchedules/<schedule-id>",
                                       **{"schedule-id": a["schedule"].json()["id"]})
        a["schedules_after"] = ref.run("GET", "/v2/lm/executionSchedules")
    return out


def _settled(status: dict) -> bool:
    return status.get("syncStatus") == "Synced" or status.get("healthStatus") == "Degraded"


def _ended(answer: Answer) -> Optional[dict]:
    body = answer.json()
    return body if body.get("status") in ("COMPLETED", "DEAD", "STOPPED") else None


@pytest.fixture(scope="module")
def walks(reference, tmp_path_factory) -> List[Walk]:
    repo = tmp_path_factory.mktemp("training-workflows")
    commit_tree(repo, {f"workflows/{name}": (CONTENT / "workflows" / name).read_text()
                       for name in ("text-classifier.yaml", "text-classifier-pods.yaml")})
    return [walk(reference, repo.as_uri()), walk(reference, repo.as_uri())]


def test_the_reference_lists_the_calls_this_module_runs(reference):
    assert sorted(reference.calls) == sorted([
        ("POST", "/v2/admin/objectStoreSecrets"), ("POST", "/v2/admin/dockerRegistrySecrets"),
        ("POST", "/v2/admin/repositories"), ("POST", "/v2/lm/artifacts"), ("GET", "/v2/lm/artifacts"),
        ("POST", "/v2/lm/configurations"), ("POST", "/v2/lm/executions"),
        ("GET", "/v2/lm/executions/<execution-id>"), ("GET", "/v2/lm/executions/<execution-id>/logs"),
        ("PATCH", "/v2/lm/executions/<execution-id>"), ("GET", "/v2/lm/executions/<execution-id>/metrics"),
        ("POST", "/v2/lm/executionSchedules"), ("GET", "/v2/lm/executionSchedules"),
        ("DELETE", "/v2/lm/executionSchedules/<schedule-id>")])


def test_prerequisites_are_created_then_found_existing(walks):
    first, second = walks[0].answers, walks[1].answers
    for key, created in (("object_store_secret", 202), ("docker_secret", 202), ("repository", 200)):
        assert first[key].status == created, (key, first[key].text)
        # A second run: the name is taken, and the answer says so (AI Core's 409), nothing is replaced.
        assert second[key].status == 409, (key, second[key].text)
        assert "already" in second[key].json()["error"]["message"]
    assert first["application"].status == 200 and second["application"].status == 409


def test_the_reference_template_syncs_under_its_ids(walks):
    for run in walks:
        status = run.answers["application_status"].json()
        assert status["syncStatus"] == "Synced" and status["healthStatus"] == "Healthy", status
        assert run.answers["dataset_file"].status in (201, 409)


def test_artifacts_register_and_list_by_scenario(walks):
    for index, run in enumerate(walks, start=1):
        artifact = run.answers["artifact"].json()
        assert artifact["message"] and artifact["url"] == "ai://default/datasets/training-v1"
        listed = run.answers["artifacts"].json()
        assert run.answers["artifacts"].status == 200 and listed["count"] == len(listed["resources"])
        datasets = [r for r in listed["resources"] if r["name"] == "training-dataset-v1"]
        assert len(datasets) == index and {r["scenarioId"] for r in listed["resources"]} == {"text-classifier"}


def test_the_execution_fails_as_it_would_on_a_cluster(walks):
    """The reference's template has its steps share /data, but on Argo each step is its own pod: the training
    step finds no /data/processed. It ends DEAD as it would on AI Core, and the message says why."""
    for run in walks:
        execution = run.execution
        assert execution["status"] == "DEAD", execution
        assert execution["scenarioId"] == "text-classifier" and execution["executableId"] == "text-classifier-train"
        message = execution["statusMessage"]
        assert "Step 'main.train' failed" in message and "/data/processed" in message, message
        assert "main.preprocess" in message and "own pod" in message, message
        assert not execution.get("outputArtifacts")
        got = run.answers["execution_get"]
        assert got.status == 200 and got.json()["id"] == execution["id"]
        logs = run.answers["logs"]
        assert logs.status == 200, logs.text
        text = "\n".join(line["msg"] for line in logs.json()["data"]["result"])
        assert "preprocessed 3 rows" in text and "No such file or directory" in text, text
        assert "epoch" not in text and "evaluated" not in text, text
        assert run.answers["metrics"].status == 200, run.answers["metrics"].text


@pytest.fixture(scope="module")
def with_artifacts(walks, reference) -> Tuple[dict, Answer, Answer]:
    """The same template with its hand-overs declared as artifacts (written by this project): it trains."""
    headers = ["-H", f"Authorization: Bearer {reference.env['AUTH_TOKEN']}", "-H", "AI-Resource-Group: default",
               "-H", "Content-Type: application/json"]
    api = reference.env["AI_API_URL"]
    dataset = walks[0].answers["artifact"].json()["id"]
    configuration = curl("-X", "POST", f"{api}/v2/lm/configurations", *headers, "-d", json.dumps({
        "name": "text-classifier-pods", "scenarioId": "text-classifier", "executableId": "text-classifier-train-pods",
        "parameterBindings": [{"key": "epochs", "value": "20"}],
        "inputArtifactBindings": [{"key": "training-data", "artifactId": dataset}]}))
    assert configuration.status == 201, configuration.text
    started = curl("-X", "POST", f"{api}/v2/lm/executions", *headers, "-d",
                   json.dumps({"configurationId": configuration.json()["id"]}))
    assert started.status == 202, started.text
    url = f"{api}/v2/lm/executions/{started.json()['id']}"
    execution = wait_for(lambda: _ended(curl(url, *headers)), timeout=120, interval=0.5, what="execution ended")
    return execution, curl(f"{url}/logs", *headers), curl(f"{url}/metrics", *headers)


def test_with_declared_artifacts_it_trains_and_evaluates(with_artifacts):
    execution, logs, _ = with_artifacts
    assert execution["status"] == "COMPLETED", execution
    outputs = {a["name"]: a for a in execution["outputArtifacts"]}
    assert outputs["trained-model"]["kind"] == "model"
    text = "\n".join(line["msg"] for line in logs.json()["data"]["result"])
    assert "preprocessed 3 rows" in text
    assert "epoch 19:" in text  # the configuration's epochs=20 won over the template default 10
    assert "evaluated model trained with lr=0.001 for 20 epochs on 3 rows" in text


def test_metrics_logged_by_the_reference_training_code_read_back(with_artifacts):
    metrics = with_artifacts[2]
    assert metrics.status == 200, metrics.text
    for name in ("train_loss", "val_loss", "accuracy"):  # whatever the shape, each name comes back
        assert f'"{name}"' in metrics.text, metrics.text


def test_stop_ends_a_running_execution(walks):
    for run in walks:
        assert run.answers["stop"].status == 202, run.answers["stop"].text
        assert run.answers["stop"].json()["id"] == run.stopped["id"]
        assert run.stopped["status"] == "STOPPED", json.dumps(run.stopped)


def test_schedule_as_written_is_created_listed_and_deleted(walks):
    for run in walks:
        created = run.answers["schedule"]
        assert created.status == 202, created.text
        schedule_id = created.json()["id"]
        # The reference's window is 2024: kept, and the answer says it will not run.
        assert "INACTIVE" in created.json()["message"], created.text
        listed = {s["id"]: s for s in run.answers["schedules"].json()["resources"]}
        assert listed[schedule_id]["name"] == "text-classifier-config-v1"  # the configuration's name
        assert (listed[schedule_id]["cron"], listed[schedule_id]["status"]) == ("0 0 * * 0", "INACTIVE")
        assert run.answers["schedule_delete"].status == 202
        assert schedule_id not in {s["id"] for s in run.answers["schedules_after"].json()["resources"]}
