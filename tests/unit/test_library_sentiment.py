"""The AI Library's sentiment-analysis package without a platform: its templates sync, its data is what its generator
writes, its training reproduces the model card and its evaluation fails below it, and its predictor labels sentences
over KServe's v1 protocol."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.adapters.git.argo import validate_workflow_template
from chalicelib.domain.templates import parse_file
from tests.support.library_predictor import post
from tests.support.library_predictor import predictor as serving

PACKAGE = Path(__file__).resolve().parents[2] / "library" / "sentiment-analysis"
SRC = PACKAGE / "src"
CARD = json.loads((SRC / "model_card_metrics.json").read_text())
# Written here, not taken from the data: plain statements a reader labels without hesitation.
CLEAR = [("The staff were friendly and the food was delicious", "positive"),
         ("Great value, it works perfectly and arrived early", "positive"),
         ("It broke on the first day and the refund never came", "negative"),
         ("Terrible service, they charged me twice and ignored my emails", "negative")]


def step(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SRC / script), *args], timeout=120, capture_output=True, text=True,
                          cwd=SRC)


@pytest.mark.parametrize("name,deployable", [("training.yaml", False), ("serving.yaml", True)])
def test_templates_pass_the_sync_rules(name, deployable):
    outcome = parse_file(name, (PACKAGE / "templates" / name).read_text(), validate_workflow_template)
    assert outcome.ok, [e.message for e in outcome.errors]
    (template,) = outcome.templates
    assert template.scenario_id == "sentiment-analysis" and template.deployable is deployable
    assert template.name == ("sentiment-analysis-serve" if deployable else "sentiment-analysis-train")
    if deployable:
        assert [a.name for a in template.input_artifacts] == ["sentimentmodel"]
    else:
        assert [a.name for a in template.input_artifacts] == ["reviews"]
        assert [a.name for a in template.output_artifacts] == ["sentimentmodel"]
        assert {p.name for p in template.parameters} == {"regularization_c", "tolerance"}


def test_cicd_config_binds_the_dataset_and_deploys_what_the_training_produced():
    config = json.loads((PACKAGE / "cicd" / "config.json").read_text())
    assert config["application"]["name"] == "sentiment-analysis"
    (dataset,) = config["artifacts"]
    assert dataset["url"] == "ai://default/sentiment-analysis/data" and dataset["key"] == "reviews"
    (deployment,) = config["deployments"]
    assert deployment["configuration"]["input_artifact_bindings"] == [{"key": "sentimentmodel", "from_execution": 0}]


def test_the_model_card_states_the_numbers_the_evaluation_checks():
    card = (PACKAGE / "MODEL_CARD.md").read_text()
    stated = dict(re.findall(r"^\| (accuracy|macro F1) \| ([0-9.]+) \|$", card, re.MULTILINE))
    assert {"accuracy": float(stated["accuracy"]), "macro_f1": float(stated["macro F1"])} == CARD


def test_the_bundled_data_is_what_the_seeded_generator_writes(tmp_path):
    made = step("generate_data.py", str(tmp_path))
    assert made.returncode == 0, made.stderr
    bundled = (PACKAGE / "data" / "reviews.csv").read_bytes()
    assert (tmp_path / "reviews.csv").read_bytes() == bundled and len(bundled) < 1_000_000
    labels = [line.rsplit(",", 1)[1] for line in bundled.decode().splitlines()[1:]]
    assert labels.count("positive") == labels.count("negative") == 400


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sentiment-model")
    done = step("train.py", "--data", str(PACKAGE / "data"), "--output", str(folder))
    assert done.returncode == 0, done.stderr
    assert "600 reviews" in done.stdout and "200 held out" in done.stdout
    return folder


def test_evaluation_reproduces_the_model_card(trained):
    done = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--tolerance", "0.0")
    assert done.returncode == 0, done.stdout + done.stderr
    measured = dict(re.findall(r"(accuracy|macro_f1) ([0-9.]+)", done.stdout))
    assert {k: float(v) for k, v in measured.items()} == CARD


def test_evaluation_fails_below_the_card_minus_the_tolerance(trained, tmp_path):
    stricter = tmp_path / "card.json"
    stricter.write_text(json.dumps({**CARD, "macro_f1": CARD["macro_f1"] + 0.05}))
    done = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--card", str(stricter))
    assert done.returncode != 0 and "below the model card" in done.stderr and "macro_f1" in done.stderr
    assert "accuracy" not in done.stderr
    lenient = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--card", str(stricter),
                   "--tolerance", "0.06")
    assert lenient.returncode == 0, lenient.stderr


@pytest.fixture(scope="module")
def predictor(trained):
    with serving(SRC, trained, "sentiment-analysis") as base:
        yield base + ":predict"


def test_clear_sentences_are_labelled_with_a_probability(predictor):
    status, answer = post(predictor, json.dumps({"instances": [text for text, _ in CLEAR]}).encode())
    assert status == 200, answer
    assert [p["label"] for p in answer["predictions"]] == [label for _, label in CLEAR]
    assert all(0.5 < p["score"] <= 1 for p in answer["predictions"])


def test_the_example_request_is_positive_then_negative(predictor):
    example = json.loads((PACKAGE / "example-request.json").read_text())
    assert example["path"] == "/v1/models/sentiment-analysis:predict" and example["describe"]
    status, answer = post(predictor, json.dumps(example["body"]).encode())
    assert status == 200 and [p["label"] for p in answer["predictions"]] == ["positive", "negative"], answer


@pytest.mark.parametrize("body,named", [
    (b"not json", "not JSON"),
    (b'{"inputs": ["a"]}', "instances must be a non-empty list"),
    (b'{"instances": [3]}', "instances[0] must be a non-empty string"),
    (b'{"instances": ["fine", "  "]}', "instances[1] must be a non-empty string"),
])
def test_a_bad_body_is_a_400_that_says_what_is_wrong(predictor, body, named):
    status, answer = post(predictor, body)
    assert status == 400 and named in answer["error"], answer
