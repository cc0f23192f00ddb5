"""The schedule ticker on the real DynamoDB record store (in-process moto), with an injected clock: each due
time fires exactly once (racing tickers, restarts, crashes between claim and start), catch-up, pause, window,
run always."""
import threading
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.records import Kind, Record
from chalicelib.domain.schedules import SCHEDULE_INDEX_KEY, ScheduleService
from chalicelib.domain.ticker import ScheduleTicker, fire_execution_id

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)
CTX = TenantContext("t1", "default")


class Clock:
    def __init__(self, now=T0):
        self.value = now

    def now(self):
        return self.value

    def at(self, minutes: float):
        self.value = T0 + timedelta(minutes=minutes)
        return self.value


class Executions:
    """Stands in for ExecutionService.create: stores the run (so ids collide like real ones) and counts."""

    def __init__(self, store, fail_times: int = 0, error=None):
        self.store = store
        self.fail_times = fail_times
        self.error = error
        self.calls = 0

    def create(self, ctx, configuration_id, execution_schedule_id=None, execution_id=None):
        self.calls += 1
        if self.error is not None:
            raise self.error
        if self.fail_times:
            self.fail_times -= 1
            raise RuntimeError("crash before the execution was stored")
        self.store.create(ctx, Record(Kind.EXECUTION, execution_id, {
            "execution_schedule_id": execution_schedule_id, "configuration_id": configuration_id,
            "status": "PENDING"}))


@pytest.fixture
def store(aws):
    from chalicelib.adapters.dynamodb.models import configure
    from chalicelib.adapters.dynamodb.store import DynamoRecordStore

    configure(aws.resolved_table_prefix, aws.aws_region, None)
    store = DynamoRecordStore()
    store.create(CTX, Record(Kind.CONFIGURATION, "cfg-1", {"name": "train"}))
    return store


@pytest.fixture
def clock():
    return Clock()


def schedules(store, clock) -> ScheduleService:
    return ScheduleService(store, clock, 60)


def runs(store, schedule_id=None):
    items = list(store.iterate(CTX, Kind.EXECUTION))
    return [r for r in items if schedule_id is None or r.doc["execution_schedule_id"] == schedule_id]


def test_each_due_time_fires_once_with_a_deterministic_id(store, clock):
    s = schedules(store, clock).create(CTX, "every5", "*/5 * * * *", "cfg-1")
    ticker = ScheduleTicker(store, clock, Executions(store))
    assert ticker.tick(clock.at(4)) == []
    fired = ticker.tick(clock.at(5.01))
    assert [(f.due, f.execution_id) for f in fired] == [(T0 + timedelta(minutes=5),
                                                         fire_execution_id(s.id, T0 + timedelta(minutes=5)))]
    assert ticker.tick(clock.at(5.5)) == [] and ticker.tick(clock.at(9.9)) == []
    assert [f.due for f in ticker.tick(clock.at(10.01))] == [T0 + timedelta(minutes=10)]
    assert {r.id for r in runs(store, s.id)} == {fire_execution_id(s.id, T0 + timedelta(minutes=m)) for m in (5, 10)}
    assert len(fire_execution_id(s.id, T0)) == 16


def test_catch_up_after_downtime_fires_the_latest_missed_time_once(store, clock):
    s = schedules(store, clock).create(CTX, "every5", "*/5 * * * *", "cfg-1")
    fired = ScheduleTicker(store, clock, Executions(store)).tick(clock.at(62))
    assert [(f.due, f.skipped) for f in fired] == [(T0 + timedelta(minutes=60), 11)]
    assert ScheduleTicker(store, clock, Executions(store)).tick(clock.at(63)) == []
    assert len(runs(store, s.id)) == 1


