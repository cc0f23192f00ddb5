"""The AI Library's flake-analysis package installed on the local stack the way its installer does it (copy into a
Git repository, resource group, `default` object store, data uploaded, `aicore-ops apply`): the training and its
evaluation complete with the model card's numbers as execution metrics, and the deployment scores run histories."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.support.git_repo import commit_tree
from tests.support.stack_process import wait_for

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "library" / "flake-analysis"
RG = "flake-rg"
SCRIPT = Path(sys.executable).parent / "aicore-ops"
PREDICT = "/v1/models/flake-analysis:predict"


def run(revision: str, outcome: str, duration: float, retries=()) -> dict:
    return {"revision": revision, "outcome": outcome, "duration_s": duration, "retries": list(retries)}


# Written here, not taken from the package: a test that passes and fails on the same commits and whose failures
# pass when the job retries them, and a test that has passed on every commit.
FLIP_FLOP = [run(f"rev{i // 2}", "fail" if i % 3 == 1 else "pass", 2.0 + (i % 3 == 1) * 6.0,
                 ["pass"] if i % 3 == 1 else []) for i in range(18)]
STABLE = [run(f"rev{i // 2}", "pass", 0.8 + (i % 2) * 0.02) for i in range(18)]


@pytest.fixture(scope="module")
def installed(stack, tmp_path_factory):
    content = tmp_path_factory.mktemp("flake") / "flake-analysis"
    shutil.copytree(PACKAGE, content, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    config = content / "cicd" / "config.json"
    config.write_text(config.read_text().replace("REPLACE_WITH_YOUR_REPOSITORY_URL", content.as_uri()))
    commit_tree(content, {str(p.relative_to(content)): p.read_text() for p in content.rglob("*") if p.is_file()})

    exports = {**stack.mint_tenant("flake"), "AICORE_RESOURCE_GROUP": RG}
    base = exports["AICORE_BASE_URL"]
    token = requests.post(exports["AICORE_AUTH_URL"], data={"grant_type": "client_credentials"}, timeout=10,
                          auth=(exports["AICORE_CLIENT_ID"], exports["AICORE_CLIENT_SECRET"])).json()
    headers = {"Authorization": f"Bearer {token['access_token']}", "AI-Resource-Group": RG}
    requests.post(f"{base}/admin/resourceGroups", json={"resourceGroupId": RG}, headers=headers, timeout=10)
    secret = {"name": "default", "type": "S3", "pathPrefix": "flake",
              "data": {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}}
    assert requests.post(f"{base}/admin/objectStoreSecrets", json=secret, headers=headers, timeout=10).ok
    for path in (PACKAGE / "data").iterdir():
        upload = requests.put(f"{base}/lm/dataset/files/default/flake-analysis/data/{path.name}", timeout=30,
                              data=path.read_bytes(), headers={**headers, "Content-Type": "text/csv"})
        assert upload.status_code == 201, upload.text

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AICORE_")}, **exports,
           "AICORE_HOME": str(tmp_path_factory.mktemp("flake-home"))}
    applied = subprocess.run([str(SCRIPT), "apply", str(config), "--json"], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=300)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    outcome = json.loads(applied.stdout)
    yield base, headers, outcome, applied.stderr
    for item in outcome["runs"]:
        if item["kind"] == "deployment":  # predictors are processes: stop this module's own (if a test failed first)
            requests.patch(f"{base}/lm/deployments/{item['id']}", json={"targetStatus": "STOPPED"},
                           headers=headers, timeout=10)


def test_training_completes_with_the_model_cards_numbers_as_metrics(installed):
    base, headers, outcome, progress = installed
    assert [(r["kind"], r["status"]) for r in outcome["runs"]] == [("execution", "COMPLETED"),
                                                                   ("deployment", "RUNNING")]
    assert "within 0.02 of the model card" in progress  # the evaluation step's own verdict, followed by apply
    card = json.loads((PACKAGE / "src" / "model_card_metrics.json").read_text())
    metrics = requests.get(f"{base}/lm/metrics", headers=headers, timeout=10,
                           params={"executionIds": outcome["runs"][0]["id"]}).json()
    logged = {m["name"]: m["value"] for r in metrics["resources"] for m in r.get("metrics", [])}
    for name, value in card.items():
        assert logged[name] == pytest.approx(value, abs=5e-5), (name, logged)
    assert logged["test_histories"] == 225


def test_the_deployment_scores_a_flip_flopping_history_high_and_a_stable_one_low(installed):
    base, headers, outcome, _ = installed
    url = outcome["runs"][1]["deploymentUrl"]
    ready = requests.get(f"{url}/v1/models/flake-analysis", headers=headers, timeout=10)
    assert ready.json() == {"name": "flake-analysis", "ready": True}
    answer = requests.post(f"{url}{PREDICT}", headers=headers, timeout=10, json={"instances": [
        {"test": "test_flips", "runs": FLIP_FLOP}, {"test": "test_steady", "runs": STABLE}]})
    assert answer.status_code == 200, answer.text
    flips, steady = answer.json()["predictions"]
    assert (flips["test"], steady["test"]) == ("test_flips", "test_steady")
    assert flips["flaky_probability"] > 0.9 > 0.1 > steady["flaky_probability"]
    assert flips["evidence"]["revisions_with_pass_and_fail"] == 6 and flips["evidence"]["failures_passed_on_retry"] == 6
    assert flips["evidence"]["drivers"][0]["log_odds"] > 0 and steady["evidence"]["failures"] == 0


def test_a_bad_body_is_a_400_naming_the_field(installed):
    base, headers, outcome, _ = installed
    url = outcome["runs"][1]["deploymentUrl"]
    wrong = requests.post(f"{url}{PREDICT}", headers=headers, timeout=10, json={"instances": [
        {"test": "t", "runs": [{"revision": "a1", "outcome": "flaky", "duration_s": 1}]}]})
    assert wrong.status_code == 400 and "instances[0].runs[0].outcome" in wrong.json()["error"], wrong.text
    assert requests.post(f"{url}{PREDICT}", headers=headers, timeout=10, data="not json").status_code == 400


def test_stopping_the_deployment_ends_its_predictor(installed):
    """Last in the module: the package's predictor is a process of the stack, and it stops with its deployment."""
    base, headers, outcome, _ = installed
    deployment, url = outcome["runs"][1]["id"], outcome["runs"][1]["deploymentUrl"]
    stop = requests.patch(f"{base}/lm/deployments/{deployment}", json={"targetStatus": "STOPPED"}, headers=headers,
                          timeout=10)
    assert stop.status_code == 202, stop.text
    wait_for(lambda: requests.get(f"{base}/lm/deployments/{deployment}", headers=headers,
                                  timeout=10).json()["status"] == "STOPPED", what="deployment STOPPED")
    after = requests.post(f"{url}{PREDICT}", headers=headers, timeout=10, json={"instances": []})
    assert after.status_code == 503, after.text
