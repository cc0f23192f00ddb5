"""The stack's operator endpoint GET /metrics, against a real local stack: after a burst of predictions through one
deployment's URL, the exposition shows their counts, codes and latency histogram under that deployment's labels
only; a predictor crash, an execution's end and a failed Git sync show up too; tenants cannot read it at all.

The exposition is parsed with prometheus_client's own parser (the text format Prometheus scrapes)."""
from __future__ import annotations

import os
import stat
import time
from typing import Dict, List

import pytest
import requests
from ai_api_client_sdk.models.status import Status
from ai_api_client_sdk.models.target_status import TargetStatus
from prometheus_client.parser import text_string_to_metric_families

from tests.support.conformance import bearer, provisioned_group, training_configuration
from tests.support.serving_conformance import served_configuration
from tests.support.stack_process import wait_for

RG = "monitoring"
BURST = 25


def base(stack) -> str:
    return stack.exports["AICORE_BASE_URL"].rsplit("/v2", 1)[0]


def operator_headers(stack) -> Dict[str, str]:
    return {"Authorization": "Bearer " + (stack.home / "operator-token").read_text().strip()}


def scrape(stack) -> List:
    answer = requests.get(f"{base(stack)}/metrics", headers=operator_headers(stack), timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return [s for family in text_string_to_metric_families(answer.text) for s in family.samples]


def value(samples, name: str, **labels) -> float:
    found = [s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())]
    assert len(found) == 1, f"{name}{labels}: {len(found)} samples"
    return found[0]


def running(core, deployment_id: str, rg: str = RG) -> str:
    def ready():
        got = core.deployment.get(deployment_id, resource_group=rg)
        assert got.status != Status.DEAD, got.status_message
        return got.status == Status.RUNNING and got.deployment_url
    return wait_for(ready, timeout=60, interval=0.1, what=f"deployment {deployment_id} RUNNING")


@pytest.fixture(scope="module")
def deployments(stack, core, catalog):
    provisioned_group(core, RG)
    configuration = served_configuration(core, RG, "monitored", "model-m")
    ids = {name: core.deployment.create(configuration, resource_group=RG).id for name in ("busy", "idle", "crash")}
    urls = {name: running(core, deployment_id) for name, deployment_id in ids.items()}
    yield ids, urls
    for deployment_id in ids.values():  # predictors are processes: end those still running
        if core.deployment.get(deployment_id, resource_group=RG).status == Status.RUNNING:
            core.deployment.modify(deployment_id, target_status=TargetStatus.STOPPED, resource_group=RG)


@pytest.fixture(scope="module")
def burst(stack, deployments):
    """BURST predictions and three calls of a path the predictor does not have, all through `busy`'s URL."""
    ids, urls = deployments
    headers = {"Authorization": bearer(stack.exports), "AI-Resource-Group": RG}
    started = time.monotonic()
    with requests.Session() as session:
        for i in range(BURST):
            answer = session.post(f"{urls['busy']}/v2/predict", json={"text": f"sentence {i}"}, headers=headers,
                                  timeout=10)
            assert answer.status_code == 200 and answer.json()["echo"] == {"text": f"sentence {i}"}
        for _ in range(3):
            assert session.get(f"{urls['busy']}/v2/nothing-here", headers=headers, timeout=10).status_code == 404
    return time.monotonic() - started


def test_a_burst_shows_under_its_own_deployment_only(stack, deployments, burst):
    ids, _ = deployments
    samples = scrape(stack)
    busy = {"tenant": "default", "resource_group": RG, "deployment_id": ids["busy"]}
    assert value(samples, "aicore_inference_requests_total", **busy, code="200") == BURST
    assert value(samples, "aicore_inference_requests_total", **busy, code="404") == 3
    assert value(samples, "aicore_inference_request_duration_seconds_count", **busy, code="200") == BURST
    assert value(samples, "aicore_inference_request_duration_seconds_bucket", **busy, code="200", le="+Inf") == BURST
    # The latencies are the proxy's own view of these requests: positive, and within the client's wall time.
    total = value(samples, "aicore_inference_request_duration_seconds_sum", **busy, code="200")
    assert 0 < total < burst
    buckets = sorted((float(s.labels["le"]), s.value) for s in samples
                     if s.name == "aicore_inference_request_duration_seconds_bucket"
                     and s.labels["deployment_id"] == ids["busy"] and s.labels["code"] == "200")
    assert [count for _, count in buckets] == sorted(count for _, count in buckets)  # cumulative
    assert buckets[0][0] == 0.005 and buckets[-2][0] == 300.0 and len(buckets) == 16
    # Nothing was sent to the other deployments: they have no request series at all. (Other modules' deployments
    # live in other resource groups.)
    request_series = [s for s in samples if s.name.startswith("aicore_inference_request")]
    assert {s.labels["deployment_id"] for s in request_series if s.labels["resource_group"] == RG} == {ids["busy"]}
    assert not {ids["idle"], ids["crash"]} & {s.labels["deployment_id"] for s in request_series}
    assert {s.labels["tenant"] for s in request_series} == {"default"}
    for name in ("idle", "busy"):
        assert value(samples, "aicore_predictor_ready", tenant="default", resource_group=RG,
                     deployment_id=ids[name]) == 1


