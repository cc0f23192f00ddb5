"""/v2/lm/{executions,deployments}/{id}/logs: shape, parameters and default window (with an in-memory LogStore)."""
from datetime import datetime, timedelta, timezone
from typing import List

import humps
import pytest
from ai_api_client_sdk.models.log_response import LogResponse

from chalicelib.domain.context import TenantContext
from chalicelib.domain.logs import LogEntry
from chalicelib.domain.records import Kind, Record

NOW = datetime.now(timezone.utc).replace(microsecond=0)


class MemoryLogStore:
    """Keeps entries per (tenant, resource group, kind, run) and records what the service asked for."""

    def __init__(self):
        self.entries = {}
        self.calls = []

    def add(self, tenant, rg, kind, run_id, *entries: LogEntry):
        self.entries.setdefault((tenant, rg, kind, run_id), []).extend(entries)

    def read(self, ctx, kind, run_id, start, end, top, order) -> List[LogEntry]:
        self.calls.append((start, end, top, order))
        found = [e for e in self.entries.get((ctx.tenant, ctx.resource_group, kind, run_id), [])
                 if start <= e.timestamp <= end]
        return sorted(found, key=lambda e: e.timestamp, reverse=order == "desc")[:top]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_run(kind: Kind, id: str, created: datetime, tenant="t1", rg="default") -> None:
    from chalicelib.bootstrap import container

    container().store.create(TenantContext(tenant, rg), Record(kind, id, {"id": id, "created_at": iso(created)}))


def line(minutes_ago: float, msg: str) -> LogEntry:
    return LogEntry(timestamp=NOW - timedelta(minutes=minutes_ago), msg=msg, container="main", pod="pod-1",
                    stream="stdout")


@pytest.fixture
def logs(api):
    from chalicelib import bootstrap

    store = MemoryLogStore()
    bootstrap.override(log_store=store)
    seed_run(Kind.EXECUTION, "exec-1", NOW - timedelta(hours=3))
    seed_run(Kind.DEPLOYMENT, "dep-1", NOW - timedelta(hours=3))
    store.add("t1", "default", Kind.EXECUTION, "exec-1", line(170, "first"), line(90, "middle"), line(1, "last"))
    store.add("t1", "default", Kind.DEPLOYMENT, "dep-1", line(170, "boot"), line(30, "serving"))
    return api, store


def messages(result) -> List[str]:
    return [item["msg"] for item in result.json["data"]["result"]]


def test_execution_logs_default_to_the_whole_run_and_the_client_parses_them(logs):
    api, _ = logs
    result = api.call("GET", "/v2/lm/executions/exec-1/logs")
    assert result.status == 200, result
    assert messages(result) == ["first", "middle", "last"]
    first = result.json["data"]["result"][0]
    assert first == {"timestamp": iso(NOW - timedelta(minutes=170)), "msg": "first", "container": "main",
                     "pod": "pod-1", "stream": "stdout"}
    parsed = LogResponse.from_dict(humps.decamelize(result.json))
    assert parsed.data.result[0].msg == "first" and parsed.data.result[0].timestamp.tzinfo is not None


def test_deployment_logs_default_to_the_last_hour(logs):
    api, store = logs
    result = api.call("GET", "/v2/lm/deployments/dep-1/logs")
    assert result.status == 200 and messages(result) == ["serving"]
    start, end, top, order = store.calls[-1]
    assert timedelta(minutes=59) < end - start <= timedelta(hours=1) and (top, order) == (1000, "asc")


def test_a_young_run_starts_at_its_creation(logs):
    api, store = logs
    seed_run(Kind.DEPLOYMENT, "dep-new", NOW - timedelta(minutes=5))
    assert api.call("GET", "/v2/lm/deployments/dep-new/logs").status == 200
    start, end, _, _ = store.calls[-1]
    assert NOW - timedelta(minutes=7) < start < NOW - timedelta(minutes=5)


def test_parameters_with_and_without_dollar(logs):
    api, store = logs
    window = f"start={iso(NOW - timedelta(minutes=100))}&end={iso(NOW - timedelta(minutes=10))}"
    assert messages(api.call("GET", f"/v2/lm/executions/exec-1/logs?{window}")) == ["middle"]
    assert messages(api.call("GET", "/v2/lm/executions/exec-1/logs?%24order=desc&%24top=2")) == ["last", "middle"]
    assert messages(api.call("GET", "/v2/lm/executions/exec-1/logs?order=DESC&top=1")) == ["last"]
    offset = (NOW - timedelta(minutes=100)).astimezone(timezone(timedelta(hours=2))).isoformat()
    spaced = offset.replace("+", " ")  # an unencoded '+' arrives as a space
    result = api.call("GET", f"/v2/lm/executions/exec-1/logs?start={spaced}&end={iso(NOW)}")
    assert result.status == 200 and messages(result) == ["middle", "last"]
    assert store.calls[-1][0] == NOW - timedelta(minutes=100)


@pytest.mark.parametrize("query, words", [
    ("top=0", "between 1 and 5000"),
    ("%24top=5001", "between 1 and 5000"),
    ("top=many", "must be an integer"),
    ("order=up", "asc or desc"),
    ("start=yesterday", "RFC 3339"),
    ("end=2024-13-01T00:00:00Z", "RFC 3339"),
    ("start=2024-05-02T00:00:00Z&end=2024-05-01T00:00:00Z", "must not be after"),
])
def test_bad_parameters_are_400(logs, query, words):
    api, _ = logs
    result = api.call("GET", f"/v2/lm/executions/exec-1/logs?{query}")
    assert result.status == 400 and words in result.json["error"]["message"], result


def test_unknown_runs_are_404(logs):
    api, _ = logs
    for path in ("/v2/lm/executions/exec-404/logs", "/v2/lm/deployments/dep-404/logs",
                 "/v2/lm/deployments/exec-1/logs"):  # an execution id is not a deployment
        result = api.call("GET", path)
        assert result.status == 404 and "not found" in result.json["error"]["message"], path
    assert api.call("GET", "/v2/lm/executions/a!b/logs").status == 400


def test_other_tenant_and_resource_group_get_404(logs):
    api, _ = logs
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "rg-b"}).status == 202
    assert api.call("GET", "/v2/lm/executions/exec-1/logs", tenant="t2").status == 404
    assert api.call("GET", "/v2/lm/executions/exec-1/logs", rg="rg-b").status == 404
    assert api.call("GET", "/v2/lm/deployments/dep-1/logs", rg="rg-b").status == 404
    assert api.call("GET", "/v2/lm/executions/exec-1/logs", rg=None).status == 400


def test_without_an_engine_the_log_is_empty(api):
    seed_run(Kind.EXECUTION, "exec-9", NOW)
    result = api.call("GET", "/v2/lm/executions/exec-9/logs")
    assert result.status == 200 and result.json == {"data": {"result": []}}
