"""Refreshing a Git application and waiting for the sync that follows, with the per-file errors it reports."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import List

from .client import Client

APPS = "/admin/applications"


@dataclass
class SyncResult:
    application: str
    sync_status: str
    health_status: str
    message: str
    revision: str
    synced: List[dict] = field(default_factory=list)   # executables (templates) in the cluster
    broken: List[dict] = field(default_factory=list)   # files the sync refused: name is the file, message why
    finished: bool = True

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def status(client: Client, app: str) -> dict:
    return client.get(f"{APPS}/{app}/status")


def _result(app: str, body: dict, finished: bool) -> SyncResult:
    resources = body.get("syncResourcesStatus") or []
    return SyncResult(application=app, sync_status=body.get("syncStatus", "Unknown"),
                      health_status=body.get("healthStatus", "Unknown"), message=body.get("message", ""),
                      revision=(body.get("source") or {}).get("revision", ""),
                      synced=[r for r in resources if r.get("status") == "Synced"],
                      broken=[r for r in resources if r.get("status") != "Synced"], finished=finished)


def refresh(client: Client, app: str, wait: bool = True, timeout: float = 180) -> SyncResult:
    """A refresh only schedules a sync: wait until a sync finishes after it (syncFinishedAt changes), so the status
    read is the new commit's and not the previous one's."""
    before = status(client, app).get("syncFinishedAt")
    client.post(f"{APPS}/{app}/refresh")
    if not wait:
        return _result(app, status(client, app), finished=False)
    deadline = time.monotonic() + timeout
    while True:
        body = status(client, app)
        # A sync that could not read the repository also finishes (syncStatus stays Unknown, message says why).
        done = body.get("syncFinishedAt") not in (before, None, "Unknown")
        if done or time.monotonic() > deadline:
            return _result(app, body, finished=done)
        time.sleep(1)
