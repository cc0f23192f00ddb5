"""Composition root: builds adapters and services once per process. Tests call override()/reset()."""
from __future__ import annotations

import threading
from functools import cached_property
from typing import Any, Optional

from .settings import Settings, get_settings


class Container:
    """Each service is built on first use, so a route pays only for what it touches."""

    def __init__(self, settings: Settings):
        self.settings = settings

    # -- infrastructure --------------------------------------------------------------------------
    @cached_property
    def clock(self):
        from .domain.clock import SystemClock

        return SystemClock()

    @cached_property
    def store(self):
        from .adapters.dynamodb.models import configure
        from .adapters.dynamodb.store import DynamoRecordStore

        s = self.settings
        configure(s.resolved_table_prefix, s.aws_region, s.aws_endpoint_url)
        return DynamoRecordStore()

    @cached_property
    def verifier(self):
        from .adapters.auth.jwt_tokens import JwtVerifier, jwks_keys, static_key

        s = self.settings
        if s.auth_mode == "oidc":
            if not s.oidc_jwks_url:
                raise RuntimeError("AICORE_OIDC_JWKS_URL must be set when AICORE_AUTH_MODE=oidc")
            return JwtVerifier(jwks_keys(s.oidc_jwks_url), s.oidc_issuer, s.oidc_audience, s.tenant_claim)
        from .adapters.local.keys import load_signing_key

        return JwtVerifier(static_key(load_signing_key(s.keys_dir).public_key()), s.local_issuer, None,
                           s.tenant_claim)

    @cached_property
    def secret_cipher(self):
        s = self.settings
        if s.kms_key_id:  # AWS: envelope encryption under the stack's KMS key
            from .adapters.aws.kms_cipher import KmsCipher

            return KmsCipher(self.kms_client, s.kms_key_id)
        from .adapters.crypto import cipher_from_settings

        return cipher_from_settings(s.secrets_key, s.keys_dir, allow_key_file=s.auth_mode == "local")

    @cached_property
    def kms_client(self):
        import boto3

        s = self.settings
        return boto3.client("kms", region_name=s.aws_region, endpoint_url=s.aws_endpoint_url)

    @cached_property
    def object_store(self):
        from .adapters.aws.s3_store import S3ObjectStore

        # A secret's own bucket is never created here: on the embedded stack it lives inside the platform bucket
        # (domain.object_store), and a bucket on someone's own store is theirs to create.
        return S3ObjectStore()

    # -- services --------------------------------------------------------------------------------
    @cached_property
    def resource_groups(self):
        from .domain.resource_group_cache import CachedResourceGroups

        # a ResourceGroupService that remembers usable groups; on AWS it has each group's namespace provisioned
        provisioner = self.step_functions_orchestrator if self.settings.engine == "stepfunctions" else None
        return CachedResourceGroups(self.store, self.clock, provisioner=provisioner)

    @cached_property
    def kpis(self):
        from .domain.analytics import KpiService

        return KpiService(self.store)

    @cached_property
    def orchestrator(self):
        if self.settings.engine == "stepfunctions":
            return self.step_functions_orchestrator
        # No engine: runs wait in PENDING (the local stack swaps in its local engine).
        from .adapters.local.orchestrator import IdleOrchestrator

        return IdleOrchestrator(self.store, self.clock)

    @cached_property
    def deployment_engine(self):
        """Local predictors (adapters/local/serving.py); the local stack's orchestrator hands deployments to it."""
        from .adapters.local.images import ImageResolver
        from .adapters.local.runner import hide_from_steps
        from .adapters.local.serving import LocalDeploymentEngine
        from .adapters.local.serving_storage import ArtifactFetcher
        from .domain.records import Kind

        def sink(ctx, run_id, entry):  # looked up per line: the local stack swaps in its durable log store
            append = getattr(self.log_store, "append", None)
            if append is not None:
                append(ctx, Kind.DEPLOYMENT, run_id, entry)

        s = self.settings
        hide_from_steps([s.home, s.resolved_git_cache_dir])  # predictors run user code: none sees the stack's state
        return LocalDeploymentEngine(self.store, self.clock, s.deployments_dir,
                                     ArtifactFetcher(self.object_locations, self.object_store), sink,
                                     ready_seconds=s.predictor_ready_seconds, drain_seconds=s.predictor_drain_seconds,
                                     images=ImageResolver(s.home / "images.yaml"),
                                     forget_logs=lambda ctx, run_id: getattr(self.log_store, "delete", lambda *a: None)(
                                         ctx, Kind.DEPLOYMENT, run_id),
                                     checkouts=self.checkouts)

    @cached_property
    def inference_access(self):
        """Who may call which deployment's predictor (the local front's inference proxy asks it)."""
        from .domain.inference import InferenceAccess

        return InferenceAccess(self.verifier, self.store, self.deployment_engine.acquire)

    @cached_property
    def execution_engine(self):
        """Executions as host processes (local stack; stack.start wires it in with use_local_engine)."""
        from .adapters.local.engine import LocalExecutionEngine
        from .adapters.local.images import ImageResolver
        from .adapters.local.runner import hide_from_steps
        from .adapters.local.steps import RunServices, protected_tops
        from .domain.records import Kind

        s = self.settings
        hide_from_steps([s.home, s.resolved_git_cache_dir])  # keys, service keys, journal, other runs, other repos
        services = RunServices(
            artifacts=self.artifacts, locations=self.object_locations, object_store=self.object_store,
            generic_secrets=self.generic_secrets,
            append_log=lambda ctx, run_id, entry: self.log_store.append(ctx, Kind.EXECUTION, run_id, entry),
            close_log=lambda ctx, run_id: self.log_store.close(ctx, Kind.EXECUTION, run_id),
            delete_log=lambda ctx, run_id: self.log_store.delete(ctx, Kind.EXECUTION, run_id),
            tracking_env=lambda ctx, run_id: self.tracking_credentials.run_environment(s.base_url, ctx, run_id),
            images=ImageResolver(s.home / "images.yaml"), protected=protected_tops(s.home),
            checkouts=self.checkouts)
        return LocalExecutionEngine(self.store, self.clock, services, s.home)

    @cached_property
    def checkouts(self):
        """Exports of synced commits: the default folder of an image built from the synced repository."""
        from .adapters.local.checkout import RepositoryCheckouts

        return RepositoryCheckouts(self.template_source, self.settings.home / "checkouts")

    @cached_property
    def configurations(self):
        from .domain.configurations import ConfigurationService

        return ConfigurationService(self.store, self.clock)

    @cached_property
    def artifacts(self):
        from .domain.artifacts import ArtifactService

        return ArtifactService(self.store, self.clock)

    @cached_property
    def executions(self):
        from .domain.executions import ExecutionService

        return ExecutionService(self.store, self.clock, self.orchestrator, self.artifacts)

    @cached_property
    def deployments(self):
        from .domain.deployments import DeploymentService

        return DeploymentService(self.store, self.clock, self.orchestrator, self.settings.base_url)

    # -- secrets and object storage (slice: secrets + dataset files) -------------------------------
    @cached_property
    def object_store_secrets(self):
        from .domain.object_store_secrets import ObjectStoreSecretService

        return ObjectStoreSecretService(self.store, self.clock, self.secret_cipher, self.secret_copies)

    @cached_property
    def docker_registry_secrets(self):
        from .domain.docker_secrets import DockerRegistrySecretService

        return DockerRegistrySecretService(self.store, self.clock, self.secret_cipher, self.secret_copies)

    @cached_property
    def generic_secrets(self):
        from .domain.generic_secrets import GenericSecretService

        return GenericSecretService(self.store, self.clock, self.secret_cipher, self.secret_copies)

    @property
    def secret_copies(self):
        """AWS: runs' submits copy secrets into namespaces; deleting a secret removes them (the control machine)."""
        return self.step_functions_orchestrator if self.settings.engine == "stepfunctions" else None

    @cached_property
    def object_locations(self):
        """ai:// URLs and (secret, path) pairs -> bucket/key/connection; the run engine reuses it."""
        from .domain.object_store import ObjectStoreResolver, PlatformStorage

        s = self.settings
        platform = PlatformStorage(s.resolved_bucket, s.aws_endpoint_url, s.aws_region,
                                   allow_private_endpoints=s.aws_endpoint_url is not None,
                                   buckets_in_platform_store=s.secret_buckets_in_platform_store)
        return ObjectStoreResolver(self.object_store_secrets, platform)

    @cached_property
    def dataset_files(self):
        from .domain.dataset_files import DatasetFileService

        return DatasetFileService(self.object_locations, self.object_store, self.settings.max_dataset_file_bytes)

    # -- schedules, metrics, logs ------------------------------------------------------------------
    @cached_property
    def schedules(self):
        from .domain.schedules import ScheduleService

        return ScheduleService(self.store, self.clock, self.settings.schedule_min_interval_seconds)

    @cached_property
    def schedule_ticker(self):
        from .domain.ticker import ScheduleTicker

        return ScheduleTicker(self.store, self.clock, self.executions)

    @cached_property
    def metrics(self):
        from .domain.tracking.service import MetricsService

        return MetricsService(self.store, self.clock, self.settings.metrics_max_document_bytes)

    @cached_property
    def tracking_credentials(self):
        """Signs the credential in a run's AICORE_TRACKING_ENDPOINT (it may write only that run's metrics)."""
        import hashlib

        from .domain.tracking import TrackingCredentials

        s = self.settings
        if s.tracking_mac_key_id:  # AWS: every function derives the same key; none is stored
            from .adapters.aws.kms_cipher import derived_key

            material = derived_key(self.kms_client, s.tracking_mac_key_id, b"aicore-tracking")
        elif s.secrets_key:
            material = s.secrets_key.encode()
        else:
            from .adapters.local.keys import load_secrets_key

            material = load_secrets_key(s.keys_dir)
        return TrackingCredentials(hashlib.sha256(b"aicore-tracking:" + material).digest(), self.clock)

    @cached_property
    def log_store(self):
        if self.settings.engine == "stepfunctions":  # runs on EKS: archived pods in S3, running pods live
            from .adapters.aws.cluster_logs import cluster_log_store

            return cluster_log_store(self.settings, self.cluster_log_archive)
        # No engine collects logs here; the local stack swaps in its durable FileLogStore.
        from .adapters.local.logs import EmptyLogStore

        return EmptyLogStore()

    @cached_property
    def logs(self):
        from .domain.logs import LogService

        return LogService(self.store, self.log_store, self.clock)

    # -- git sync: repositories, applications, scenarios and executables -----------------------------
    @cached_property
    def repositories(self):
        from .domain.repositories import RepositoryService

        return RepositoryService(self.store, self.clock, self.secret_cipher, self.settings.git_allows_local,
                                 self.sync_queue)

    @cached_property
    def sync_queue(self):
        # Consumed by the local stack's worker; in AWS the scheduled poll picks requests up from the records.
        from .adapters.git.worker import InMemorySyncQueue

        return InMemorySyncQueue()

    @cached_property
    def catalog(self):
        """Scenarios, versions and executables as synced from Git (configurations and runs read them here)."""
        from .domain.catalog import CatalogService

        return CatalogService(self.store)

    @cached_property
    def reconciler(self):
        from .domain.reconcile import Reconciler

        return Reconciler(self.store, self.clock)

    @cached_property
    def applications(self):
        from .domain.applications import ApplicationService

        return ApplicationService(self.store, self.clock, self.repositories, self.sync_queue,
                                  self.reconciler.remove_application)

    @cached_property
    def template_source(self):
        from .adapters.git.source import DulwichTemplateSource

        return DulwichTemplateSource(self.settings.resolved_git_cache_dir)

    @cached_property
    def git_sync(self):
        from .adapters.git.argo import validate_workflow_template
        from .domain.sync import SyncService

        return SyncService(self.store, self.clock, self.template_source, validate_workflow_template,
                           self.repositories, self.applications, self.reconciler, self.engine_limits)

    @cached_property
    def engine_limits(self):
        """What the execution engine cannot run, reported by the Git sync: nothing on AWS (Argo runs the templates
        as written); the local stack's use_local_engine sets the local engine's whitelist check."""
        return None

    # -- AWS orchestration: Step Functions (API side) and the EKS cluster (the cluster_task function only) ------------
    @cached_property
    def step_functions_client(self):
        import boto3

        s = self.settings
        return boto3.client("stepfunctions", region_name=s.aws_region, endpoint_url=s.aws_endpoint_url)

    @cached_property
    def step_functions_orchestrator(self):
        """Starts the state machines of infra/statemachines/; only boto3 (the API function never loads kubernetes)."""
        from .adapters.aws.stepfunctions import StepFunctionsOrchestrator

        s = self.settings
        return StepFunctionsOrchestrator(self.store, self.clock, self.step_functions_client,
                                         s.execution_state_machine_arn,
                                         s.deployment_state_machine_arn, s.control_state_machine_arn,
                                         polls_per_execution=s.sfn_polls_per_execution)

    @cached_property
    def cluster(self):
        """The EKS cluster through the official kubernetes client (adapters/k8s/): cluster_task only."""
        s = self.settings
        if not (s.eks_cluster_name and s.eks_endpoint and s.eks_ca_data):
            raise RuntimeError("AICORE_EKS_CLUSTER_NAME, AICORE_EKS_ENDPOINT and AICORE_EKS_CA_DATA must be set for "
                               "the cluster steps")
        from .adapters.k8s.eks_auth import eks_cluster

        return eks_cluster(s.eks_endpoint, s.eks_ca_data, s.eks_cluster_name, s.aws_region, s.eks_role_arn,
                           s.eks_workload_role_arn)

    @cached_property
    def cluster_inference_access(self):
        """Who may call which deployment on AWS (the inference path's authorizer): RUNNING deployments of the
        caller's tenant and group, at the ingress host KServe serves their InferenceService under."""
        from .adapters.aws.inference_authorizer import running_host
        from .domain.cluster.inference_hosts import check_domain_template, ingress_host
        from .domain.inference import InferenceAccess

        s = self.settings
        template = check_domain_template(s.ingress_domain_template)

        def host_of(ctx, deployment_id):
            return ingress_host(template, s.ingress_domain, ctx.tenant, ctx.require_resource_group(), deployment_id)

        return InferenceAccess(self.verifier, self.store, running_host(self.store, host_of))

    @cached_property
    def cluster_log_archive(self):
        """Pods' logs after the pods are gone: JSON lines in the artifacts bucket."""
        from .adapters.aws.s3_log_archive import S3LogArchive

        s = self.settings
        return S3LogArchive(s.resolved_bucket, s.log_archive_prefix, s.aws_region, s.aws_endpoint_url)

    @cached_property
    def cluster_steps(self):
        """The orchestration steps the state machines' tasks run (adapters/aws/cluster_tasks.py dispatches to it)."""
        from .domain.cluster.steps import ClusterRunSteps, ClusterServices

        s = self.settings
        services = ClusterServices(
            artifacts=self.artifacts, locations=self.object_locations, docker_secrets=self.docker_registry_secrets,
            generic_secrets=self.generic_secrets,
            tracking_env=lambda ctx, run_id: self.tracking_credentials.run_environment(s.base_url, ctx, run_id),
            log_archive=self.cluster_log_archive, poll_pending_seconds=s.cluster_poll_pending_seconds,
            poll_running_seconds=s.cluster_poll_running_seconds, poll_serving_seconds=s.cluster_poll_serving_seconds)
        return ClusterRunSteps(self.store, self.clock, self.cluster, services)


_lock = threading.Lock()
_container: Optional[Container] = None


def container() -> Container:
    global _container
    if _container is None:
        with _lock:
            if _container is None:
                _container = Container(get_settings())
    return _container


def configure(settings: Settings, **overrides: Any) -> Container:
    """Build the container from explicit settings (local stack, tests); overrides replace services."""
    global _container
    with _lock:
        _container = Container(settings)
        for name, value in overrides.items():
            _container.__dict__[name] = value
    return _container


def override(**services: Any) -> None:
    """Swap services (fakes) into the current container."""
    c = container()
    for name, value in services.items():
        c.__dict__[name] = value


def reset() -> None:
    global _container
    with _lock:
        _container = None
