"""What a running execution writes about itself while its steps come and go: statusDetails.steps on the
execution's record, and the in-flight marker with the steps' process groups. Both are written at most every
INTERVAL seconds (the latest state) and once more when the walk ends.

Writing on every start and end made a fan-out quadratic and serial: each write rewrites the whole, growing
record (or marker), and a loop of 100 steps wrote each 200 times from 10 threads at once.
"""
from __future__ import annotations

import threading
from typing import Any, Callable, Dict, List, Optional

from chalicelib.domain.clock import Clock, to_wire

INTERVAL = 0.2
MARKER_INTERVAL = 0.1


class LatestWriter:
    """Hands `write` the latest state, built by `state()` when the write happens: at most every `interval`
    seconds after a change, and at `close()`."""

    def __init__(self, write: Callable[[Any], None], state: Callable[[], Any], interval: float = INTERVAL):
        self._write, self._state, self._interval = write, state, interval
        self._lock = threading.Lock()
        self._writing = threading.Lock()  # one write at a time, in order
        self._dirty = False
        self._timer: Optional[threading.Timer] = None

    def changed(self) -> None:
        with self._lock:
            self._dirty = True
            if self._timer is None:
                self._timer = threading.Timer(self._interval, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        with self._writing:
            with self._lock:
                self._timer = None
                if not self._dirty:
                    return
                self._dirty = False
            self._write(self._state())

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self.flush()


class StepDetails:
    """statusDetails.steps: one entry per step (name, pod, status, attempt, exitCode, startedAt, finishedAt)."""

    def __init__(self, write: Callable[[Dict[str, Any]], None], clock: Clock, interval: float = INTERVAL):
        self._clock = clock
        self._steps: Dict[str, Dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._writer = LatestWriter(write, self._snapshot, interval)

    def update(self, path: str, details: Dict[str, Any]) -> None:
        now = to_wire(self._clock.now())
        with self._lock:
            entry = self._steps.setdefault(path, {"name": path})
            details = dict(details)
            finished = details.pop("finished", False)
            entry.update(details)
            entry["finishedAt" if finished else "startedAt"] = now
            if not finished:
                entry.pop("finishedAt", None)
                entry.pop("exitCode", None)
        self._writer.changed()

    def _snapshot(self) -> Dict[str, Any]:
        with self._lock:
            return {"steps": [dict(v) for v in self._steps.values()]}

    def close(self) -> None:
        """The walk ended: the last state is written now, before the execution's final status."""
        self._writer.close()


class RunMarkers:
    """The in-flight marker lists the steps' process groups, which reconcile ends after a crash. A new group is
    written before its step goes on (an unlisted one would outlive a crash); groups that ended only leave the
    list at the next write, at most MARKER_INTERVAL later (reconcile checks each group is still this run's)."""

    def __init__(self, write: Callable[[List[int]], None]):
        self._current: List[int] = []
        self._written: set = set()
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._writer = LatestWriter(self._write_current, lambda: None, MARKER_INTERVAL)
        self._write = write

    def update(self, pgids: List[int]) -> None:
        with self._lock:
            self._current = list(pgids)
            new = not set(pgids) <= self._written
        if new:
            self._write_current(None)
        else:
            self._writer.changed()

    def _write_current(self, _state) -> None:
        with self._writing:  # the state is read inside, so an older list is never written after a newer one
            with self._lock:
                pgids = list(self._current)
                self._written = set(pgids)
            self._write(pgids)

    def close(self) -> None:
        self._writer.close()
