"""Executions and deployments ("runs") addressed by id alone, and following their logs until a status."""
from __future__ import annotations

import time
from typing import Callable, Optional, Tuple

from .client import ApiError, Client

KINDS = {"execution": "/lm/executions", "deployment": "/lm/deployments"}
# Statuses after which a run's logs cannot grow: following stops there.
FINAL = {"COMPLETED", "DEAD", "STOPPED"}  # not UNKNOWN: a new run starts there
FAILED = {"DEAD"}


def find(client: Client, run_id: str) -> Tuple[str, dict]:
    """A user types an id, not its kind: try executions first, then deployments."""
    last: Optional[ApiError] = None
    for kind, path in KINDS.items():
        try:
            return kind, client.get(f"{path}/{run_id}")
        except ApiError as err:
            if err.status != 404:
                raise
            last = err
    raise last or ApiError(404, f"no execution or deployment {run_id}")


def logs(client: Client, kind: str, run_id: str, start: Optional[str] = None) -> list:
    params = {"$top": 5000}
    if start:
        params["start"] = start
    body = client.get(f"{KINDS[kind]}/{run_id}/logs", **params)
    return (body or {}).get("data", {}).get("result", [])


def follow(client: Client, kind: str, run_id: str, emit: Callable[[dict], None], until: Optional[str] = None,
           timeout: float = 1800, interval: float = 1.0,
           on_status: Callable[[str], None] = lambda status: None) -> dict:
    """Print new log lines until the run reaches `until` (or any final status); returns the run's last state.

    Lines are de-duplicated by (timestamp, message) because `start` is inclusive and several lines can share a
    timestamp; a final read after the status turns final catches lines written just before the end."""
    seen = set()
    last_ts: Optional[str] = None
    deadline = time.monotonic() + timeout

    def drain() -> None:
        nonlocal last_ts
        for line in logs(client, kind, run_id, last_ts):
            key = (line.get("timestamp"), line.get("msg"), line.get("pod"), line.get("container"))
            if key in seen:
                continue
            seen.add(key)
            last_ts = line.get("timestamp") or last_ts
            emit(line)

    while True:
        run = client.get(f"{KINDS[kind]}/{run_id}")
        status = run.get("status", "UNKNOWN")
        on_status(f"{kind} {run_id} is {status}, waiting for {until or ' or '.join(sorted(FINAL))}")
        drain()
        if status == until or status in FINAL:
            drain()
            return run
        if time.monotonic() > deadline:
            run["status"] = run.get("status", "UNKNOWN")
            return run
        time.sleep(interval)


def stop(client: Client, kind: str, run_id: str) -> None:
    client.patch(f"{KINDS[kind]}/{run_id}", {"targetStatus": "STOPPED"})


def remove(client: Client, kind: str, run_id: str, timeout: float = 120) -> None:
    """Stop, wait until it is no longer running, then delete (AI Core refuses to delete a running run)."""
    run = client.get(f"{KINDS[kind]}/{run_id}")
    if run.get("status") not in FINAL:
        stop(client, kind, run_id)
        deadline = time.monotonic() + timeout
        while client.get(f"{KINDS[kind]}/{run_id}").get("status") not in FINAL and time.monotonic() < deadline:
            time.sleep(1)
    client.delete(f"{KINDS[kind]}/{run_id}")
