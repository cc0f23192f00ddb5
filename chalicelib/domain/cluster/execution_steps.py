"""An execution's steps on the cluster after its submit: poll (progress, statusDetails, a stop on its way) and
finalize (outputs registered once, logs archived, the final status)."""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional

from ..argo.pods import WorkflowError
from ..lifecycle import Status, TargetStatus
from ..object_store import ai_url
from ..run_steps import LIVE, load_run, when_live
from ..runs import Execution, Run, mark_running, mark_stopping
from .pod_logs import pod_selector
from .ports import ClusterError
from .progress import Progress
from .run_messages import EXECUTION_STOPPED, GONE, TERMINATED_OUTSIDE
from .run_ref import EXECUTION, RunRef
from .run_step_base import RunStepBase, done
from .workflow_manifest import workflow_name
from .workflow_status import STOP_MARK, execution_progress, is_terminated, pod_names


class ExecutionSteps(RunStepBase):
    def _poll_execution(self, ref: RunRef, run: Run) -> Dict[str, Any]:
        workflow = self._workflow_or_end(ref, run)
        if workflow is None:
            return done()
        pods = self._cluster.list_pods(ref.namespace, pod_selector(ref))
        progress = execution_progress(workflow, ref.id, pod_names(pods))
        if run.target_status == TargetStatus.STOPPED and not progress.ended:
            if not is_terminated(workflow):
                self._cluster.terminate_workflow(ref.namespace, workflow_name(ref.id))
            self._update(ref, when_live(lambda r: mark_stopping(r, self._clock.now()) if r.status is not
                                        Status.STOPPING else None))
            return {"done": False, "waitSeconds": self._services.poll_pending_seconds}
        self._archive_logs(ref, everything=False, pods=pods)
        self._update(ref, self._observe(progress))
        if progress.ended:
            return done()
        wait = self._services.poll_pending_seconds if progress.status is Status.PENDING else \
            self._services.poll_running_seconds
        return {"done": False, "waitSeconds": wait}

    def _observe(self, progress: Progress) -> Callable[[Run], None]:
        """statusDetails as the Workflow reports them; RUNNING once Argo runs it (the end is finalize's)."""
        def step(run: Run) -> None:
            if run.status not in LIVE:
                return
            if progress.details is not None and progress.details != run.status_details:
                run.status_details = progress.details
                run.modified_at = self._clock.now()
            if progress.status is Status.RUNNING and run.status in (Status.UNKNOWN, Status.PENDING):
                mark_running(run, self._clock.now(), "Running on the cluster.")
        return step

    def finalize(self, ref: RunRef) -> None:
        """An execution's end: outputs registered (once), logs archived, the final status and statusDetails."""
        if ref.kind != EXECUTION:
            return
        run = self._runs.find(ref.ctx, Execution, ref.id)
        if run is None:
            self._remove_from_cluster(ref)
            return
        workflow = self._workflow_or_end(ref, run)
        if workflow is None:
            return
        pods = self._cluster.list_pods(ref.namespace, pod_selector(ref))
        progress = execution_progress(workflow, ref.id, pod_names(pods))
        if not progress.ended:
            if run.status not in LIVE:
                return
            raise ClusterError(f"The Workflow of execution '{ref.id}' has not ended yet.", transient=True)
        self._archive_logs(ref, everything=True, pods=pods)
        if run.status not in LIVE:
            return
        if progress.status is Status.COMPLETED:
            self._register_outputs(ref, run, progress.outputs)
            self._end(ref, Status.COMPLETED, progress.message, progress.details)
        elif progress.status is Status.STOPPED and run.target_status == TargetStatus.STOPPED:
            self._end(ref, Status.STOPPED, EXECUTION_STOPPED, progress.details)
            self._cluster.delete_workflow(ref.namespace, workflow_name(ref.id))
        elif progress.status is Status.STOPPED:
            message = (workflow.get("status") or {}).get("message") or STOP_MARK
            self._end(ref, Status.DEAD, TERMINATED_OUTSIDE.format(message=message), progress.details)
        else:
            self._end(ref, Status.DEAD, progress.message or "The workflow failed.", progress.details)

    def _workflow_or_end(self, ref: RunRef, run: Run) -> Optional[Dict[str, Any]]:
        """The execution's Workflow; when it is gone, the run ends: STOPPED if a stop removed it, else DEAD."""
        workflow = self._cluster.get_workflow(ref.namespace, workflow_name(ref.id))
        if workflow is None:
            if run.target_status == TargetStatus.STOPPED:
                self._end(ref, Status.STOPPED, EXECUTION_STOPPED)
            else:
                self._end(ref, Status.DEAD, GONE.format(what="Workflow", name=workflow_name(ref.id),
                                                       kind=EXECUTION))
        return workflow

    def _register_outputs(self, ref: RunRef, run: Run, produced: Dict[str, str]) -> None:
        """Each global output once, at ai://default/<executionId>/<name> (where the Workflow wrote it), as the
        local engine registers them (adapters/local/pod_outputs.py register_global)."""
        from ..artifacts import ArtifactKind

        ctx = ref.ctx
        done = {a.name for a in self._services.artifacts.outputs_of(ctx, run.id)}
        try:
            _, executable = load_run(self._store, ctx, run)
            kinds = {a.name: a.kind for a in executable.output_artifacts}
        except WorkflowError:
            kinds = {}
        for name in sorted(produced):
            if name in done:
                continue
            kind = kinds.get(name) or "model"
            self._services.artifacts.register(
                ctx, name, ArtifactKind(kind) if kind in {k.value for k in ArtifactKind} else ArtifactKind.OTHER,
                ai_url("default", f"{run.id}/{name}"), run.scenario_id,
                description=f"Output '{name}' of execution {run.id}", execution_id=run.id,
                configuration_id=run.configuration_id)
