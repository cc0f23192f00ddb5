"""The schedule ticker: starts the executions ACTIVE schedules owe, each due time exactly once.

Due schedules are found with one Query of the global work index (entries whose due time <= now), across
tenants; the local stack calls `tick()` every `ticker_seconds`, AWS every minute from EventBridge.

Exactly once, with two tickers at the same time or a ticker that dies half-way:
1. Claim: write the schedule back with `fired_through` advanced to the due time and `pending_fire` set to it,
   conditional on the version that was read. Of two tickers one wins; the other gets Conflict and moves on.
2. Start: create the execution with an id derived from (schedule id, due time). A repeated attempt for the
   same fire gets AlreadyExists instead of a second run.
3. Confirm: clear `pending_fire` (conditional, retried on Conflict).
A crash between 1 and 3 leaves `pending_fire` set and the index entry at that past time, so the next tick of
any ticker repeats 2 and 3: the run is neither lost nor doubled.

Catch-up after downtime: only the most recent missed due time fires, once (not a burst of every missed one);
the number skipped is logged. INACTIVE schedules have no index entry and resuming moves `fired_through` to the
resume time, so paused time is never caught up. Fires happen only inside [start, end).

Run always (`* * * * *`, AI Core's meaning): due whenever no execution of that schedule is live (UNKNOWN,
PENDING, RUNNING, STOPPING); a new run starts once the previous one is COMPLETED, DEAD or STOPPED, never two at
once (the live check happens before the claim, and the claim's version check serializes tickers).
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, List, Optional, Tuple

from .clock import Clock
from .context import TenantContext
from .errors import AlreadyExists, Conflict, DomainError
from .ids import hex16
from .records import Kind, RecordStore, Where
from .schedules import (SCHEDULE_INDEX_KEY, ExecutionSchedule, ScheduleStatus, _utc, due_fires, index_time,
                        schedule_record)
from .telemetry import NullTelemetry, Telemetry

log = logging.getLogger("aicore.schedules")
LIVE = ("UNKNOWN", "PENDING", "RUNNING", "STOPPING")
_CHUNK = 1000
RUN_ALWAYS_RETRY = timedelta(minutes=1)


@dataclass
class Fired:
    ctx: TenantContext
    schedule_id: str
    due: datetime
    execution_id: Optional[str]
    skipped: int = 0
    error: Optional[str] = None


def fire_execution_id(schedule_id: str, due: datetime) -> str:
    """16 hex digits like every execution id: the due time's milliseconds, then 5 digits of a hash of the
    schedule id, so ids still sort by time and the same (schedule, due time) always gives the same id."""
    millis = int(_utc(due).timestamp() * 1000) & ((1 << 44) - 1)
    return f"{millis:011x}{hashlib.sha256(schedule_id.encode()).hexdigest()[:5]}"


class ScheduleTicker:
    def __init__(self, store: RecordStore, clock: Clock, executions: Any, telemetry: Optional[Telemetry] = None):
        self._store = store
        self._clock = clock
        self._telemetry = telemetry or NullTelemetry()  # fires by outcome (only the ticker that created the run)
        self._executions = executions  # ExecutionService: create(ctx, configuration_id, execution_schedule_id=,
        #                                execution_id=)

    def tick(self, now: Optional[datetime] = None) -> List[Fired]:
        now = _utc(now or self._clock.now())
        fired: List[Fired] = []
        for ctx, record in list(self._store.query_index(SCHEDULE_INDEX_KEY, sort_le=index_time(now))):
            if record.kind is not Kind.SCHEDULE:
                continue
            try:
                result = self._handle(ctx, ExecutionSchedule.from_record(record), now)
            except Exception:  # noqa: BLE001 - one broken schedule must not stop the others; retried next tick
                log.exception("schedule %s in %s/%s: tick failed", record.id, ctx.tenant, ctx.resource_group)
                continue
            if result is not None:
                fired.append(result)
        return fired

    # -- one schedule ----------------------------------------------------------------------------------
    def _handle(self, ctx: TenantContext, schedule: ExecutionSchedule, now: datetime) -> Optional[Fired]:
        skipped = 0
        if schedule.pending_fire is None:
            due, skipped = self._due(ctx, schedule, now)
            if due is None:
                return None
            schedule.fired_through = max(_utc(schedule.fired_through), due)
            schedule.pending_fire = due
            try:
                stored = self._store.replace(ctx, schedule_record(schedule))
            except Conflict:
                return None  # another ticker claimed it, or a user changed it: the next tick reads it again
            schedule = ExecutionSchedule.from_record(stored)
        return self._start(ctx, schedule, skipped)

    def _due(self, ctx: TenantContext, schedule: ExecutionSchedule, now: datetime) -> Tuple[Optional[datetime], int]:
        """The due time to fire now (the latest missed one) and how many older ones are skipped."""
        if schedule.status is not ScheduleStatus.ACTIVE:
            return None, 0
        if schedule.run_always:
            fires = due_fires(schedule, schedule.fired_through, now)
            if not fires or self._has_live_run(ctx, schedule.id):
                return None, 0
            return fires[-1], 0
        latest, count, last = None, 0, _utc(schedule.fired_through)
        while True:
            fires = due_fires(schedule, last, now, limit=_CHUNK)
            if not fires:
                break
            latest, count, last = fires[-1], count + len(fires), fires[-1]
            if len(fires) < _CHUNK:
                break
        return latest, max(count - 1, 0)

    def _has_live_run(self, ctx: TenantContext, schedule_id: str) -> bool:
        where = [Where("execution_schedule_id", "eq", schedule_id), Where("status", "in", list(LIVE))]
        return self._store.query(ctx, Kind.EXECUTION, where, top=0).count > 0

    def _start(self, ctx: TenantContext, schedule: ExecutionSchedule, skipped: int) -> Optional[Fired]:
        """Start the claimed fire's execution and confirm it. Another ticker may be finishing the same fire (it
        saw `pending_fire`): the derived id makes the run unique, and only the ticker that created it reports it."""
        due = _utc(schedule.pending_fire)
        execution_id: Optional[str] = fire_execution_id(schedule.id, due)
        error = None
        created_here = True
        try:
            self._create(ctx, schedule, execution_id)
        except AlreadyExists:
            execution_id, created_here = self._existing_or_retry(ctx, schedule, execution_id)
        except DomainError as err:  # e.g. the configuration was deleted: this fire is spent, not retried forever
            error, execution_id = err.message, None
            log.warning("schedule %s in %s/%s: due %s could not start an execution: %s", schedule.id, ctx.tenant,
                        ctx.resource_group, index_time(due), err.message)
        if skipped:
            log.info("schedule %s: %d missed due times before %s skipped (catch-up fires the latest once)",
                     schedule.id, skipped, index_time(due))
        # A run-always schedule whose run cannot start would otherwise retry (and log) on every tick.
        hold_until = due + RUN_ALWAYS_RETRY if error and schedule.run_always else None
        self._confirm(ctx, schedule.id, due, hold_until)
        if not created_here:
            return None
        try:
            self._telemetry.schedule_fired(ctx.tenant, ctx.resource_group or "", "failed" if error else "started")
        except Exception:  # noqa: BLE001 - a figure never fails the fire it describes
            log.warning("could not record the fire of schedule %s", schedule.id, exc_info=True)
        return Fired(ctx, schedule.id, due, execution_id, skipped, error)

    def _create(self, ctx: TenantContext, schedule: ExecutionSchedule, execution_id: str) -> None:
        self._executions.create(ctx, schedule.configuration_id, execution_schedule_id=schedule.id,
                                execution_id=execution_id)

    def _existing_or_retry(self, ctx: TenantContext, schedule: ExecutionSchedule,
                           execution_id: str) -> Tuple[str, bool]:
        """AlreadyExists: an earlier attempt of this fire made it (not created here), unless (rarely) another
        schedule's fire at the same millisecond shares the id; then this fire gets a fresh id."""
        record = self._store.get(ctx, Kind.EXECUTION, execution_id)
        if record is None or record.doc.get("execution_schedule_id") == schedule.id:
            return execution_id, False
        fresh = hex16()
        self._create(ctx, schedule, fresh)
        return fresh, True

    def _confirm(self, ctx: TenantContext, schedule_id: str, due: datetime,
                 hold_until: Optional[datetime] = None) -> None:
        for _ in range(8):
            record = self._store.get(ctx, Kind.SCHEDULE, schedule_id)
            if record is None:
                return
            schedule = ExecutionSchedule.from_record(record)
            if schedule.pending_fire is None or _utc(schedule.pending_fire) != due:
                return
            schedule.pending_fire = None
            if hold_until is not None:
                schedule.fired_through = max(_utc(schedule.fired_through), hold_until)
            try:
                self._store.replace(ctx, schedule_record(schedule))
                return
            except Conflict:
                continue
        raise Conflict(f"Execution schedule '{schedule_id}' keeps changing; its fire at {index_time(due)} is "
                       "confirmed on the next tick.")
