"""The Telemetry port (domain/telemetry.py) on AWS: CloudWatch metrics in the embedded metric format (EMF), written
by Powertools' `single_metric` as one JSON line on stdout, which Lambda ships to the function's log group and
CloudWatch turns into metrics (no API call, no extra permission, nothing on the request's critical path).

`single_metric` rather than `Metrics` + `@log_metrics`: the figures come from deep inside a task or tick (a run's
end, a schedule's fire), not once per handler, and each must be flushed even when the invocation then fails.

Each figure is written twice: with the kind dimensions only (Status, Outcome, Reason: what the stack's alarms
watch across tenants, since an alarm cannot enumerate tenants), and with the tenant's dimensions added (what the
dashboard and an operator's own queries break down by). The stack's dashboard and alarms (infra/monitoring.py) use
the names below; tests/infra checks that they do.
"""
from __future__ import annotations

import logging
from typing import Dict

from aws_lambda_powertools.metrics import MetricUnit, single_metric

log = logging.getLogger("aicore.telemetry")

NAMESPACE = "AICore"
SERVICE = "service"  # Powertools' own dimension name; its value is the stage's service, aicore-<stage>
INFERENCE_REQUESTS = "InferenceRequests"
INFERENCE_LATENCY = "InferenceLatency"
EXECUTIONS_ENDED = "ExecutionsEnded"
EXECUTION_DURATION = "ExecutionDuration"
PREDICTOR_READY = "PredictorReady"
PREDICTOR_RESTARTS = "PredictorRestarts"
SCHEDULE_FIRES = "ScheduleFires"
SYNC_FAILURES = "SyncFailures"


def service_name(stage: str) -> str:
    return f"aicore-{stage}"


class EmfTelemetry:
    def __init__(self, stage: str, namespace: str = NAMESPACE):
        self._namespace = namespace
        self._service = service_name(stage)

    def _emit(self, name: str, unit: MetricUnit, value: float, kind: Dict[str, str], detail: Dict[str, str]) -> None:
        try:
            for dimensions in (kind, {**kind, **detail}):
                with single_metric(name=name, unit=unit, value=value, namespace=self._namespace,
                                   default_dimensions={SERVICE: self._service}) as metric:
                    for key, val in dimensions.items():
                        metric.add_dimension(name=key, value=val or "-")  # CloudWatch refuses empty values
        except Exception:  # noqa: BLE001 - a figure never fails the task that reports it
            log.warning("could not write metric %s", name, exc_info=True)

    # -- the port -----------------------------------------------------------------------------------------
    def inference_request(self, tenant: str, resource_group: str, deployment_id: str, status_code: int,
                          seconds: float) -> None:
        kind = {"StatusClass": f"{status_code // 100}xx"}
        detail = {"Tenant": tenant, "ResourceGroup": resource_group, "DeploymentId": deployment_id}
        self._emit(INFERENCE_REQUESTS, MetricUnit.Count, 1, kind, detail)
        self._emit(INFERENCE_LATENCY, MetricUnit.Seconds, max(0.0, seconds), kind, detail)

    def execution_finished(self, tenant: str, resource_group: str, status: str, seconds: float) -> None:
        detail = {"Tenant": tenant, "ResourceGroup": resource_group}
        self._emit(EXECUTIONS_ENDED, MetricUnit.Count, 1, {"Status": status}, detail)
        self._emit(EXECUTION_DURATION, MetricUnit.Seconds, max(0.0, seconds), {"Status": status}, detail)

    def predictor_ready(self, tenant: str, resource_group: str, deployment_id: str, ready: bool) -> None:
        self._emit(PREDICTOR_READY, MetricUnit.Count, 1 if ready else 0, {},
                   {"Tenant": tenant, "ResourceGroup": resource_group, "DeploymentId": deployment_id})

    def predictor_restarted(self, tenant: str, resource_group: str, deployment_id: str, reason: str) -> None:
        self._emit(PREDICTOR_RESTARTS, MetricUnit.Count, 1, {"Reason": reason},
                   {"Tenant": tenant, "ResourceGroup": resource_group, "DeploymentId": deployment_id})

    def predictor_forgotten(self, tenant: str, resource_group: str, deployment_id: str) -> None:
        pass  # CloudWatch series end by themselves when nothing is written to them

    def schedule_fired(self, tenant: str, resource_group: str, outcome: str) -> None:
        self._emit(SCHEDULE_FIRES, MetricUnit.Count, 1, {"Outcome": outcome},
                   {"Tenant": tenant, "ResourceGroup": resource_group})

    def sync_failed(self, tenant: str, application: str, reason: str) -> None:
        self._emit(SYNC_FAILURES, MetricUnit.Count, 1, {"Reason": reason},
                   {"Tenant": tenant, "Application": application})
