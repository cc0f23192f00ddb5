"""The local deployment engine with a tiny real predictor (tests/fixtures/serving/predictor.py)."""
from __future__ import annotations

import json
import os
import shutil
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib.adapters.local.serving import LocalDeploymentEngine
from chalicelib.domain.context import TenantContext
from chalicelib.domain.deployments import DeploymentService
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.records import Kind
from tests.support.memory_store import MemoryStore
from tests.support.serving import Clock, ModelStore, configuration, predictor_images, seed_serving, serving_spec
from tests.support.stack_process import wait_for

CTX = TenantContext("t1", "default")


class World:
    def __init__(self, tmp_path, spec=None):
        self.store, self.clock, self.models = MemoryStore(), Clock(), ModelStore()
        self.logs = []  # (run id, LogEntry) as the engine hands them to the log store
        self.forgotten = []  # deployments whose logs the engine asked to delete
        self.root = tmp_path / "deployments"
        self.images = predictor_images(tmp_path)
        self.engine = self.new_engine()
        seed_serving(self.store, CTX, spec or serving_spec())
        self.service = DeploymentService(self.store, self.clock, self.engine, "http://api.test")

    def new_engine(self):
        return LocalDeploymentEngine(self.store, self.clock, self.root, self.models,
                                     lambda ctx, run_id, entry: self.logs.append((run_id, entry)),
                                     ready_seconds=20, drain_seconds=2, images=self.images,
                                     forget_logs=lambda ctx, run_id: self.forgotten.append(run_id))

    def status(self, deployment_id):
        return self.service.get(CTX, deployment_id)

    def wait_status(self, deployment_id, *statuses, timeout=20):
        return wait_for(lambda: self.status(deployment_id).status in statuses and self.status(deployment_id),
                        timeout=timeout, interval=0.05, what=f"{deployment_id} in {statuses}")

    def call(self, deployment_id, path="/v2/greet"):
        replica = self.engine.acquire(CTX, deployment_id)
        assert replica is not None, "no predictor serving"
        try:
            with urllib.request.urlopen(replica.url + path, timeout=5) as response:
                return json.loads(response.read())
        finally:
            replica.release()

    def log_text(self, deployment_id):
        return "\n".join(entry.msg for run_id, entry in list(self.logs) if run_id == deployment_id)


@pytest.fixture
def world(tmp_path):
    w = World(tmp_path)
    yield w
    w.engine.shutdown()


def test_runs_once_it_answers_with_model_parameters_and_its_own_port(world):
    config = configuration(world.store, CTX, world.models, "model-A", greeting="hi")
    created = world.service.create(CTX, config)
    assert created.status in (Status.PENDING, Status.RUNNING)
    running = world.wait_status(created.id, Status.RUNNING)
    assert running.deployment_url == f"http://api.test/v2/inference/deployments/{created.id}"
    assert running.latest_running_configuration_id == config
    answer = world.call(created.id)
    assert answer["model"] == "model-A" and answer["env"] == "hi" and answer["port"] != "9001"
    assert "listening on" in world.log_text(created.id)


def test_two_deployments_declaring_the_same_port_both_serve(world):
    a = world.service.create(CTX, configuration(world.store, CTX, world.models, "A", name="a"))
    b = world.service.create(CTX, configuration(world.store, CTX, world.models, "B", name="b"))
    world.wait_status(a.id, Status.RUNNING)
    world.wait_status(b.id, Status.RUNNING)
    first, second = world.call(a.id), world.call(b.id)
    assert (first["model"], second["model"]) == ("A", "B") and first["port"] != second["port"]


def test_configuration_switch_keeps_serving_then_moves(world):
    blue = configuration(world.store, CTX, world.models, "blue", name="blue")
    green = configuration(world.store, CTX, world.models, "green", name="green")
    deployment = world.service.create(CTX, blue)
    world.wait_status(deployment.id, Status.RUNNING)
    old_pid = world.engine.acquire(CTX, deployment.id)
    old_pid.release()
    seen, failures, stop = [], [], threading.Event()

    def hammer():
        while not stop.is_set() and len(seen) < 2000:
            try:
                seen.append(world.call(deployment.id)["model"])
            except Exception as err:  # noqa: BLE001 - every failure counts
                failures.append(repr(err))

    thread = threading.Thread(target=hammer)
    thread.start()
    world.service.modify(CTX, deployment.id, None, green)
    wait_for(lambda: world.status(deployment.id).latest_running_configuration_id == green, timeout=20,
             interval=0.05, what="switch")
    time.sleep(0.3)
    stop.set()
    thread.join(10)
    assert failures == []
    assert seen[0] == "blue" and seen[-1] == "green" and set(seen) == {"blue", "green"}
    assert world.status(deployment.id).status == Status.RUNNING
    wait_for(lambda: old_pid.process.poll() is not None, timeout=10, what="old predictor stopped")


