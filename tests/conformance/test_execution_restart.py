"""Runs in flight when the local stack goes away (kill -9 or Ctrl-C) are never left RUNNING: the next start ends
them DEAD with a clear statusMessage, kills step processes a killed stack left behind, and keeps their logs."""
import json
import signal
import time

import pytest
from ai_api_client_sdk.models.status import Status

from chalicelib.adapters.local.engine import RESTARTED, SHUT_DOWN
from tests.conformance.conftest import core_client
from tests.support.conformance import (images_yaml, onboard, provisioned_group, suite_templates,
                                       training_configuration)
from tests.support.stack_process import StackProcess, process_alive, wait_for

RG = "restart-rg"


@pytest.mark.parametrize("how, message", [("kill9", RESTARTED), ("ctrlc", SHUT_DOWN)])
def test_running_execution_is_reconciled_after_a_restart(tmp_path, how, message):
    home = tmp_path / "home"
    home.mkdir()
    (home / "images.yaml").write_text(images_yaml())
    first = StackProcess(home).start()
    second = None
    try:
        core = core_client(first.exports)
        provisioned_group(core, RG)
        onboard(core, tmp_path / "repo", suite_templates(), "restart-repo", "restart-app")
        execution = core.execution.create(training_configuration(core, RG, "restart", env="hold"),
                                          resource_group=RG).id
        wait_for(lambda: [line.msg for line in core.execution.query_logs(execution, resource_group=RG).data.result]
                 == ["holding until stopped"], timeout=30, what="step running")
        marker = next((home / "runs" / "inflight").rglob("*.json"))
        pgids = json.loads(marker.read_text())["pgids"]
        assert len(pgids) == 1 and process_alive(pgids[0])

        first.stop(signal.SIGKILL if how == "kill9" else signal.SIGINT)
        if how == "kill9":
            assert process_alive(pgids[0])  # the step outlives a killed stack (its own session) ...
        second = StackProcess(home).start()
        core = core_client(second.exports)
        got = core.execution.get(execution, resource_group=RG)
        assert got.status == Status.DEAD and got.status_message == message and got.completion_time
        deadline = time.time() + 10
        while process_alive(pgids[0]):  # ... until the next start ends it
            assert time.time() < deadline, "orphaned step still running"
            time.sleep(0.1)
        logs = core.execution.query_logs(execution, resource_group=RG).data.result
        assert [line.msg for line in logs] == ["holding until stopped"]  # logs survive the restart
        assert not list((home / "runs" / "inflight").rglob("*.json"))
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()
