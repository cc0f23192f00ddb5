"""Deployments through ai-core-sdk against the local stack, whose engine runs each predictor as a host process
(tests/fixtures/serving/predictor.py, mapped as the suite's serving image): RUNNING once it answers, predictions
through the inference proxy with `requests` and a token, streaming, a configuration switch without a failed
request, stop, delete, crash -> DEAD with logs, filters, $count, $select=status, bulk."""
import http.client
import socket
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import pytest
import requests
from ai_api_client_sdk.exception import AIAPIInvalidRequestException, AIAPINotFoundException
from ai_api_client_sdk.models.base_models import BasicModifyRequest, BasicResponse, BulkModifyErrorResponse, Order
from ai_api_client_sdk.models.deployment_get_status_response import DeploymentGetStatusResponse
from ai_api_client_sdk.models.status import Status
from ai_api_client_sdk.models.target_status import TargetStatus

from tests.support.conformance import SERVE, bearer, provisioned_group, training_configuration
from tests.support.serving_conformance import map_serve_image, served_configuration
from tests.support.stack_process import wait_for

RG = "conf-deployments"
UNKNOWN_ID = "eeeeeeeeeeeeeeee"


@pytest.fixture(scope="module")
def runs(stack, core, catalog):
    map_serve_image(stack.home)
    provisioned_group(core, RG)
    blue = served_configuration(core, RG, "blue", "model-blue")
    green = served_configuration(core, RG, "green", "model-green")
    a = core.deployment.create(blue, ttl="2h", resource_group=RG)
    assert a.ttl == "2h" and a.status in (Status.UNKNOWN, Status.PENDING, Status.RUNNING)
    runs = {"blue": blue, "green": green, "a": a.id, "b": core.deployment.create(blue, resource_group=RG).id,
            "c": core.deployment.create(green, resource_group=RG).id}
    for key in ("a", "b", "c"):
        running(core, runs[key])
    return runs


def running(core, deployment_id: str, rg: str = RG):
    return wait_for(lambda: _status(core, deployment_id, rg) == Status.RUNNING, timeout=60, interval=0.1,
                    what=f"deployment {deployment_id} RUNNING") and core.deployment.get(deployment_id, resource_group=rg)


def _status(core, deployment_id, rg):
    got = core.deployment.get(deployment_id, resource_group=rg)
    assert got.status != Status.DEAD, got.status_message
    return got.status


@pytest.fixture(scope="module")
def headers(stack):
    return {"Authorization": bearer(stack.exports), "AI-Resource-Group": RG}


def ids(listing) -> set:
    return {d.id for d in listing.resources}


def test_running_with_url_and_select_status(core, catalog, runs, stack):
    got = core.deployment.get(runs["a"], resource_group=RG)
    assert (got.configuration_id, got.configuration_name, got.scenario_id, got.ttl) == (runs["blue"], "blue",
                                                                                        catalog, "2h")
    assert got.status == Status.RUNNING and got.target_status == TargetStatus.RUNNING
    assert got.deployment_url == f"{stack.exports['AICORE_BASE_URL']}/inference/deployments/{runs['a']}"
    assert got.latest_running_configuration_id == runs["blue"] and got.start_time is not None
    status = core.deployment.get(runs["a"], select="status", resource_group=RG)
    assert isinstance(status, DeploymentGetStatusResponse) and status.status == Status.RUNNING


def test_prediction_through_the_proxy(core, runs, headers):
    url = core.deployment.get(runs["a"], resource_group=RG).deployment_url
    answer = requests.post(f"{url}/v2/predict?x=1", json={"text": "good"}, headers=headers, timeout=10)
    assert answer.status_code == 200 and answer.headers["X-Predictor"] == "fixture"
    body = answer.json()
    assert body == {"model": "model-blue", "echo": {"text": "good"}, "method": "POST", "path": "/v2/predict?x=1"}
    greet = requests.get(f"{url}/v2/greet", params={"q": "a b"}, headers=headers, timeout=10).json()
    assert greet["env"] == "conf" and greet["query"] == "q=a+b" and greet["port"] != "9001"
    assert greet["auth"] is None  # the caller's token stays with the proxy
    missing = requests.get(f"{url}/v2/nothing", headers=headers, timeout=10)
    assert missing.status_code == 404 and missing.json()["path"] == "/v2/nothing"  # the predictor's own 404
    with requests.Session() as session:  # one kept-alive connection: the proxy reuses its own to the predictor
        answers = [session.post(f"{url}/v2/predict", json={"i": i}, headers=headers, timeout=10) for i in range(20)]
    assert [a.json()["echo"]["i"] for a in answers if a.status_code == 200] == list(range(20))


