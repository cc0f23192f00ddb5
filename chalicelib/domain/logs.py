"""Logs of executions and deployments: the read API over a LogStore port the engine fills.

Default window (AI Core: start = one hour ago, end = now). We keep end = now, but start is chosen so that
the beginning of a run is not cut off:
- executions: start = the execution's createdAt (less one minute for clock skew), so an execution that ran
  for hours, or finished a while ago, still shows its whole log from the top (up to $top lines);
- deployments (long-lived): start = max(end - 1 hour, createdAt - 1 minute), the recent hour as in AI Core.
A run without a readable createdAt falls back to end - 1 hour. Explicit start/end always win.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable, List, Optional, Protocol

from .clock import Clock, parse_timestamp, to_wire
from .context import TenantContext
from .entity import Value
from .errors import InvalidInput, NotFound
from .ids import is_valid_id
from .records import Kind, RecordStore

DEFAULT_TOP, MAX_TOP = 1000, 5000
DEFAULT_WINDOW = timedelta(hours=1)
SKEW = timedelta(minutes=1)
ORDERS = ("asc", "desc")
RUN_KINDS = {Kind.EXECUTION: "Execution", Kind.DEPLOYMENT: "Deployment"}


class LogEntry(Value):
    timestamp: datetime
    msg: str
    container: Optional[str] = None
    pod: Optional[str] = None
    stream: Optional[str] = None  # stdout | stderr


class LogStore(Protocol):
    def read(self, ctx: TenantContext, kind: Kind, run_id: str, start: datetime, end: datetime, top: int,
             order: str) -> List[LogEntry]:
        """Entries of one run with start <= timestamp <= end, sorted by `order`, at most `top`."""


def select_entries(entries: Iterable[LogEntry], start: datetime, end: datetime, top: int,
                   order: str) -> List[LogEntry]:
    """What a LogStore answers: entries with start <= timestamp <= end, oldest first ("asc") or newest first
    ("desc"), at most `top`. Shared by the service and the stores, so every engine pages logs alike."""
    chosen = [entry for entry in entries if start <= entry.timestamp <= end]
    chosen.sort(key=lambda e: e.timestamp, reverse=order == "desc")  # stable: lines of one instant keep their order
    return chosen[:top]


class LogService:
    def __init__(self, store: RecordStore, logs: LogStore, clock: Clock):
        self._store = store
        self._logs = logs
        self._clock = clock

    def read(self, ctx: TenantContext, kind: Kind, run_id: str, start: Optional[datetime] = None,
             end: Optional[datetime] = None, top: int = DEFAULT_TOP, order: str = "asc") -> List[LogEntry]:
        label = RUN_KINDS[kind]
        if not is_valid_id(run_id):
            raise InvalidInput(f"{label} id '{run_id}' must match ^[\\w.-]{{4,64}}$.")
        if not 1 <= top <= MAX_TOP:
            raise InvalidInput(f"'$top' must be between 1 and {MAX_TOP}, got {top}.", target="$top")
        if order not in ORDERS:
            raise InvalidInput(f"'$order' must be asc or desc, got '{order}'.", target="$order")
        record = self._store.get(ctx, kind, run_id)
        if record is None:
            raise NotFound(f"{label} '{run_id}' not found in resource group '{ctx.resource_group}'.")
        end = end or self._clock.now()
        start = start or self._default_start(kind, record.doc.get("created_at"), end)
        if start > end:
            raise InvalidInput(f"'start' ({to_wire(start)}) must not be after 'end' ({to_wire(end)}).",
                               target="start")
        # The port promises window, order and limit; enforcing them here keeps simple adapters honest.
        return select_entries(self._logs.read(ctx, kind, run_id, start, end, top, order), start, end, top, order)

    @staticmethod
    def _default_start(kind: Kind, created_at: object, end: datetime) -> datetime:
        fallback = end - DEFAULT_WINDOW
        try:
            created = parse_timestamp(created_at) if isinstance(created_at, str) else None
        except InvalidInput:
            created = None
        if created is None:
            return fallback
        if kind is Kind.EXECUTION:
            return min(created - SKEW, end)
        return min(max(fallback, created - SKEW), end)