def test_stop_ends_the_predictor(world):
    deployment = world.service.create(CTX, configuration(world.store, CTX, world.models, "m"))
    world.wait_status(deployment.id, Status.RUNNING)
    replica = world.engine.acquire(CTX, deployment.id)
    replica.release()
    world.service.stop(CTX, deployment.id)
    world.wait_status(deployment.id, Status.STOPPED)
    assert world.engine.acquire(CTX, deployment.id) is None
    assert replica.process.poll() is not None


def test_a_crash_ends_dead_with_its_logs_kept(world):
    deployment = world.service.create(CTX, configuration(world.store, CTX, world.models, "m"))
    world.wait_status(deployment.id, Status.RUNNING)
    with pytest.raises(Exception):
        world.call(deployment.id, "/v2/crash")
    dead = world.wait_status(deployment.id, Status.DEAD)
    assert "exited with code 3" in dead.status_message
    assert "crashing on request" in world.log_text(deployment.id)
    assert world.engine.acquire(CTX, deployment.id) is None


def test_a_predictor_runs_as_a_pod_without_the_stack_state(tmp_path, monkeypatch):
    from chalicelib.adapters.local import runner

    if runner.isolation_mode() != "namespace":
        pytest.skip("mount namespaces are not available here")
    monkeypatch.setattr(runner, "_hidden", set())
    home = Path(__file__).resolve().parents[2] / f".aicore-serving-test-{os.getpid()}"  # as `make run` keeps it
    (home / "keys").mkdir(parents=True, exist_ok=True)
    (home / "keys" / "signing.pem").write_text("the stack's key")
    runner.hide_from_steps([home])
    paths = f"{home}/keys/signing.pem,/proc/{os.getpid()}/environ,/mnt/models/model.txt"
    world = World(tmp_path, serving_spec(extra_env=f'\n      - name: PROBE_PATHS\n        value: "{paths}"'))
    try:
        deployment = world.service.create(CTX, configuration(world.store, CTX, world.models, "model-A"))
        world.wait_status(deployment.id, Status.RUNNING)
        answer = world.call(deployment.id, "/v2/whoami")
        assert answer == {"uid": 65534, "reads": {f"{home}/keys/signing.pem": "FileNotFoundError",
                                                  f"/proc/{os.getpid()}/environ": "FileNotFoundError",
                                                  "/mnt/models/model.txt": "ok"}}
    finally:
        world.engine.shutdown()
        shutil.rmtree(home, ignore_errors=True)


def test_a_predictor_failing_at_start_is_dead_with_its_output(tmp_path):
    world = World(tmp_path, serving_spec(extra_env='\n      - name: FAIL_AT_START\n        value: "1"'))
    try:
        deployment = world.service.create(CTX, configuration(world.store, CTX, world.models, "m"))
        dead = world.wait_status(deployment.id, Status.DEAD)
        assert "exited with code 2 before it answered" in dead.status_message
        assert "cannot load the model" in world.log_text(deployment.id)
    finally:
        world.engine.shutdown()


def test_a_broken_render_is_dead_with_the_reason(world):
    config = configuration(world.store, CTX, world.models, "m")
    world.models.models.clear()  # the bound artifact has nothing behind it
    deployment = world.service.create(CTX, config)
    dead = world.wait_status(deployment.id, Status.DEAD)
    assert "Nothing found at ai://default/models/conf" in dead.status_message


def test_ttl_expiry_deletes_the_deployment(world):
    deployment = world.service.create(CTX, configuration(world.store, CTX, world.models, "m"), ttl="10m")
    world.wait_status(deployment.id, Status.RUNNING)
    replica = world.engine.acquire(CTX, deployment.id)
    replica.release()
    assert world.engine.expire() == 0
    world.clock.offset = timedelta(minutes=10, seconds=1)
    assert world.engine.expire() == 1
    assert world.store.get(CTX, Kind.DEPLOYMENT, deployment.id) is None
    assert replica.process.poll() is not None and not (world.root / "t1" / "default" / deployment.id).exists()
    assert world.forgotten == [deployment.id]


def test_restart_reconcile_brings_running_deployments_back(world):
    deployment = world.service.create(CTX, configuration(world.store, CTX, world.models, "m"))
    world.wait_status(deployment.id, Status.RUNNING)
    replica = world.engine.acquire(CTX, deployment.id)
    replica.release()
    os.killpg(replica.process.pid, 0)  # alive
    # A stack killed hard: its engine is gone without stopping anything (forget its state, so its watcher stays
    # quiet as a dead process's would), and the next one reconciles.
    world.engine._serving.clear()
    world.engine = world.new_engine()
    world.engine.reconcile()
    assert replica.process.poll() is not None or wait_for(lambda: replica.process.poll() is not None, timeout=5)
    world.wait_status(deployment.id, Status.RUNNING)
    assert world.call(deployment.id)["model"] == "m"
