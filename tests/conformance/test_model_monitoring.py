"""Model monitoring against the running stack: the example's text classifier served from a ServingTemplate that opts
in to traffic recording (`ai.sap.com/recordTraffic`), a burst of predictions through the inference proxy, the records
in the tenant's own object store under the documented layout, then library/model-monitoring's drift workflow (applied
with aicore-ops, as the installer will) over an unshifted window (no drift) and a shifted one (drift), with the
metrics logged on each execution."""
from __future__ import annotations

import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests

from tests.support.git_repo import commit_tree

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "text-classifier"
PACKAGE = ROOT / "library" / "model-monitoring"
SCRIPT = Path(sys.executable).parent / "aicore-ops"
RG = "drift-rg"
PREFIX = "drift-store"
PREDICT = "/v1/models/text-classifier:predict"
SHIFTED = ["kernel oops in ext4 journal replay after power loss on node seventeen of the storage cluster",
           "quarterly revenue guidance revised downward amid currency headwinds and supply constraints in Asia",
           "the orchestra rehearsed the second movement twice before the conductor finally arrived from Vienna",
           "migratory birds follow magnetic field lines across the Mediterranean during the autumn equinox"]


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


class Api:
    def __init__(self, exports: dict):
        self.base = exports["AICORE_BASE_URL"]
        token = requests.post(exports["AICORE_AUTH_URL"], data={"grant_type": "client_credentials"}, timeout=10,
                              auth=(exports["AICORE_CLIENT_ID"], exports["AICORE_CLIENT_SECRET"])).json()
        self.headers = {"Authorization": f"Bearer {token['access_token']}", "AI-Resource-Group": RG}

    def call(self, method: str, path: str, url: str = "", **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = requests.request(method, url or f"{self.base}{path}", headers=headers, timeout=30, **kwargs)
        assert response.ok, (method, path, response.status_code, response.text)
        return response.json() if response.content else None


def content_folder(source: Path, target: Path, edit=None) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if edit:
        edit(target)
    config = target / "cicd" / "config.json"
    config.write_text(config.read_text().replace("REPLACE_WITH_YOUR_REPOSITORY_URL", target.as_uri()))
    commit_tree(target, {str(p.relative_to(target)): p.read_text() for p in target.rglob("*")
                         if p.is_file() and ".git" not in p.parts})
    return target


def opt_in(folder: Path) -> None:
    """The test's copy of the example records every request (a rate of 1: the counts below are exact)."""
    serving = folder / "templates" / "serving.yaml"
    text = serving.read_text()
    serving.write_text(text.replace("  annotations:\n", '  annotations:\n    ai.sap.com/recordTraffic: "1.0"\n', 1))


@pytest.fixture(scope="module")
def monitored(stack, tmp_path_factory):
    """Two deployments of the opted-in classifier (one gets ordinary reviews, one very different texts);
    yields (env, api, tenant id, {"unshifted": id, "shifted": id}, tmp folder)."""
    tmp = tmp_path_factory.mktemp("drift")
    exports = {**stack.mint_tenant("drift"), "AICORE_RESOURCE_GROUP": RG}
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("AICORE_")}, **exports,
           "AICORE_HOME": str(tmp / "home")}
    api = Api(exports)
    requests.post(f"{api.base}/admin/resourceGroups", json={"resourceGroupId": RG}, headers=api.headers, timeout=10)
    wait(lambda: api.call("GET", f"/admin/resourceGroups/{RG}")["status"] == "PROVISIONED", "resource group")
    api.call("POST", "/admin/objectStoreSecrets", json={
        "name": "default", "type": "S3", "pathPrefix": PREFIX,
        "data": {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}})
    api.call("PUT", "/lm/dataset/files/default/text-classifier/data/reviews.csv",
             data=(EXAMPLE / "data" / "reviews.csv").read_bytes(), headers={"Content-Type": "text/csv"})
    classifier = content_folder(EXAMPLE, tmp / "text-classifier", opt_in)
    run = cli(env, "apply", str(classifier / "cicd" / "config.json"), "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    first = json.loads(run.stdout)["runs"][1]
    deployments = {"unshifted": first["id"]}
    try:
        # A second deployment of the same configuration: its own recorded folder is the shifted window.
        configuration = api.call("GET", f"/lm/deployments/{first['id']}")["configurationId"]
        second = deployments["shifted"] = api.call("POST", "/lm/deployments",
                                                   json={"configurationId": configuration})["id"]
        wait(lambda: api.call("GET", f"/lm/deployments/{second}")["status"] == "RUNNING", "second deployment", 120)
        tenant = requests.get(f"{api.base}/admin/tenantInfo", headers=api.headers, timeout=10).json()["tenantId"]
        yield env, api, tenant, deployments, tmp
    finally:
        for deployment in deployments.values():
            requests.patch(f"{api.base}/lm/deployments/{deployment}", json={"targetStatus": "STOPPED"},
                           headers=api.headers, timeout=10)


def wait(predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def reference_texts() -> list:
    with (EXAMPLE / "data" / "reviews.csv").open(newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def burst(api: Api, deployment: str, texts: list, requests_count: int = 30) -> list:
    url = api.call("GET", f"/lm/deployments/{deployment}")["deploymentUrl"]
    answers = []
    for i in range(requests_count):
        body = {"instances": texts[2 * i:2 * i + 2]}
        answers.append((body, api.call("POST", "", url=url + PREDICT, json=body)))
    return answers


def stored_keys(stack, tenant: str, deployment: str) -> list:
    """The records as the operator sees them in the platform bucket (white box: the stack's own emulator key)."""
    import boto3

    keys = json.loads((stack.home / "keys" / "emulator.json").read_text())
    port = re.search(r"AWS emulator \(DynamoDB, S3\): http://127\.0\.0\.1:(\d+)", stack.output())[1]
    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="eu-central-1",
                      aws_access_key_id=keys["id"], aws_secret_access_key=keys["secret"])
    prefix = f"tenants/{tenant}/{RG}/{PREFIX}/monitoring/{deployment}/"
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket="aicore-dev-artifacts", Prefix=prefix)
    return [o["Key"][len(prefix):] for page in pages for o in page.get("Contents", [])]


@pytest.fixture(scope="module")
def recorded(stack, monitored):
    env, api, tenant, deployments, _ = monitored
    texts = reference_texts()
    random.Random(11).shuffle(texts)
    sent = {"unshifted": burst(api, deployments["unshifted"], texts[:60]),
            "shifted": burst(api, deployments["shifted"], [SHIFTED[i % len(SHIFTED)] for i in range(60)])}
    for name, deployment in deployments.items():
        wait(lambda: len(stored_keys(stack, tenant, deployment)) == 30, f"30 records of {name}", 30)
    return sent


def test_each_prediction_is_recorded_under_the_layout_in_the_groups_default_store(stack, monitored, recorded):
    env, api, tenant, deployments, _ = monitored
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    keys = stored_keys(stack, tenant, deployments["unshifted"])
    assert len(keys) == 30
    for key in keys:
        assert re.fullmatch(rf"{day}/{day.replace('-', '')}T\d{{6}}\.\d{{6}}Z-[0-9a-f]{{16}}\.jsonl", key), key
    # The tenant reads its records through the dataset files API, as any file of its store.
    folder = f"{api.base}/lm/dataset/files/default/monitoring/{deployments['unshifted']}"
    records = [json.loads(requests.get(f"{folder}/{key}", headers=api.headers, timeout=10).content) for key in keys]
    sent = {json.dumps(body, sort_keys=True): answer for body, answer in recorded["unshifted"]}
    for record in records:
        assert record["status"] == 200 and record["deploymentId"] == deployments["unshifted"]
        assert record["path"] == PREDICT and record["method"] == "POST"
        assert sent[json.dumps(record["request"], sort_keys=True)] == record["response"]
    assert stored_keys(stack, tenant, "d" * 16) == []


@pytest.fixture(scope="module")
def package(monitored):
    """library/model-monitoring in a Git repository of its own, as the installer will onboard it."""
    return content_folder(PACKAGE, monitored[4] / "model-monitoring")


def drift_run(env: dict, package: Path, name: str, deployment: str) -> dict:
    """The package's own cicd/config.json applied with its traffic artifact pointed at one deployment's recorded
    folder and its reference at the classifier's training data."""
    data = json.loads((package / "cicd" / "config.json").read_text())
    urls = {"reference": "ai://default/text-classifier/data", "traffic": f"ai://default/monitoring/{deployment}"}
    for artifact in data["artifacts"]:
        artifact["url"] = urls[artifact["key"]]
        artifact["name"] += f" ({name})"
    data["executions"][0]["configuration"]["name"] += f" ({name})"
    config = package.parent / f"drift-{name}.json"
    config.write_text(json.dumps(data, indent=2))
    run = cli(env, "apply", str(config), "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    [execution] = json.loads(run.stdout)["runs"]
    assert execution["status"] == "COMPLETED", execution
    return execution


def metrics_of(api: Api, execution: str) -> dict:
    answer = api.call("GET", "/lm/metrics", params={"executionIds": execution})
    return {m["name"]: m["value"] for r in answer["resources"] for m in r.get("metrics", [])}


@pytest.mark.parametrize("window, drifted", [("unshifted", 0.0), ("shifted", 1.0)])
def test_the_drift_workflow_flags_a_shifted_window_and_not_an_unshifted_one(monitored, recorded, package, window,
                                                                           drifted):
    env, api, tenant, deployments, tmp = monitored
    execution = drift_run(env, package, window, deployments[window])
    metrics = metrics_of(api, execution["id"])
    assert metrics["drift_samples"] == 60  # every recorded prediction of that deployment, and only those
    assert metrics["drift_detected"] == drifted, metrics
    assert metrics["text_length_drift"] == drifted and metrics["oov_drift"] == drifted
    if drifted:
        assert metrics["drift_score"] > 0.5 and metrics["text_length_p_value"] < 0.01
    else:
        assert metrics["drift_score"] < 0.3 and metrics["oov_rate"] == 0.0  # its texts all come from the reference


def test_the_drift_configuration_takes_a_nightly_schedule_as_the_readme_shows(monitored, recorded, package):
    env, api, tenant, deployments, tmp = monitored
    execution = drift_run(env, package, "unshifted", deployments["unshifted"])  # applied again: nothing new but a run
    configuration = api.call("GET", f"/lm/executions/{execution['id']}")["configurationId"]
    schedule = api.call("POST", "/lm/executionSchedules", json={"name": "nightly drift", "cron": "0 2 * * *",
                                                                "configurationId": configuration})
    try:
        listed = api.call("GET", f"/lm/executionSchedules/{schedule['id']}")
        assert listed["cron"] == "0 2 * * *" and listed["configurationId"] == configuration
        assert listed["status"] == "ACTIVE"
    finally:
        requests.delete(f"{api.base}/lm/executionSchedules/{schedule['id']}", headers=api.headers, timeout=10)


def test_the_package_as_shipped_runs_on_its_bundled_sample_and_flags_it(monitored, package):
    """What the installer does: every file under data/ uploaded to ai://default/model-monitoring/data/<file>, then
    the package's own cicd/config.json applied unchanged."""
    env, api, tenant, deployments, tmp = monitored
    for path in sorted((PACKAGE / "data").rglob("*")):
        if path.is_file():
            relative = path.relative_to(PACKAGE / "data").as_posix()
            api.call("PUT", f"/lm/dataset/files/default/model-monitoring/data/{relative}", data=path.read_bytes())
    run = cli(env, "apply", str(package / "cicd" / "config.json"), "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    [execution] = json.loads(run.stdout)["runs"]
    metrics = metrics_of(api, execution["id"])
    assert execution["status"] == "COMPLETED" and metrics["drift_detected"] == 1.0
    assert metrics["drift_samples"] == 60 and metrics["oov_drift"] == 1.0
