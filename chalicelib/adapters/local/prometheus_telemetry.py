"""The Telemetry port (domain/telemetry.py) on prometheus_client, for the local stack's operator /metrics.

A registry of its own, not prometheus_client's global REGISTRY: only these figures are exposed (no process or
platform collectors the library registers globally), and tests can build as many stacks' registries as they like.
Names follow Prometheus' conventions (unit suffix, `_total` on counters); monitoring/ (alert rules, Grafana
dashboard) uses exactly these names, and tests/monitoring checks that it does.
"""
from __future__ import annotations

import logging
from typing import Tuple

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
# Version 0.0.4 of the text format: what every Prometheus 2.x scrapes (Debian 12 ships 2.42); generate_latest writes it.
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

log = logging.getLogger("aicore.telemetry")

DEPLOYMENT = ("tenant", "resource_group", "deployment_id")
# Predictions: a few ms (a linear model) to minutes (a large model; the proxy's upstream timeout is 300 s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)
# Executions: seconds (a smoke test) to a day (a long training).
RUN_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)


class PrometheusTelemetry:
    def __init__(self, registry: CollectorRegistry | None = None):
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("aicore_inference_requests", "Requests through the inference proxy, by the "
                                "status code answered.", DEPLOYMENT + ("code",), registry=r)
        self.latency = Histogram("aicore_inference_request_duration_seconds", "Time from the request reaching the "
                                 "inference proxy to the end of the answer.", DEPLOYMENT + ("code",),
                                 buckets=LATENCY_BUCKETS, registry=r)
        self.ready = Gauge("aicore_predictor_ready", "1 while a predictor of the deployment answers, else 0.",
                           DEPLOYMENT, registry=r)
        self.restarts = Counter("aicore_predictor_restarts", "Predictors that exited unasked (reason=exited) or "
                                "were relaunched at a stack restart (reason=stack_restart).", DEPLOYMENT + ("reason",),
                                registry=r)
        self.executions = Counter("aicore_executions", "Executions that ended, by status (COMPLETED, DEAD, STOPPED).",
                                  ("tenant", "resource_group", "status"), registry=r)
        self.execution_seconds = Histogram("aicore_execution_duration_seconds", "Execution run time, start to end.",
                                           ("tenant", "resource_group", "status"), buckets=RUN_BUCKETS, registry=r)
        self.fires = Counter("aicore_schedule_fires", "Schedule due times handled, by outcome (started, failed).",
                             ("tenant", "resource_group", "outcome"), registry=r)
        self.sync_failures = Counter("aicore_sync_failures", "Git syncs that did not apply cleanly, by reason "
                                     "(source: repository unreadable; templates: files refused).",
                                     ("tenant", "application", "reason"), registry=r)

    # -- the port -----------------------------------------------------------------------------------------
    def inference_request(self, tenant: str, resource_group: str, deployment_id: str, status_code: int,
                          seconds: float) -> None:
        labels = (tenant, resource_group, deployment_id, str(status_code))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(max(0.0, seconds))

    def execution_finished(self, tenant: str, resource_group: str, status: str, seconds: float) -> None:
        self.executions.labels(tenant, resource_group, status).inc()
        self.execution_seconds.labels(tenant, resource_group, status).observe(max(0.0, seconds))

    def predictor_ready(self, tenant: str, resource_group: str, deployment_id: str, ready: bool) -> None:
        self.ready.labels(tenant, resource_group, deployment_id).set(1 if ready else 0)

    def predictor_restarted(self, tenant: str, resource_group: str, deployment_id: str, reason: str) -> None:
        self.restarts.labels(tenant, resource_group, deployment_id, reason).inc()

    def predictor_forgotten(self, tenant: str, resource_group: str, deployment_id: str) -> None:
        # A deleted deployment's series go: deployment ids are never reused, so they would only pile up.
        labels = {"tenant": tenant, "resource_group": resource_group, "deployment_id": deployment_id}
        for metric in (self.requests, self.latency, self.ready, self.restarts):
            metric.remove_by_labels(labels)

    def schedule_fired(self, tenant: str, resource_group: str, outcome: str) -> None:
        self.fires.labels(tenant, resource_group, outcome).inc()

    def sync_failed(self, tenant: str, application: str, reason: str) -> None:
        self.sync_failures.labels(tenant, application, reason).inc()

    # -- exposition ---------------------------------------------------------------------------------------
    def exposition(self) -> Tuple[bytes, str]:
        """The text exposition format (version 0.0.4) and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_PLAIN_0_0_4