def test_racing_tickers_fire_each_due_time_once(store, clock):
    ids = [schedules(store, clock).create(CTX, f"s{i}", "*/5 * * * *", "cfg-1").id for i in range(12)]
    clock.at(5.01)
    tickers = [ScheduleTicker(store, clock, Executions(store)) for _ in range(4)]
    barrier = threading.Barrier(len(tickers))
    results = []

    def run(ticker):
        barrier.wait()
        results.extend(ticker.tick())

    threads = [threading.Thread(target=run, args=(t,)) for t in tickers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.schedule_id for r in results) == sorted(ids)  # each schedule fired by exactly one ticker
    assert sorted(r.doc["execution_schedule_id"] for r in runs(store)) == sorted(ids)


def test_stale_reads_cannot_fire_twice(store, clock):
    """Two tickers read the same due schedule; the second one's claim is refused by the version check."""
    s = schedules(store, clock).create(CTX, "every5", "*/5 * * * *", "cfg-1")
    clock.at(5.01)
    seen = list(store.query_index(SCHEDULE_INDEX_KEY))
    first, second = ScheduleTicker(store, clock, Executions(store)), ScheduleTicker(store, clock, Executions(store))
    assert first.tick()
    from chalicelib.domain.schedules import ExecutionSchedule

    stale = ExecutionSchedule.from_record(seen[0][1])
    assert second._handle(CTX, stale, clock.now()) is None
    assert len(runs(store, s.id)) == 1


def test_crash_between_claim_and_start_is_finished_by_the_next_tick(store, clock):
    s = schedules(store, clock).create(CTX, "every5", "*/5 * * * *", "cfg-1")
    due = T0 + timedelta(minutes=5)
    assert ScheduleTicker(store, clock, Executions(store, fail_times=1)).tick(clock.at(5.01)) == []
    claimed = store.get(CTX, Kind.SCHEDULE, s.id)
    assert claimed.doc["pending_fire"] and claimed.index_sort <= "2024-05-01T12:05:00.000000Z"
    # A restarted ticker, a little later, finishes that fire: same due time, same id, no new one for 12:05.
    restarted = ScheduleTicker(store, clock, Executions(store))
    fired = restarted.tick(clock.at(6))
    assert [(f.due, f.execution_id) for f in fired] == [(due, fire_execution_id(s.id, due))]
    assert restarted.tick(clock.at(7)) == []
    assert [r.id for r in runs(store, s.id)] == [fire_execution_id(s.id, due)]
    assert store.get(CTX, Kind.SCHEDULE, s.id).doc.get("pending_fire") is None


def test_crash_after_start_before_confirm_does_not_run_twice(store, clock):
    s = schedules(store, clock).create(CTX, "every5", "*/5 * * * *", "cfg-1")

    class Dies(ScheduleTicker):
        def _confirm(self, *args):
            raise RuntimeError("killed before the confirm")

    executions = Executions(store)
    Dies(store, clock, executions).tick(clock.at(5.01))
    fired = ScheduleTicker(store, clock, executions).tick(clock.at(5.5))
    # The repeat hit AlreadyExists: the run was made by the ticker that died, so this one only confirms the fire.
    assert fired == [] and executions.calls == 2
    assert len(runs(store, s.id)) == 1
    assert store.get(CTX, Kind.SCHEDULE, s.id).doc["pending_fire"] is None


def test_inactive_pauses_without_catching_up(store, clock):
    service = schedules(store, clock)
    s = service.create(CTX, "every5", "*/5 * * * *", "cfg-1")
    ticker = ScheduleTicker(store, clock, Executions(store))
    clock.at(2)
    service.modify(CTX, s.id, {"status": "INACTIVE"})
    assert ticker.tick(clock.at(6)) == [] and ticker.tick(clock.at(11)) == []
    clock.at(12)
    service.modify(CTX, s.id, {"status": "ACTIVE"})
    assert ticker.tick(clock.at(13)) == []  # 12:05 and 12:10 fell in the pause
    assert [f.due for f in ticker.tick(clock.at(15.01))] == [T0 + timedelta(minutes=15)]


