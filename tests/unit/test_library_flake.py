"""The AI Library's flake-analysis package without a platform: its templates sync, its features read histories the
way they are documented, its data is what its generator writes, its training reproduces the model card and its
evaluation fails below it, and its predictor scores histories over KServe's v1 protocol."""
from __future__ import annotations

import importlib.util
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.adapters.git.argo import validate_workflow_template
from chalicelib.domain.templates import parse_file
from tests.support.library_predictor import post
from tests.support.library_predictor import predictor as serving

PACKAGE = Path(__file__).resolve().parents[2] / "library" / "flake-analysis"
SRC = PACKAGE / "src"
CARD = json.loads((SRC / "model_card_metrics.json").read_text())


def _load_history_module():
    """history.py under a name of its own: other packages' src folders have modules with the same plain names."""
    spec = importlib.util.spec_from_file_location("flake_analysis_history", SRC / "history.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


history = _load_history_module()


def step(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SRC / script), *args], timeout=120, capture_output=True, text=True,
                          cwd=SRC)


def runs(*items) -> list:
    """(revision, outcome, duration[, retries]) tuples as validated runs."""
    return history.parse_runs([{"revision": r, "outcome": o, "duration_s": d, "retries": list(rest[0]) if rest else []}
                               for r, o, d, *rest in items])


# --- the package's shape --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,deployable", [("training.yaml", False), ("serving.yaml", True)])
def test_templates_pass_the_sync_rules(name, deployable):
    outcome = parse_file(name, (PACKAGE / "templates" / name).read_text(), validate_workflow_template)
    assert outcome.ok, [e.message for e in outcome.errors]
    (template,) = outcome.templates
    assert template.scenario_id == "flake-analysis" and template.deployable is deployable
    assert template.name == ("flake-analysis-serve" if deployable else "flake-analysis-train")
    if deployable:
        assert [a.name for a in template.input_artifacts] == ["flakemodel"]
    else:
        assert [a.name for a in template.input_artifacts] == ["histories"]
        assert [a.name for a in template.output_artifacts] == ["flakemodel"]
        assert {p.name for p in template.parameters} == {"regularization_c", "tolerance"}


def test_cicd_config_binds_the_dataset_and_deploys_what_the_training_produced():
    config = json.loads((PACKAGE / "cicd" / "config.json").read_text())
    assert config["application"] == {"name": "flake-analysis", "repository_url": "REPLACE_WITH_YOUR_REPOSITORY_URL",
                                     "revision": "HEAD", "path": "templates"}
    (dataset,) = config["artifacts"]
    assert dataset["url"] == "ai://default/flake-analysis/data" and dataset["kind"] == "dataset"
    (execution,) = config["executions"]
    assert execution["configuration"]["executable_id"] == "flake-analysis-train"
    assert execution["wait_for_status"] == "COMPLETED"
    (deployment,) = config["deployments"]
    assert deployment["configuration"]["input_artifact_bindings"] == [{"key": "flakemodel", "from_execution": 0}]
    assert deployment["wait_for_status"] == "RUNNING"


def test_the_model_card_states_the_numbers_the_evaluation_checks():
    card = (PACKAGE / "MODEL_CARD.md").read_text()
    stated = dict(re.findall(r"^\| (ROC AUC|precision|recall)[^|]*\| \*\*([0-9.]+)\*\* \|$", card, re.MULTILINE))
    assert {"roc_auc": float(stated["ROC AUC"]), "precision": float(stated["precision"]),
            "recall": float(stated["recall"])} == CARD


