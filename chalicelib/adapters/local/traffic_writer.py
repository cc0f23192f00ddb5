"""Writes recorded traffic (domain/traffic_recording.py) to the deployment's own `default` object store, off the
request path: the proxy only queues a line; one worker thread uploads it through the dataset files service (the same
tenant and resource group confinement as `PUT /lm/dataset/files/default/...`). The queue is bounded: when the store
is slow, records are dropped and counted rather than held in memory or slowing predictions down.
"""
from __future__ import annotations

import logging
import queue
import threading
from typing import Optional, Tuple

from chalicelib.domain.context import TenantContext
from chalicelib.domain.dataset_files import DatasetFileService
from chalicelib.domain.errors import DomainError
from chalicelib.domain.traffic_recording import OBJECT_STORE_SECRET

log = logging.getLogger("aicore.traffic")
Item = Tuple[TenantContext, str, bytes]


class AsyncTrafficWriter:
    def __init__(self, files: DatasetFileService, capacity: int = 1000):
        self._files = files
        self._queue: "queue.Queue[Optional[Item]]" = queue.Queue(maxsize=capacity)
        self.dropped = 0  # records lost to a full queue (the store could not keep up)
        self.failed = 0  # records the store refused (e.g. no `default` object store secret in the group)
        self._thread = threading.Thread(target=self._run, name="traffic-writer", daemon=True)
        self._thread.start()

    def submit(self, ctx: TenantContext, path: str, data: bytes) -> None:
        try:
            self._queue.put_nowait((ctx, path, data))
        except queue.Full:
            self.dropped += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued record is written (tests, shutdown); False on timeout."""
        done = threading.Event()
        threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True).start()
        return done.wait(timeout)

    def stop(self, timeout: float = 5.0) -> None:
        self.flush(timeout)
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            return  # the daemon thread ends with the process
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                ctx, path, data = item
                self._files.upload(ctx, OBJECT_STORE_SECRET, path, data, overwrite=False)
            except DomainError as err:
                self.failed += 1
                log.info("traffic record not stored for tenant %s group %s: %s", ctx.tenant, ctx.resource_group,
                         err.message)
            except Exception:  # noqa: BLE001 - the writer thread must outlive one bad store call
                self.failed += 1
                log.exception("traffic record not stored")
            finally:
                self._queue.task_done()
