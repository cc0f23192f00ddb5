"""Metrics as training code writes them, against the real stack.

- A run whose step is the ML Operations reference's `log_metrics` code, verbatim (requests, AICORE_API_URL,
  AICORE_AUTH_TOKEN, no resource group), then GET /v2/lm/executions/{id}/metrics reads them back. From inside
  the run the same token cannot write another execution's metrics nor read anything; after the run ends,
  neither it nor the AICORE_TRACKING_ENDPOINT credential writes at all.
- 50 writers at once (threads; plain HTTP and ai_core_sdk's Tracking()) of distinct metrics, and of one
  metric name: every write answered 204 and every value there afterwards.
"""
from __future__ import annotations

import re
import textwrap
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import requests
from ai_api_client_sdk.models.parameter_binding import ParameterBinding
from ai_api_client_sdk.models.status import Status

from tests.support.conformance import bearer, onboard, provisioned_group
from tests.support.stack_process import wait_for

RG = "conf-run-metrics"
SCENARIO, EXECUTABLE = "reftrack", "reference-metrics"
WRITERS = 50

# The reference's "Write Metrics from Training" (../shared/seeds/001_...txt), verbatim; then its usage loop with
# stand-ins for train_epoch/validate; then what the test checks from inside the run.
REFERENCE = textwrap.dedent('''\
    import requests
    import os
    def log_metrics(metrics: dict, step: int):
        """Log metrics to SAP AI Core."""
        api_url = os.environ.get("AICORE_API_URL")
        token = os.environ.get("AICORE_AUTH_TOKEN")
        execution_id = os.environ.get("AICORE_EXECUTION_ID")
        response = requests.post(
            f"{api_url}/v2/lm/executions/{execution_id}/metrics",
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json"
            },
            json={
                "metrics": [
                    {"name": name, "value": value, "step": step}
                    for name, value in metrics.items()
                ]
            }
        )
    ''')
TRAIN = REFERENCE + textwrap.dedent('''\

    import sys
    epochs = 3
    accuracy = 0.5
    def train_epoch():
        return 1.0 / (epoch + 1)
    def validate():
        return 1.5 / (epoch + 1)

    # Usage in training loop
    for epoch in range(epochs):
        train_loss = train_epoch()
        val_loss = validate()
        log_metrics({
            "train_loss": train_loss,
            "val_loss": val_loss,
            "accuracy": accuracy
        }, step=epoch)

    # What this run's token may not do: write another execution's metrics, read anything.
    api_url, token = os.environ["AICORE_API_URL"], os.environ["AICORE_AUTH_TOKEN"]
    auth = {"Authorization": f"Bearer {token}"}
    other = sys.argv[1]
    print("other-write", requests.post(f"{api_url}/v2/lm/executions/{other}/metrics", headers=auth,
                                        json={"metrics": [{"name": "x", "value": 1}]}).status_code, flush=True)
    print("own-read", requests.get(f"{api_url}/v2/lm/executions/{os.environ['AICORE_EXECUTION_ID']}/metrics",
                                    headers=auth).status_code, flush=True)
    print("list-read", requests.get(f"{api_url}/v2/lm/executions",
                                     headers={**auth, "AI-Resource-Group": os.environ["AICORE_RESOURCE_GROUP"]}
                                     ).status_code, flush=True)
    # Handed to the test only to show that they stop working once the run has ended.
    print("credentials", token, os.environ["AICORE_TRACKING_ENDPOINT"], flush=True)
    ''')
TEMPLATE = f"""apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: {EXECUTABLE}
  annotations:
    scenarios.ai.sap.com/name: "Reference metrics"
    executables.ai.sap.com/name: "{EXECUTABLE}"
  labels:
    scenarios.ai.sap.com/id: "{SCENARIO}"
    ai.sap.com/version: "1.0.0"
spec:
  entrypoint: train
  arguments:
    parameters:
      - name: other
        value: "none"
  templates:
    - name: train
      container:
        image: docker.io/example/reference-metrics:1.0
        command: ["python", "/app/src/train.py", "{{{{workflow.parameters.other}}}}"]
"""
DOCKERFILE = "FROM python:3.11-slim\nWORKDIR /app\nCOPY src/ /app/src/\n"


@pytest.fixture(scope="module")
def world(core, stack, tmp_path_factory):
    provisioned_group(core, RG)
    onboard(core, tmp_path_factory.mktemp("reference-metrics-repo"),
            {"workflows/train.yaml": TEMPLATE, "image/Dockerfile": DOCKERFILE, "image/src/train.py": TRAIN},
            "reference-metrics-repo", "reference-metrics-app")
    base = stack.exports["AICORE_BASE_URL"]
    http = requests.Session()
    http.headers.update({"Authorization": bearer(stack.exports), "AI-Resource-Group": RG})
    return {"base": base, "http": http}


