"""Operational figures: the port the stack reports to (requests, run ends, predictor health, schedules, syncs).

Adapters: adapters/local/prometheus_telemetry.py (the local stack's operator /metrics endpoint) and, on AWS,
CloudWatch through Powertools' embedded metric format. Calls are fire-and-forget: a figure that cannot be recorded
never fails the request or the run it describes, so adapters swallow their own errors.

Every figure carries the tenant (and the resource group where there is one): the operator sees all tenants;
tenants never read these figures (the endpoint is operator-only).
"""
from __future__ import annotations

import logging
from typing import Callable, Optional, Protocol, TypeVar

from .context import TenantContext
from .lifecycle import RunKind, Status

log = logging.getLogger("aicore.telemetry")
ENDED = (Status.COMPLETED, Status.DEAD, Status.STOPPED)


class Telemetry(Protocol):
    def inference_request(self, tenant: str, resource_group: str, deployment_id: str, status_code: int,
                          seconds: float) -> None:
        """One request through the inference proxy, answered with `status_code` after `seconds`."""

    def execution_finished(self, tenant: str, resource_group: str, status: str, seconds: float) -> None:
        """An execution reached COMPLETED, DEAD or STOPPED; `seconds` from its start (or submission) to its end."""

    def predictor_ready(self, tenant: str, resource_group: str, deployment_id: str, ready: bool) -> None:
        """The deployment's predictor answers (True) or no predictor serves it any more (False)."""

    def predictor_restarted(self, tenant: str, resource_group: str, deployment_id: str, reason: str) -> None:
        """A predictor process ended or was relaunched without the user asking (reason: "exited", "stack_restart")."""

    def predictor_forgotten(self, tenant: str, resource_group: str, deployment_id: str) -> None:
        """The deployment was stopped or deleted (it never serves again): its series may go. A stopped predictor
        is not a predictor down, and ids are never reused, so keeping them would only raise false alarms."""

    def schedule_fired(self, tenant: str, resource_group: str, outcome: str) -> None:
        """A schedule's due time was handled: outcome "started" or "failed" (the execution could not be created)."""

    def sync_failed(self, tenant: str, application: str, reason: str) -> None:
        """A Git sync did not apply cleanly: reason "source" (repository unreadable) or "templates" (bad files)."""


class NullTelemetry:
    """Records nothing: unit tests, and any process that has no metrics backend wired."""

    def inference_request(self, *args, **kwargs) -> None:
        pass

    def execution_finished(self, *args, **kwargs) -> None:
        pass

    def predictor_ready(self, *args, **kwargs) -> None:
        pass

    def predictor_restarted(self, *args, **kwargs) -> None:
        pass

    def predictor_forgotten(self, *args, **kwargs) -> None:
        pass

    def schedule_fired(self, *args, **kwargs) -> None:
        pass

    def sync_failed(self, *args, **kwargs) -> None:
        pass


R = TypeVar("R")


class RunEndReport:
    """Wraps a status step handed to RunRepository.update so that an execution's end is reported once, by the
    writer whose write made it end. Both engines (local: adapters/local/engine.py; cluster:
    domain/cluster/run_step_base.py) route every status write through it, so neither reports on its own."""

    def __init__(self, telemetry: Telemetry, ctx: TenantContext, step: Callable[[R], None]):
        self._telemetry = telemetry
        self._ctx = ctx
        self._step = step
        self._ended = False

    def __call__(self, run) -> None:
        # update() may apply the step more than once (a concurrent write retries it): the last application is the
        # one written, and it decides.
        before = run.status
        self._step(run)
        self._ended = run.status != before and run.status in ENDED

    def report(self, stored) -> None:
        """`stored`: what update() returned (None if the run was deleted meanwhile)."""
        if stored is None or not self._ended or stored.RUN_KIND is not RunKind.EXECUTION:
            return
        try:
            self._telemetry.execution_finished(self._ctx.tenant, self._ctx.resource_group or "",
                                               stored.status.value, run_seconds(stored))
        except Exception:  # noqa: BLE001 - a figure never fails the run it describes
            log.warning("could not record the end of execution %s", stored.id, exc_info=True)


def run_seconds(run) -> float:
    """From the run's start (else its submission, else its creation) to its completion (else its last change)."""
    begin = run.start_time or run.submission_time or run.created_at
    end: Optional[object] = run.completion_time or run.modified_at
    return max(0.0, (end - begin).total_seconds()) if begin and end else 0.0
