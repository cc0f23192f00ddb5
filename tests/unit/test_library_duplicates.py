"""The AI Library's duplicate-bug-detection package without a platform: its templates sync, its data is what its
generator writes, its build and evaluation reproduce the model card (and the evaluation fails below it), and its
predictor finds duplicates over KServe's v1 protocol, grows its index through its API and refuses bad bodies."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from chalicelib.adapters.git.argo import validate_workflow_template
from chalicelib.domain.templates import parse_file
from tests.support.stack_process import free_port

PACKAGE = Path(__file__).resolve().parents[2] / "library" / "duplicate-bug-detection"
SRC = PACKAGE / "src"
CARD = json.loads((SRC / "model_card_metrics.json").read_text())
NAME = "duplicate-bug-detection"


def step(script: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SRC / script), *args], timeout=120, capture_output=True, text=True,
                          cwd=SRC)


def bundled_rows() -> list:
    with open(PACKAGE / "data" / "reports.csv", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the package's shape --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,deployable", [("training.yaml", False), ("serving.yaml", True)])
def test_templates_pass_the_sync_rules(name, deployable):
    outcome = parse_file(name, (PACKAGE / "templates" / name).read_text(), validate_workflow_template)
    assert outcome.ok, [e.message for e in outcome.errors]
    (template,) = outcome.templates
    assert template.scenario_id == NAME and template.deployable is deployable
    assert template.name == (f"{NAME}-serve" if deployable else f"{NAME}-train")
    if deployable:
        assert [a.name for a in template.input_artifacts] == ["dupesmodel"]
        assert 'ai.sap.com/recordTraffic: "0.2"' in (PACKAGE / "templates" / name).read_text()
    else:
        assert [a.name for a in template.input_artifacts] == ["reports"]
        assert [a.name for a in template.output_artifacts] == ["dupesmodel"]
        assert {p.name for p in template.parameters} == {"min_df", "tolerance"}


def test_cicd_config_binds_the_dataset_and_deploys_what_the_training_produced():
    config = json.loads((PACKAGE / "cicd" / "config.json").read_text())
    assert config["application"] == {"name": NAME, "repository_url": "REPLACE_WITH_YOUR_REPOSITORY_URL",
                                     "revision": "HEAD", "path": "templates"}
    (dataset,) = config["artifacts"]
    assert dataset["url"] == f"ai://default/{NAME}/data" and dataset["kind"] == "dataset"
    (execution,) = config["executions"]
    assert execution["configuration"]["executable_id"] == f"{NAME}-train"
    assert execution["wait_for_status"] == "COMPLETED"
    (deployment,) = config["deployments"]
    assert deployment["configuration"]["input_artifact_bindings"] == [{"key": "dupesmodel", "from_execution": 0}]
    assert deployment["wait_for_status"] == "RUNNING"


def test_the_model_card_states_the_numbers_the_evaluation_checks():
    card = (PACKAGE / "MODEL_CARD.md").read_text()
    stated = dict(re.findall(r"^\| (recall@1|recall@3|MRR)[^|]*\| \*\*([0-9.]+)\*\* \|$", card, re.MULTILINE))
    assert {"recall_at_1": float(stated["recall@1"]), "recall_at_3": float(stated["recall@3"]),
            "mrr": float(stated["MRR"])} == CARD


def test_the_bundled_data_is_what_the_seeded_generator_writes(tmp_path):
    made = step("generate_data.py", "--output", str(tmp_path / "r.csv"))
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "r.csv").read_bytes() == (PACKAGE / "data" / "reports.csv").read_bytes()
    assert sum(p.stat().st_size for p in (PACKAGE / "data").iterdir()) < 1_000_000
    rows = bundled_rows()
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids) == 418
    originals = {r["id"]: r for r in rows if not r["duplicate_of"]}
    duplicates = [r for r in rows if r["duplicate_of"]]
    assert len(originals) == 240 and len(duplicates) == 178
    assert len({r["component"] for r in rows}) == 6
    # a duplicate points at an original of its own component, filed before it
    for row in duplicates:
        original = originals[row["duplicate_of"]]
        assert original["component"] == row["component"] and original["id"] < row["id"]


# --- build, evaluate ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dupes-model")
    done = step("train.py", "--data", str(PACKAGE / "data"), "--output", str(folder))
    assert done.returncode == 0, done.stderr
    assert "indexed 240 reports" in done.stdout and "178 duplicates held out" in done.stdout
    return folder


def test_evaluation_reproduces_the_model_card(trained):
    done = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--tolerance", "0.0")
    assert done.returncode == 0, done.stdout + done.stderr
    measured = dict(re.findall(r"(recall_at_1|recall_at_3|mrr) ([0-9.]+)", done.stdout))
    assert {k: float(v) for k, v in measured.items()} == CARD  # printed to 4 places, as the card states them
    assert "on 178 held-out duplicates" in done.stdout


def test_evaluation_fails_below_the_card_minus_the_tolerance(trained, tmp_path):
    stricter = tmp_path / "card.json"
    stricter.write_text(json.dumps({**CARD, "mrr": CARD["mrr"] + 0.05}))
    done = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--card", str(stricter),
                "--tolerance", "0.02")
    assert done.returncode != 0
    assert "below the model card" in done.stderr and "mrr" in done.stderr and "recall_at_1" not in done.stderr
    lenient = step("evaluate.py", "--data", str(PACKAGE / "data"), "--model", str(trained), "--card", str(stricter),
                   "--tolerance", "0.06")
    assert lenient.returncode == 0, lenient.stderr


# --- the predictor --------------------------------------------------------------------------------------------

def start_predictor(model_dir: Path):
    port = free_port()
    server = subprocess.Popen([sys.executable, "serve.py"], cwd=SRC, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              env={"PORT": str(port), "HOST": "127.0.0.1", "MODEL_DIR": str(model_dir),
                                   "PATH": "/usr/bin"})
    base = f"http://127.0.0.1:{port}/v1/models/{NAME}"
    deadline = time.monotonic() + 30
    while True:
        try:
            assert json.load(urllib.request.urlopen(base, timeout=2)) == {"name": NAME, "ready": True}
            return server, base
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("predictor did not start: " + server.stdout.read().decode())
            time.sleep(0.1)


def stop(server) -> None:
    server.kill()
    server.wait(10)


@pytest.fixture(scope="module")
def predictor(trained):
    server, base = start_predictor(trained)
    try:
        yield base
    finally:
        stop(server)


def post(url: str, body):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_the_example_request_finds_the_login_freeze_first(predictor):
    example = json.loads((PACKAGE / "example-request.json").read_text())
    assert example["path"] == f"/v1/models/{NAME}:predict" and example["describe"]
    status, answer = post(predictor + ":predict", example["body"])
    assert status == 200, answer
    (matches,) = answer["predictions"]
    assert len(matches) == 3 and matches[0]["id"] == "BUG-0056"
    originals = {r["id"]: r["title"] for r in bundled_rows() if not r["duplicate_of"]}
    assert all(m["title"] == originals[m["id"]] for m in matches)
    scores = [m["score"] for m in matches]
    assert scores == sorted(scores, reverse=True) and 0 < scores[-1] <= scores[0] <= 1


def test_a_held_out_duplicate_finds_its_original_and_top_k_is_honoured(predictor):
    rows = bundled_rows()
    duplicate = next(r for r in rows if r["id"] == "BUG-0254")  # "weekly summary email ... error 500 in dark mode"
    status, answer = post(predictor + ":predict", {"instances": [
        {"title": duplicate["title"], "description": duplicate["description"]}, {"title": "search bar is slow"}],
        "parameters": {"top_k": 5}})
    assert status == 200, answer
    first, second = answer["predictions"]
    assert len(first) == len(second) == 5
    assert first[0]["id"] == duplicate["duplicate_of"] == "BUG-0126"
    assert all(m["id"] not in {r["id"] for r in rows if r["duplicate_of"]} for m in first + second)  # not indexed


def test_an_added_report_is_found_afterwards_and_lost_on_restart(trained):
    server, base = start_predictor(trained)
    query = {"title": "Calendar export drops the time zone of recurring meetings",
             "description": "Exported ics files lose the timezone for repeating events."}
    try:
        status, before = post(base + ":predict", {"instances": [query]})
        assert status == 200 and "CAL-1" not in [m["id"] for m in before["predictions"][0]]
        status, added = post(base + "/reports", {"reports": [
            {"id": "CAL-1", "title": "Recurring meetings lose their time zone when exporting the calendar",
             "description": "The calendar export writes recurring events without a timezone, so they move by hours."},
            {"id": "CAL-2", "title": "Dark mode makes the calendar unreadable", "description": ""}]})
        assert (status, added) == (200, {"added": 2, "size": 242})
        status, after = post(base + ":predict", {"instances": [query], "parameters": {"top_k": 1}})
        assert status == 200 and after["predictions"][0][0]["id"] == "CAL-1"
        assert after["predictions"][0][0]["score"] > before["predictions"][0][0]["score"]
        status, again = post(base + "/reports", {"reports": [{"id": "CAL-1", "title": "again"}]})
        assert status == 400 and "already in the index" in again["error"]
    finally:
        stop(server)
    server, base = start_predictor(trained)  # additions live in the predictor's memory only
    try:
        status, restarted = post(base + ":predict", {"instances": [query], "parameters": {"top_k": 1}})
        assert status == 200 and restarted["predictions"][0][0]["id"] != "CAL-1"
    finally:
        stop(server)


@pytest.mark.parametrize("path,body,named", [
    (":predict", b"not json", "not JSON"),
    (":predict", b"[1]", "must be a JSON object"),
    (":predict", {"inputs": []}, "instances must be a non-empty list"),
    (":predict", {"instances": ["login broken"]}, "instances[0] must be an object"),
    (":predict", {"instances": [{"title": " ", "description": ""}]}, "instances[0] needs a non-empty title"),
    (":predict", {"instances": [{"title": 5}]}, "instances[0].title must be a string"),
    (":predict", {"instances": [{"title": "x"}], "parameters": {"top_k": 0}}, "parameters.top_k"),
    (":predict", {"instances": [{"title": "x"}], "parameters": {"top_k": "3"}}, "parameters.top_k"),
    ("/reports", {"instances": []}, "reports must be a non-empty list"),
    ("/reports", {"reports": [{"title": "no id"}]}, "reports[0].id must be a non-empty string"),
    ("/reports", {"reports": [{"id": "BUG-0001", "title": "taken"}]}, "reports[0].id 'BUG-0001' is already"),
    ("/reports", {"reports": [{"id": "N-1", "title": "a"}, {"id": "N-1", "title": "b"}]}, "reports[1].id 'N-1'"),
])
def test_a_bad_body_is_a_400_that_says_what_is_wrong(predictor, path, body, named):
    status, answer = post(predictor + path, body)
    assert status == 400 and named in answer["error"], answer


def test_unknown_routes_are_404(predictor):
    status, answer = post(predictor.replace(NAME, "other") + ":predict", {"instances": [{"title": "x"}]})
    assert status == 404 and ":predict" in answer["error"]
