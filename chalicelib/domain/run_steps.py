"""What every execution engine does around a run, the same on the laptop (adapters/local/engine.py) and on a
cluster (domain/cluster/steps.py): load the configuration and executable the run was created from, resolve the
artifacts its configuration binds, require the `default` object store when the template writes output artifacts,
and move the run's status only while the move still makes sense (a stop or a delete may have come first).

Errors are WorkflowError with a message a person can act on: the engine ends the run DEAD with it.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

from .argo.pods import WorkflowError
from .clock import Clock
from .configurations import Configuration, Executable, find_executable
from .context import TenantContext
from .errors import NotFound
from .lifecycle import Status
from .records import Kind, RecordStore
from .runs import Run

# Statuses a run can still leave on its own; a finished run keeps its end.
LIVE = (Status.UNKNOWN, Status.PENDING, Status.RUNNING, Status.STOPPING)
NO_DEFAULT_STORE = ("This workflow has output artifacts, which are stored in the object store secret named 'default' "
                    "(Argo's artifact repository; global ones at ai://default/<executionId>/<name>): create "
                    "an object store secret named 'default' in resource group '{group}' first.")


def load_run(store: RecordStore, ctx: TenantContext, run: Run) -> Tuple[Configuration, Executable]:
    """The configuration and executable a run was created from; either may have gone since."""
    record = store.get(ctx, Kind.CONFIGURATION, run.configuration_id)
    if record is None:
        raise WorkflowError(f"Configuration '{run.configuration_id}' no longer exists.")
    executable = find_executable(store, ctx, run.scenario_id, run.executable_id)
    if executable is None:
        raise WorkflowError(f"Executable '{run.executable_id}' of scenario '{run.scenario_id}' no "
                            "longer exists (was its template removed from Git?).")
    return Configuration.from_record(record), executable


def bound_inputs(artifacts: Any, ctx: TenantContext, configuration: Configuration) -> Dict[str, Any]:
    """Binding key -> the Artifact it names (`artifacts`: the ArtifactService)."""
    inputs = {}
    for binding in configuration.input_artifact_bindings:
        try:
            inputs[binding.key] = artifacts.get(ctx, binding.artifact_id)
        except NotFound:
            raise WorkflowError(f"Input artifact '{binding.key}' is bound to artifact '{binding.artifact_id}', "
                                "which no longer exists.") from None
    return inputs


def parameters_of(configuration: Configuration) -> Dict[str, str]:
    return {b.key: b.value for b in configuration.parameter_bindings}


def output_artifacts(template: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Every outputs.artifacts declaration of the template's templates."""
    return [a for t in (template.get("spec") or {}).get("templates") or [] if isinstance(t, dict)
            for a in (t.get("outputs") or {}).get("artifacts") or [] if isinstance(a, dict)]


def require_default_store(locations: Any, ctx: TenantContext, template: Dict[str, Any], execution_id: str) -> Any:
    """Argo's default artifact repository is the group's `default` store: every output artifact goes there.
    Returns where ai://default/<executionId> lies (an ObjectLocation), or None when the template writes none."""
    if not output_artifacts(template):
        return None
    try:
        return locations.locate(ctx, "default", execution_id)
    except NotFound:
        raise WorkflowError(NO_DEFAULT_STORE.format(group=ctx.resource_group)) from None


# -- status steps guarded by what happened meanwhile -------------------------------------------------------------
def when_live(step: Callable[[Run], None]) -> Callable[[Run], None]:
    """Apply `step` only to a run that has not ended (a finished run keeps its end)."""
    def guarded(run: Run) -> None:
        if run.status in LIVE:
            step(run)
    return guarded


def unless_stopped(step: Callable[[Run], None]) -> Callable[[Run], None]:
    """Apply `step` only to a run not yet started: a stop right after the create may already have moved it."""
    def guarded(run: Run) -> None:
        if run.status in (Status.UNKNOWN, Status.PENDING):
            step(run)
    return guarded


def with_details(snapshot: Dict[str, Any], clock: Clock) -> Callable[[Run], None]:
    """Write statusDetails (the steps' snapshot) without touching the status."""
    def write(run: Run) -> None:
        run.status_details = snapshot
        run.modified_at = clock.now()
    return write
