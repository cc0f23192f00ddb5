"""The stage's CloudWatch alarms and dashboard (infra/monitoring.py) read the metrics the functions write
(chalicelib/adapters/aws/emf_telemetry.py), with the dimension sets they are written with."""
import io
import json
import re
from contextlib import redirect_stdout

import pytest

from chalicelib.adapters.aws.emf_telemetry import EmfTelemetry
from infra.inference import ROUTE
from infra.inference_metrics import REACHED, access_log_format, metric_filters, sample_line
from infra.monitoring import alarms, dashboard_body
from infra.resources import render

# API Gateway's access log lines for requests on the inference route: allowed ones (the authorizer named the
# deployment), a refused one (no authorizer context: "-") and one on another route.
LINES = [{"resourcePath": ROUTE, "authorizer.deploymentId": "d1", "authorizer.tenant": "t1",
          "authorizer.resourceGroup": "rg", "status": status, "responseLatency": 12, "requestId": "r",
          "httpMethod": "POST"} for status in (200, 404, 503)] + [
    {"resourcePath": ROUTE, "authorizer.deploymentId": "-", "authorizer.tenant": "-", "authorizer.resourceGroup": "-",
     "status": 403, "responseLatency": 3, "requestId": "r", "httpMethod": "POST"},
    {"resourcePath": "/v2/lm/executions", "authorizer.deploymentId": "-", "authorizer.tenant": "-",
     "authorizer.resourceGroup": "-", "status": 200, "responseLatency": 30, "requestId": "r", "httpMethod": "GET"}]


def _selects(pattern: str, line: dict) -> bool:
    """CloudWatch's JSON filter pattern, the part these filters use: `{ $.a = "x" && $.b != "-" && $.c >= 500 }`."""
    terms = pattern.strip()[1:-1].split("&&")
    for term in terms:
        field, op, value = re.fullmatch(r'\s*\$\.(\w+)\s*(=|!=|>=)\s*(".*"|\d+)\s*', term).groups()
        have, want = line[field], json.loads(value)
        if not {"=": have == want, "!=": have != want, ">=": isinstance(have, (int, float)) and have >= want}[op]:
            return False
    return True


def _filtered(stage):
    """(metric name, dimensions) of every series the stage's metric filters make of LINES."""
    series = set()
    for line in (sample_line(stage, values) for values in LINES):
        for metric_filter in metric_filters(stage).values():
            props = metric_filter["Properties"]
            if _selects(props["FilterPattern"], line):
                (transform,) = props["MetricTransformations"]
                dims = frozenset((d["Key"], line[d["Value"][2:]]) for d in transform["Dimensions"])
                series.add((transform["MetricName"], dims))
    return series


def _written(stage):
    """(metric name, frozenset of dimension name/value pairs) of every series EmfTelemetry writes."""
    out = io.StringIO()
    with redirect_stdout(out):
        t = EmfTelemetry(stage)
        for status in ("COMPLETED", "DEAD", "STOPPED"):
            t.execution_finished("t1", "rg", status, 3.0)
        t.predictor_ready("t1", "rg", "d1", True)
        for outcome in ("started", "failed"):
            t.schedule_fired("t1", "rg", outcome)
        for reason in ("source", "templates"):
            t.sync_failed("t1", "app", reason)
    series = set()
    for line in out.getvalue().splitlines():
        record = json.loads(line)
        (directive,) = record["_aws"]["CloudWatchMetrics"]
        for metric in directive["Metrics"]:
            for names in directive["Dimensions"]:
                series.add((metric["Name"], frozenset((n, record[n]) for n in names)))
    return series


@pytest.mark.parametrize("stage", ["dev", "prd"])
def test_every_alarm_metric_is_a_series_the_functions_write(stage):
    written = _written(stage) | _filtered(stage)
    for logical_id, alarm in alarms(stage).items():
        stats = [m["MetricStat"]["Metric"] for m in alarm["Properties"]["Metrics"] if "MetricStat" in m]
        assert stats, logical_id
        for metric in stats:
            assert metric["Namespace"] == "AICore"
            key = (metric["MetricName"], frozenset((d["Name"], d["Value"]) for d in metric["Dimensions"]))
            assert key in written, f"{logical_id}: {key} is never written"
        returned = [m for m in alarm["Properties"]["Metrics"] if m["ReturnData"]]
        assert len(returned) == 1, logical_id  # CloudWatch alarms on exactly one series


