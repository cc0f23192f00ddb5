"""The Telemetry port on AWS: Powertools writes CloudWatch embedded-metric-format lines on stdout, each figure once
with the kind dimensions (what the stack's alarms watch) and once with the tenant's; the AWS wiring uses it."""
import json

from chalicelib.adapters.aws.emf_telemetry import EmfTelemetry


def _records(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def _dimension_sets(record):
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    return directive["Namespace"], [tuple(d) for d in directive["Dimensions"]], directive["Metrics"]


def test_an_execution_end_is_counted_and_timed_with_both_dimension_sets(capsys):
    EmfTelemetry("prd").execution_finished("t1", "rg1", "DEAD", 42.5)
    records = _records(capsys)
    counts = [r for r in records if "ExecutionsEnded" in r]
    durations = [r for r in records if "ExecutionDuration" in r]
    assert len(counts) == 2 and len(durations) == 2
    namespace, sets, metrics = _dimension_sets(counts[0])
    assert namespace == "AICore" and sets == [("service", "Status")] and metrics == [{"Name": "ExecutionsEnded",
                                                                                       "Unit": "Count"}]
    assert counts[0]["service"] == "aicore-prd" and counts[0]["Status"] == "DEAD" and "Tenant" not in counts[0]
    _, sets, _ = _dimension_sets(counts[1])
    assert sets == [("service", "Status", "Tenant", "ResourceGroup")]
    assert (counts[1]["Tenant"], counts[1]["ResourceGroup"], counts[1]["ExecutionsEnded"]) == ("t1", "rg1", [1.0])
    assert durations[1]["ExecutionDuration"] == [42.5]
    assert _dimension_sets(durations[1])[2] == [{"Name": "ExecutionDuration", "Unit": "Seconds"}]


def test_readiness_fires_and_syncs(capsys):
    t = EmfTelemetry("dev")
    t.predictor_ready("t1", "rg1", "d1", False)
    t.schedule_fired("t1", "rg1", "failed")
    t.sync_failed("t1", "app", "source")
    records = _records(capsys)
    ready = [r for r in records if "PredictorReady" in r]
    assert [r["PredictorReady"] for r in ready] == [[0.0], [0.0]]
    assert [_dimension_sets(r)[1] for r in ready] == [[("service",)], [("service", "Tenant", "ResourceGroup",
                                                                          "DeploymentId")]]
    assert [r["Outcome"] for r in records if "ScheduleFires" in r] == ["failed", "failed"]
    assert [r.get("Application") for r in records if "SyncFailures" in r] == [None, "app"]


def test_an_empty_dimension_value_is_written_as_a_dash(capsys):
    EmfTelemetry("dev").sync_failed("t1", "", "templates")
    assert [r.get("Application") for r in _records(capsys)] == [None, "-"]


def test_the_aws_wiring_writes_emf_and_the_default_writes_nothing():
    from chalicelib.bootstrap import Container
    from chalicelib.domain.telemetry import NullTelemetry
    from chalicelib.settings import Settings

    assert isinstance(Container(Settings(engine="stepfunctions", stage="tst")).telemetry, EmfTelemetry)
    assert isinstance(Container(Settings()).telemetry, NullTelemetry)
