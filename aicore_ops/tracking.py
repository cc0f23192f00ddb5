"""Metrics of executions as `metrics` and `compare` show them: the last value of each metric name."""
from __future__ import annotations

from typing import Dict, List

from .client import Client


def of_execution(client: Client, run_id: str) -> dict:
    body = client.get("/lm/metrics", executionIds=run_id)
    resources = (body or {}).get("resources") or []
    return resources[0] if resources else {}


def last_values(metrics: dict) -> dict:
    """The final value of each metric name (a metric logged per step keeps its last step)."""
    values = {}
    for metric in sorted(metrics.get("metrics") or [], key=lambda m: (m.get("step") or 0, m.get("timestamp", ""))):
        values[metric["name"]] = metric.get("value")
    return values


def side_by_side(client: Client, run_ids: List[str]) -> Dict[str, dict]:
    """run id -> {"status", "param <key>", "metric <name>"}: what differs between runs is what a user compares."""
    columns = {}
    for run_id in run_ids:
        run = client.get(f"/lm/executions/{run_id}")
        conf = client.get(f"/lm/configurations/{run['configurationId']}")
        params = {f"param {p['key']}": p["value"] for p in conf.get("parameterBindings") or []}
        columns[run_id] = {"status": run.get("status"), **params,
                           **{f"metric {k}": v for k, v in last_values(of_execution(client, run_id)).items()}}
    return columns
