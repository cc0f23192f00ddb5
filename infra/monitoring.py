"""A stage's CloudWatch dashboard and alarms over the figures the functions write in the embedded metric format
(chalicelib/adapters/aws/emf_telemetry.py: the names and dimensions come from there, so they cannot drift apart).

The same figures as the local stack's Prometheus rules (monitoring/prometheus/alerts.yml), where AWS has them:
executions by status and duration (the cluster_task function), predictor readiness (the deployment poll), schedule
fires (schedule-tick), Git sync failures (git-poll), and inference requests, server errors and latency from API
Gateway's access log through metric filters (infra/inference_metrics.py: no function of ours is in that path). Alarms watch the kind-level series (Status, Outcome, Reason), which span all tenants; the dashboard
breaks them down by tenant with SEARCH. Alarms notify the SNS topic AlarmTopicArn when one is given.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List

from chalicelib.adapters.aws.emf_telemetry import (EXECUTION_DURATION, EXECUTIONS_ENDED, INFERENCE_LATENCY,
                                                   INFERENCE_REQUESTS, NAMESPACE, PREDICTOR_READY, SCHEDULE_FIRES,
                                                   SERVICE, SYNC_FAILURES, service_name)

from .inference_metrics import INFERENCE_SERVER_ERRORS

PARAMETERS: Dict[str, Dict[str, Any]] = {
    "AlarmTopicArn": {"Type": "String", "Default": "", "AllowedPattern": "^(arn:aws[a-z-]*:sns:.+)?$",
                      "Description": "SNS topic the stage's alarms notify (empty: alarms without actions)"},
}
OPTIONAL_PARAMETERS = ("AlarmTopicArn",)  # Has<name> conditions (infra/resources.py makes them)


def _metric(stage: str, name: str, stat: str, period: int, **dimensions: str) -> Dict[str, Any]:
    return {"Metric": {"Namespace": NAMESPACE, "MetricName": name,
                       "Dimensions": [{"Name": SERVICE, "Value": service_name(stage)}] +
                                     [{"Name": k, "Value": v} for k, v in dimensions.items()]},
            "Period": period, "Stat": stat}


def _alarm(stage: str, name: str, description: str, metrics: List[Dict[str, Any]], threshold: float,
           comparison: str, evaluation_periods: int = 1) -> Dict[str, Any]:
    topic = {"Fn::If": ["HasAlarmTopicArn", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmName": f"aicore-{stage}-{name}", "AlarmDescription": description,
        "Metrics": metrics, "Threshold": threshold, "ComparisonOperator": comparison,
        "EvaluationPeriods": evaluation_periods, "DatapointsToAlarm": evaluation_periods,
        # No figure written means nothing happened (no run ended, no deployment polled): not a breach.
        "TreatMissingData": "notBreaching", "AlarmActions": topic, "OKActions": topic}}


def alarms(stage: str) -> Dict[str, Any]:
    half_hour, hour = 1800, 3600
    dead, completed, stopped = (f"FILL({m}, 0)" for m in ("dead", "completed", "stopped"))
    return {
        "ExecutionsFailingAlarm": _alarm(
            stage, "executions-failing", "More than 25% of the executions that ended in 30 minutes ended DEAD "
            "(and at least two did).",
            [{"Id": "dead", "MetricStat": _metric(stage, EXECUTIONS_ENDED, "Sum", half_hour, Status="DEAD"),
              "ReturnData": False},
             {"Id": "completed", "MetricStat": _metric(stage, EXECUTIONS_ENDED, "Sum", half_hour, Status="COMPLETED"),
              "ReturnData": False},
             {"Id": "stopped", "MetricStat": _metric(stage, EXECUTIONS_ENDED, "Sum", half_hour, Status="STOPPED"),
              "ReturnData": False},
             {"Id": "deadshare", "Label": "DEAD share of ended executions", "ReturnData": True,
              "Expression": f"IF({dead} >= 2, {dead} / ({dead} + {completed} + {stopped}), 0)"}],
            0.25, "GreaterThanThreshold"),
        "PredictorDownAlarm": _alarm(
            stage, "predictor-down", "A deployment's InferenceService was not ready (its predictor failed or "
            "vanished) in two 5-minute periods in a row.",
            [{"Id": "ready", "MetricStat": _metric(stage, PREDICTOR_READY, "Minimum", 300), "ReturnData": True}],
            1, "LessThanThreshold", evaluation_periods=2),
        "ScheduleFiresFailingAlarm": _alarm(
            stage, "schedule-fires-failing", "A schedule's due time could not start its execution in the last hour.",
            [{"Id": "failed", "MetricStat": _metric(stage, SCHEDULE_FIRES, "Sum", hour, Outcome="failed"),
              "ReturnData": True}],
            0, "GreaterThanThreshold"),
        "DeploymentErrorRateAlarm": _alarm(
            stage, "deployment-error-rate", "More than 5% of the predictions that reached deployments in 10 minutes "
            "were answered with a 5xx (and at least five were).",
            [{"Id": "errors", "MetricStat": _metric(stage, INFERENCE_SERVER_ERRORS, "Sum", 600), "ReturnData": False},
             {"Id": "requests", "MetricStat": _metric(stage, INFERENCE_REQUESTS, "Sum", 600), "ReturnData": False},
             {"Id": "errorshare", "Label": "5xx share of predictions", "ReturnData": True,
              "Expression": "IF(FILL(errors, 0) >= 5, FILL(errors, 0) / FILL(requests, 1), 0)"}],
            0.05, "GreaterThanThreshold"),
        "GitSyncFailingAlarm": _alarm(
            stage, "git-sync-failing", "Git syncs failed three times or more in 30 minutes (repository unreadable "
            "or templates refused).",
            [{"Id": "source", "MetricStat": _metric(stage, SYNC_FAILURES, "Sum", half_hour, Reason="source"),
              "ReturnData": False},
             {"Id": "templates", "MetricStat": _metric(stage, SYNC_FAILURES, "Sum", half_hour, Reason="templates"),
              "ReturnData": False},
             {"Id": "failures", "Label": "Git sync failures", "ReturnData": True,
              "Expression": "FILL(source, 0) + FILL(templates, 0)"}],
            3, "GreaterThanOrEqualToThreshold"),
    }


def _widget(title: str, metrics: List[list], x: int, y: int, stat: str = "Sum", view: str = "timeSeries",
            stacked: bool = False) -> Dict[str, Any]:
    return {"type": "metric", "x": x, "y": y, "width": 12, "height": 6, "properties": {
        "title": title, "region": "${AWS::Region}", "view": view, "stacked": stacked, "stat": stat, "period": 300,
        "metrics": metrics}}


def _search(stage: str, metric_id: str, name: str, dimensions: str, stat: str, where: str = "") -> Dict[str, Any]:
    """Every series of `name` with these dimensions (one per tenant, group, ...): SEARCH, which alarms cannot use."""
    query = (f"{{{NAMESPACE},{SERVICE},{dimensions}}} MetricName=\"{name}\" {SERVICE}=\"{service_name(stage)}\""
             f"{' ' + where if where else ''}")
    return {"expression": f"SEARCH('{query}', '{stat}', 300)", "id": metric_id}


def dashboard_body(stage: str) -> Dict[str, Any]:
    service = service_name(stage)
    by_status = [[NAMESPACE, EXECUTIONS_ENDED, SERVICE, service, "Status", status]
                 for status in ("COMPLETED", "DEAD", "STOPPED")]
    widgets = [
        _widget("Executions ended, by status", by_status, 0, 0, view="timeSeries", stacked=True),
        _widget("Execution duration p50 / p95 (COMPLETED)",
                [[NAMESPACE, EXECUTION_DURATION, SERVICE, service, "Status", "COMPLETED", {"stat": "p50"}],
                 [NAMESPACE, EXECUTION_DURATION, SERVICE, service, "Status", "COMPLETED", {"stat": "p95"}]],
                12, 0, stat="p50"),
        _widget("Executions ended DEAD, by tenant and resource group",
                [[_search(stage, "dead", EXECUTIONS_ENDED, "Status,Tenant,ResourceGroup", "Sum", 'Status="DEAD"')]],
                0, 6),
        _widget("Predictor ready (minimum over deployments)",
                [[NAMESPACE, PREDICTOR_READY, SERVICE, service]], 12, 6, stat="Minimum"),
        _widget("Predictor ready, by deployment",
                [[_search(stage, "ready", PREDICTOR_READY, "Tenant,ResourceGroup,DeploymentId", "Minimum")]], 0, 12,
                stat="Minimum"),
        _widget("Schedule fires, by outcome",
                [[NAMESPACE, SCHEDULE_FIRES, SERVICE, service, "Outcome", o] for o in ("started", "failed")], 12, 12),
        _widget("Git sync failures, by reason",
                [[NAMESPACE, SYNC_FAILURES, SERVICE, service, "Reason", r] for r in ("source", "templates")], 0, 18),
        _widget("Predictions, by deployment and status code",
                [[_search(stage, "predictions", INFERENCE_REQUESTS, "DeploymentId,Code", "Sum")]], 12, 18),
        _widget("Prediction latency p95 (ms), by deployment",
                [[_search(stage, "latency", INFERENCE_LATENCY, "DeploymentId", "p95")]], 0, 24, stat="p95"),
        _widget("Predictions and 5xx answers, all deployments",
                [[NAMESPACE, INFERENCE_REQUESTS, SERVICE, service], [NAMESPACE, INFERENCE_SERVER_ERRORS, SERVICE, service]],
                12, 24),
        {"type": "alarm", "x": 0, "y": 30, "width": 24, "height": 6, "properties": {
            "title": "Alarms", "alarms": [f"${{{logical_id}.Arn}}" for logical_id in alarms(stage)]}},
    ]
    return {"widgets": widgets}


def resources(stage: str) -> Dict[str, Any]:
    return {
        **alarms(stage),
        "OperationsDashboard": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {
            "DashboardName": f"aicore-{stage}-operations",
            # ${AWS::Region} and ${<Alarm>.Arn} are substituted by CloudFormation; SEARCH's {…} are left alone.
            "DashboardBody": {"Fn::Sub": json.dumps(dashboard_body(stage), separators=(",", ":"))}}},
    }
