"""An Orchestrator that does no work yet: runs are accepted and wait in PENDING.

It exists so the API behaves end to end before an engine is wired in: a start records PENDING (submission
time set) and nothing more; a stop records STOPPED at once; a delete removes the record at once. The real
local engine and the Step Functions orchestrator replace it and reuse the same domain steps.
"""
from __future__ import annotations

from chalicelib.domain.clock import Clock
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import NotFound
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.records import RecordStore
from chalicelib.domain.runs import Deployment, Execution, Run, RunRepository, mark_pending, mark_stopped

# A stop only has something to stop while the run is live; a run that already ended keeps its status.
_LIVE = (Status.UNKNOWN, Status.PENDING, Status.RUNNING, Status.STOPPING)


class IdleOrchestrator:
    def __init__(self, store: RecordStore, clock: Clock):
        self._runs = RunRepository(store)
        self._clock = clock

    def start_execution(self, ctx: TenantContext, execution: Execution) -> None:
        self._submit(ctx, execution)

    def stop_execution(self, ctx: TenantContext, execution: Execution) -> None:
        self._stop(ctx, execution)

    def delete_execution(self, ctx: TenantContext, execution: Execution) -> None:
        self._runs.remove(ctx, Execution, execution.id)

    def start_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._submit(ctx, deployment)

    def update_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._submit(ctx, deployment)

    def stop_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._stop(ctx, deployment)

    def delete_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._runs.remove(ctx, Deployment, deployment.id)

    def _submit(self, ctx: TenantContext, run: Run) -> None:
        self._quietly(ctx, run, lambda r: mark_pending(r, self._clock.now()))

    def _stop(self, ctx: TenantContext, run: Run) -> None:
        def step(r: Run) -> None:
            if r.status in _LIVE:
                mark_stopped(r, self._clock.now())

        self._quietly(ctx, run, step)

    def _quietly(self, ctx: TenantContext, run: Run, step) -> None:
        try:
            self._runs.update(ctx, type(run), run.id, step)
        except NotFound:
            pass  # deleted meanwhile: nothing left to move on


class LocalOrchestrator:
    """The local stack's orchestrator: executions go to the local execution engine; deployments to whatever
    deployment engine is plugged in (an object with the Orchestrator's deployment methods; IdleOrchestrator's
    behaviour until local serving is wired)."""

    def __init__(self, executions, deployments):
        self.executions = executions  # LocalExecutionEngine: start/stop/delete
        self.deployments = deployments

    def start_execution(self, ctx: TenantContext, execution: Execution) -> None:
        self.executions.start(ctx, execution)

    def stop_execution(self, ctx: TenantContext, execution: Execution) -> None:
        self.executions.stop(ctx, execution)

    def delete_execution(self, ctx: TenantContext, execution: Execution) -> None:
        self.executions.delete(ctx, execution)

    def start_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self.deployments.start_deployment(ctx, deployment)

    def update_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self.deployments.update_deployment(ctx, deployment)

    def stop_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self.deployments.stop_deployment(ctx, deployment)

    def delete_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self.deployments.delete_deployment(ctx, deployment)
