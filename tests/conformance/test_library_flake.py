"""The AI Library's flake-analysis package installed on the local stack by its installer (`aicore-ops library
install`, what `make library` runs): the training and its
evaluation complete with the model card's numbers as execution metrics, and the deployment scores run histories."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.support.library_install import install_package
from tests.support.stack_process import wait_for

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "library" / "flake-analysis"
RG = "flake-rg"
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
    package = install_package(stack, tmp_path_factory.mktemp("flake-home"), "flake-analysis", "flake", RG)
    yield package.base, package.headers, package.result, package.progress
    package.stop_deployments()  # predictors are processes: stop this module's own (if a test failed first)


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