def _configuration(core, name: str, other: str) -> str:
    return core.configuration.create(name=name, scenario_id=SCENARIO, executable_id=EXECUTABLE,
                                     parameter_bindings=[ParameterBinding(key="other", value=other)],
                                     resource_group=RG).id


def _finished(core, execution_id: str):
    wait_for(lambda: core.execution.get(execution_id, resource_group=RG).status in (Status.COMPLETED, Status.DEAD),
             timeout=90, what=f"execution {execution_id} finished")
    return core.execution.get(execution_id, resource_group=RG)


def test_the_references_training_code_logs_metrics_unchanged(core, world):
    http, base = world["http"], world["base"]
    victim = core.execution.create(_configuration(core, "victim", "none"), resource_group=RG).id
    run = core.execution.create(_configuration(core, "reference training", victim), resource_group=RG).id
    done = _finished(core, run)
    assert done.status == Status.COMPLETED, done.status_message
    logs = [line.msg for line in core.execution.query_logs(run, resource_group=RG).data.result]

    got = http.get(f"{base}/lm/executions/{run}/metrics")
    assert got.status_code == 200, got.text
    resource = got.json()
    assert resource["executionId"] == run and resource["createdAt"].endswith("Z")
    points = sorted((m["name"], m["step"], m["value"]) for m in resource["metrics"])
    expected = sorted((name, epoch, value) for epoch in range(3) for name, value in (
        ("train_loss", 1.0 / (epoch + 1)), ("val_loss", 1.5 / (epoch + 1)), ("accuracy", 0.5)))
    assert points == expected
    # The spec's read path shows the same resource.
    listed = core.metrics.query(execution_ids=[run], resource_group=RG).resources[0]
    assert sorted((m.name, m.step, m.value) for m in listed.metrics) == expected

    # From inside the run its token wrote nothing else and read nothing.
    assert "other-write 403" in logs and "own-read 403" in logs and "list-read 403" in logs, logs
    _finished(core, victim)
    assert "x" not in {m["name"] for m in http.get(f"{base}/lm/executions/{victim}/metrics").json()["metrics"]}

    # The run has ended: both of its credentials stop working, and say why.
    token, endpoint = next(m for m in logs if m.startswith("credentials ")).split()[1:3]
    late = requests.post(f"{base.removesuffix('/v2')}/v2/lm/executions/{run}/metrics",
                         headers={"Authorization": f"Bearer {token}"}, json={"metrics": [{"name": "late", "value": 1}]})
    assert late.status_code == 401 and "ended (COMPLETED)" in late.json()["error"]["message"], late.text
    sdk_late = requests.patch(f"{endpoint}/api/v1/metrics", headers={"Authorization": ""},
                              json={"execution_id": run, "metrics": [{"name": "late", "value": 1}]})
    assert sdk_late.status_code == 401 and "ended (COMPLETED)" in sdk_late.json()["error"]["message"], sdk_late.text
    assert "late" not in {m["name"] for m in http.get(f"{base}/lm/executions/{run}/metrics").json()["metrics"]}


def test_the_get_route_answers_404_for_an_unknown_execution_and_empty_lists_for_one_without_metrics(core, world):
    http, base = world["http"], world["base"]
    assert http.get(f"{base}/lm/executions/0000000000000000/metrics").status_code == 404
    quiet = core.execution.create(_configuration(core, "quiet", "none"), resource_group=RG).id
    fresh = http.get(f"{base}/lm/executions/{quiet}/metrics", params={"$select": "metrics"})
    # (the step may already have logged: only the shape is checked here)
    assert fresh.status_code == 200 and fresh.json()["executionId"] == quiet and "tags" not in fresh.json()
    _finished(core, quiet)


@pytest.fixture(scope="module")
def target(core, world):
    """An execution that parallel writers log to (its own run's metrics come first; they are left alone)."""
    run = core.execution.create(_configuration(core, "parallel target", "none"), resource_group=RG).id
    _finished(core, run)
    return run


def _names(world, execution_id):
    got = world["http"].get(f"{world['base']}/lm/executions/{execution_id}/metrics").json()
    return got["metrics"]


