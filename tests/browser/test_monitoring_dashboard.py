"""The Grafana dashboard (monitoring/grafana/dashboards/aicore.json) over the stack's own figures: the AI Library's
deployments get traffic (good requests, a bad body, a wrong path), a training is made to fail, a Git sync fails;
Debian's Prometheus scrapes the stack with the committed config; every panel of the dashboard is drawn from its own
queries (tests/support/dashboard_render.py: Grafana itself is not installable here) and shot.

With AICORE_README_SHOTS=1 the picture also replaces docs/screenshots/monitoring-dashboard.png, the README's."""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import requests

from tests.browser.conftest import ROOT, shoot
from tests.support.dashboard_render import page_html, query_panels
from tests.support.library_install import install_packages
from tests.support.prometheus import prometheus_scraping, query
from tests.support.stack_process import wait_for

DASHBOARD = ROOT / "monitoring" / "grafana" / "dashboards" / "aicore.json"
PACKAGES = [p for p in ("sentiment-analysis", "flake-analysis", "duplicate-bug-detection")
            if (ROOT / "library" / p).is_dir()]
TRAFFIC_SECONDS = 40
# Panels the workload must fill; the predictor-restart and schedule panels may honestly show no data.
MUST_DRAW = {"Requests per second", "Requests by status code", "Latency p50 / p95", "Predictor ready",
             "Executions ended, by status", "Execution duration p50 / p95", "Git sync failures"}


def _traffic(installed, seconds: float, events) -> dict:
    """Each package's example request in a loop, with a bad body every 5th and a wrong path every 9th; `events`
    (seconds from the start -> action) happen on the way."""
    sent = {"ok": 0, "refused": 0}
    started, i = time.monotonic(), 0
    pending = sorted(events.items())
    while time.monotonic() < started + seconds:
        while pending and time.monotonic() - started >= pending[0][0]:
            pending.pop(0)[1]()
        for package in installed:
            deployment, example = package.run("deployment"), package.result["example"]
            url = deployment["deploymentUrl"]
            if i % 9 == 8:
                answer = requests.post(f"{url}/v1/models/nope:predict", json={}, headers=package.headers, timeout=10)
            elif i % 5 == 4:
                answer = requests.post(url + example["path"], json={"wrong": 1}, headers=package.headers, timeout=10)
            else:
                answer = requests.post(url + example["path"], json=example["body"], headers=package.headers,
                                       timeout=10)
            sent["ok" if answer.status_code == 200 else "refused"] += 1
        i += 1
        time.sleep(0.05)
    return sent


def _failures(package) -> dict:
    """A training that misses its card (a negative tolerance) ends DEAD; an application on a missing repository
    fails its sync. Both happen now and again during the traffic: Prometheus sees no increase in a counter's first
    sample, so the first of each only creates the series the later ones raise. Returns the later events."""
    def call(method, path, **kw):
        answer = requests.request(method, package.base + path, headers=package.headers, timeout=10, **kw)
        assert answer.ok, answer.text
        return answer.json() if answer.content else None

    training = next(c for c in package.result["configurations"] if "serv" not in c["name"].lower())
    conf = call("GET", f"/lm/configurations/{training['id']}")
    params = [p for p in conf["parameterBindings"] if p["key"] != "tolerance"] + [{"key": "tolerance",
                                                                                   "value": "-1"}]
    strict = call("POST", "/lm/configurations", json={**{k: conf[k] for k in ("scenarioId", "executableId",
                                                                             "inputArtifactBindings")},
                                                     "name": "stricter than the card", "parameterBindings": params})
    failing = lambda: call("POST", "/lm/executions", json={"configurationId": strict["id"]})
    passing = lambda: call("POST", "/lm/executions", json={"configurationId": training["id"]})
    resync = lambda: call("POST", "/admin/applications/gone/refresh")
    failing()
    call("POST", "/admin/repositories", json={"name": "gone", "url": "file:///nonexistent/repo", "username": "",
                                              "password": ""})
    call("POST", "/admin/applications", json={"applicationName": "gone", "repositoryUrl": "file:///nonexistent/repo",
                                              "revision": "HEAD", "path": "."})
    return {5: passing, 8: failing, 10: resync, 20: passing, 24: resync, 30: failing}


def test_the_dashboard_draws_the_stacks_own_figures(web_stack, browser, tmp_path_factory):
    assert PACKAGES, "the AI Library's packages are the dashboard's workload"
    with prometheus_scraping(web_stack, tmp_path_factory.mktemp("dashboard-prometheus")) as prometheus:
        installed = install_packages(web_stack, tmp_path_factory.mktemp("dashboard-home"), PACKAGES, "dashboard",
                                     "dashboard-rg")
        try:
            sent = _traffic(installed, TRAFFIC_SECONDS, _failures(installed[0]))
            assert sent["ok"] and sent["refused"], sent
            wait_for(lambda: query(prometheus, 'aicore_executions_total{status="DEAD"}'), timeout=120,
                     what="the failing training scraped")
            time.sleep(3)  # two more scrapes: rate() over the last requests
            dashboard = json.loads(DASHBOARD.read_text())
            panels = query_panels(dashboard, prometheus, seconds=TRAFFIC_SECONDS + 60, step=2)
        finally:
            for package in installed:
                package.stop_deployments()

    empty = {p["title"] for p in panels if p["type"] != "row" and not p["series"]}
    assert not (MUST_DRAW & empty), f"panels without data: {sorted(MUST_DRAW & empty)}"
    deployments = {r["id"] for p in installed for r in p.result["runs"] if r["kind"] == "deployment"}
    traffic = next(p for p in panels if p["title"] == "Requests per second")
    assert all(any(d in s["name"] for s in traffic["series"]) for d in deployments), traffic["series"]

    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.set_content(page_html(dashboard, panels, f"the local stack, last {TRAFFIC_SECONDS + 60} s, "
                                                  f"{len(PACKAGES)} AI Library deployments; drawn from Prometheus"))
    page.wait_for_selector("body[data-drawn=yes]")
    shot = shoot(page, "monitoring-dashboard", "grafana")
    context.close()
    if os.environ.get("AICORE_README_SHOTS"):
        shutil.copy(shot, ROOT / "docs" / "screenshots" / "monitoring-dashboard.png")
    assert Path(shot).stat().st_size > 50_000  # a drawn page, not an empty one
