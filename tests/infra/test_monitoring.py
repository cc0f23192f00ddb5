"""The stage's CloudWatch alarms and dashboard (infra/monitoring.py) read the metrics the functions write
(chalicelib/adapters/aws/emf_telemetry.py), with the dimension sets they are written with."""
import io
import json
import re
from contextlib import redirect_stdout

import pytest

from chalicelib.adapters.aws.emf_telemetry import EmfTelemetry
from infra.monitoring import alarms, dashboard_body
from infra.resources import render


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
    written = _written(stage)
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
    written = {(name, dims) for name, dims in _written("dev")}
    body = dashboard_body("dev")
    for widget in body["widgets"]:
        if widget["type"] == "alarm":
            assert widget["properties"]["alarms"] == [f"${{{a}.Arn}}" for a in alarms("dev")]
            continue
        for row in widget["properties"]["metrics"]:
            if isinstance(row[0], dict):  # SEARCH over the tenant-dimensioned series
                assert 'service="aicore-dev"' in row[0]["expression"]
                name = re.search(r'MetricName="(\w+)"', row[0]["expression"])[1]
                assert any(n == name and ("Tenant", "t1") in dims for n, dims in written)
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
