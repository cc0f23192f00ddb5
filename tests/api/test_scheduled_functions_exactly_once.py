"""The EventBridge-scheduled functions as AWS runs them (issue 8, Must-have 4): `app.schedule_tick` and
`app.git_poll` called with a scheduled event, by two Lambda instances (own containers, one DynamoDB) at the same
time and one after the other. EventBridge delivers at least once and a slow tick can still run when the next one
starts: each due time must start one execution, and two polls must not sync an application into duplicates."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

import app as chalice_app
from chalicelib.bootstrap import container, override
from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind
from chalicelib.domain.ticker import fire_execution_id
from tests.support.git_repos import templates_repo
from tests.support.lambda_instances import (LambdaContext, atomic_moto_requests, instances, run_concurrently,
                                            scheduled_event)
from tests.support.seed import seed_executable

T0 = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
CTX = TenantContext("t1", "default")


class Clock:
    def __init__(self):
        self.value = T0

    def now(self):
        return self.value

    def at(self, minutes: float) -> datetime:
        self.value = T0 + timedelta(minutes=minutes)
        return self.value


class ReadTogether:
    """A record store whose index queries wait until every instance has read: each then acts on what it read
    before any of them wrote (the race that only the conditional writes can settle)."""

    def __init__(self, store, barrier: threading.Barrier):
        self._store, self._barrier = store, barrier

    def query_index(self, *args, **kwargs):
        found = list(self._store.query_index(*args, **kwargs))
        self._barrier.wait(30)
        return iter(found)

    def __getattr__(self, name):
        return getattr(self._store, name)


def tick(at: datetime):
    return chalice_app.schedule_tick(scheduled_event("aicore-tst-schedule-tick", at), LambdaContext())


def poll(at: datetime):
    return chalice_app.git_poll(scheduled_event("aicore-tst-git-poll", at), LambdaContext())


@pytest.fixture
def clock(api):
    clock = Clock()
    override(clock=clock)  # before any service is built: schedules, executions and the tickers share it
    return clock


@pytest.fixture
def config_id(api, clock):
    seed_executable(container().store, "t1", "scen1", "train")
    created = api.call("POST", "/v2/lm/configurations", {"name": "c", "scenarioId": "scen1", "executableId": "train"})
    assert created.status == 201, created
    return created.json["id"]


def schedule(api, config_id, cron: str) -> str:
    created = api.call("POST", "/v2/lm/executionSchedules", {"name": "s", "cron": cron, "configurationId": config_id})
    assert created.status == 202, created
    return created.json["id"]


def runs_of(api, schedule_id):
    listing = api.call("GET", f"/v2/lm/executions?executionScheduleId={schedule_id}&$top=1000")
    assert listing.status == 200, listing
    return sorted(listing.json["resources"], key=lambda r: r["createdAt"])


def two_instances_read_together(instance, names=("a", "b")):
    barrier = threading.Barrier(len(names))
    for name in names:
        c = instance(name)
        c.__dict__["store"] = ReadTogether(c.store, barrier)


def test_two_instances_ticking_at_once_start_one_execution_per_due_time(api, clock, config_id, monkeypatch):
    schedule_id = schedule(api, config_id, "*/5 * * * *")
    with atomic_moto_requests(monkeypatch), instances(monkeypatch, api.settings, clock=clock) as instance:
        two_instances_read_together(instance)
        for due_minute in (5, 10, 15):
            at = clock.at(due_minute + 0.02)
            run_concurrently(instance, {"a": lambda: tick(at), "b": lambda: tick(at)})
    runs = runs_of(api, schedule_id)
    assert [r["id"] for r in runs] == [fire_execution_id(schedule_id, T0 + timedelta(minutes=m)) for m in (5, 10, 15)]
    assert {r["status"] for r in runs} == {"PENDING"} and {r["configurationId"] for r in runs} == {config_id}


def test_the_same_tick_delivered_again_starts_nothing_more(api, clock, config_id, monkeypatch):
    """At-least-once delivery: the same event again, at once and a little later inside the same period."""
    schedule_id = schedule(api, config_id, "*/5 * * * *")
    with instances(monkeypatch, api.settings, clock=clock) as instance:
        at = clock.at(5.02)
        run_concurrently(instance, {"a": lambda: tick(at)})
        run_concurrently(instance, {"b": lambda: tick(at)})  # redelivered to another instance
        run_concurrently(instance, {"a": lambda: tick(at)})  # and to the same one
        clock.at(6.5)
        run_concurrently(instance, {"b": lambda: tick(at)})  # late duplicate: the next due time is 12:10
    assert [r["id"] for r in runs_of(api, schedule_id)] == [fire_execution_id(schedule_id, T0 + timedelta(minutes=5))]


def test_a_slow_tick_and_the_next_one_share_a_due_time_without_a_second_run(api, clock, config_id, monkeypatch):
    """Instance a claims the due time and is slow to start the run (a cold dependency, throttling); b's tick sees
    the claim, finishes the fire; a then gets AlreadyExists for the derived execution id and starts nothing."""
    schedule_id = schedule(api, config_id, "*/5 * * * *")
    b_done = threading.Event()
    with atomic_moto_requests(monkeypatch), instances(monkeypatch, api.settings, clock=clock) as instance:
        slow = instance("a")
        real = slow.executions

        class Slow:
            def create(self, *args, **kwargs):
                assert b_done.wait(30), "instance b never finished its tick"
                return real.create(*args, **kwargs)

            def __getattr__(self, name):
                return getattr(real, name)

        slow.__dict__["executions"] = Slow()
        slow.__dict__.pop("schedule_ticker", None)  # rebuilt on the slow executions
        at = clock.at(5.02)

        def late_tick():
            tick(at + timedelta(seconds=30))
            b_done.set()

        run_concurrently(instance, {"a": lambda: tick(at), "b": late_tick})
    runs = runs_of(api, schedule_id)
    assert [r["id"] for r in runs] == [fire_execution_id(schedule_id, T0 + timedelta(minutes=5))]
    stored = container().store.get(CTX, Kind.SCHEDULE, schedule_id).doc
    assert stored["pending_fire"] is None  # the fire is confirmed: the next tick has nothing left to finish


def test_a_tick_late_by_minutes_fires_once_not_once_per_missed_minute(api, clock, config_id, monkeypatch):
    """EventBridge or Lambda held up for 7 minutes (throttling, an outage). A schedule is a cadence, not a queue
    of owed runs: AI Core users expect the next run, not a burst of 7 identical trainings at once. So the latest
    missed due time fires once (as a Kubernetes CronJob starts only the most recent missed schedule) and the
    skipped ones are logged; the cadence then continues as before."""
    schedule_id = schedule(api, config_id, "*/1 * * * *")
    with atomic_moto_requests(monkeypatch), instances(monkeypatch, api.settings, clock=clock) as instance:
        two_instances_read_together(instance)
        at = clock.at(7.3)  # due times 12:01 ... 12:07 all missed
        run_concurrently(instance, {"a": lambda: tick(at), "b": lambda: tick(at)})
        assert [r["id"] for r in runs_of(api, schedule_id)] == [fire_execution_id(schedule_id,
                                                                                  T0 + timedelta(minutes=7))]
        at = clock.at(8.01)
        run_concurrently(instance, {"a": lambda: tick(at), "b": lambda: tick(at)})
    assert [r["id"] for r in runs_of(api, schedule_id)] == [
        fire_execution_id(schedule_id, T0 + timedelta(minutes=m)) for m in (7, 8)]


def test_run_always_with_two_instances_at_once_starts_one_run(api, clock, config_id, monkeypatch):
    """`* * * * *` (AI Core: run always): both instances see no live run; the claim lets one of them start it."""
    schedule_id = schedule(api, config_id, "* * * * *")
    with atomic_moto_requests(monkeypatch), instances(monkeypatch, api.settings, clock=clock) as instance:
        two_instances_read_together(instance)
        for seconds in (1, 61):  # the first run is still PENDING a minute later: no second one
            at = clock.at(seconds / 60)
            run_concurrently(instance, {"a": lambda: tick(at), "b": lambda: tick(at)})
    assert len(runs_of(api, schedule_id)) == 1


def test_two_instances_polling_git_at_once_sync_each_application_once(api, tmp_path, monkeypatch):
    """The application is created on the API (AWS: nothing drains the in-memory queue); two git-poll invocations
    both find it owed a sync and both sync it: the catalog ends with one scenario and one executable per template,
    and the application is Synced."""
    repo = templates_repo(tmp_path)
    assert api.call("POST", "/v2/admin/repositories", {"name": "templates", "url": repo.url, "username": "",
                                                       "password": ""}).status == 200
    created = api.call("POST", "/v2/admin/applications", {"applicationName": "app-one", "repositoryUrl": repo.url,
                                                          "revision": "HEAD", "path": "workflows"})
    assert created.status == 200, created

    def own_tmp(name):  # each Lambda instance has its own /tmp, so its own Git cache
        return api.settings.model_copy(update={"git_cache_dir": tmp_path / f"lambda-{name}" / "git-cache"})

    with atomic_moto_requests(monkeypatch), instances(monkeypatch, own_tmp) as instance:
        two_instances_read_together(instance)
        now = datetime.now(timezone.utc)
        run_concurrently(instance, {"a": lambda: poll(now), "b": lambda: poll(now)})
        run_concurrently(instance, {"c": lambda: poll(now)})  # a third instance later: the revision is unchanged

    scenarios = api.call("GET", "/v2/lm/scenarios").json
    executables = [e for s in scenarios["resources"]
                   for e in api.call("GET", f"/v2/lm/scenarios/{s['id']}/executables").json["resources"]]
    stored = list(container().store.iterate(TenantContext("t1"), Kind.EXECUTABLE))
    assert scenarios["count"] == len({s["id"] for s in scenarios["resources"]}) >= 1
    assert len(executables) == len({(e["scenarioId"], e["id"]) for e in executables}) == len(stored) >= 2
    status = api.call("GET", "/v2/admin/applications/app-one/status").json
    assert (status["healthStatus"], status["syncStatus"]) == ("Healthy", "Synced"), status
    assert sorted(r["name"] for r in status["syncResourcesStatus"]) == sorted(e["id"] for e in executables)