def test_fires_only_inside_the_window(store, clock):
    start, end = T0 + timedelta(minutes=30), T0 + timedelta(minutes=45)
    s = schedules(store, clock).create(CTX, "w", "*/15 * * * *", "cfg-1", start=start, end=end)
    ticker = ScheduleTicker(store, clock, Executions(store))
    assert ticker.tick(clock.at(29)) == []
    assert [f.due for f in ticker.tick(clock.at(30.01))] == [start]  # a fire at start counts
    assert ticker.tick(clock.at(50)) == []  # 12:45 is the end: excluded
    assert store.get(CTX, Kind.SCHEDULE, s.id).index_key is None  # nothing left to wait for


def test_run_always_starts_a_new_run_only_when_the_previous_one_ended(store, clock):
    s = schedules(store, clock).create(CTX, "always", "* * * * *", "cfg-1")
    tickers = [ScheduleTicker(store, clock, Executions(store)) for _ in range(2)]
    assert len(tickers[0].tick(clock.at(0.01)) + tickers[1].tick()) == 1
    assert tickers[0].tick(clock.at(0.02)) == [] and tickers[1].tick(clock.at(0.03)) == []  # still PENDING
    first = runs(store, s.id)[0]
    for status in ("RUNNING", "STOPPING"):
        store.replace(CTX, Record(Kind.EXECUTION, first.id, {**first.doc, "status": status}, first.version))
        first = store.get(CTX, Kind.EXECUTION, first.id)
        assert tickers[0].tick(clock.at(0.5)) == []
    store.replace(CTX, Record(Kind.EXECUTION, first.id, {**first.doc, "status": "COMPLETED"}, first.version))
    assert len(tickers[1].tick(clock.at(0.6))) == 1
    assert len(runs(store, s.id)) == 2


def test_a_fire_that_cannot_start_is_reported_and_not_retried(store, clock):
    s = schedules(store, clock).create(CTX, "every5", "*/5 * * * *", "cfg-1")
    executions = Executions(store, error=InvalidInput("Configuration 'cfg-1' not found."))
    fired = ScheduleTicker(store, clock, executions).tick(clock.at(5.01))
    assert fired[0].error == "Configuration 'cfg-1' not found." and fired[0].execution_id is None
    assert ScheduleTicker(store, clock, executions).tick(clock.at(6)) == [] and executions.calls == 1
    assert store.get(CTX, Kind.SCHEDULE, s.id).doc.get("pending_fire") is None


def test_other_tenants_are_found_by_the_same_query(store, clock):
    other = TenantContext("t2", "rg-x")
    store.create(other, Record(Kind.CONFIGURATION, "cfg-1", {"name": "train"}))
    mine = schedules(store, clock).create(CTX, "a", "*/5 * * * *", "cfg-1")
    theirs = schedules(store, clock).create(other, "b", "*/5 * * * *", "cfg-1")
    fired = ScheduleTicker(store, clock, Executions(store)).tick(clock.at(5.01))
    assert {(f.ctx, f.schedule_id) for f in fired} == {(CTX, mine.id), (other, theirs.id)}
    assert list(store.iterate(other, Kind.EXECUTION))[0].doc["execution_schedule_id"] == theirs.id


def test_a_run_always_schedule_that_cannot_start_retries_a_minute_later_not_every_tick(store, clock):
    s = schedules(store, clock).create(CTX, "always", "* * * * *", "cfg-1")
    executions = Executions(store, error=InvalidInput("Configuration 'cfg-1' not found."))
    ticker = ScheduleTicker(store, clock, executions)
    assert ticker.tick(clock.at(0.01))[0].error
    assert ticker.tick(clock.at(0.5)) == [] and executions.calls == 1
    executions.error = None
    assert len(ticker.tick(clock.at(1.02))) == 1 and len(runs(store, s.id)) == 1
