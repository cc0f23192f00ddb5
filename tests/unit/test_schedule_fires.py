"""The ticker's contract: next_fire_after and due_fires (each due time exactly once, inside [start, end))."""
from datetime import datetime, timedelta, timezone

from chalicelib.domain.schedules import (ExecutionSchedule, ScheduleStatus, due_fires, index_time,
                                         next_fire_after)

T0 = datetime(2024, 3, 1, 0, 0, tzinfo=timezone.utc)


def schedule(cron="0 * * * *", start=T0, end=None, status=ScheduleStatus.ACTIVE) -> ExecutionSchedule:
    return ExecutionSchedule(id="sched-1", name="n", cron=cron, configuration_id="cfg-1", start=start, end=end,
                             status=status, created_at=T0, modified_at=T0, fired_through=T0)


def at(hours=0, minutes=0) -> datetime:
    return T0 + timedelta(hours=hours, minutes=minutes)


def test_next_fire_after_is_strictly_after_t():
    s = schedule()
    assert next_fire_after(s, at(0, 30)) == at(1)
    assert next_fire_after(s, at(1)) == at(2)


def test_a_fire_exactly_at_start_counts_and_earlier_ones_do_not():
    s = schedule(start=at(5))
    assert next_fire_after(s, at(0)) == at(5)
    s = schedule(start=at(5, 1))
    assert next_fire_after(s, at(0)) == at(6)


def test_end_is_exclusive_and_ends_the_fires():
    s = schedule(end=at(3))
    assert next_fire_after(s, at(1)) == at(2)
    assert next_fire_after(s, at(2)) is None


def test_due_fires_cover_each_time_exactly_once_across_calls():
    s = schedule("*/20 * * * *")
    whole = due_fires(s, at(0), at(2))
    split = due_fires(s, at(0), at(0, 50)) + due_fires(s, at(0, 50), at(1, 20)) + due_fires(s, at(1, 20), at(2))
    assert whole == split
    assert whole == [at(0, 20), at(0, 40), at(1), at(1, 20), at(1, 40), at(2)]
    assert len(set(whole)) == len(whole)


def test_due_fires_respect_window_status_and_limit():
    assert due_fires(schedule(start=at(2), end=at(4)), at(0), at(10)) == [at(2), at(3)]
    assert due_fires(schedule(status=ScheduleStatus.INACTIVE), at(0), at(10)) == []
    assert due_fires(schedule(), at(0), at(10), limit=3) == [at(1), at(2), at(3)]
    assert due_fires(schedule(), at(5), at(5)) == []


def test_run_always_is_due_at_every_moment_of_its_window():
    s = schedule("* * * * *", start=at(1), end=at(3))
    assert s.run_always and not schedule().run_always
    assert next_fire_after(s, at(0)) == at(1)
    assert next_fire_after(s, at(2)) == at(2)
    assert next_fire_after(s, at(3)) is None
    assert due_fires(s, at(0), at(2)) == [at(2)]
    assert due_fires(s, at(2), at(2)) == []  # the same moment is not due twice
    assert due_fires(s, at(0), at(0, 30)) == []  # before start
    assert due_fires(s, at(0), at(4)) == []  # after end


def test_naive_times_are_taken_as_utc():
    s = schedule()
    assert next_fire_after(s, datetime(2024, 3, 1, 0, 30)) == at(1)


def test_index_time_sorts_like_time():
    times = [at(0, 1), at(10), T0 + timedelta(microseconds=5), at(0)]
    assert sorted(index_time(t) for t in times) == [index_time(t) for t in sorted(times)]
    assert index_time(at(1)) == "2024-03-01T01:00:00.000000Z"
