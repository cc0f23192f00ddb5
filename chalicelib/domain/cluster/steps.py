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
from typing import Any, Dict, Optional

from ..argo.pods import WorkflowError
from ..context import TenantContext
from ..errors import DomainError
from ..lifecycle import Status, TargetStatus
from ..object_store import AI_SCHEME
from ..run_steps import LIVE, bound_inputs, load_run, parameters_of, require_default_store, when_live
from ..runs import Deployment, Run, mark_pending
from . import namespace_steps
from .deployment_steps import DeploymentSteps, kept_previous
from .execution_steps import ExecutionSteps
from .inference_service import deployment_inference_service, inference_service_name, with_traffic_logger
from .inference_service import pull_secret_names as serving_pull_secrets
from .ports import ClusterError, ManifestRejected
from .run_messages import DEPLOYMENT_STOPPED, EXECUTION_STOPPED, REFUSED, error_message, failure_message
from .run_ref import DEPLOYMENT, EXECUTION, GROUP, SECRET, RunRef, namespace_labels
from .run_secrets import run_secrets
from .run_step_base import ClusterServices, done
from .secret_manifests import kubernetes_secret_name
from .workflow_manifest import (ExecutionSpec, S3Location, execution_workflow, pull_secret_names, s3_location,
                                with_run_env, workflow_name)

__all__ = ["ClusterRunSteps", "ClusterServices", "RunRef", "EXECUTION", "DEPLOYMENT"]
log = logging.getLogger("aicore.cluster")


class ClusterRunSteps(ExecutionSteps, DeploymentSteps):
    """Every step a Step Functions task asks for (this module's and its two bases')."""

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
            service_account=self._services.service_account, resource_plans=self._services.resource_plans,
            configuration_id=run.configuration_id)

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
            url = self._services.traffic_logger_url
            logger_url = (lambda rate: url(ref.ctx, run.id, rate)) if url else None
            self._cluster.apply_inference_service(ref.namespace, with_traffic_logger(manifest, logger_url))

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
            return done()
        if run.target_status == TargetStatus.DELETED:
            self.delete(ref)
            return done()
        if run.status not in LIVE:
            return done()
        if ref.kind == EXECUTION:
            return self._poll_execution(ref, run)
        return self._poll_deployment(ref, run)

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
            # The serving revision's pods go once KServe has rolled over, and their logs with them: a snapshot
            # now (the logs endpoints read them live while they last, then this)
            self._archive_logs(ref, everything=True)
            self._apply(ref, run, manifest)
        except (WorkflowError, DomainError, ManifestRejected) as err:
            message = error_message(err) if not isinstance(err, ManifestRejected) else \
                REFUSED.format(what="InferenceService", message=err.message)
            if serving:  # the previous configuration keeps serving and stays the rollback target
                self._update(ref, kept_previous(serving, message, self._clock))
            else:
                self._end(ref, Status.DEAD, message)
            return
        self._update(ref, when_live(lambda r: mark_pending(
            r, self._clock.now(), f"Rolling out configuration '{r.configuration_id}'.")
            if r.status is not Status.PENDING else None))

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


def _s3_uri(location: S3Location) -> str:
    return f"s3://{location.bucket}/{location.key}".rstrip("/")


def _initial_target(ref: RunRef) -> TargetStatus:
    return TargetStatus.COMPLETED if ref.kind == EXECUTION else TargetStatus.RUNNING
