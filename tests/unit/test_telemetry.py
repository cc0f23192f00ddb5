"""The Telemetry port's reporters: a run's end is reported once, by the write that ended it, from both engines'
shared status path (here the cluster steps; the local engine in tests/monitoring); the schedule ticker reports
fires by outcome; the Prometheus adapter exposes what it is told under the labels it was given."""
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from chalicelib.adapters.local.prometheus_telemetry import PrometheusTelemetry
from chalicelib.domain.context import TenantContext
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.run_steps import when_live
from chalicelib.domain.runs import Deployment, Execution, RunRepository, mark_finished, mark_pending, mark_running
from chalicelib.domain.telemetry import NullTelemetry, RunEndReport
from tests.support.memory_store import MemoryStore
from tests.support.cluster_world import NS, T0, build_world, new_deployment, new_execution, started, train_status
from tests.unit.test_cluster_steps_deployments import CRASH, READY

CTX = TenantContext("t1", "default")


class Recorder(NullTelemetry):
    def __init__(self):
        self.calls = []

    def execution_finished(self, *args):
        self.calls.append(("execution_finished",) + args)

    def schedule_fired(self, *args):
        self.calls.append(("schedule_fired",) + args)

    def predictor_ready(self, *args):
        self.calls.append(("predictor_ready",) + args)


def _execution(runs, run_id="e0001"):
    return runs.create(CTX, Execution(id=run_id, configuration_id="c", configuration_name="c", scenario_id="s",
                                      executable_id="x", created_at=T0, modified_at=T0))


def _update(runs, telemetry, run_id, step, cls=Execution):
    report = RunEndReport(telemetry, CTX, step)
    stored = runs.update(CTX, cls, run_id, report)
    report.report(stored)
    return stored


def test_the_end_is_reported_once_with_status_and_run_time():
    runs, telemetry = RunRepository(MemoryStore()), Recorder()
    _execution(runs)
    _update(runs, telemetry, "e0001", lambda r: mark_pending(r, T0))
    _update(runs, telemetry, "e0001", lambda r: mark_running(r, T0 + timedelta(seconds=5)))
    assert telemetry.calls == []
    _update(runs, telemetry, "e0001", when_live(lambda r: mark_finished(r, Status.DEAD, T0 + timedelta(seconds=47))))
    # A second writer's end (the run's thread after a stop, a retried finalize) finds it ended: not reported again.
    _update(runs, telemetry, "e0001", when_live(lambda r: mark_finished(r, Status.COMPLETED, T0 + timedelta(hours=1))))
    assert telemetry.calls == [("execution_finished", "t1", "default", "DEAD", 42.0)]


def test_a_deployment_end_is_no_execution():
    runs, telemetry = RunRepository(MemoryStore()), Recorder()
    runs.create(CTX, Deployment(id="d0001", configuration_id="c", configuration_name="c", scenario_id="s",
                                executable_id="x", created_at=T0, modified_at=T0, inference_url="http://x"))
    _update(runs, telemetry, "d0001", lambda r: mark_finished(r, Status.DEAD, T0), cls=Deployment)
    assert telemetry.calls == []


def test_a_broken_backend_never_fails_the_run():
    class Broken(NullTelemetry):
        def execution_finished(self, *args):
            raise RuntimeError("backend down")

    runs = RunRepository(MemoryStore())
    _execution(runs)
    stored = _update(runs, Broken(), "e0001", lambda r: mark_finished(r, Status.COMPLETED, T0))
    assert stored.status is Status.COMPLETED


def test_the_cluster_steps_report_a_completed_execution():
    world = build_world()
    telemetry = Recorder()
    world.steps._services.telemetry = telemetry  # what bootstrap's cluster_steps passes in ClusterServices
    ref = started(world, new_execution(world))
    world.cluster.set_workflow_status(NS, "e0001", train_status("Running", "Running"))
    world.steps.poll(ref)
    world.cluster.set_workflow_status(NS, "e0001", train_status("Succeeded", "Succeeded"))
    world.steps.poll(ref)
    world.steps.finalize(ref)
    world.steps.finalize(ref)  # retried: still one report
    assert [c[:4] for c in telemetry.calls] == [("execution_finished", "t1", "default", "COMPLETED")]
    assert telemetry.calls[0][4] > 0