def test_each_deployment_has_its_own_predictor(core, runs, headers):
    base = core.deployment.get(runs["b"], resource_group=RG).deployment_url.rsplit("/", 1)[0]
    ports = {requests.get(f"{base}/{runs[k]}/v2/greet", headers=headers, timeout=10).json()["port"] for k in "abc"}
    assert len(ports) == 3
    assert requests.get(f"{base}/{runs['c']}/v2/greet", headers=headers, timeout=10).json()["model"] == "model-green"


def test_streamed_responses_arrive_as_they_are_written(core, runs, headers):
    url = core.deployment.get(runs["b"], resource_group=RG).deployment_url
    started = time.monotonic()
    with requests.get(f"{url}/v2/stream?n=4", headers=headers, stream=True, timeout=10) as response:
        assert response.headers.get("Transfer-Encoding") == "chunked"
        arrivals = [(time.monotonic() - started, line) for line in response.iter_lines() if line]
    assert [line.split(b" at ")[0] for _, line in arrivals] == [b"line 0", b"line 1", b"line 2", b"line 3"]
    assert arrivals[0][0] < 0.6 and arrivals[-1][0] - arrivals[0][0] > 0.7  # incremental, not buffered
    with requests.get(f"{url}/v2/sse", headers=headers, stream=True, timeout=10) as events:
        assert events.headers["Content-Type"] == "text/event-stream"
        first = time.monotonic()
        seen = [(time.monotonic() - first, line) for line in events.iter_lines() if line]
    assert [line for _, line in seen] == [b"data: event 0", b"data: event 1", b"data: event 2"]
    assert seen[-1][0] - seen[0][0] > 0.4


def test_proxy_auth_and_ownership(core, runs, headers, stack):
    url = core.deployment.get(runs["a"], resource_group=RG).deployment_url
    no_token = requests.get(f"{url}/v2/greet", headers={"AI-Resource-Group": RG}, timeout=10)
    assert no_token.status_code == 401 and no_token.json()["error"]["code"]
    bad_token = requests.get(f"{url}/v2/greet", headers={"Authorization": "Bearer nope", "AI-Resource-Group": RG},
                             timeout=10)
    assert bad_token.status_code == 401
    other_group = requests.get(f"{url}/v2/greet", headers={**headers, "AI-Resource-Group": "default"}, timeout=10)
    assert other_group.status_code == 404 and runs["a"] in other_group.json()["error"]["message"]
    other_tenant = {"Authorization": bearer(stack.mint_tenant("acme")), "AI-Resource-Group": RG}
    assert requests.get(f"{url}/v2/greet", headers=other_tenant, timeout=10).status_code == 404
    unknown = requests.get(url.replace(runs["a"], UNKNOWN_ID) + "/v2/greet", headers=headers, timeout=10)
    assert unknown.status_code == 404 and unknown.json()["error"]["message"]
    no_group = requests.get(f"{url}/v2/greet", headers={"Authorization": headers["Authorization"]}, timeout=10)
    assert no_group.status_code == 400


