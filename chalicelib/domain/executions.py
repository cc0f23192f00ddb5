"""Executions: start a non-deployable executable with a configuration; stop, delete, list them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from .artifacts import Artifact, ArtifactService
from .context import TenantContext
from .errors import InvalidInput
from .run_service import RunService
from .runs import Execution, require_id


@dataclass
class ExecutionDetails:
    execution: Execution
    output_artifacts: List[Artifact] = field(default_factory=list)


class ExecutionService(RunService[Execution]):
    cls = Execution

    def __init__(self, store, clock, orchestrator, artifacts: ArtifactService, new_id=None):
        super().__init__(store, clock, orchestrator, new_id)
        self._artifacts = artifacts

    def create(self, ctx: TenantContext, configuration_id: str,
               execution_schedule_id: Optional[str] = None, execution_id: Optional[str] = None) -> Execution:
        """Also the entry point for schedules, which pass their id so the run can be traced back, and an id
        derived from the due time, so a repeated fire is refused (AlreadyExists) instead of run twice."""
        require_id(configuration_id, "Configuration")
        configuration, executable = self._resolve(ctx, configuration_id)
        if executable.deployable:
            raise InvalidInput(
                f"Executable '{executable.id}' of scenario '{executable.scenario_id}' is deployable (a serving "
                f"template): create a deployment with configuration '{configuration_id}' instead of an execution.",
                target="configurationId")
        now = self._clock.now()
        execution = self._runs.create(ctx, Execution(
            id=execution_id or self._new_id(), configuration_id=configuration.id, configuration_name=configuration.name,
            scenario_id=configuration.scenario_id, executable_id=configuration.executable_id,
            execution_schedule_id=execution_schedule_id, created_at=now, modified_at=now))
        self._orchestrator.start_execution(ctx, execution)
        return self._runs.find(ctx, Execution, execution.id) or execution

    def details(self, ctx: TenantContext, execution_id: str) -> ExecutionDetails:
        execution = self.get(ctx, execution_id)
        return ExecutionDetails(execution, self._artifacts.outputs_of(ctx, execution_id))

    def modify(self, ctx: TenantContext, execution_id: str, target_status: str) -> Execution:
        """Single PATCH: only a stop; deletion has its own verb."""
        if target_status != "STOPPED":
            hint = " Use DELETE to delete an execution." if target_status == "DELETED" else ""
            raise InvalidInput(f"'targetStatus' must be STOPPED, got '{target_status}'.{hint}",
                               target="targetStatus")
        return self.stop(ctx, execution_id)

    def _stop(self, ctx: TenantContext, run: Execution) -> None:
        self._orchestrator.stop_execution(ctx, run)

    def _delete(self, ctx: TenantContext, run: Execution) -> None:
        self._orchestrator.delete_execution(ctx, run)
