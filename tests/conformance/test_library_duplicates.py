"""The AI Library's duplicate-bug-detection package installed on the local stack by its installer (`aicore-ops
library install`, what `make library` runs): the build and its evaluation complete with the model card's numbers as
execution metrics, and the deployment finds duplicates, grows its index through its API and refuses bad bodies."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from tests.support.library_install import install_package
from tests.support.stack_process import wait_for

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "library" / "duplicate-bug-detection"
RG = "dupes-rg"
MODEL = "/v1/models/duplicate-bug-detection"

# Written here, not taken from the package: a new report of the bundled bug BUG-0064 ("With unicode characters like
# umlauts, login through the company identity provider crashes"), worded by someone else.
SSO_DUPLICATE = {"title": "SSO login throws an exception for names with umlauts",
                 "description": "Logging in through our company identity provider dies with a stack trace when the "
                                "user name has unicode characters like ä or ü."}


@pytest.fixture(scope="module")
def installed(stack, tmp_path_factory):
    # By path: the installed aicore-ops may belong to another checkout, whose library/ is not this one's.
    package = install_package(stack, tmp_path_factory.mktemp("dupes-home"), str(PACKAGE), "dupes", RG)
    yield package
    package.stop_deployments()  # predictors are processes: stop this module's own (if a test failed first)


def test_training_completes_with_the_model_cards_numbers_as_metrics(installed):
    assert [(r["kind"], r["status"]) for r in installed.result["runs"]] == [("execution", "COMPLETED"),
                                                                             ("deployment", "RUNNING")]
    assert "within 0.02 of the model card" in installed.progress  # the evaluation step's verdict, followed by apply
    card = json.loads((PACKAGE / "src" / "model_card_metrics.json").read_text())
    metrics = requests.get(f"{installed.base}/lm/metrics", headers=installed.headers, timeout=10,
                           params={"executionIds": installed.run("execution")["id"]}).json()
    logged = {m["name"]: m["value"] for r in metrics["resources"] for m in r.get("metrics", [])}
    for name, value in card.items():
        assert logged[name] == pytest.approx(value, abs=5e-5), (name, logged)
    assert logged["test_queries"] == 178 and logged["indexed_reports"] == 240


def test_a_new_duplicate_finds_its_original_first(installed):
    url = installed.run("deployment")["deploymentUrl"]
    ready = requests.get(f"{url}{MODEL}", headers=installed.headers, timeout=10)
    assert ready.json() == {"name": "duplicate-bug-detection", "ready": True}
    answer = requests.post(f"{url}{MODEL}:predict", headers=installed.headers, timeout=10,
                           json={"instances": [SSO_DUPLICATE], "parameters": {"top_k": 3}})
    assert answer.status_code == 200, answer.text
    (matches,) = answer.json()["predictions"]
    assert [m["id"] for m in matches][0] == "BUG-0064" and len(matches) == 3
    assert matches[0]["title"] == "With unicode characters like umlauts, login through the company identity provider crashes"
    assert matches[0]["score"] > matches[1]["score"] >= matches[2]["score"] > 0


def test_an_added_report_is_found_afterwards(installed):
    url = installed.run("deployment")["deploymentUrl"]
    query = {"title": "Exported calendar loses the time zone of repeating meetings",
             "description": "In the ics export, recurring events have no timezone and show up hours off."}
    before = requests.post(f"{url}{MODEL}:predict", headers=installed.headers, timeout=10,
                           json={"instances": [query]}).json()["predictions"][0]
    assert "CAL-7" not in [m["id"] for m in before]
    added = requests.post(f"{url}{MODEL}/reports", headers=installed.headers, timeout=10, json={"reports": [
        {"id": "CAL-7", "title": "Recurring meetings lose their time zone when exporting the calendar",
         "description": "The calendar export writes recurring events without a timezone, so they move by hours."}]})
    assert added.status_code == 200 and added.json() == {"added": 1, "size": 241}, added.text
    after = requests.post(f"{url}{MODEL}:predict", headers=installed.headers, timeout=10,
                          json={"instances": [query], "parameters": {"top_k": 1}}).json()["predictions"][0]
    assert after[0]["id"] == "CAL-7" and after[0]["score"] > before[0]["score"]


def test_a_bad_body_is_a_400_naming_the_field(installed):
    url = installed.run("deployment")["deploymentUrl"]
    wrong = requests.post(f"{url}{MODEL}:predict", headers=installed.headers, timeout=10,
                          json={"instances": [{"title": "", "description": ""}]})
    assert wrong.status_code == 400 and "instances[0] needs a non-empty title" in wrong.json()["error"], wrong.text
    no_id = requests.post(f"{url}{MODEL}/reports", headers=installed.headers, timeout=10,
                          json={"reports": [{"title": "no id"}]})
    assert no_id.status_code == 400 and "reports[0].id" in no_id.json()["error"], no_id.text
    assert requests.post(f"{url}{MODEL}:predict", headers=installed.headers, timeout=10,
                         data="not json").status_code == 400


def test_stopping_the_deployment_ends_its_predictor(installed):
    """Last in the module: the package's predictor is a process of the stack, and it stops with its deployment."""
    deployment, url = installed.run("deployment")["id"], installed.run("deployment")["deploymentUrl"]
    stop = requests.patch(f"{installed.base}/lm/deployments/{deployment}", json={"targetStatus": "STOPPED"},
                          headers=installed.headers, timeout=10)
    assert stop.status_code == 202, stop.text
    wait_for(lambda: requests.get(f"{installed.base}/lm/deployments/{deployment}", headers=installed.headers,
                                  timeout=10).json()["status"] == "STOPPED", what="deployment STOPPED")
    after = requests.post(f"{url}{MODEL}:predict", headers=installed.headers, timeout=10, json={"instances": []})
    assert after.status_code == 503, after.text
