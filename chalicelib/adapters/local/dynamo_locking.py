"""One writer at a time in the embedded DynamoDB, readers together.

moto's DynamoDB backend is not thread-safe, and the stack calls it from many threads (API requests, the engine,
schedules). Without this, a conditional write is not atomic (two writers can both pass the condition and one
acknowledged update is lost), a Query iterating a partition can meet a concurrent insert, and TransactWriteItems,
which deep-copies the whole table to roll back, fails with "dictionary changed size during iteration" (a 500 seen
under load). DynamoDB itself guarantees all of this; the emulator must too. Writes are in-memory and short (the
durable journal's fsync happens outside, in DurableApp), so serializing them costs little.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator

# The reads the stack makes (it never scans); any other call, a read included, takes the lock alone: safe, if slower.
READS = {"GetItem", "BatchGetItem", "Query", "TransactGetItems", "DescribeTable", "ListTables",
         "DescribeTimeToLive", "DescribeContinuousBackups", "ListTagsOfResource"}


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds back new readers so it is not starved."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting_writers = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writing or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()


class DynamoLocking:
    """WSGI wrapper around moto's app: DynamoDB reads share the lock, every other DynamoDB call holds it alone.
    moto builds its whole answer inside the call, so the lock covers the work, not the streaming."""

    def __init__(self, app: Callable) -> None:
        self._app = app
        self._lock = ReadWriteLock()

    def __call__(self, environ: Dict[str, Any], start_response: Callable):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("DynamoDB_"):
            return self._app(environ, start_response)
        hold = self._lock.reading if target.rsplit(".", 1)[-1] in READS else self._lock.writing
        with hold():
            return self._app(environ, start_response)