def test_fifty_parallel_http_writers_of_distinct_metrics_all_land(world, target):
    base, token = world["base"], world["http"].headers["Authorization"]

    def write(i):
        body = {"executionId": target, "metrics": [{"name": f"http-worker-{i}", "value": i, "step": i}]}
        return requests.patch(f"{base}/lm/metrics", json=body, timeout=60,
                              headers={"Authorization": token, "AI-Resource-Group": RG}).status_code

    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = list(pool.map(write, range(WRITERS)))
    assert statuses == [204] * WRITERS
    stored = {m["name"]: m["value"] for m in _names(world, target) if m["name"].startswith("http-worker-")}
    assert stored == {f"http-worker-{i}": i for i in range(WRITERS)}


def test_fifty_parallel_tracking_writers_of_one_metric_name_lose_nothing(stack, world, target):
    from ai_core_sdk.models import Metric
    from ai_core_sdk.tracking import Tracking

    ex = stack.exports
    tracking = Tracking(base_url=ex["AICORE_BASE_URL"], auth_url=ex["AICORE_AUTH_URL"], client_id=ex["AICORE_CLIENT_ID"],
                        client_secret=ex["AICORE_CLIENT_SECRET"], resource_group=RG)
    now = datetime.now(timezone.utc).replace(microsecond=0)

    def write(i):
        tracking.log_metrics([Metric(name="shared-loss", value=float(i), timestamp=now, step=i),
                              Metric(name=f"tracking-worker-{i}", value=float(i), timestamp=now, step=0)],
                             execution_id=target)

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))  # raises if any write was refused
    metrics = _names(world, target)
    assert sorted(m["step"] for m in metrics if m["name"] == "shared-loss") == list(range(WRITERS))
    assert {m["name"] for m in metrics if re.match(r"tracking-worker-\d+$", m["name"])} == {
        f"tracking-worker-{i}" for i in range(WRITERS)}


def test_acknowledged_metrics_survive_a_kill_and_restart(tmp_path):
    """Every write answered 204 — a write split into several items (one transaction), parallel writers — is
    there after `kill -9` and a restart on the same AICORE_HOME; a delete (batched) stays deleted."""
    import signal

    from tests.conformance.conftest import core_client
    from tests.support.stack_process import StackProcess

    home = tmp_path / "home"
    first = StackProcess(home).start()
    try:
        core = core_client(first.exports)
        onboard(core, tmp_path / "repo", {"workflows/train.yaml": TEMPLATE, "image/Dockerfile": DOCKERFILE,
                                          "image/src/train.py": TRAIN}, "restart-repo", "restart-app")
        config = core.configuration.create(name="restart", scenario_id=SCENARIO, executable_id=EXECUTABLE,
                                           parameter_bindings=[ParameterBinding(key="other", value="none")]).id
        kept, dropped = (core.execution.create(config).id for _ in range(2))
        base = first.exports["AICORE_BASE_URL"]
        headers = {"Authorization": bearer(first.exports), "AI-Resource-Group": "default"}
        # ~270 KB of small metrics: with the write time added, more than one stored item.
        big = [{"name": "b", "value": i, "step": i} for i in range(6000)]
        answer = requests.patch(f"{base}/lm/metrics", headers=headers, json={"executionId": kept, "metrics": big})
        assert answer.status_code == 204, answer.text

        def write(i):
            return requests.post(f"{base}/lm/executions/{kept}/metrics", headers=headers, timeout=60,
                                 json={"metrics": [{"name": f"p{i}", "value": i, "step": 0}]}).status_code

        with ThreadPoolExecutor(20) as pool:
            assert list(pool.map(write, range(20))) == [204] * 20
        assert requests.post(f"{base}/lm/executions/{dropped}/metrics", headers=headers,
                             json={"metrics": [{"name": "gone", "value": 1}]}).status_code == 204
        assert requests.delete(f"{base}/lm/metrics", headers=headers, params={"executionId": dropped}).ok
    finally:
        first.stop(signal.SIGKILL)

    second = StackProcess(home).start()
    try:
        base = second.exports["AICORE_BASE_URL"]
        headers = {"Authorization": bearer(second.exports), "AI-Resource-Group": "default"}
        metrics = requests.get(f"{base}/lm/executions/{kept}/metrics", headers=headers).json()["metrics"]
        assert sorted(m["step"] for m in metrics if m["name"] == "b") == list(range(6000))
        assert {m["name"] for m in metrics if m["name"].startswith("p")} == {f"p{i}" for i in range(20)}
        assert requests.get(f"{base}/lm/executions/{dropped}/metrics", headers=headers).json()["metrics"] == []
    finally:
        second.stop()