def test_proxy_error_answers_keep_the_connection(core, runs, headers, stack):
    """Before: the proxy dropped the connection after each error answer without saying so, and the client's
    next request on it failed."""
    url = urlsplit(core.deployment.get(runs["a"], resource_group=RG).deployment_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    unknown = url.path.replace(runs["a"], UNKNOWN_ID)
    cases = [("GET", f"{url.path}/v2/greet", None, {"AI-Resource-Group": RG}, 401),
             ("POST", f"{unknown}/v2/predict", b'{"x": 1}', headers, 404),
             ("GET", f"{url.path}/v2/greet", None, {"Authorization": headers["Authorization"]}, 400),
             ("POST", f"{url.path}/v2/predict", b'{"i": 1}', headers, 200)]
    port = None
    for method, path, body, sent, status in cases:
        connection.request(method, path, body, sent)
        response = connection.getresponse()
        payload = response.read()
        assert response.status == status, (path, payload[:200])
        assert response.getheader("Connection") is None, path
        port = port or connection.sock.getsockname()[1]
        assert connection.sock.getsockname()[1] == port, f"{path}: reconnected"
    connection.close()
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:  # unreadable: close, and say so
        sock.sendall(f"POST {url.path}/v2/predict HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n".encode())
        answer = b""
        while piece := sock.recv(65536):
            answer += piece
    assert answer.startswith(b"HTTP/1.1 400") and b"Connection: close" in answer.split(b"\r\n\r\n")[0]


def test_query_and_count_with_every_filter(core, catalog, runs):
    everything = {runs["a"], runs["b"], runs["c"]}
    assert ids(core.deployment.query(resource_group=RG)) == everything
    assert ids(core.deployment.query(configuration_id=runs["green"], resource_group=RG)) == {runs["c"]}
    assert ids(core.deployment.query(scenario_id=catalog, executable_ids=[SERVE], status=Status.RUNNING,
                                     resource_group=RG)) == everything
    assert core.deployment.query(executable_ids=["other-executable"], resource_group=RG).count == 0
    assert core.deployment.count(configuration_id=runs["blue"], resource_group=RG) == 2
    assert core.deployment.count(status=Status.PENDING, resource_group=RG) == 0
    page, rest = core.deployment.query(top=1, resource_group=RG), core.deployment.query(skip=1, resource_group=RG)
    assert len(page.resources) == 1 and len(rest.resources) == 2 and ids(page) | ids(rest) == everything


def test_ttl_is_validated(core, runs):
    for ttl in ("4.5h", "5m", "1w"):
        with pytest.raises(AIAPIInvalidRequestException):
            core.deployment.create(runs["blue"], ttl=ttl, resource_group=RG)


def test_logs_hold_the_predictor_output(core, runs):
    now = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=1)
    logs = core.deployment.query_logs(runs["a"], top=50, start=now - timedelta(minutes=30), end=now,
                                      order=Order.ASC, resource_group=RG)
    assert any("listening on" in line.msg for line in logs.data.result)
    with pytest.raises(AIAPIInvalidRequestException):
        core.deployment.query_logs(runs["a"], start=now, end=now - timedelta(minutes=1), resource_group=RG)


def test_switch_configuration_without_a_failed_request(core, runs, headers):
    url = core.deployment.get(runs["a"], resource_group=RG).deployment_url
    assert core.deployment.modify(runs["a"], configuration_id=runs["green"], resource_group=RG).id == runs["a"]
    answers, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline and len(answers) < 3000:
        response = requests.get(f"{url}/v2/greet", headers=headers, timeout=10)
        assert response.status_code == 200, response.text  # never a failed request during the switch
        answers.append(response.json()["model"])
        got = core.deployment.get(runs["a"], resource_group=RG)
        if got.latest_running_configuration_id == runs["green"] and answers[-1] == "model-green":
            break
    assert answers[-1] == "model-green" and set(answers) <= {"model-blue", "model-green"}
    got = core.deployment.get(runs["a"], resource_group=RG)
    assert (got.status, got.configuration_id, got.configuration_name) == (Status.RUNNING, runs["green"], "green")
    assert got.last_operation.value == "UPDATE"
    other_executable = training_configuration(core, RG, "not servable")
    with pytest.raises(AIAPIInvalidRequestException):
        core.deployment.modify(runs["a"], configuration_id=other_executable, resource_group=RG)


