"""Inference figures on AWS: requests, server errors and latency per deployment and status code, from API Gateway's
access log of the stage, through CloudWatch Logs metric filters.

Why this way: on AWS a prediction goes from API Gateway straight to the cluster's ingress (infra/inference.py), so
none of this project's functions sees its answer or its time. API Gateway does: its access log line for the request
holds the status, the latency and, from the inference authorizer's context, the deployment. Metric filters turn
those lines into CloudWatch metrics with no code in the data path. A metric filter's dimensions are fields of the
line (at most three), so the constant `service` (the stage's, as the functions' EMF figures carry) is a field too.

API Gateway writes access logs only once the account's API Gateway settings name a CloudWatch Logs role (one per
account and region, `AWS::ApiGateway::Account`); infra/README.md says how, since one stack per stage cannot own it.
"""
from __future__ import annotations

import json
from typing import Any, Dict

from chalicelib.adapters.aws.emf_telemetry import INFERENCE_LATENCY, INFERENCE_REQUESTS, NAMESPACE, SERVICE, \
    service_name

from .inference import ROUTE

INFERENCE_SERVER_ERRORS = "InferenceServerErrors"
ACCESS_LOG_GROUP = "ApiAccessLogGroup"


def access_log_format(stage: str) -> str:
    """One JSON object per request. `status` and `latency` are numbers (unquoted) so that filters can compare them;
    the authorizer's context fields are `-` on routes and refusals that have none."""
    fields = {
        "requestId": "$context.requestId", "resourcePath": "$context.resourcePath", "httpMethod": "$context.httpMethod",
        SERVICE: service_name(stage), "deploymentId": "$context.authorizer.deploymentId",
        "tenant": "$context.authorizer.tenant", "resourceGroup": "$context.authorizer.resourceGroup",
    }
    quoted = ", ".join(f'"{k}": "{v}"' for k, v in fields.items())
    return "{" + quoted + ', "status": $context.status, "latency": $context.responseLatency}'


# Requests that reached a deployment (the authorizer allowed them): the route, with a deployment in the context.
REACHED = f'$.resourcePath = "{ROUTE}" && $.deploymentId != "-"'


def _filter(stage: str, name: str, pattern: str, value: str, unit: str, dimensions: Dict[str, str]) -> Dict[str, Any]:
    return {"Type": "AWS::Logs::MetricFilter", "Properties": {
        "LogGroupName": {"Ref": ACCESS_LOG_GROUP}, "FilterPattern": "{ " + pattern + " }",
        "MetricTransformations": [{"MetricNamespace": NAMESPACE, "MetricName": name, "MetricValue": value,
                                   "Unit": unit, "Dimensions": [{"Key": k, "Value": v} for k, v in dimensions.items()]}]}}


def metric_filters(stage: str) -> Dict[str, Any]:
    service = {SERVICE: f"$.{SERVICE}"}
    return {
        # Across deployments (what an alarm can watch) ...
        "InferenceRequestsFilter": _filter(stage, INFERENCE_REQUESTS, REACHED, "1", "Count", service),
        "InferenceServerErrorsFilter": _filter(stage, INFERENCE_SERVER_ERRORS, f"{REACHED} && $.status >= 500", "1",
                                               "Count", service),
        # ... and per deployment and status code, latency per deployment (what the dashboard breaks down by).
        "InferenceRequestsByDeploymentFilter": _filter(stage, INFERENCE_REQUESTS, REACHED, "1", "Count",
                                                       {**service, "DeploymentId": "$.deploymentId",
                                                        "Code": "$.status"}),
        "InferenceLatencyFilter": _filter(stage, INFERENCE_LATENCY, REACHED, "$.latency", "Milliseconds",
                                          {**service, "DeploymentId": "$.deploymentId"}),
    }


def resources(stage: str, retention_days: int) -> Dict[str, Any]:
    return {
        ACCESS_LOG_GROUP: {"Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": f"/aws/apigateway/aicore-{stage}-access", "RetentionInDays": retention_days}},
        **metric_filters(stage),
    }


def access_log_setting(stage: str) -> Dict[str, Any]:
    """Merged into Chalice's `RestAPI` (AWS::Serverless::Api)."""
    return {"DestinationArn": {"Fn::GetAtt": [ACCESS_LOG_GROUP, "Arn"]}, "Format": access_log_format(stage)}


def sample_line(stage: str, values: Dict[str, Any]) -> dict:
    """The access log line API Gateway would write, `values` giving its context variables (e.g. "status": 200,
    "authorizer.deploymentId": "d1"); for tests."""
    text = access_log_format(stage)
    for name, value in sorted(values.items(), key=lambda item: -len(item[0])):
        text = text.replace(f"$context.{name}", json.dumps(value)[1:-1] if isinstance(value, str) else str(value))
    return json.loads(text)
