"""The orchestration steps of a run on the cluster: what each Step Functions task asks (adapters/aws/cluster_tasks.py).

Execution: render -> submit -> (wait, poll)* -> finalize; deployment: render -> submit -> (wait, poll)* until it ends;
control: stop, delete, update; and `fail`, where a Catch ends the run DEAD. Each step reads the run's record again
(the API may have stopped or deleted it meanwhile), moves its status only with the guarded `mark_*` steps the local
engine uses (run_steps.py), and is idempotent: Step Functions retries a task whose outcome it did not see, so a
second submit finds the Workflow it created, a second finalize finds the outputs it registered.

Errors the run itself caused (its configuration gone, an artifact unbound, the manifest refused) end it DEAD here,
with a message a person can act on; a ClusterError marked transient goes up to the task, which Step Functions
retries. Secret values are read here to be written into the namespace and nowhere else: no message, log line or
returned value carries them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional

from ..argo.pods import WorkflowError
from ..clock import Clock
from ..context import TenantContext
from ..deployments import ttl_minutes
from ..errors import DomainError, NotFound
from ..lifecycle import Status, TargetStatus
from ..logs import LogEntry
from ..object_store import AI_SCHEME, ai_url
from ..records import RecordStore
from ..run_steps import LIVE, bound_inputs, load_run, parameters_of, require_default_store, when_live
from ..runs import (Deployment, Execution, Run, RunRepository, mark_finished, mark_pending, mark_running,
                    mark_stopped, mark_stopping)
from .inference_service import deployment_inference_service, inference_service_name
from .inference_service import pull_secret_names as serving_pull_secrets
from .isvc_status import deployment_progress, is_stale, still_serving
from .log_archive import LogArchive
from .namespaces import WORKLOAD_SERVICE_ACCOUNT
from .pod_logs import ENDED_POD_PHASES, LOG_CONTAINER, parse_pod_log, pod_selector
from .ports import Cluster, ClusterError, ManifestRejected
from .progress import Progress
from .run_messages import (DEPLOYMENT_STOPPED, EXECUTION_STOPPED, GONE, REFUSED, TERMINATED_OUTSIDE, error_message,
                           failure_message)
from .resource_plans import DEFAULT_RESOURCE_PLANS
from . import namespace_steps
from .run_ref import DEPLOYMENT, EXECUTION, GROUP, SECRET, RunRef, namespace_labels
from .run_secrets import run_secrets
from .secret_manifests import kubernetes_secret_name
from .workflow_manifest import (ExecutionSpec, S3Location, execution_workflow, pull_secret_names, s3_location,
                                with_run_env, workflow_name)
from .workflow_status import STOP_MARK, execution_progress, is_terminated, pod_names

__all__ = ["ClusterRunSteps", "ClusterServices", "RunRef", "EXECUTION", "DEPLOYMENT"]
log = logging.getLogger("aicore.cluster")
@dataclass
class ClusterServices:
    """What the steps need besides the cluster and the records (kept narrow so the steps are testable)."""

    artifacts: Any  # ArtifactService
    locations: Any  # ObjectStoreResolver: ai:// -> bucket/key and the store's credentials
    docker_secrets: Any  # DockerRegistrySecretService (read_config)
    generic_secrets: Any  # GenericSecretService (read_data)
    # AICORE_TRACKING_ENDPOINT, AICORE_API_URL, AICORE_AUTH_TOKEN for one run (TrackingCredentials.run_environment)
    tracking_env: Callable[[TenantContext, str], Dict[str, str]]
    log_archive: LogArchive
    service_account: str = WORKLOAD_SERVICE_ACCOUNT
    resource_plans: Mapping[str, dict] = field(default_factory=lambda: DEFAULT_RESOURCE_PLANS)
    poll_pending_seconds: int = 10
    poll_running_seconds: int = 20
    poll_serving_seconds: int = 60


def _done() -> Dict[str, Any]:
    return {"done": True, "waitSeconds": 0}


class ClusterRunSteps:
    def __init__(self, store: RecordStore, clock: Clock, cluster: Cluster, services: ClusterServices):
        self._store = store
        self._runs = RunRepository(store)
        self._clock = clock
        self._cluster = cluster
        self._services = services

    # -- render ---------------------------------------------------------------------------------------------------
    def render(self, ref: RunRef) -> Dict[str, Any]:
        """The manifest to submit; {} when there is nothing to submit (the run is gone, stopped, or ended DEAD
        here because its template and configuration cannot give one)."""
        run = self._runs.find(ref.ctx, ref.run_class, ref.id)
        if run is None or run.status not in LIVE or run.target_status in (TargetStatus.STOPPED,
                                                                             TargetStatus.DELETED):
            return {}
        try:
            return self._manifest(ref, run)
        except (WorkflowError, DomainError) as err:
            self._end(ref, Status.DEAD, error_message(err))
            return {}

    def _manifest(self, ref: RunRef, run: Run) -> Dict[str, Any]:
        ctx = ref.ctx
        configuration, executable = load_run(self._store, ctx, run)
        document = executable.template
        inputs = bound_inputs(self._services.artifacts, ctx, configuration)
        if ref.kind == EXECUTION:
            outputs = self._default_prefix(ctx, document, run.id)  # first: its message says what to create
            spec = ExecutionSpec(
                execution_id=run.id, namespace=ref.namespace, parameters=parameters_of(configuration),
                inputs={key: self._s3(ctx, artifact.url, key) for key, artifact in inputs.items()},
                outputs=outputs,
                # the tracking credential is added at submit: the manifest passes through the state machine's
                # history, which must not hold a credential
                env={"AICORE_EXECUTION_ID": run.id},
                pull_secrets=[kubernetes_secret_name(n) for n in pull_secret_names(document)],
                service_account=self._services.service_account, resource_plans=self._services.resource_plans)
            return execution_workflow(document, spec)
        parameters = parameters_of(configuration)
        return deployment_inference_service(
            document, deployment_id=run.id, namespace=ref.namespace, parameters=parameters,
            artifacts={key: _s3_uri(self._s3(ctx, artifact.url, key)) for key, artifact in inputs.items()},
            pull_secrets=[kubernetes_secret_name(n) for n in serving_pull_secrets(document, parameters)],
            service_account=self._services.service_account, resource_plans=self._services.resource_plans)

    def _s3(self, ctx: TenantContext, url: str, binding: str) -> S3Location:
        """Where an input artifact's URL points, and the namespace Secret that reaches it (None: IRSA)."""
        if url.startswith("s3://"):
            bucket, _, key = url[len("s3://"):].partition("/")
            return S3Location(bucket=bucket, key=key)
        if not url.startswith(AI_SCHEME):
            raise WorkflowError(f"Input artifact '{binding}' has URL '{url}'; on the cluster only ai:// and s3:// "
                                "artifacts can be read.")
        location = self._services.locations.resolve_url(ctx, url)
        return s3_location(location)

    def _default_prefix(self, ctx: TenantContext, document: Dict[str, Any], execution_id: str) -> S3Location:
        if require_default_store(self._services.locations, ctx, document, execution_id) is None:
            return S3Location(bucket="", key="")  # nothing is written: no output artifact to place
        return s3_location(self._services.locations.locate(ctx, "default", "", allow_empty=True))

    # -- submit ---------------------------------------------------------------------------------------------------
    def submit(self, ref: RunRef, manifest: Optional[Dict[str, Any]]) -> None:
        """Namespace, secrets, then the Workflow / InferenceService; a second call finds what the first made."""
        if not manifest:
            return
        run = self._runs.find(ref.ctx, ref.run_class, ref.id)
        if run is None or run.status not in LIVE or run.target_status != _initial_target(ref):
            return  # gone or stopped before it was submitted: poll ends it
        try:
            self._sync_secrets(ref, run)
            self._apply(ref, run, manifest)
        except (WorkflowError, DomainError) as err:
            self._end(ref, Status.DEAD, error_message(err))
            return
        except ManifestRejected as err:
            what = "Workflow" if ref.kind == EXECUTION else "InferenceService"
            self._end(ref, Status.DEAD, REFUSED.format(what=what, message=err.message))
            return
        message = "Submitted to the cluster." if ref.kind == EXECUTION else "Starting the predictor."
        self._update(ref, lambda r: mark_pending(r, self._clock.now(), message) if r.status is Status.UNKNOWN
                     else None)

    def _apply(self, ref: RunRef, run: Run, manifest: Dict[str, Any]) -> None:
        self._cluster.ensure_namespace(ref.namespace, namespace_labels(ref))
        if ref.kind == EXECUTION:
            env = self._services.tracking_env(ref.ctx, run.id)
            self._cluster.create_workflow(ref.namespace, with_run_env(manifest, env))
        else:
            self._cluster.apply_inference_service(ref.namespace, manifest)

    def _sync_secrets(self, ref: RunRef, run: Run) -> None:
        """The tenant's secrets the run's pods use, written into its namespace (values decrypted here only)."""
        self._cluster.ensure_namespace(ref.namespace, namespace_labels(ref))
        for secret in run_secrets(self._store, self._services, ref, run):
            self._cluster.apply_secret(ref.namespace, secret)

    # -- poll -----------------------------------------------------------------------------------------------------
    def poll(self, ref: RunRef) -> Dict[str, Any]:
        run = self._runs.find(ref.ctx, ref.run_class, ref.id)
        if run is None:  # deleted through the API: nothing of it may stay on the cluster
            self._remove_from_cluster(ref)
            return _done()
        if run.target_status == TargetStatus.DELETED:
            self.delete(ref)
            return _done()
        if run.status not in LIVE:
            return _done()
        if ref.kind == EXECUTION:
            return self._poll_execution(ref, run)
        return self._poll_deployment(ref, run)

    def _poll_execution(self, ref: RunRef, run: Run) -> Dict[str, Any]:
        workflow = self._workflow_or_end(ref, run)
        if workflow is None:
            return _done()
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
            return _done()
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

    def _poll_deployment(self, ref: RunRef, run: Run) -> Dict[str, Any]:
        assert isinstance(run, Deployment)
        if run.target_status == TargetStatus.STOPPED:
            self.stop(ref)
            return _done()
        if run.ttl and (self._clock.now() - run.created_at).total_seconds() >= ttl_minutes(run.ttl) * 60:
            log.info("deployment %s: ttl %s expired, deleting it", ref.id, run.ttl)
            self.delete(ref)  # as the local engine: an expired deployment is removed, record and all
            return _done()
        name = inference_service_name(ref.id)
        isvc = self._cluster.get_inference_service(ref.namespace, name)
        if isvc is None:
            self._end(ref, Status.DEAD, GONE.format(what="InferenceService", name=name, kind=DEPLOYMENT))
            return _done()
        progress = deployment_progress(isvc)
        if is_stale(isvc):  # KServe has not looked at the latest spec yet: its status is the previous one's
            progress = Progress(Status.PENDING)
        if progress.status is Status.RUNNING:
            self._update(ref, _serving(progress.message, self._clock))
            return {"done": False, "waitSeconds": self._services.poll_serving_seconds}
        if progress.status is Status.DEAD:
            previous = run.latest_running_configuration_id
            if run.status is Status.PENDING and previous and previous != run.configuration_id and \
                    still_serving(isvc):  # a switch failed: KServe keeps the previous revision answering
                self._update(ref, _kept(previous, progress.message or "", self._clock))
                return {"done": False, "waitSeconds": self._services.poll_serving_seconds}
            self._archive_logs(ref, everything=True)
            self._cluster.delete_inference_service(ref.namespace, name)  # a crash loop would go on for ever
            self._end(ref, Status.DEAD, progress.message or "The predictor failed.")
            return _done()
        return {"done": False, "waitSeconds": self._services.poll_pending_seconds}

    # -- finalize ---------------------------------------------------------------------------------------------------
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

    # -- fail, stop, delete, update ----------------------------------------------------------------------------------
    # -- a resource group's namespace ------------------------------------------------------------------------------
    def provision(self, ref: RunRef) -> None:
        namespace_steps.provision(self._cluster, ref)

    def deprovision(self, ref: RunRef) -> None:
        namespace_steps.deprovision(self._cluster, ref)

    def forget(self, ref: RunRef) -> None:
        namespace_steps.forget_secret(self._store, self._cluster, ref)

    def fail(self, ref: RunRef, error: str, cause: str) -> None:
        """A step failed beyond its retries: the run ends DEAD saying why, and stops using the cluster."""
        if ref.kind in (GROUP, SECRET):  # no record to end: the error is in the control machine's history and logs
            log.error("%s %s/%s: %s %s", ref.kind, ref.tenant, ref.id, error, failure_message(error, cause))
            return
        run = self._runs.find(ref.ctx, ref.run_class, ref.id)
        if run is None or run.status not in LIVE:
            return
        try:
            self._archive_logs(ref, everything=True)
            if ref.kind == EXECUTION:
                self._cluster.terminate_workflow(ref.namespace, workflow_name(ref.id))
            else:
                self._cluster.delete_inference_service(ref.namespace, inference_service_name(ref.id))
        except ClusterError as err:  # the cluster may be what failed: the record must end all the same
            log.warning("run %s: could not clean up after a failed step: %s", ref.id, err.message)
        if run.target_status == TargetStatus.STOPPED:
            self._end(ref, Status.STOPPED, EXECUTION_STOPPED if ref.kind == EXECUTION else DEPLOYMENT_STOPPED)
            return
        self._end(ref, Status.DEAD, failure_message(error, cause))

    def stop(self, ref: RunRef) -> None:
        """The user's stop: the Workflow terminated and removed (its logs kept), or the InferenceService removed."""
        run = self._runs.find(ref.ctx, ref.run_class, ref.id)
        if run is None:
            return
        if ref.kind == EXECUTION:
            name = workflow_name(ref.id)
            workflow = self._cluster.get_workflow(ref.namespace, name)
            if workflow is not None and not execution_progress(workflow, ref.id).ended:
                self._cluster.terminate_workflow(ref.namespace, name)
            self._archive_logs(ref, everything=True)
            self._end(ref, Status.STOPPED, EXECUTION_STOPPED,
                      execution_progress(workflow, ref.id).details if workflow is not None else None)
            self._cluster.delete_workflow(ref.namespace, name)
        else:
            self._archive_logs(ref, everything=True)
            self._cluster.delete_inference_service(ref.namespace, inference_service_name(ref.id))
            self._end(ref, Status.STOPPED, DEPLOYMENT_STOPPED)

    def delete(self, ref: RunRef) -> None:
        """Everything of the run: the cluster object, its archived logs, its record."""
        self._remove_from_cluster(ref)
        self._services.log_archive.delete(ref.ctx, ref.kind, ref.id)
        self._runs.remove(ref.ctx, ref.run_class, ref.id)

    def update(self, ref: RunRef) -> None:
        """A deployment's new configuration: re-render and apply; KServe rolls the predictor over."""
        if ref.kind != DEPLOYMENT:
            return
        run = self._runs.find(ref.ctx, Deployment, ref.id)
        if run is None or run.status not in LIVE or run.target_status != TargetStatus.RUNNING:
            return
        serving = run.latest_running_configuration_id if run.status is Status.RUNNING else None
        try:
            manifest = self._manifest(ref, run)
            self._sync_secrets(ref, run)
            self._apply(ref, run, manifest)
        except (WorkflowError, DomainError, ManifestRejected) as err:
            message = error_message(err) if not isinstance(err, ManifestRejected) else \
                REFUSED.format(what="InferenceService", message=err.message)
            if serving:  # the previous configuration keeps serving and stays the rollback target
                self._update(ref, _kept(serving, message, self._clock))
            else:
                self._end(ref, Status.DEAD, message)
            return
        self._update(ref, when_live(lambda r: mark_pending(
            r, self._clock.now(), f"Rolling out configuration '{r.configuration_id}'.")
            if r.status is not Status.PENDING else None))

    # -- logs ------------------------------------------------------------------------------------------------------
    def _archive_logs(self, ref: RunRef, everything: bool, pods: Optional[List[Dict[str, Any]]] = None) -> None:
        """Pods that ended (or, at the end, every pod) whose logs are not archived yet. `pods`: as just listed."""
        archive = self._services.log_archive
        done = archive.archived_pods(ref.ctx, ref.kind, ref.id)
        if pods is None:
            pods = self._cluster.list_pods(ref.namespace, pod_selector(ref))
        pods = [p for p in pods if everything or ((p.get("status") or {}).get("phase") in ENDED_POD_PHASES)]
        entries: List[LogEntry] = []
        names: List[str] = []
        for pod in pods:
            name = str((pod.get("metadata") or {}).get("name") or "")
            if not name or (name in done and not everything):
                continue
            text = self._cluster.pod_logs(ref.namespace, name, LOG_CONTAINER[ref.kind])
            if text is None:
                continue  # gone meanwhile: what was archived before stays
            names.append(name)
            entries += parse_pod_log(text, name, LOG_CONTAINER[ref.kind])
        if names:
            archive.archive(ref.ctx, ref.kind, ref.id, entries, pods=names)

    # -- helpers ----------------------------------------------------------------------------------------------------
    def _remove_from_cluster(self, ref: RunRef) -> None:
        if ref.kind == EXECUTION:
            self._cluster.delete_workflow(ref.namespace, workflow_name(ref.id))
        else:
            self._cluster.delete_inference_service(ref.namespace, inference_service_name(ref.id))

    def _end(self, ref: RunRef, status: Status, message: Optional[str],
             details: Optional[Dict[str, Any]] = None) -> None:
        def step(run: Run) -> None:
            if details is not None:
                run.status_details = details
            if status is Status.STOPPED:
                mark_stopped(run, self._clock.now(), message)
            else:
                mark_finished(run, status, self._clock.now(), message)
        self._update(ref, when_live(step))

    def _update(self, ref: RunRef, step: Callable[[Run], None]) -> Optional[Run]:
        try:
            return self._runs.update(ref.ctx, ref.run_class, ref.id, step)
        except NotFound:
            return None  # deleted meanwhile