def test_the_cluster_deployment_poll_reports_readiness_while_serving_and_the_crash():
    world = build_world()
    telemetry = Recorder()
    world.steps._services.telemetry = telemetry
    ref = started(world, new_deployment(world))
    world.cluster.set_isvc_status(NS, "d0001", {"conditions": [{"type": "Ready", "status": "Unknown"}]})
    world.steps.poll(ref)
    assert telemetry.calls == []  # not ready yet is not "down": nothing was serving
    world.cluster.set_isvc_status(NS, "d0001", READY)
    world.steps.poll(ref)
    world.steps.poll(ref)  # every serving poll writes it again (CloudWatch keeps a series only while written)
    world.cluster.set_isvc_status(NS, "d0001", CRASH)
    world.steps.poll(ref)
    ready = ("predictor_ready", "t1", "default", "d0001")
    assert telemetry.calls == [ready + (True,), ready + (True,), ready + (False,)]


def test_the_ticker_reports_each_fire_by_outcome(aws):
    from chalicelib.adapters.dynamodb.models import configure
    from chalicelib.adapters.dynamodb.store import DynamoRecordStore
    from chalicelib.domain.errors import NotFound
    from chalicelib.domain.records import Kind, Record
    from chalicelib.domain.schedules import ScheduleService
    from chalicelib.domain.ticker import ScheduleTicker
    from tests.unit.test_schedule_ticker import Clock, Executions

    configure(aws.resolved_table_prefix, aws.aws_region, None)
    store = DynamoRecordStore()
    store.create(CTX, Record(Kind.CONFIGURATION, "cfg-1", {"name": "train"}))
    clock, telemetry = Clock(), Recorder()
    ScheduleService(store, clock, 60).create(CTX, "every5", "*/5 * * * *", "cfg-1")
    ScheduleTicker(store, clock, Executions(store), telemetry).tick(clock.at(5.01))
    ScheduleTicker(store, clock, Executions(store), telemetry).tick(clock.at(6))  # nothing due
    failing = Executions(store, error=NotFound("Configuration 'cfg-1' not found."))
    ScheduleTicker(store, clock, failing, telemetry).tick(clock.at(10.01))
    assert telemetry.calls == [("schedule_fired", "t1", "default", "started"),
                               ("schedule_fired", "t1", "default", "failed")]


def _samples(telemetry):
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for f in text_string_to_metric_families(telemetry.exposition()[0].decode()) for s in f.samples}


def test_prometheus_adapter_labels_and_forgets_a_deleted_deployment():
    t = PrometheusTelemetry()
    for seconds in (0.003, 0.04, 0.04, 7.0):
        t.inference_request("t1", "rg", "d1", 200, seconds)
    t.inference_request("t1", "rg", "d1", 503, 0.001)
    t.inference_request("t2", "rg", "d2", 200, 0.2)
    t.predictor_ready("t1", "rg", "d1", True)
    got = _samples(t)
    d1 = (("code", "200"), ("deployment_id", "d1"), ("resource_group", "rg"), ("tenant", "t1"))
    assert got[("aicore_inference_requests_total", d1)] == 4
    assert got[("aicore_inference_request_duration_seconds_bucket", tuple(sorted(d1 + (("le", "0.005"),))))] == 1
    assert got[("aicore_inference_request_duration_seconds_bucket", tuple(sorted(d1 + (("le", "0.05"),))))] == 3
    assert got[("aicore_inference_request_duration_seconds_sum", d1)] == pytest.approx(7.083)
    t.predictor_forgotten("t1", "rg", "d1")
    t.predictor_forgotten("t1", "rg", "never-seen")  # nothing to remove: no error
    left = {labels for name, labels in _samples(t) if name.startswith("aicore_inference") or "predictor" in name}
    assert left and all(dict(labels)["deployment_id"] == "d2" for labels in left)


def test_each_stack_has_its_own_registry():
    a, b = PrometheusTelemetry(), PrometheusTelemetry()
    a.sync_failed("t1", "app", "source")
    assert any(name == "aicore_sync_failures_total" for name, _ in _samples(a))
    assert not any(name == "aicore_sync_failures_total" for name, _ in _samples(b))
