"""monitoring/grafana: every PromQL expression of the dashboard (panels and variables) uses only metric names the
stack's exposition has, parsed with promql-parser (a PromQL parser, not a regex: names in label matchers, `__name__`
matchers and nested calls are found as the server would find them); and the JSON and provisioning files carry what
Grafana's file provisioning needs."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterator, Set

import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from chalicelib.adapters.local.prometheus_telemetry import PrometheusTelemetry

ROOT = Path(__file__).resolve().parents[2]
GRAFANA = ROOT / "monitoring" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "aicore.json"
LABEL_VALUES = re.compile(r"^label_values\((?:(?P<selector>.+),\s*)?(?P<label>\w+)\)$")


@pytest.fixture(scope="module")
def exposed() -> Set[str]:
    """Sample names (with _total, _bucket, _sum, _count) of an exposition in which every figure was reported."""
    t = PrometheusTelemetry()
    t.inference_request("t", "rg", "d1", 200, 0.02)
    t.execution_finished("t", "rg", "COMPLETED", 12.0)
    t.predictor_ready("t", "rg", "d1", True)
    t.predictor_restarted("t", "rg", "d1", "exited")
    t.schedule_fired("t", "rg", "started")
    t.sync_failed("t", "app", "source")
    text = t.exposition()[0].decode()
    return {s.name for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads(DASHBOARD.read_text())


def grafana_free(expr: str) -> str:
    """Grafana substitutes its variables before Prometheus sees the query: do the same with sample values."""
    expr = re.sub(r"\$__(rate_interval|interval|range)\b", "5m", expr)
    return re.sub(r"\$\{?\w+\}?", "x", expr)


def metric_names(expr: str) -> Iterator[tuple]:
    """('name', n) for every selector's metric name, ('regex', r) for a `__name__=~` matcher."""
    found = []

    def visit(node):
        if isinstance(node, promql_parser.VectorSelector):
            if node.name:
                found.append(("name", node.name))
            for m in node.matchers.matchers:
                if m.name == "__name__":
                    found.append(("regex" if "Re" in str(m.op) else "name", m.value))
    promql_parser.walk(promql_parser.parse(grafana_free(expr)), pre_visit=visit)
    return iter(found)


def expressions(dashboard: dict) -> Iterator[tuple]:
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            yield panel["title"], target["expr"]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            match = LABEL_VALUES.match(variable["query"]["query"])
            assert match, f"variable {variable['name']}: not a label_values() query"
            if match["selector"]:
                yield f"variable {variable['name']}", match["selector"]


def test_every_expression_uses_only_exposed_metrics(dashboard, exposed):
    assert {"aicore_inference_requests_total", "aicore_inference_request_duration_seconds_bucket"} <= exposed
    checked = 0
    for where, expr in expressions(dashboard):
        names = list(metric_names(expr))
        assert names, f"{where}: no metric in {expr}"
        for kind, name in names:
            if kind == "name":
                assert name in exposed, f"{where}: {name} is not in the exposition ({sorted(exposed)})"
            else:
                assert any(re.fullmatch(name, n) for n in exposed), f"{where}: {name} matches no exposed metric"
            checked += 1
    assert checked >= 15


def test_the_name_check_catches_a_misspelt_metric(exposed):
    names = dict(metric_names('sum(rate(aicore_inference_request_total{tenant=~"$tenant"}[$__rate_interval]))'))
    assert names == {"name": "aicore_inference_request_total"} and "aicore_inference_request_total" not in exposed


def test_the_panels_cover_what_the_issue_asks(dashboard):
    text = " ".join(expr for _, expr in expressions(dashboard))
    for figure in ("aicore_inference_requests_total", 'code=~"5.."', "histogram_quantile(0.95",
                   "histogram_quantile(0.5", "aicore_predictor_ready", "aicore_predictor_restarts_total",
                   "aicore_executions_total", "aicore_execution_duration_seconds_bucket", "aicore_schedule_fires_total",
                   "aicore_sync_failures_total"):
        assert figure in text, figure
    per_deployment = [e for _, e in expressions(dashboard) if "aicore_inference" in e]
    assert all("deployment_id" in e for e in per_deployment)


def test_dashboard_json_is_provisionable(dashboard):
    """What Grafana's file provider needs: a uid (stable URL, updates in place), a title, panels with unique ids
    and grid positions inside the 24-column grid that do not overlap, targets with refIds, the data source by the
    uid the provisioned data source has."""
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", dashboard["uid"]) and dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int) and dashboard.get("id") is None
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    cells = set()
    for panel in dashboard["panels"]:
        g = panel["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["h"] > 0, panel["title"]
        mine = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
        assert not mine & cells, f"{panel['title']} overlaps another panel"
        cells |= mine
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
            refs = [t["refId"] for t in panel["targets"]]
            assert refs and len(refs) == len(set(refs))
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    datasource = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "aicore.yaml").read_text())
    assert datasource["apiVersion"] == 1
    (source,) = datasource["datasources"]
    assert source["type"] == "prometheus" and source["access"] == "proxy" and source["url"].startswith("http")
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["datasource"]["current"]["value"] == source["uid"]


def test_dashboard_provider_points_at_a_folder_of_files():
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "aicore.yaml").read_text())
    assert provider["apiVersion"] == 1
    (p,) = provider["providers"]
    assert p["type"] == "file" and p["name"] and p["options"]["path"].startswith("/")