def test_a_crashing_predictor_counts_as_an_exit_and_not_ready(stack, deployments):
    ids, urls = deployments
    headers = {"Authorization": bearer(stack.exports), "AI-Resource-Group": RG}
    with pytest.raises(requests.RequestException):
        requests.get(f"{urls['crash']}/v2/crash", headers=headers, timeout=10).raise_for_status()
    crash = {"tenant": "default", "resource_group": RG, "deployment_id": ids["crash"]}
    wait_for(lambda: any(s.name == "aicore_predictor_restarts_total" and s.labels["deployment_id"] == ids["crash"]
                         for s in scrape(stack)), what="the exit counted")
    samples = scrape(stack)
    assert value(samples, "aicore_predictor_restarts_total", **crash, reason="exited") == 1
    assert value(samples, "aicore_predictor_ready", **crash) == 0
    assert value(samples, "aicore_inference_requests_total", **crash, code="502") == 1  # the predictor vanished


def test_a_stopped_deployment_leaves_the_exposition(stack, core, deployments):
    """Stopped on purpose is not a predictor down (no PredictorDown alert), and it never serves again."""
    ids, _ = deployments
    core.deployment.modify(ids["idle"], target_status=TargetStatus.STOPPED, resource_group=RG)
    wait_for(lambda: core.deployment.get(ids["idle"], resource_group=RG).status == Status.STOPPED, what="stopped")
    samples = scrape(stack)
    assert not [s for s in samples if s.labels.get("deployment_id") == ids["idle"]]
    assert value(samples, "aicore_predictor_ready", tenant="default", resource_group=RG,
                 deployment_id=ids["busy"]) == 1


def test_an_execution_end_is_counted_with_its_duration(stack, core, deployments):
    configuration = training_configuration(core, RG, "monitored training", env="now")
    execution = core.execution.create(configuration, resource_group=RG).id
    done = wait_for(lambda: (e := core.execution.get(execution, resource_group=RG)).status in
                    (Status.COMPLETED, Status.DEAD) and e, timeout=60, what="execution ended")
    assert done.status == Status.COMPLETED, done.status_message
    samples = scrape(stack)
    labels = {"tenant": "default", "resource_group": RG, "status": "COMPLETED"}
    assert value(samples, "aicore_executions_total", **labels) == 1
    assert value(samples, "aicore_execution_duration_seconds_count", **labels) == 1
    took = (done.completion_time - done.start_time).total_seconds()
    assert value(samples, "aicore_execution_duration_seconds_sum", **labels) == pytest.approx(took, abs=0.01)


def test_a_sync_that_cannot_read_its_repository_is_counted(stack, core, tmp_path):
    missing = (tmp_path / "no-such-repository").as_uri()
    core.repositories.create(name="monitoring-missing", url=missing, username="git", password="unused-locally")
    core.applications.create(repository_url=missing, revision="HEAD", path="workflows",
                             application_name="monitoring-missing-app")
    wait_for(lambda: any(s.name == "aicore_sync_failures_total" and s.labels["application"] ==
                         "monitoring-missing-app" and s.value >= 1 for s in scrape(stack)), timeout=30,
             what="the failed sync counted")
    samples = scrape(stack)
    assert value(samples, "aicore_sync_failures_total", tenant="default", application="monitoring-missing-app",
                 reason="source") >= 1
    assert not [s for s in samples if s.name == "aicore_sync_failures_total"
                and s.labels["application"] == "monitoring-app"]  # the good application synced cleanly


def test_tenants_cannot_read_the_metrics(stack, deployments):
    url = f"{base(stack)}/metrics"
    for exports in (stack.exports, stack.mint_tenant("monitoring-other")):
        refused = requests.get(url, headers={"Authorization": bearer(exports)}, timeout=10)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "Forbidden"
        assert "aicore_" not in refused.text
    anonymous = requests.get(url, timeout=10)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    forged = requests.get(url, headers={"Authorization": "Bearer not-the-operator-token"}, timeout=10)
    assert forged.status_code == 401 and "aicore_" not in forged.text
    posted = requests.post(url, headers=operator_headers(stack), timeout=10)
    assert posted.status_code == 405 and posted.headers["Allow"] == "GET, HEAD"
    head = requests.head(url, headers=operator_headers(stack), timeout=10)
    assert head.status_code == 200 and head.text == ""


def test_the_operator_token_is_private_and_printed_how_to_use(stack):
    token_file = stack.home / "operator-token"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600
    assert len(token_file.read_text().strip()) >= 32
    assert f"$(cat {token_file.resolve()})" in stack.output() and "/metrics" in stack.output()
