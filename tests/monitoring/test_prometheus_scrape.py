"""Prometheus itself (Debian's prometheus package, the one `make system-tools` installs) pointed at the local stack with
monitoring/prometheus/prometheus.yml as committed (only the interval, port and token path changed for the test):
it scrapes with the operator token, loads the alert rules, and every query of the Grafana dashboard runs there,
the traffic ones returning the deployment's series."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import requests
from ai_api_client_sdk.models.target_status import TargetStatus

from tests.monitoring.test_metrics_endpoint import running
from tests.support.conformance import bearer, provisioned_group
from tests.support.prometheus import prometheus_scraping, query
from tests.support.serving_conformance import served_configuration
from tests.support.stack_process import wait_for

ROOT = Path(__file__).resolve().parents[2]
RG = "monitoring-scrape"
REQUESTS = 12


@pytest.fixture(scope="module")
def prometheus(stack, tmp_path_factory):
    with prometheus_scraping(stack, tmp_path_factory.mktemp("prometheus")) as url:
        yield url


@pytest.fixture(scope="module")
def traffic(stack, core, catalog):
    provisioned_group(core, RG)
    deployment = core.deployment.create(served_configuration(core, RG, "scraped", "model-s"), resource_group=RG).id
    url = running(core, deployment, RG)
    headers = {"Authorization": bearer(stack.exports), "AI-Resource-Group": RG}
    for i in range(REQUESTS):
        assert requests.post(f"{url}/v2/predict", json={"i": i}, headers=headers, timeout=10).status_code == 200
    yield deployment
    core.deployment.modify(deployment, target_status=TargetStatus.STOPPED, resource_group=RG)


def test_prometheus_scrapes_the_stack_with_the_operator_token(prometheus, traffic):
    series = f'aicore_inference_requests_total{{resource_group="{RG}", deployment_id="{traffic}", code="200"}}'
    result = wait_for(lambda: query(prometheus, series), timeout=30, what="the requests scraped")
    assert float(result[0]["value"][1]) == REQUESTS
    (up,) = query(prometheus, 'up{job="aicore"}')
    assert up["value"][1] == "1" and up["metric"]["stage"] == "local"


def test_the_alert_rules_load_healthy(prometheus):
    groups = requests.get(f"{prometheus}/api/v1/rules", timeout=10).json()["data"]["groups"]
    rules = [r for g in groups for r in g["rules"]]
    assert len(rules) == 7
    wait_for(lambda: all(r["health"] == "ok" for g in requests.get(f"{prometheus}/api/v1/rules", timeout=10)
                         .json()["data"]["groups"] for r in g["rules"]), timeout=15, what="rules evaluated")


def test_every_dashboard_query_runs_on_prometheus(prometheus, traffic):
    dashboard = json.loads((ROOT / "monitoring" / "grafana" / "dashboards" / "aicore.json").read_text())
    time.sleep(2.5)  # at least two scrapes after the traffic: rate() needs two samples

    def as_grafana_sends(expr: str) -> str:
        expr = re.sub(r"\$__rate_interval\b", "1m", re.sub(r"\$__range\b", "5m", expr))
        return re.sub(r"\$\{?\w+\}?", ".*", expr)  # every variable at "All" (allValue .*)

    answered = {}
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            answered[(panel["title"], target["refId"])] = query(prometheus, as_grafana_sends(target["expr"]))
    traffic_panels = [k for k in answered if k[0] in ("Requests per second", "Requests by status code",
                                                       "Latency p50 / p95")]
    assert len(traffic_panels) == 4
    for key in traffic_panels:
        assert any(r["metric"].get("deployment_id") == traffic for r in answered[key]), key
