"""The AI Library's sentiment-analysis package installed on the local stack by its installer (`aicore-ops library
install`, what `make library` runs): training and evaluation complete with the model card's numbers as execution
metrics, and the deployment labels sentences written here."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.support.library_install import install_package

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "library" / "sentiment-analysis"
PREDICT = "/v1/models/sentiment-analysis:predict"
CLEAR = [("Our waiter was friendly and the pizza was delicious", "positive"),
         ("The new router is fast and reliable, worth every penny", "positive"),
         ("The charger overheats constantly and stopped working after a week", "negative"),
         ("The courier was two hours late and the parcel arrived broken", "negative")]


@pytest.fixture(scope="module")
def installed(stack, tmp_path_factory):
    package = install_package(stack, tmp_path_factory.mktemp("sentiment-home"), "sentiment-analysis", "sentiment",
                              "sentiment-rg")
    yield package
    package.stop_deployments()  # predictors are processes: stop this module's own


def test_training_completes_with_the_model_cards_numbers_as_metrics(installed):
    assert [(r["kind"], r["status"]) for r in installed.result["runs"]] == [("execution", "COMPLETED"),
                                                                            ("deployment", "RUNNING")]
    assert "within 0.02 of the model card" in installed.progress
    card = json.loads((PACKAGE / "src" / "model_card_metrics.json").read_text())
    metrics = requests.get(f"{installed.base}/lm/metrics", headers=installed.headers, timeout=10,
                           params={"executionIds": installed.run("execution")["id"]}).json()
    logged = {m["name"]: m["value"] for r in metrics["resources"] for m in r.get("metrics", [])}
    for name, value in card.items():
        assert logged[name] == pytest.approx(value, abs=5e-5), (name, logged)
    assert logged["test_rows"] == 200


def test_the_deployment_labels_sentences_it_never_saw(installed):
    url = installed.run("deployment")["deploymentUrl"]
    ready = requests.get(f"{url}/v1/models/sentiment-analysis", headers=installed.headers, timeout=10)
    assert ready.json() == {"name": "sentiment-analysis", "ready": True}
    answer = requests.post(f"{url}{PREDICT}", headers=installed.headers, timeout=10,
                           json={"instances": [text for text, _ in CLEAR]})
    assert answer.status_code == 200, answer.text
    predictions = answer.json()["predictions"]
    assert [p["label"] for p in predictions] == [label for _, label in CLEAR]
    assert all(0.5 < p["score"] <= 1 for p in predictions)


def test_a_bad_body_is_a_400_saying_what_to_send(installed):
    url = installed.run("deployment")["deploymentUrl"]
    wrong = requests.post(f"{url}{PREDICT}", headers=installed.headers, timeout=10, json={"instances": [{"t": 1}]})
    assert wrong.status_code == 400 and "instances[0] must be a non-empty string" in wrong.json()["error"]
    assert requests.post(f"{url}{PREDICT}", headers=installed.headers, timeout=10, data="nope").status_code == 400