# -- pure helpers ---------------------------------------------------------------------------------------------------
def _s3_uri(location: S3Location) -> str:
    return f"s3://{location.bucket}/{location.key}".rstrip("/")


def _initial_target(ref: RunRef) -> TargetStatus:
    return TargetStatus.COMPLETED if ref.kind == EXECUTION else TargetStatus.RUNNING


def _serving(message: Optional[str], clock: Clock) -> Callable[[Run], None]:
    def step(run: Run) -> None:
        assert isinstance(run, Deployment)
        if run.status is Status.RUNNING and run.latest_running_configuration_id == run.configuration_id:
            return
        if run.status is Status.RUNNING:  # a switch went through: PENDING first, as the local engine moves it
            mark_pending(run, clock.now())
        if run.status in (Status.UNKNOWN, Status.PENDING):
            mark_running(run, clock.now(), message)
    return step


def _kept(previous: str, message: str, clock: Clock) -> Callable[[Run], None]:
    def step(run: Run) -> None:
        assert isinstance(run, Deployment)
        if run.status not in LIVE:
            return
        text = f"Configuration '{run.configuration_id}' failed, still serving '{previous}': {message}"
        if run.status is Status.RUNNING:
            run.status_message, run.modified_at = text[:256], clock.now()
        else:
            mark_running(run, clock.now(), text)
        run.latest_running_configuration_id = previous
    return step

