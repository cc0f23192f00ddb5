"""/v2/lm/executionSchedules through the API (configurations are seeded straight into the store)."""
from datetime import datetime, timedelta, timezone

import humps
import pytest
from ai_api_client_sdk.models.execution_schedule import ExecutionSchedule as ClientSchedule

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind, Record

BASE = "/v2/lm/executionSchedules"


def seed(kind: Kind, id: str, tenant: str = "t1", rg: str = "default", **doc) -> None:
    from chalicelib.bootstrap import container

    container().store.create(TenantContext(tenant, rg), Record(kind, id, {"id": id, **doc}))


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def in_days(days: float) -> datetime:
    return datetime.now(timezone.utc) + timedelta(days=days)


def create(api, cron="0 2 * * *", config="cfg-1", **extra):
    return api.call("POST", BASE, {"name": "nightly", "cron": cron, "configurationId": config, **extra})


def stored(schedule_id: str, tenant="t1", rg="default") -> Record:
    from chalicelib.bootstrap import container

    return container().store.get(TenantContext(tenant, rg), Kind.SCHEDULE, schedule_id)


@pytest.fixture
def cfg(api):
    seed(Kind.CONFIGURATION, "cfg-1", name="train")
    seed(Kind.CONFIGURATION, "cfg-2", name="train-2")
    return api


def test_create_get_and_the_client_parses_it(cfg):
    api = cfg
    end = in_days(30)
    created = create(api, cron="0  2 * * MON-FRI", end=iso(end))
    assert created.status == 202, created
    assert created.json["message"] == "Execution Schedule created"
    sid = created.json["id"]
    assert created.headers["location"] == f"{BASE}/{sid}"

    got = api.call("GET", f"{BASE}/{sid}")
    assert got.status == 200, got
    body = got.json
    assert body["cron"] == "0 2 * * MON-FRI" and body["name"] == "nightly" and body["configurationId"] == "cfg-1"
    assert body["status"] == "ACTIVE" and body["end"] == iso(end)
    start = datetime.fromisoformat(body["start"].replace("Z", "+00:00"))
    assert abs((start - datetime.now(timezone.utc)).total_seconds()) < 60  # start defaults to now
    assert all(body[k].endswith("Z") for k in ("start", "end", "createdAt", "modifiedAt"))
    assert set(body) == {"id", "name", "cron", "configurationId", "start", "end", "status", "createdAt",
                         "modifiedAt"}
    client = ClientSchedule.from_dict(humps.decamelize(body))
    assert client.status.value == "ACTIVE" and client.configuration_id == "cfg-1"


