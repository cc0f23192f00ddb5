"""LogStores of the local stack: none at all (API tests), and durable files the local engine fills."""
from __future__ import annotations

import os
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Dict, List
from urllib.parse import quote

from chalicelib.domain.context import TenantContext
from chalicelib.domain.logs import LogEntry, select_entries
from chalicelib.domain.records import Kind


class EmptyLogStore:
    def read(self, ctx: TenantContext, kind: Kind, run_id: str, start: datetime, end: datetime, top: int,
             order: str) -> List[LogEntry]:
        return []


class FileLogStore:
    """Durable logs for the local stack: one JSON-lines file per run, AICORE_HOME/logs/<tenant>/<rg>/<kind>/<id>.

    Every line is flushed as it is written (it survives a kill of the stack: the OS holds it) and the file is
    fsync'd at least every `sync_seconds` and when the run's writer closes (it survives a power loss then).
    Readers parse the file as it is, so a running step's lines are visible at once.
    """

    def __init__(self, root: Path, sync_seconds: float = 1.0):
        self._root = Path(root)
        self._sync_seconds = sync_seconds
        self._lock = threading.Lock()
        self._open: Dict[Path, list] = {}  # path -> [file, last fsync time, writers]

    def path(self, ctx: TenantContext, kind: Kind, run_id: str) -> Path:
        parts = (ctx.tenant, ctx.require_resource_group(), kind.name.lower())
        return self._root.joinpath(*(_segment(p) for p in parts), _segment(run_id) + ".jsonl")

    def append(self, ctx: TenantContext, kind: Kind, run_id: str, entry: LogEntry) -> None:
        path = self.path(ctx, kind, run_id)
        line = entry.model_dump_json(exclude_none=True) + "\n"
        with self._lock:
            slot = self._open.get(path)
            if slot is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                slot = self._open[path] = [open(path, "a", encoding="utf-8"), time.monotonic(), 0]
            slot[0].write(line)
            slot[0].flush()
            if time.monotonic() - slot[1] >= self._sync_seconds:
                os.fsync(slot[0].fileno())
                slot[1] = time.monotonic()

    def close(self, ctx: TenantContext, kind: Kind, run_id: str) -> None:
        with self._lock:
            slot = self._open.pop(self.path(ctx, kind, run_id), None)
            if slot is not None:
                os.fsync(slot[0].fileno())
                slot[0].close()

    def close_all(self) -> None:
        with self._lock:
            for handle, _, _ in self._open.values():
                os.fsync(handle.fileno())
                handle.close()
            self._open.clear()

    def delete(self, ctx: TenantContext, kind: Kind, run_id: str) -> None:
        self.close(ctx, kind, run_id)
        self.path(ctx, kind, run_id).unlink(missing_ok=True)

    def read(self, ctx: TenantContext, kind: Kind, run_id: str, start: datetime, end: datetime, top: int,
             order: str) -> List[LogEntry]:
        path = self.path(ctx, kind, run_id)
        entries: List[LogEntry] = []
        try:
            with open(path, encoding="utf-8") as f:
                for text in f:
                    if not text.endswith("\n"):
                        break  # a line still being written
                    try:
                        entry = LogEntry.model_validate_json(text)
                    except ValueError:
                        continue  # a torn line after a crash
                    entries.append(entry)
        except FileNotFoundError:
            return []
        return select_entries(entries, start, end, top, order)


def _segment(text: str) -> str:
    """One path segment from an id: no '/', and never '.' or '..'."""
    quoted = quote(text, safe="")
    return quoted.replace(".", "%2E") if set(quoted) <= {"."} else quoted
