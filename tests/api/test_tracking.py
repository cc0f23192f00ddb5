"""Metrics written from inside a run: the credential in AICORE_TRACKING_ENDPOINT, no Bearer token."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind, Record
from chalicelib.domain.tracking import TrackingCredentials


def _seed(id: str, tenant: str = "t1", rg: str = "default") -> None:
    from chalicelib.bootstrap import container

    container().store.create(TenantContext(tenant, rg), Record(Kind.EXECUTION, id, {"id": id}))


def _credential(execution_id: str, tenant: str = "t1", rg: str = "default") -> str:
    from chalicelib.bootstrap import container

    return container().tracking_credentials.mint(TenantContext(tenant, rg), execution_id)


def _patch(api, credential, body):
    # Exactly what ai_core_sdk's InternalRestClient sends: empty Authorization, no resource group.
    return api.call("PATCH", f"/v2/tracking/{credential}/api/v1/metrics", body, token="", rg=None)


def test_a_run_writes_its_own_metrics_with_the_sdk_body(api):
    _seed("exec-run")
    result = _patch(api, _credential("exec-run"), {"execution_id": "exec-run",
                                                   "metrics": [{"name": "acc", "value": 0.9, "step": 1}]})
    assert result.status == 204, result
    got = api.call("GET", "/v2/lm/metrics?executionIds=exec-run")
    assert got.json["resources"][0]["metrics"][0]["name"] == "acc"


def test_a_credential_cannot_write_another_execution(api):
    _seed("exec-run")
    _seed("exec-other")
    result = _patch(api, _credential("exec-run"), {"execution_id": "exec-other",
                                                   "metrics": [{"name": "acc", "value": 1}]})
    assert result.status == 403, result
    assert "own execution" in result.json["error"]["message"]
    assert api.call("GET", "/v2/lm/metrics?executionIds=exec-other").json["count"] == 0


def test_the_credential_binds_tenant_and_resource_group(api):
    _seed("exec-run", tenant="t2")
    # A t1 credential for an id that exists only in t2: the write lands in t1, where there is no such execution.
    result = _patch(api, _credential("exec-run", tenant="t1"), {"execution_id": "exec-run",
                                                                "metrics": [{"name": "acc", "value": 1}]})
    assert result.status == 401 and "was deleted" in result.json["error"]["message"], result
    assert api.call("GET", "/v2/lm/metrics?executionIds=exec-run", tenant="t2").json["count"] == 0


def test_forged_expired_or_missing_credentials_are_refused(api):
    from chalicelib.bootstrap import container

    _seed("exec-run")
    body = {"execution_id": "exec-run", "metrics": [{"name": "acc", "value": 1}]}
    good = _credential("exec-run")
    payload, _, signature = good.partition(".")
    forged = TrackingCredentials(b"another key", container().clock).mint(TenantContext("t1", "default"), "exec-run")
    for bad in (forged, payload + "." + signature[::-1], "garbage", payload):
        result = _patch(api, bad, body)
        assert result.status == 401, (bad, result)
    expired = TrackingCredentials(b"k", container().clock, ttl=timedelta(seconds=-5))
    container().__dict__["tracking_credentials"] = TrackingCredentials(b"k", container().clock)
    assert _patch(api, expired.mint(TenantContext("t1", "default"), "exec-run"), body).status == 401
    # The tracking path does not open other routes: a Bearer-less call elsewhere is still 401.
    assert api.call("GET", "/v2/lm/executions", token="").status == 401


def test_the_credential_never_reaches_the_request_log(api):
    import logging

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__()
            self.text = []

        def emit(self, record):
            self.text.append(" ".join(str(v) for v in vars(record).values()))

    keep = Keep()
    logging.getLogger("aicore").addHandler(keep)
    try:
        _seed("exec-log")
        credential = _credential("exec-log")
        body = {"execution_id": "exec-log", "metrics": [{"name": "a", "value": 1}]}
        assert _patch(api, credential, body).status == 204
    finally:
        logging.getLogger("aicore").removeHandler(keep)
    logged = "\n".join(keep.text)
    assert "/v2/tracking/***/api/v1/metrics" in logged
    assert credential not in logged


def _seed_with(id: str, **doc) -> None:
    from chalicelib.bootstrap import container

    container().store.create(TenantContext("t1", "default"), Record(Kind.EXECUTION, id, {"id": id, **doc}))


def _bearer_post(api, token, execution_id):
    # The ML Operations reference's call: AICORE_AUTH_TOKEN as Bearer, no AI-Resource-Group.
    return api.call("POST", f"/v2/lm/executions/{execution_id}/metrics", {"metrics": [{"name": "m", "value": 1}]},
                    token=f"Bearer {token}", rg=None)


def _run_env(execution_id: str) -> dict:
    from chalicelib.bootstrap import container

    return container().tracking_credentials.run_environment("http://stack", TenantContext("t1", "default"),
                                                            execution_id)


def test_the_run_environment_names_the_root_url_and_one_credential_in_both_forms(api):
    env = _run_env("exec-env")
    assert env["AICORE_API_URL"] == "http://stack"
    credential = env["AICORE_TRACKING_ENDPOINT"].removeprefix("http://stack/v2/tracking/")
    assert env["AICORE_AUTH_TOKEN"] == "aicore-run." + credential


@pytest.mark.parametrize("doc, why", [
    ({"status": "COMPLETED"}, "ended (COMPLETED)"),
    ({"status": "DEAD"}, "ended (DEAD)"),
    ({"status": "STOPPED", "target_status": "STOPPED"}, "ended (STOPPED)"),
    ({"status": "RUNNING", "target_status": "DELETED"}, "was deleted"),
])
def test_a_runs_credentials_stop_working_when_the_run_ends(api, doc, why):
    _seed_with("exec-live", status="RUNNING")
    env = _run_env("exec-live")
    assert _bearer_post(api, env["AICORE_AUTH_TOKEN"], "exec-live").status == 204
    from chalicelib.bootstrap import container

    ctx = TenantContext("t1", "default")
    record = container().store.get(ctx, Kind.EXECUTION, "exec-live")
    record.doc.update(doc)
    container().store.replace(ctx, record)
    for result in (_bearer_post(api, env["AICORE_AUTH_TOKEN"], "exec-live"),
                   _patch(api, env["AICORE_TRACKING_ENDPOINT"].rsplit("/", 1)[1],
                          {"execution_id": "exec-live", "metrics": [{"name": "m", "value": 2}]})):
        assert result.status == 401 and why in result.json["error"]["message"], result
    assert [m["value"] for m in api.call("GET", "/v2/lm/executions/exec-live/metrics").json["metrics"]] == [1]


def test_a_deleted_runs_credentials_stop_working(api):
    from chalicelib.bootstrap import container

    _seed_with("exec-gone", status="RUNNING")
    env = _run_env("exec-gone")
    container().store.delete(TenantContext("t1", "default"), Kind.EXECUTION, "exec-gone")
    result = _bearer_post(api, env["AICORE_AUTH_TOKEN"], "exec-gone")
    assert result.status == 401 and "was deleted" in result.json["error"]["message"], result


def test_the_run_token_is_bound_to_its_group_and_cannot_read(api):
    _seed_with("exec-run2", status="RUNNING")
    token = "Bearer " + _run_env("exec-run2")["AICORE_AUTH_TOKEN"]
    assert api.call("POST", "/v2/lm/executions/exec-run2/metrics", {"metrics": []}, token=token,
                    rg="default").status == 204  # the header may repeat the credential's group
    other_group = api.call("POST", "/v2/lm/executions/exec-run2/metrics", {"metrics": []}, token=token, rg="rg-x")
    assert other_group.status == 403 and "'default' only" in other_group.json["error"]["message"]
    for path in ("/v2/lm/executions/exec-run2/metrics", "/v2/lm/executions", "/v2/lm/metrics?executionIds=exec-run2"):
        assert api.call("GET", path, token=token, rg=None).status == 403, path
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert api.call("POST", "/v2/lm/executions/exec-run2/metrics", {"metrics": []}, token=forged).status == 401
