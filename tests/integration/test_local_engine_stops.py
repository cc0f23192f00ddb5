"""Stopping runs and restarting the stack on the local engine: process trees end, stops that race the start end
STOPPED, runs in flight at a restart end DEAD."""
from __future__ import annotations

import os
import time

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind
from tests.support.local_engine import configure, ok, seed_template, wait_for


def test_stop_kills_a_long_running_tree_and_ends_stopped(engine_api, tmp_path):
    api = engine_api
    from chalicelib.bootstrap import container

    template = {"metadata": {"name": "sleepy"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "container": {"image": "none", "command": ["sh", "-c", "sleep 300 & wait"]}}]}}
    seed_template(container().store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "sleepy")}))
    wait_for(api, execution["id"], statuses=("RUNNING",))
    deadline = time.time() + 20
    # The step lives in its own pid namespace: find the background sleep by its host pid and environment.
    while not (children := [p for p in processes_of(execution["id"]) if _cmdline(p) == ["sleep", "300"]]):
        assert time.time() < deadline
        time.sleep(0.05)
    child = children[0]
    stopped = api.call("PATCH", f"/v2/lm/executions/{execution['id']}", {"targetStatus": "STOPPED"})
    assert stopped.status == 202, stopped
    done = wait_for(api, execution["id"], timeout=30)
    assert done["status"] == "STOPPED" and done["targetStatus"] == "STOPPED"
    assert done["statusDetails"]["steps"][0]["status"] == "Stopped"
    assert not _alive(child)
    assert processes_of(execution["id"]) == []


def test_a_stop_before_the_run_gets_going_ends_stopped_and_runs_nothing(engine_api, tmp_path, monkeypatch):
    """SAP's JS SDK walk stops an execution right after creating it: the stop lands while the engine's thread is
    still loading the run. It used to end DEAD ("cannot change from STOPPING to RUNNING")."""
    import threading

    from chalicelib.adapters.local.engine import LocalExecutionEngine
    from chalicelib.bootstrap import container

    api = engine_api
    loading, release = threading.Event(), threading.Event()
    original = LocalExecutionEngine._load

    def slow_load(self, ctx, execution):
        loading.set()
        assert release.wait(20)
        return original(self, ctx, execution)

    monkeypatch.setattr(LocalExecutionEngine, "_load", slow_load)
    template = {"metadata": {"name": "never"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "container": {"image": "none", "command": ["sh", "-c", "echo step-ran"]}}]}}
    seed_template(container().store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "never")}))
    assert loading.wait(20)
    assert api.call("PATCH", f"/v2/lm/executions/{execution['id']}", {"targetStatus": "STOPPED"}).status == 202
    release.set()
    done = wait_for(api, execution["id"], timeout=30)
    assert (done["status"], done["targetStatus"]) == ("STOPPED", "STOPPED"), done
    assert _step_lines(api, execution["id"]) == []  # the step never started


def test_a_stop_that_lands_before_the_run_starts_ends_stopped_not_dead(engine_api, tmp_path):
    """A stop right after the create (the ML Operations reference's order) can reach the record while the run is
    still being set up; the run must then end STOPPED without starting a step (it ended DEAD with "cannot change
    from STOPPING to RUNNING")."""
    api = engine_api
    from chalicelib.bootstrap import container
    from chalicelib.domain.runs import Execution

    template = {"metadata": {"name": "quick"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "container": {"image": "none", "command": ["sh", "-c", "echo step-ran"]}}]}}
    seed_template(container().store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "quick")}))
    assert wait_for(api, execution["id"])["status"] == "COMPLETED"
    # The state a stop leaves when it lands during set-up: STOPPING, target STOPPED, no process yet.
    ctx = TenantContext("t1", "default")
    record = container().store.get(ctx, Kind.EXECUTION, execution["id"])
    record.doc.update(status="STOPPING", target_status="STOPPED", completion_time=None)
    container().store.replace(ctx, record)
    engine = container().execution_engine
    engine._execute(ctx, execution["id"], ("t1", "default", execution["id"]))  # the run's thread, in this one
    done = Execution.from_record(container().store.get(ctx, Kind.EXECUTION, execution["id"]))
    assert done.status.value == "STOPPED", done
    assert _step_lines(api, execution["id"]) == ["step-ran"]  # only the first run's step ever ran


def _step_lines(api, execution_id):
    logs = ok(api.call("GET", f"/v2/lm/executions/{execution_id}/logs"))["data"]["result"]
    return [line["msg"] for line in logs if line["msg"] == "step-ran"]


def test_runs_in_flight_at_a_restart_are_reconciled_dead(engine_api):
    api = engine_api
    from chalicelib.adapters.local.engine import RESTARTED, LocalExecutionEngine
    from chalicelib.bootstrap import container

    c = container()
    template = {"metadata": {"name": "long"}, "spec": {"entrypoint": "main", "templates": [
        {"name": "main", "container": {"image": "none", "command": ["sleep", "300"]}}]}}
    seed_template(c.store, template)
    execution = ok(api.call("POST", "/v2/lm/executions", {"configurationId": configure(api, "long")}))
    wait_for(api, execution["id"], statuses=("RUNNING",))
    steps = next(iter(c.execution_engine._active.values()))
    deadline = time.time() + 10
    while not steps.processes:
        assert time.time() < deadline
        time.sleep(0.05)
    pid = next(iter(steps.processes)).pid
    # What the next start of the stack does: a fresh engine over the same AICORE_HOME finds the marker, ends the
    # run and kills the step's process group (after a kill -9 of the stack it would be an orphan).
    restarted = LocalExecutionEngine(c.store, c.clock, c.execution_engine._services, c.settings.home)
    assert restarted.reconcile() == 1
    deadline = time.time() + 10  # the kill is sent at once; a loaded machine may take a moment to reap
    while _alive(pid) and time.time() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)
    done = ok(api.call("GET", f"/v2/lm/executions/{execution['id']}"))
    assert done["status"] == "DEAD" and done["statusMessage"] == RESTARTED and done["completionTime"]
    c.execution_engine.shutdown()  # the old engine's run ends (after a real crash it is gone); DEAD stays
    assert restarted.reconcile() == 0  # markers are consumed
    assert ok(api.call("GET", f"/v2/lm/executions/{execution['id']}"))["status"] == "DEAD"


def processes_of(execution_id: str) -> list:
    """Host pids of live processes carrying this execution's AICORE_EXECUTION_ID (we run as root: all readable)."""
    needle = f"AICORE_EXECUTION_ID={execution_id}".encode()
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle in f.read().split(b"\0") and _alive(int(entry)):
                    found.append(int(entry))
        except (OSError, ValueError):
            continue
    return found


def _cmdline(pid: int) -> list:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return [part.decode() for part in f.read().split(b"\0") if part]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie waiting to be reaped is dead
    except FileNotFoundError:
        return False