def test_active_schedule_is_in_the_work_index_with_its_next_fire(cfg):
    from chalicelib.bootstrap import container

    sid = create(cfg, cron="0 2 * * *", start=iso(in_days(2))).json["id"]
    record = stored(sid)
    assert record.index_key == "SCHED"
    next_fire = datetime.strptime(record.index_sort, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert (next_fire.hour, next_fire.minute) == (2, 0) and next_fire > in_days(2) - timedelta(minutes=1)
    due = [r.id for _, r in container().store.query_index("SCHED", sort_le=record.index_sort)]
    assert sid in due
    assert not [r for _, r in container().store.query_index("SCHED", sort_le="2000-01-01T00:00:00.000000Z")]

    assert cfg.call("PATCH", f"{BASE}/{sid}", {"status": "INACTIVE"}).status == 202
    assert stored(sid).index_key is None  # paused: the ticker no longer sees it
    assert cfg.call("PATCH", f"{BASE}/{sid}", {"status": "ACTIVE"}).status == 202
    assert stored(sid).index_key == "SCHED"


def test_list_filters_paging_and_count(cfg):
    api = cfg
    ids = [create(api, config=c).json["id"] for c in ("cfg-1", "cfg-1", "cfg-2")]
    api.call("PATCH", f"{BASE}/{ids[1]}", {"status": "INACTIVE"})

    listed = api.call("GET", BASE).json
    assert listed["count"] == 3 and [s["id"] for s in listed["resources"]] == ids
    by_config = api.call("GET", f"{BASE}?configurationId=cfg-1").json
    assert {s["id"] for s in by_config["resources"]} == set(ids[:2])
    inactive = api.call("GET", f"{BASE}?status=INACTIVE").json
    assert [s["id"] for s in inactive["resources"]] == [ids[1]]
    assert api.call("GET", f"{BASE}?top=1&skip=1").json["resources"][0]["id"] == ids[1]
    page = api.call("GET", f"{BASE}?%24top=2&%24skip=1").json
    assert page["count"] == 3 and [s["id"] for s in page["resources"]] == ids[1:]

    count = api.call("GET", f"{BASE}/$count?configurationId=cfg-1&status=ACTIVE")
    assert count.status == 200 and count.headers["content-type"].startswith("text/plain") and count.json == 1
    assert api.call("GET", f"{BASE}/$count").json == 3
    bad = api.call("GET", f"{BASE}?status=PAUSED")
    assert bad.status == 400 and "ACTIVE or INACTIVE" in bad.json["error"]["message"]


@pytest.mark.parametrize("cron, words", [
    ("0 0 * * * *", "exactly 5 are needed"),
    ("@reboot", "macros"),
    ("61 * * * *", "outside the minute range"),
    ("5-1 * * * *", "runs backwards"),
    ("0 0 L * *", "not a number"),
])
def test_bad_cron_is_400_with_a_reason(cfg, cron, words):
    result = create(cfg, cron=cron)
    assert result.status == 400 and words in result.json["error"]["message"], result


def test_minimum_interval_is_a_setting_and_run_always_is_exempt(cfg):
    from chalicelib import bootstrap
    from chalicelib.domain.schedules import ScheduleService

    assert create(cfg, cron="*/5 * * * *").status == 202  # default here: 60 s
    c = bootstrap.container()
    bootstrap.override(schedules=ScheduleService(c.store, c.clock, 3600))  # AI Core's value
    refused = create(cfg, cron="*/30 * * * *")
    assert refused.status == 400 and "minimum interval" in refused.json["error"]["message"]
    assert create(cfg, cron="0 * * * *").status == 202
    always = create(cfg, cron="* * * * *")
    assert always.status == 202
    assert stored(always.json["id"]).index_sort is not None  # due at once; the ticker waits for the last run


@pytest.mark.parametrize("body, words", [
    ({"name": "", "cron": "0 2 * * *", "configurationId": "cfg-1"}, "'name'"),
    ({"name": "n", "configurationId": "cfg-1"}, "'cron' is required"),
    ({"name": "n", "cron": "0 2 * * *"}, "'configurationId' is required"),
    ({"name": "n", "cron": "0 2 * * *", "configurationId": "x"}, "configurationId"),
    ({"name": "n", "cron": "0 2 * * *", "configurationId": "cfg-1", "start": "tomorrow"}, "'start'"),
])
def test_bad_create_bodies(cfg, body, words):
    result = cfg.call("POST", BASE, body)
    assert result.status == 400 and words in result.json["error"]["message"], result


def test_window_rules(cfg):
    wrong_order = create(cfg, start=iso(in_days(5)), end=iso(in_days(4)))
    assert wrong_order.status == 400 and "must be before 'end'" in wrong_order.json["error"]["message"]
    assert create(cfg, start=iso(in_days(-5)), end=iso(in_days(1))).status == 202


def test_the_reference_example_without_name_and_with_a_past_window(cfg):
    """AI Core's ML Operations reference: no name, Sunday as 0, a window in 2024. Kept, named after the
    configuration, INACTIVE (it can never fire), and the answer says so; resuming needs a later end."""
    created = cfg.call("POST", BASE, {"configurationId": "cfg-1", "cron": "0 0 * * 0",
                                      "start": "2024-01-01T00:00:00Z", "end": "2024-12-31T23:59:59Z"})
    assert created.status == 202, created
    assert "INACTIVE" in created.json["message"] and "2024-12-31T23:59:59Z" in created.json["message"]
    schedule_id = created.json["id"]
    got = cfg.call("GET", f"{BASE}/{schedule_id}").json
    assert (got["name"], got["status"], got["cron"]) == ("train", "INACTIVE", "0 0 * * 0")
    assert stored(schedule_id).index_sort is None  # the ticker never looks at it
    refused = cfg.call("PATCH", f"{BASE}/{schedule_id}", {"status": "ACTIVE"})
    assert refused.status == 400 and "resumed only before its end" in refused.json["error"]["message"]
    resumed = cfg.call("PATCH", f"{BASE}/{schedule_id}", {"status": "ACTIVE", "end": iso(in_days(30))})
    assert resumed.status == 202 and cfg.call("GET", f"{BASE}/{schedule_id}").json["status"] == "ACTIVE"
    assert stored(schedule_id).index_sort is not None


@pytest.mark.parametrize("cron", ["0 0 * * 0", "0 0 * * 7", "0 0 * * sun", "0 0 * * SUN", "0 0 * * Fri",
                                  "0 0 * * mon-fri", "0 0 1 jan *", "0 0 1 Jan-Mar *"])
def test_weekday_and_month_spellings_users_write(cfg, cron):
    created = cfg.call("POST", BASE, {"configurationId": "cfg-2", "cron": cron})
    assert created.status == 202, created
    assert cfg.call("GET", f"{BASE}/{created.json['id']}").json["name"] == "train-2"


def test_unknown_configuration_is_400(cfg):
    result = create(cfg, config="cfg-nope")
    assert result.status == 400 and "Configuration 'cfg-nope' not found" in result.json["error"]["message"]


def test_a_serving_configuration_cannot_be_scheduled(cfg):
    seed(Kind.EXECUTABLE, "scn:serve", rg=None, deployable=True)
    seed(Kind.EXECUTABLE, "scn:train", rg=None, deployable=False)
    seed(Kind.CONFIGURATION, "cfg-serve", scenario_id="scn", executable_id="serve")
    seed(Kind.CONFIGURATION, "cfg-train", scenario_id="scn", executable_id="train")
    refused = create(cfg, config="cfg-serve")
    assert refused.status == 400 and "serving template" in refused.json["error"]["message"]
    assert create(cfg, config="cfg-train").status == 202


def test_patch_rules(cfg):
    api = cfg
    sid = create(api, end=iso(in_days(10))).json["id"]
    path = f"{BASE}/{sid}"
    for empty in ({}, {"unknown": 1}):
        result = api.call("PATCH", path, empty)
        assert result.status == 400 and "at least one of" in result.json["error"]["message"]
    changed = api.call("PATCH", path, {"cron": "30 4 * * SUN", "configurationId": "cfg-2"})
    assert changed.status == 202 and changed.json == {"id": sid, "message": "Execution Schedule modified"}
    got = api.call("GET", path).json
    assert (got["cron"], got["configurationId"]) == ("30 4 * * SUN", "cfg-2")
    assert got["modifiedAt"] >= got["createdAt"]

    assert api.call("PATCH", path, {"configurationId": "cfg-nope"}).status == 400
    assert api.call("PATCH", path, {"cron": "bad"}).status == 400
    assert api.call("PATCH", path, {"status": "PAUSED"}).status == 400
    assert api.call("PATCH", path, {"end": iso(in_days(-1))}).status == 400  # active needs a future end
    assert api.call("PATCH", path, {"end": None}).status == 202
    assert "end" not in api.call("GET", path).json


def test_resume_only_before_the_end(cfg):
    from chalicelib.bootstrap import container

    api = cfg
    sid = create(api, end=iso(in_days(10))).json["id"]
    path = f"{BASE}/{sid}"
    assert api.call("PATCH", path, {"status": "INACTIVE"}).status == 202
    # Move the end into the past behind the API's back (as time passing would).
    record = stored(sid)
    record.doc["end"] = iso(in_days(-1))
    record.doc["start"] = iso(in_days(-3))
    container().store.replace(TenantContext("t1", "default"), record)

    refused = api.call("PATCH", path, {"status": "ACTIVE"})
    assert refused.status == 400 and "resumed only before its end" in refused.json["error"]["message"]
    assert api.call("PATCH", path, {"cron": "0 3 * * *"}).status == 202  # other changes still work
    resumed = api.call("PATCH", path, {"status": "ACTIVE", "end": iso(in_days(5))})
    assert resumed.status == 202 and api.call("GET", path).json["status"] == "ACTIVE"


def test_an_expired_schedule_reads_inactive(cfg):
    """AI Core's docs: "Upon expiry, the status will change to INACTIVE"."""
    from chalicelib.bootstrap import container

    sid = create(cfg, end=iso(in_days(10))).json["id"]
    record = stored(sid)
    record.doc["end"], record.doc["start"] = iso(in_days(-1)), iso(in_days(-3))  # time passed
    container().store.replace(TenantContext("t1", "default"), record)
    assert cfg.call("GET", f"{BASE}/{sid}").json["status"] == "INACTIVE"
    assert {s["id"]: s["status"] for s in cfg.call("GET", BASE).json["resources"]}[sid] == "INACTIVE"
    assert sid in {s["id"] for s in cfg.call("GET", f"{BASE}?status=INACTIVE").json["resources"]}
    assert sid not in {s["id"] for s in cfg.call("GET", f"{BASE}?status=ACTIVE").json["resources"]}
    assert cfg.call("GET", f"{BASE}/$count?status=ACTIVE").body == b"0"


def test_delete_then_404(cfg):
    sid = create(cfg).json["id"]
    deleted = cfg.call("DELETE", f"{BASE}/{sid}")
    assert deleted.status == 202 and deleted.json == {"id": sid, "message": "Execution Schedule deleted"}
    assert cfg.call("GET", f"{BASE}/{sid}").status == 404
    assert cfg.call("DELETE", f"{BASE}/{sid}").status == 404
    assert cfg.call("PATCH", f"{BASE}/{sid}", {"status": "INACTIVE"}).status == 404


def test_unknown_and_invalid_ids(cfg):
    missing = cfg.call("GET", f"{BASE}/no-such-schedule")
    assert missing.status == 404 and "no-such-schedule" in missing.json["error"]["message"]
    assert cfg.call("GET", f"{BASE}/a!b").status == 400


def test_other_tenant_and_other_resource_group_see_nothing(cfg):
    api = cfg
    sid = create(api).json["id"]
    assert api.call("POST", "/v2/admin/resourceGroups", {"resourceGroupId": "rg-b"}).status == 202
    for kwargs in ({"tenant": "t2"}, {"rg": "rg-b"}):
        assert api.call("GET", f"{BASE}/{sid}", **kwargs).status == 404
        assert api.call("PATCH", f"{BASE}/{sid}", {"status": "INACTIVE"}, **kwargs).status == 404
        assert api.call("DELETE", f"{BASE}/{sid}", **kwargs).status == 404
        assert api.call("GET", BASE, **kwargs).json["count"] == 0
    # A configuration of another resource group cannot be scheduled here.
    seed(Kind.CONFIGURATION, "cfg-b", rg="rg-b")
    assert create(api, config="cfg-b").status == 400
    assert api.call("POST", BASE, {"name": "n", "cron": "0 2 * * *", "configurationId": "cfg-b"},
                    rg="rg-b").status == 202
    assert api.call("GET", f"{BASE}/{sid}").status == 200


def test_header_and_token_rules(cfg):
    missing_rg = cfg.call("GET", BASE, rg=None)
    assert missing_rg.status == 400 and "AI-Resource-Group" in missing_rg.json["error"]["message"]
    restricted = cfg.token("t1", scope="aicore.metrics.write:exec-1")
    assert cfg.call("GET", BASE, token=f"Bearer {restricted}").status == 403
