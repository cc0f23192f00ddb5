"""The users' CI/CD pipeline (seed 002, `../shared/seeds/cicd-pipeline/pipeline.py`) runs unchanged against the
stack, twice in a row, and both runs reach their `wait_for_status`.

Only placeholders are filled in: `cicd/config.json` in the blog's shape, the `destinations` module the blog does
not show (recording its calls), the Git repository and application `felix-cicd` the script refreshes, and the
AICORE_* variables of a tenant of its own (the script cleans up every execution and deployment of its group).
The script is pipeline.py with the lines it lost from the seed put back (tests/support/seed_script.py).
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from ai_api_client_sdk.models.target_status import TargetStatus

from tests.conformance.conftest import core_client
from tests.support.conformance import bearer, onboard
from tests.support.seed_script import runnable_pipeline
from tests.support.serving_conformance import map_serve_image

CONTENT = Path(__file__).parent / "content" / "felix-cicd"
TENANT = "felix"
DESTINATION = "cicd-example-destination"

CONFIG = {  # the blog's configuration schema, its values as printed
    "artifacts": [{"key": "exampledataset", "name": "Example Dataset", "kind": "dataset",
                   "url": "ai://default/cicd", "scenario_id": "cicdexample"}],
    "executions": [{"configuration": {
        "name": "Configuration CI/CD Example Training", "scenario_id": "cicdexample",
        "executable_id": "cicdexample", "parameter_bindings": [{"key": "envexample", "value": "test1"}],
        "input_artifact_bindings": []}, "wait_for_status": "COMPLETED"}],
    # `destination_name`: the script passes deployment["destination_name"] to update_deployment_destination;
    # the blog's "rough configuration schema" leaves it out, its script cannot.
    "deployments": [{"configuration": {
        "name": "Configuration CI/CD Example Serving", "scenario_id": "cicdexample",
        "executable_id": "cicdexample2", "parameter_bindings": [{"key": "envexample", "value": "test1"}],
        "input_artifact_bindings": []}, "wait_for_status": "RUNNING", "destination_name": DESTINATION}],
}

DESTINATIONS = '''"""Stands in for the SAP BTP destination updater the blog imports: records each call."""
import json


def update_deployment_destination(destination_name, deployment_id):
    with open("destination-calls.jsonl", "a") as f:
        f.write(json.dumps([destination_name, deployment_id]) + "\\n")
'''


@pytest.fixture(scope="module")
def felix(stack, tmp_path_factory):
    """Tenant felix (`make tenant NAME=felix`) with the felix-cicd application synced, and a CI checkout."""
    exports = stack.mint_tenant(TENANT)
    map_serve_image(stack.home)
    onboard(core_client(exports), tmp_path_factory.mktemp("felix-cicd-repo"),
            {"workflows/train.yaml": (CONTENT / "train.yaml").read_text(),
             "workflows/serve.yaml": (CONTENT / "serve.yaml").read_text()}, "felix-cicd-repo", "felix-cicd")
    checkout = tmp_path_factory.mktemp("felix-ci")
    put_back = runnable_pipeline(checkout / "cicd" / "pipeline.py")
    assert put_back in ([], ["return artifacts, executions, deployments"]), put_back
    (checkout / "cicd" / "config.json").write_text(json.dumps(CONFIG, indent=2))
    (checkout / "cicd" / "destinations.py").write_text(DESTINATIONS)
    key = json.loads((stack.home / "service-keys" / f"{TENANT}.json").read_text())
    return exports, key, checkout


def run_pipeline(checkout, exports, auth_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICORE_")}
    env.update({name: exports[name] for name in ("AICORE_BASE_URL", "AICORE_CLIENT_ID", "AICORE_CLIENT_SECRET",
                                                 "AICORE_RESOURCE_GROUP")}, AICORE_AUTH_URL=auth_url)
    (checkout / "destination-calls.jsonl").unlink(missing_ok=True)
    run = subprocess.run([sys.executable, "cicd/pipeline.py"], cwd=checkout, env=env, capture_output=True,
                         text=True, timeout=300)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    calls = [json.loads(l) for l in (checkout / "destination-calls.jsonl").read_text().splitlines()] \
        if (checkout / "destination-calls.jsonl").exists() else []
    return log, calls


def created(log, kind):
    (found,) = re.findall(rf"^CREATED {kind} (\S+)$", log, re.M)
    return found


def test_seed_pipeline_runs_unchanged_twice_in_a_row(stack, felix):
    exports, key, checkout = felix
    core = core_client(exports)
    headers = {"Authorization": bearer(exports), "AI-Resource-Group": "default"}
    runs = []
    # First as on AI Core (AICORE_AUTH_URL is the key's url; the script appends /oauth/token), then with the
    # export `make tenant` prints pasted in (already ending in /oauth/token: the doubled path).
    for auth_url in (key["url"], exports["AICORE_AUTH_URL"]):
        log, calls = run_pipeline(checkout, exports, auth_url)
        assert "RESOURCE GROUP CREATED default" in log, log
        execution, deployment = created(log, "EXECUTION"), created(log, "DEPLOYMENT")
        assert f"POLLING LOGS EXECUTION cicdexample {execution}" in log
        assert re.search(r" training cicdexample with envexample=test1$", log, re.M), log
        done = core.execution.get(execution)
        assert done.status.value == "COMPLETED", done.status_message
        # The deployment reached RUNNING inside the script: that is the only way it calls the destination update.
        assert calls == [[DESTINATION, deployment]], log
        serving = core.deployment.get(deployment)
        assert serving.status.value == "RUNNING", serving.status_message
        greet = requests.get(f"{serving.deployment_url}/v2/greet", headers=headers, timeout=10)
        assert greet.json()["env"] == "test1"
        runs.append((execution, deployment))

    (first_execution, first_deployment), (second_execution, second_deployment) = runs
    assert first_execution != second_execution and first_deployment != second_deployment
    assert f"DELETED EXECUTION {first_execution}" in log and f"DELETED DEPLOYMENT {first_deployment}" in log
    assert [e.id for e in core.execution.query().resources] == [second_execution]  # the cleanup took the first
    assert core.deployment.get(first_deployment).target_status.value in ("STOPPED", "DELETED")
    # Duplicates found, not made again: one artifact, one configuration each for training and serving.
    assert len(core.artifact.query().resources) == 1
    assert sorted(c.name for c in core.configuration.query().resources) == [
        "Configuration CI/CD Example Serving", "Configuration CI/CD Example Training"]
    # The templates write `default` for envexample (AI Core's style): the catalogue shows it as the default.
    for executable in ("cicdexample", "cicdexample2"):
        params = core.executable.get(scenario_id="cicdexample", executable_id=executable).parameters
        assert [(p.name, p.default) for p in params] == [("envexample", "dev")]
    core.deployment.modify(second_deployment, TargetStatus.STOPPED)  # frees the predictor for the rest of the suite


def test_aicore_ops_applies_the_seeds_config_unchanged_twice(stack, felix):
    """Done when of issue 10: the seed's cicd/config.json, pointed at the stack, trains and serves with one
    `aicore-ops apply`, configured as the seed's CI job is (AICORE_* only, the key's bare auth URL). Its duplicate
    rules are the seed's: after the script's runs above, and after a first apply, nothing new is declared."""
    exports, key, checkout = felix
    core = core_client(exports)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AICORE_")}
    env.update({name: exports[name] for name in ("AICORE_BASE_URL", "AICORE_CLIENT_ID", "AICORE_CLIENT_SECRET",
                                                 "AICORE_RESOURCE_GROUP")}, AICORE_AUTH_URL=key["url"],
               AICORE_HOME=str(checkout / "no-profiles"))
    script = Path(sys.executable).parent / "aicore-ops"
    outcomes = []
    for _ in range(2):
        run = subprocess.run([str(script), "apply", "cicd/config.json", "--application", "felix-cicd", "--cleanup",
                              "--json"], cwd=checkout, env=env, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stdout + run.stderr
        assert " training cicdexample with envexample=test1" in run.stderr  # the training's log, followed
        outcomes.append(json.loads(run.stdout))
    for outcome in outcomes:
        assert [(r["kind"], r["status"]) for r in outcome["runs"]] == [("execution", "COMPLETED"),
                                                                       ("deployment", "RUNNING")]
    assert not any(a["created"] for a in outcomes[1]["artifacts"].values())
    assert not any(c["created"] for c in outcomes[1]["configurations"])
    assert len(core.artifact.query().resources) == 1 and len(core.configuration.query().resources) == 2
    deployment = outcomes[1]["runs"][1]["id"]
    greet = requests.get(f"{outcomes[1]['runs'][1]['deploymentUrl']}/v2/greet", timeout=10,
                         headers={"Authorization": bearer(exports), "AI-Resource-Group": "default"})
    assert greet.json()["env"] == "test1"
    stop = subprocess.run([str(script), "stop", deployment], cwd=checkout, env=env, capture_output=True, text=True,
                          timeout=60)
    assert stop.returncode == 0, stop.stderr  # frees the predictor for the rest of the suite
