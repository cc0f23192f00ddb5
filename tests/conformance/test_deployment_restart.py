"""Deployments live when the local stack goes away (kill -9 or Ctrl-C) come back at the next start: the old
predictor is ended (a killed stack leaves it running), a new one starts, and the same URL answers again."""
import json
import signal
import time

import pytest
import requests
from ai_api_client_sdk.models.status import Status

from tests.conformance.conftest import core_client
from tests.support.conformance import bearer, onboard, provisioned_group, suite_templates
from tests.support.serving_conformance import map_serve_image, served_configuration
from tests.support.stack_process import StackProcess, process_alive, wait_for

RG = "serve-restart-rg"


def _running(core, deployment_id):
    wait_for(lambda: core.deployment.get(deployment_id, resource_group=RG).status in (Status.RUNNING, Status.DEAD),
             timeout=60, interval=0.1, what="deployment running")
    got = core.deployment.get(deployment_id, resource_group=RG)
    assert got.status == Status.RUNNING, got.status_message
    return got


@pytest.mark.parametrize("how", ["kill9", "ctrlc"])
def test_running_deployment_is_restarted_with_the_stack(tmp_path, how):
    home = tmp_path / "home"
    home.mkdir()
    map_serve_image(home)
    first = StackProcess(home).start()
    second = None
    try:
        core = core_client(first.exports)
        provisioned_group(core, RG)
        onboard(core, tmp_path / "repo", suite_templates(), "serve-restart-repo", "serve-restart-app")
        deployment = core.deployment.create(served_configuration(core, RG, "restart", "model-r"),
                                            resource_group=RG).id
        url = _running(core, deployment).deployment_url
        state = next((home / "deployments").rglob("replica-*.json"))
        pid = json.loads(state.read_text())["pid"]
        assert process_alive(pid)

        first.stop(signal.SIGKILL if how == "kill9" else signal.SIGINT)
        if how == "kill9":
            assert process_alive(pid)  # the predictor outlives a killed stack (its own session) ...
        else:
            assert not process_alive(pid)  # Ctrl-C stops predictors with the stack
        second = StackProcess(home, port=first.port).start()
        core = core_client(second.exports)
        got = _running(core, deployment)
        assert got.deployment_url == url and got.latest_running_configuration_id == got.configuration_id
        deadline = time.time() + 10
        while process_alive(pid):  # ... until the next start ends it
            assert time.time() < deadline, "orphaned predictor still running"
            time.sleep(0.1)
        headers = {"Authorization": bearer(second.exports), "AI-Resource-Group": RG}
        answer = requests.get(f"{url}/v2/greet", headers=headers, timeout=10)
        assert answer.status_code == 200 and answer.json()["model"] == "model-r"
        logs = [line.msg for line in core.deployment.query_logs(deployment, resource_group=RG).data.result]
        assert sum("listening on" in msg for msg in logs) == 2  # both predictors' output, kept across the restart
    finally:
        first.stop(signal.SIGKILL)
        if second is not None:
            second.stop()