def test_stop_then_delete(core, runs, headers):
    url = core.deployment.get(runs["a"], resource_group=RG).deployment_url
    assert core.deployment.modify(runs["a"], target_status=TargetStatus.STOPPED, resource_group=RG).id == runs["a"]
    wait_for(lambda: core.deployment.get(runs["a"], resource_group=RG).status == Status.STOPPED, what="stopped")
    stopped = requests.get(f"{url}/v2/greet", headers=headers, timeout=10)
    assert stopped.status_code == 503 and "STOPPED" in stopped.json()["error"]["message"]
    assert core.deployment.delete(runs["a"], resource_group=RG).id == runs["a"]
    wait_for(lambda: runs["a"] not in ids(core.deployment.query(resource_group=RG)), what="deleted")
    with pytest.raises(AIAPINotFoundException):
        core.deployment.get(runs["a"], resource_group=RG)
    assert requests.get(f"{url}/v2/greet", headers=headers, timeout=10).status_code == 404


def test_a_crashing_predictor_ends_dead_with_its_logs(core, runs, headers):
    deployment = core.deployment.create(runs["blue"], resource_group=RG).id
    url = running(core, deployment).deployment_url
    with pytest.raises(requests.RequestException):
        requests.get(f"{url}/v2/crash", headers=headers, timeout=10).raise_for_status()
    dead = wait_for(lambda: (d := core.deployment.get(deployment, resource_group=RG)).status == Status.DEAD and d,
                    what="dead")
    assert "exited with code 3" in dead.status_message
    logs = core.deployment.query_logs(deployment, resource_group=RG)
    assert any("crashing on request" in line.msg for line in logs.data.result)
    assert requests.get(f"{url}/v2/greet", headers=headers, timeout=10).status_code == 503
    core.deployment.delete(deployment, resource_group=RG)


def test_a_missing_model_ends_dead_with_the_reason(core, catalog):
    from ai_api_client_sdk.models.artifact import Artifact
    from ai_api_client_sdk.models.input_artifact_binding import InputArtifactBinding

    empty = core.artifact.create(name="no model", kind=Artifact.Kind.MODEL, url=f"ai://default/{RG}/models/none",
                                 scenario_id=catalog, resource_group=RG).id
    config = core.configuration.create(name="no model", scenario_id=catalog, executable_id=SERVE,
                                       input_artifact_bindings=[InputArtifactBinding(key="model", artifact_id=empty)],
                                       resource_group=RG).id
    deployment = core.deployment.create(config, resource_group=RG).id
    dead = wait_for(lambda: (d := core.deployment.get(deployment, resource_group=RG)).status == Status.DEAD and d,
                    what="dead")
    assert f"Nothing found at ai://default/{RG}/models/none" in dead.status_message
    core.deployment.delete(deployment, resource_group=RG)


def test_bulk_stop_and_delete_with_an_item_error(core, runs):
    stopped = core.deployment.bulk_modify([BasicModifyRequest(runs["b"], TargetStatus.STOPPED),
                                           BasicModifyRequest(runs["c"], TargetStatus.STOPPED)], resource_group=RG)
    assert [type(item) for item in stopped.deployments] == [BasicResponse, BasicResponse]
    wait_for(lambda: core.deployment.count(status=Status.STOPPED, resource_group=RG) == 2, what="bulk stopped")
    deleted = core.deployment.bulk_modify([BasicModifyRequest(runs["b"], TargetStatus.DELETED),
                                           BasicModifyRequest(UNKNOWN_ID, TargetStatus.DELETED),
                                           BasicModifyRequest(runs["c"], TargetStatus.DELETED)], resource_group=RG)
    by_id = {item.id: item for item in deleted.deployments}
    assert isinstance(by_id[runs["b"]], BasicResponse) and isinstance(by_id[runs["c"]], BasicResponse)
    assert isinstance(by_id[UNKNOWN_ID], BulkModifyErrorResponse)
    assert by_id[UNKNOWN_ID].error.code and by_id[UNKNOWN_ID].error.target
    wait_for(lambda: core.deployment.count(resource_group=RG) == 0, what="bulk deleted")
