"""SyncQueue in memory plus the local stack's sync worker thread.

Requests (create, PATCH, refresh, repository on-boarding) are processed within moments; every
`git_poll_seconds` the worker also polls all applications for new commits. In AWS nothing consumes this queue:
requests are also recorded on the application (`requested_generation`), and a schedule calling
`SyncService.poll()` picks them up (see app.py).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Dict, Optional, Tuple

from chalicelib.domain.context import TenantContext

log = logging.getLogger("aicore.sync")

Job = Tuple[str, str, str]  # (what: "sync" | "check", tenant, name)


class InMemorySyncQueue:
    """Thread-safe and de-duplicating: asking twice before the worker gets to it means one sync."""

    def __init__(self) -> None:
        self._jobs: Dict[Job, None] = {}
        self._ready = threading.Condition()

    def request_sync(self, ctx: TenantContext, application: str) -> None:
        self._put(("sync", ctx.tenant, application))

    def request_check(self, ctx: TenantContext, repository: str) -> None:
        self._put(("check", ctx.tenant, repository))

    def _put(self, job: Job) -> None:
        with self._ready:
            self._jobs.setdefault(job, None)
            self._ready.notify()

    def take(self, timeout: float) -> Optional[Job]:
        with self._ready:
            if not self._jobs:
                self._ready.wait(timeout)
            if not self._jobs:
                return None
            job = next(iter(self._jobs))
            del self._jobs[job]
            return job

    def wake(self) -> None:
        with self._ready:
            self._ready.notify_all()

    def __len__(self) -> int:
        with self._ready:
            return len(self._jobs)


def run_job(sync, job: Job) -> None:
    what, tenant, name = job
    ctx = TenantContext(tenant)
    if what == "check":
        sync.check_repository(ctx, name)
    else:
        sync.sync_application(ctx, name)


def drain(sync, queue: InMemorySyncQueue) -> int:
    """Process every queued request now, in this thread (tests; a worker loop turn)."""
    done = 0
    while True:
        job = queue.take(0)
        if job is None:
            return done
        run_job(sync, job)
        done += 1


class SyncWorker:
    def __init__(self, sync, queue: InMemorySyncQueue, poll_seconds: float):
        self._sync = sync
        self._queue = queue
        self._poll_seconds = max(0.5, poll_seconds)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="git-sync", daemon=True)

    def start(self) -> "SyncWorker":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._queue.wake()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        from .argo import warm_up

        warm_up()  # ~0.6 s once, here rather than inside the first sync a user waits for
        next_poll = time.monotonic()  # poll at once: catch up on commits made while the stack was down
        while not self._stopped.is_set():
            job = self._queue.take(max(0.0, min(1.0, next_poll - time.monotonic())))
            if self._stopped.is_set():
                return
            try:
                if job is not None:
                    run_job(self._sync, job)
                if time.monotonic() >= next_poll:
                    next_poll = time.monotonic() + self._poll_seconds
                    self._sync.poll()
            except Exception:  # noqa: BLE001 - the worker must survive any one failure
                log.exception("git sync worker step failed")


def start_sync_worker(container) -> Callable[[], None]:
    """background_workers() entry for the local stack: returns the stop function."""
    worker = SyncWorker(container.git_sync, container.sync_queue, container.settings.git_poll_seconds).start()
    return worker.stop
