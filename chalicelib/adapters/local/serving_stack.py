"""Local stack wiring for deployments: predictors on the local engine, ttl expiry, restart reconcile."""
from __future__ import annotations

import logging
import threading
from typing import Callable

log = logging.getLogger("aicore.serving")
TTL_CHECK_SECONDS = 10.0  # the shortest ttl is 10 minutes: a check every few seconds is plenty


class _DeploymentsOn:
    """Executions to the orchestrator in place, deployments to the local deployment engine."""

    def __init__(self, base, engine):
        self._base, self.deployments = base, engine

    def __getattr__(self, name: str):
        target = self.deployments if name.endswith("_deployment") else self._base
        return getattr(target, name)


def use_local_serving(c) -> Callable[[], None]:
    """Call at stack start, before the API serves: deployments run as local predictors, the ones left live by
    the previous stack come back, and a ticker deletes expired ones. Returns the stop function."""
    from .logs import FileLogStore
    from .orchestrator import LocalOrchestrator

    if not hasattr(c.log_store, "append"):  # predictors' output must outlive them (a crash keeps its logs)
        c.__dict__["log_store"] = FileLogStore(c.settings.home / "logs")
        c.__dict__.pop("logs", None)
    engine = c.deployment_engine
    current = c.__dict__.get("orchestrator") or c.orchestrator
    if isinstance(current, LocalOrchestrator):
        current.deployments = engine
    else:
        c.__dict__["orchestrator"] = _DeploymentsOn(current, engine)
    c.__dict__.pop("deployments", None)  # the service was built with the previous orchestrator
    engine.reconcile()
    stopped = threading.Event()

    def expire_loop() -> None:
        while not stopped.wait(TTL_CHECK_SECONDS):
            try:
                engine.expire()
            except Exception:  # noqa: BLE001 - keep checking; one bad record must not end expiry for all
                log.exception("ttl check failed")

    threading.Thread(target=expire_loop, name="deployment-ttl", daemon=True).start()

    def stop() -> None:
        stopped.set()
        engine.shutdown()

    return stop
