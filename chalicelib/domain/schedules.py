"""Execution schedules: a cron, a configuration and a [start, end) window that start executions.

Times are UTC. A fire f belongs to a schedule when start <= f < end. `fired_through` is the watermark a ticker
advances: fires at or before it are handled. Creating, resuming and changing the cron move it to "now", so a
paused schedule does not catch up on what it missed while paused.

While a schedule is ACTIVE and has a next fire, its record carries a global work-index entry
(index_key=SCHEDULE_INDEX_KEY, index_sort=index_time(next fire)), so a ticker finds due schedules with one
Query `sort <= index_time(now)` across tenants instead of a Scan.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, ClassVar, Dict, List, Optional

from . import cron
from .clock import Clock, to_wire
from .context import TenantContext
from .entity import Entity
from .errors import Conflict, InvalidInput, NotFound
from .ids import is_valid_id, uuid7
from .records import Kind, Page, RecordStore, Where
from .scenarios import Executable

SCHEDULE_INDEX_KEY = "SCHED"
_TICK = timedelta(microseconds=1)


class ScheduleStatus(str, Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class ExecutionSchedule(Entity):
    KIND: ClassVar[Kind] = Kind.SCHEDULE

    id: str
    name: str
    cron: str
    configuration_id: str
    start: datetime
    end: Optional[datetime] = None
    status: ScheduleStatus = ScheduleStatus.ACTIVE
    created_at: datetime
    modified_at: datetime
    fired_through: datetime
    next_fire_at: Optional[datetime] = None  # mirrors the work-index entry
    # A due time a ticker has claimed but whose execution it has not confirmed yet (see domain/ticker.py).
    pending_fire: Optional[datetime] = None

    @property
    def run_always(self) -> bool:
        """`* * * * *`: not every minute, but a new run whenever the previous one has ended (the ticker checks)."""
        return self.cron == cron.RUN_ALWAYS


# -- pure time functions (the ticker's contract) --------------------------------------------------------
def next_fire_after(schedule: ExecutionSchedule, t: datetime) -> Optional[datetime]:
    """The first fire after t inside the schedule's window, or None when the window has no more fires.

    A run-always schedule is due at every moment of its window: this returns max(t, start).
    Ignores status; due_fires() is the one that respects it.
    """
    t = _utc(t)
    if schedule.run_always:
        candidate = max(t, schedule.start)
    else:
        candidate = cron.next_fire(schedule.cron, max(t, schedule.start - _TICK))
    if schedule.end is not None and candidate >= schedule.end:
        return None
    return candidate


def due_fires(schedule: ExecutionSchedule, last_fired: datetime, now: datetime, limit: int = 1000) -> List[datetime]:
    """Fires f with last_fired < f <= now, oldest first, so consecutive calls yield each due time exactly once.

    Empty unless ACTIVE. A run-always schedule yields [now] (once per distinct `now`); the ticker starts a run
    only when the previous one has ended.
    """
    last_fired, now = _utc(last_fired), _utc(now)
    if schedule.status is not ScheduleStatus.ACTIVE or now <= last_fired:
        return []
    if schedule.run_always:
        return [now] if next_fire_after(schedule, now) == now else []
    fires: List[datetime] = []
    current = last_fired
    while len(fires) < limit:
        fire = next_fire_after(schedule, current)
        if fire is None or fire > now:
            break
        fires.append(fire)
        current = fire
    return fires


def index_time(value: datetime) -> str:
    """Fixed-width UTC text, so the index sorts in time order: 2024-05-01T12:00:00.000000Z."""
    return _utc(value).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def created_message(schedule: ExecutionSchedule) -> str:
    if schedule.status is ScheduleStatus.ACTIVE:
        return "Execution Schedule created"
    return (f"Execution Schedule created as INACTIVE: its end ({to_wire(schedule.end)}) has passed, so it starts no "
            "executions. PATCH a later 'end' together with status ACTIVE to run it.")


def parse_status(value: Optional[str], field: str = "status") -> Optional[ScheduleStatus]:
    if value is None:
        return None
    try:
        return ScheduleStatus(value)
    except ValueError:
        raise InvalidInput(f"'{field}' must be ACTIVE or INACTIVE, got '{value}'.", target=field) from None


# -- service ---------------------------------------------------------------------------------------------
MODIFIABLE = ("cron", "start", "end", "configuration_id", "status")


class ScheduleService:
    def __init__(self, store: RecordStore, clock: Clock, min_interval_seconds: int):
        self._store = store
        self._clock = clock
        self._min_interval = min_interval_seconds

    def create(self, ctx: TenantContext, name: Optional[str], cron_expr: str, configuration_id: str,
               start: Optional[datetime] = None, end: Optional[datetime] = None) -> ExecutionSchedule:
        """Without a name, the configuration's name. A window that has already ended (the reference's 2024
        example) is kept, as INACTIVE: it can never fire, and AI Core resumes a schedule only before its end."""
        now = self._clock.now()
        schedule = ExecutionSchedule(
            id=uuid7(), name=name or "-", cron=self._valid_cron(cron_expr), configuration_id=configuration_id,
            start=_utc(start) if start else now, end=_utc(end) if end else None, created_at=now,
            modified_at=now, fired_through=now)
        if schedule.end is not None and schedule.end <= now:
            schedule.status = ScheduleStatus.INACTIVE
        self._check_window(schedule, now, resuming=True)
        configuration = self._require_configuration(ctx, configuration_id)
        if not name:
            schedule.name = (str(configuration.doc.get("name") or "") or configuration_id)[:256]
        self._store.create(ctx, self._record(schedule))
        return schedule

    def seen(self, schedule: ExecutionSchedule) -> ExecutionSchedule:
        """As reported: AI Core shows a schedule INACTIVE once its end has passed ("Upon expiry, the status will
        change to INACTIVE"); the stored record is left alone (it has no next fire, so no ticker reads it)."""
        if schedule.end is not None and schedule.end <= self._clock.now():
            schedule.status = ScheduleStatus.INACTIVE
        return schedule

    def get(self, ctx: TenantContext, schedule_id: str) -> ExecutionSchedule:
        if not is_valid_id(schedule_id):
            raise InvalidInput(f"Execution schedule id '{schedule_id}' must match ^[\\w.-]{{4,64}}$.",
                               target="executionScheduleId")
        record = self._store.get(ctx, Kind.SCHEDULE, schedule_id)
        if record is None:
            raise NotFound(f"Execution schedule '{schedule_id}' not found in resource group "
                           f"'{ctx.resource_group}'.", target="executionScheduleId")
        return ExecutionSchedule.from_record(record)

    def query(self, ctx: TenantContext, configuration_id: Optional[str], status: Optional[str], skip: int,
              top: Optional[int]) -> Page:
        wanted = parse_status(status)
        predicate = None if wanted is None else (lambda doc: self._seen_status(doc) is wanted)
        return self._store.query(ctx, Kind.SCHEDULE, self._where(configuration_id), predicate, skip=skip, top=top)

    def count(self, ctx: TenantContext, configuration_id: Optional[str], status: Optional[str]) -> int:
        return self.query(ctx, configuration_id, status, 0, 0).count

    def modify(self, ctx: TenantContext, schedule_id: str, changes: Dict[str, Any]) -> ExecutionSchedule:
        """Apply the given fields (a null `end` removes the end); retried when the ticker wrote meanwhile."""
        changes = {k: v for k, v in changes.items() if k in MODIFIABLE and (v is not None or k == "end")}
        if not changes:
            raise InvalidInput("Request body is empty: give at least one of cron, start, end, configurationId, "
                               "status.")
        for attempt in range(5):
            schedule = self.get(ctx, schedule_id)
            self._apply(ctx, schedule, changes)
            try:
                self._store.replace(ctx, self._record(schedule))
                return schedule
            except Conflict:
                if attempt == 4:
                    raise
        raise AssertionError("unreachable")

    def delete(self, ctx: TenantContext, schedule_id: str) -> None:
        self.get(ctx, schedule_id)
        if not self._store.delete(ctx, Kind.SCHEDULE, schedule_id):
            raise NotFound(f"Execution schedule '{schedule_id}' not found.", target="executionScheduleId")

    # -- helpers -------------------------------------------------------------------------------------
    def _apply(self, ctx: TenantContext, schedule: ExecutionSchedule, changes: Dict[str, Any]) -> None:
        now = self._clock.now()
        status = parse_status(changes.get("status"))
        resuming = status is ScheduleStatus.ACTIVE and schedule.status is not ScheduleStatus.ACTIVE
        if "cron" in changes:
            schedule.cron = self._valid_cron(changes["cron"])
            schedule.fired_through = max(schedule.fired_through, now)
        if "start" in changes:
            schedule.start = _utc(changes["start"])
        if "end" in changes:
            schedule.end = _utc(changes["end"]) if changes["end"] is not None else None
        if status is not None:
            schedule.status = status
        if resuming:
            schedule.fired_through = max(schedule.fired_through, now)
        self._check_window(schedule, now, resuming=resuming or "end" in changes)
        if "configuration_id" in changes and changes["configuration_id"] != schedule.configuration_id:
            self._require_configuration(ctx, changes["configuration_id"])
            schedule.configuration_id = changes["configuration_id"]
        schedule.modified_at = now

    def _valid_cron(self, expr: str) -> str:
        text = cron.validate(expr)
        cron.check_min_interval(text, self._min_interval)
        return text

    @staticmethod
    def _check_window(schedule: ExecutionSchedule, now: datetime, resuming: bool) -> None:
        end = schedule.end
        if end is not None and schedule.start >= end:
            raise InvalidInput(f"'start' ({to_wire(schedule.start)}) must be before 'end' ({to_wire(end)}).",
                               target="start")
        if resuming and schedule.status is ScheduleStatus.ACTIVE and end is not None and end <= now:
            raise InvalidInput(f"'end' ({to_wire(end)}) has passed: an active schedule needs an end in the "
                               "future, and a schedule can be resumed only before its end.", target="end")

    def _require_configuration(self, ctx: TenantContext, configuration_id: str):
        """The configuration must exist here and must not be for a serving template (schedules run executions)."""
        record = self._store.get(ctx, Kind.CONFIGURATION, configuration_id)
        if record is None:
            raise InvalidInput(f"Configuration '{configuration_id}' not found in resource group "
                               f"'{ctx.resource_group}'.", target="configurationId")
        scenario_id, executable_id = record.doc.get("scenario_id"), record.doc.get("executable_id")
        if scenario_id and executable_id:
            executable = self._store.get(TenantContext(ctx.tenant), Kind.EXECUTABLE,
                                         Executable.record_id(scenario_id, executable_id))
            if executable is not None and executable.doc.get("deployable"):
                raise InvalidInput(f"Configuration '{configuration_id}' uses executable '{executable_id}', a serving "
                                   "template: a schedule starts executions, so it needs a workflow template.",
                                   target="configurationId")
        return record

    def _seen_status(self, doc: Dict[str, Any]) -> ScheduleStatus:
        """The status `seen()` reports, from a stored record (the `status` filter matches what a GET shows)."""
        end = doc.get("end")
        if end and _utc(datetime.fromisoformat(str(end).replace("Z", "+00:00"))) <= self._clock.now():
            return ScheduleStatus.INACTIVE
        return ScheduleStatus(doc.get("status", ScheduleStatus.ACTIVE.value))

    @staticmethod
    def _where(configuration_id: Optional[str]) -> List[Where]:
        return [Where("configuration_id", "eq", configuration_id)] if configuration_id else []

    @staticmethod
    def _record(schedule: ExecutionSchedule):
        return schedule_record(schedule)


def schedule_record(schedule: ExecutionSchedule):
    """Index the record while it has a next fire to wait for, so the ticker can Query it. A claimed fire
    not yet confirmed keeps the entry at that (past) time, whatever the status, so a ticker finishes it."""
    next_fire = None
    if schedule.status is ScheduleStatus.ACTIVE:
        next_fire = next_fire_after(schedule, schedule.fired_through)
    schedule.next_fire_at = next_fire
    due = schedule.pending_fire or next_fire
    if due is None:
        return schedule.to_record(schedule.id, schedule.stored_version)
    return schedule.to_record(schedule.id, schedule.stored_version, index_key=SCHEDULE_INDEX_KEY,
                              index_sort=index_time(due))
