"""The local deployment engine's figures (readiness, restarts, forgetting), with a real predictor process
(tests/fixtures/serving/predictor.py) and the Prometheus adapter the local stack uses."""
from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from chalicelib.adapters.local.prometheus_telemetry import PrometheusTelemetry
from chalicelib.adapters.local.serving import LocalDeploymentEngine
from chalicelib.domain.lifecycle import Status
from tests.integration.test_serving_engine import CTX, World
from tests.support.serving import configuration
from tests.support.stack_process import wait_for


class MeasuredWorld(World):
    def __init__(self, tmp_path):
        self.telemetry = PrometheusTelemetry()
        super().__init__(tmp_path)

    def new_engine(self):
        return LocalDeploymentEngine(self.store, self.clock, self.root, self.models,
                                     lambda ctx, run_id, entry: self.logs.append((run_id, entry)),
                                     ready_seconds=20, drain_seconds=2, images=self.images,
                                     telemetry=self.telemetry)

    def figures(self, deployment_id):
        text = self.telemetry.exposition()[0].decode()
        return {(s.name, s.labels.get("reason")): s.value for f in text_string_to_metric_families(text)
                for s in f.samples if s.labels.get("deployment_id") == deployment_id}


@pytest.fixture
def world(tmp_path):
    w = MeasuredWorld(tmp_path)
    yield w
    w.engine.shutdown()


def test_ready_while_serving_restart_counted_and_gone_once_stopped(world):
    deployment = world.service.create(CTX, configuration(world.store, CTX, world.models, "m"))
    world.wait_status(deployment.id, Status.RUNNING)
    assert world.figures(deployment.id) == {("aicore_predictor_ready", None): 1}
    # The stack restarts: the next engine relaunches the predictor and says so.
    world.engine._serving.clear()  # as test_serving_engine's restart: the old engine is gone without stopping
    world.engine = world.new_engine()
    world.engine.reconcile()
    world.wait_status(deployment.id, Status.RUNNING)
    wait_for(lambda: world.figures(deployment.id).get(("aicore_predictor_ready", None)) == 1, what="ready again")
    assert world.figures(deployment.id)[("aicore_predictor_restarts_total", "stack_restart")] == 1
    world.service.stop(CTX, deployment.id)
    world.wait_status(deployment.id, Status.STOPPED)
    assert world.figures(deployment.id) == {}


def test_a_crash_counts_as_an_exit_and_not_ready(world):
    deployment = world.service.create(CTX, configuration(world.store, CTX, world.models, "m"))
    world.wait_status(deployment.id, Status.RUNNING)
    with pytest.raises(Exception):
        world.call(deployment.id, "/v2/crash")
    world.wait_status(deployment.id, Status.DEAD)
    figures = world.figures(deployment.id)
    assert figures[("aicore_predictor_ready", None)] == 0
    assert figures[("aicore_predictor_restarts_total", "exited")] == 1