def test_expressions_only_name_metrics_of_their_alarm():
    for logical_id, alarm in alarms("dev").items():
        metrics = alarm["Properties"]["Metrics"]
        ids = {m["Id"] for m in metrics}
        for m in metrics:
            if "Expression" in m:
                assert set(re.findall(r"\b([a-z]\w*)\b", m["Expression"])) - {"FILL", "IF"} <= ids, logical_id


def test_dashboard_series_are_written_and_alarms_listed():
    written = _written("dev") | _filtered("dev")
    body = dashboard_body("dev")
    for widget in body["widgets"]:
        if widget["type"] == "alarm":
            assert widget["properties"]["alarms"] == [f"${{{a}.Arn}}" for a in alarms("dev")]
            continue
        for row in widget["properties"]["metrics"]:
            if isinstance(row[0], dict):  # SEARCH over the tenant-dimensioned series
                assert 'service="aicore-dev"' in row[0]["expression"]
                name = re.search(r'MetricName="(\w+)"', row[0]["expression"])[1]
                names = set(re.search(r"\{AICore,service,([\w,]+)\}", row[0]["expression"])[1].split(","))
                assert any(n == name and {k for k, _ in dims} == names | {"service"} for n, dims in written), name
                continue
            plain = [v for v in row if not isinstance(v, dict)]
            namespace, name, pairs = plain[0], plain[1], plain[2:]
            dims = frozenset(zip(pairs[::2], pairs[1::2]))
            assert namespace == "AICore" and (name, dims) in written, row


def test_the_stack_has_the_dashboard_and_alarms_with_an_optional_topic():
    template = render("tst")
    resources = template["Resources"]
    assert resources["OperationsDashboard"]["Type"] == "AWS::CloudWatch::Dashboard"
    body = resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    json.loads(body)  # valid JSON before substitution too
    for logical_id in alarms("tst"):
        assert resources[logical_id]["Type"] == "AWS::CloudWatch::Alarm"
        assert resources[logical_id]["Properties"]["AlarmActions"]["Fn::If"][0] == "HasAlarmTopicArn"
    assert "HasAlarmTopicArn" in template["Conditions"] and template["Parameters"]["AlarmTopicArn"]["Default"] == ""


def test_the_access_log_line_is_json_with_numbers_to_compare():
    line = sample_line("prd", LINES[0])
    assert line["status"] == 200 and line["latency"] == 12 and line["service"] == "aicore-prd"
    assert line["deploymentId"] == "d1" and line["resourcePath"] == ROUTE
    assert "$context.authorizer.deploymentId" in access_log_format("prd")


def test_inference_figures_count_only_requests_that_reached_a_deployment():
    series = _filtered("dev")
    service = ("service", "aicore-dev")
    assert ("InferenceRequests", frozenset({service})) in series
    by_code = {dict(d).get("Code") for n, d in series if n == "InferenceRequests" and ("DeploymentId", "d1") in d}
    assert by_code == {200, 404, 503}  # the refused 403 and the other route are not a deployment's
    assert ("InferenceServerErrors", frozenset({service})) in series
    assert ("InferenceLatency", frozenset({service, ("DeploymentId", "d1")})) in series
    assert not _selects("{ " + REACHED + " }", sample_line("dev", LINES[3]))


def test_the_stage_writes_its_access_log_to_the_filtered_group():
    template = render("tst")
    api = template["Resources"]["RestAPI"]["Properties"]
    assert api["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    for logical_id in metric_filters("tst"):
        assert template["Resources"][logical_id]["Properties"]["LogGroupName"] == {"Ref": "ApiAccessLogGroup"}