def test_the_bundled_data_is_what_the_seeded_generator_writes(tmp_path):
    made = subprocess.run([sys.executable, str(SRC / "generate_data.py"), "--output", str(tmp_path / "h.csv")],
                          cwd=SRC, capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    bundled = PACKAGE / "data" / "histories.csv"
    assert (tmp_path / "h.csv").read_bytes() == bundled.read_bytes()
    assert sum(p.stat().st_size for p in (PACKAGE / "data").iterdir()) < 1_000_000
    kinds = {h.kind for h in history.read_dataset(bundled)}
    assert kinds == {"healthy", "flaky", "failing"}


# --- the history shape and its features ------------------------------------------------------------------------

def test_features_of_a_history_that_flips_on_the_same_revision():
    history_runs = runs(("a", "pass", 1.0), ("a", "fail", 3.0, ["pass"]), ("b", "pass", 1.0),
                        ("c", "fail", 3.0, ["fail", "fail"]), ("c", "fail", 1.0), ("d", "pass", 3.0))
    counted = history.counts(history_runs)
    assert counted == {"runs": 6, "failures": 3, "flips": 4, "revisions": 4, "revisions_with_pass_and_fail": 1,
                       "failures_passed_on_retry": 1, "longest_failure_streak": 2}
    values = history.features(history_runs)
    assert values["failure_rate"] == 0.5 and values["flip_rate"] == 0.8
    assert values["revision_flip_share"] == 0.25 and values["retry_pass_rate"] == pytest.approx(1 / 3)
    assert values["failure_clustering"] == pytest.approx(2 / 3)
    assert values["duration_cv"] == pytest.approx(0.5)  # durations 1 and 3 in equal numbers: std 1, mean 2


def test_a_quiet_history_has_every_feature_zero():
    values = history.features(runs(*[("r%d" % i, "pass", 2.5) for i in range(5)]))
    assert values == {name: 0.0 for name in history.FEATURES}
    single = history.features(runs(("r", "fail", 1.0)))
    assert single["flip_rate"] == 0.0 and single["duration_cv"] == 0.0 and single["failure_clustering"] == 1.0


@pytest.mark.parametrize("bad,named", [
    ([], "runs must be a non-empty list"),
    (["pass"], "runs[0] must be an object"),
    ([{"outcome": "pass", "duration_s": 1}], "runs[0].revision"),
    ([{"revision": "a", "outcome": "PASS", "duration_s": 1}], "runs[0].outcome"),
    ([{"revision": "a", "outcome": "pass", "duration_s": -1}], "runs[0].duration_s"),
    ([{"revision": "a", "outcome": "pass", "duration_s": float("nan")}], "runs[0].duration_s"),
    ([{"revision": "a", "outcome": "pass", "duration_s": True}], "runs[0].duration_s"),
    ([{"revision": "a", "outcome": "fail", "duration_s": 1, "retries": "pass"}], "runs[0].retries"),
])
def test_a_history_of_the_wrong_shape_is_refused_naming_the_field(bad, named):
    with pytest.raises(history.HistoryError, match=re.escape(named)):
        history.parse_runs(bad)


# --- train, evaluate, serve -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("flake-model")
    done = step("train.py", "--data", str(PACKAGE / "data"), "--output", str(folder))
    assert done.returncode == 0, done.stderr
    assert "675 histories" in done.stdout and "225 held out" in done.stdout
    return folder


def test_evaluation_reproduces_the_model_card(trained):
    done = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--tolerance", "0.0")
    assert done.returncode == 0, done.stdout + done.stderr
    measured = dict(re.findall(r"(roc_auc|precision|recall) ([0-9.]+)", done.stdout))
    assert {k: float(v) for k, v in measured.items()} == CARD  # printed to 4 places, as the card states them


def test_evaluation_fails_below_the_card_minus_the_tolerance(trained, tmp_path):
    stricter = tmp_path / "card.json"
    stricter.write_text(json.dumps({**CARD, "recall": CARD["recall"] + 0.05}))
    done = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--card", str(stricter),
                "--tolerance", "0.02")
    assert done.returncode != 0
    assert "below the model card" in done.stderr and "recall" in done.stderr and "roc_auc" not in done.stderr
    lenient = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--card", str(stricter),
                   "--tolerance", "0.06")
    assert lenient.returncode == 0, lenient.stderr


@pytest.fixture(scope="module")
def predictor(trained):
    with serving(SRC, trained, "flake-analysis") as base:
        yield base + ":predict"


def test_the_example_request_scores_the_flaky_test_high_and_the_healthy_one_low(predictor):
    example = json.loads((PACKAGE / "example-request.json").read_text())
    assert example["path"] == "/v1/models/flake-analysis:predict" and example["describe"]
    status, answer = post(predictor, json.dumps(example["body"]).encode())
    assert status == 200, answer
    flaky, healthy = answer["predictions"]
    assert flaky["test"] == example["body"]["instances"][0]["test"]
    assert flaky["flaky_probability"] > 0.9 and healthy["flaky_probability"] < 0.1
    evidence = flaky["evidence"]
    assert evidence["failures_passed_on_retry"] == evidence["failures"] > 0
    assert [d["feature"] for d in evidence["drivers"]][0] in ("flip_rate", "revision_flip_share", "retry_pass_rate")
    # the baseline and the terms add up to the model's own log-odds
    quiet = healthy["evidence"]
    p = healthy["flaky_probability"]
    assert quiet["baseline_log_odds"] + sum(d["log_odds"] for d in quiet["drivers"]) == \
        pytest.approx(math.log(p / (1 - p)), abs=0.01)


def test_a_steadily_failing_test_is_not_called_flaky(predictor):
    broken = [{"revision": f"r{i}", "outcome": "pass" if i < 8 else "fail", "duration_s": 4.0 if i < 8 else 1.0,
               "retries": [] if i < 8 else ["fail", "fail"]} for i in range(24)]
    status, answer = post(predictor, json.dumps({"instances": [{"test": "t", "runs": broken}]}).encode())
    assert status == 200 and answer["predictions"][0]["flaky_probability"] < 0.2, answer


@pytest.mark.parametrize("body,named", [
    (b"not json", "not JSON"),
    (b'{"inputs": []}', "instances must be a non-empty list"),
    (b'{"instances": [{"runs": []}]}', 'instances[0] must be an object with a "test"'),
    (b'{"instances": [{"test": "t", "runs": [{"revision": "a", "outcome": "ok", "duration_s": 1}]}]}',
     "instances[0].runs[0].outcome"),
])
def test_a_bad_body_is_a_400_that_says_what_is_wrong(predictor, body, named):
    status, answer = post(predictor, body)
    assert status == 400 and named in answer["error"], answer
