"""The domain services the routes call: resource groups, configurations, artifacts, runs,
secrets and object storage, schedules, metrics and logs."""
from __future__ import annotations

from functools import cached_property

from .base import Wiring


class ServiceWiring(Wiring):
    @cached_property
    def resource_groups(self):
        from ..domain.resource_group_cache import CachedResourceGroups

        # a ResourceGroupService that remembers usable groups; on AWS it has each group's namespace provisioned
        provisioner = self.step_functions_orchestrator if self.settings.engine == "stepfunctions" else None
        return CachedResourceGroups(self.store, self.clock, provisioner=provisioner)

    @cached_property
    def kpis(self):
        from ..domain.analytics import KpiService

        return KpiService(self.store)

    @cached_property
    def configurations(self):
        from ..domain.configurations import ConfigurationService

        return ConfigurationService(self.store, self.clock)

    @cached_property
    def artifacts(self):
        from ..domain.artifacts import ArtifactService

        return ArtifactService(self.store, self.clock)

    @cached_property
    def executions(self):
        from ..domain.executions import ExecutionService

        return ExecutionService(self.store, self.clock, self.orchestrator, self.artifacts)

    @cached_property
    def deployments(self):
        from ..domain.deployments import DeploymentService

        return DeploymentService(self.store, self.clock, self.orchestrator, self.settings.base_url)

    @cached_property
    def object_store_secrets(self):
        from ..domain.object_store_secrets import ObjectStoreSecretService

        return ObjectStoreSecretService(self.store, self.clock, self.secret_cipher, self.secret_copies)

    @cached_property
    def docker_registry_secrets(self):
        from ..domain.docker_secrets import DockerRegistrySecretService

        return DockerRegistrySecretService(self.store, self.clock, self.secret_cipher, self.secret_copies)

    @cached_property
    def generic_secrets(self):
        from ..domain.generic_secrets import GenericSecretService

        return GenericSecretService(self.store, self.clock, self.secret_cipher, self.secret_copies)

    @cached_property
    def secret_copies(self):
        """AWS: a run's submit copies the secrets it uses into its namespace; deleting a secret removes them."""
        return self.step_functions_orchestrator if self.settings.engine == "stepfunctions" else None

    @cached_property
    def object_locations(self):
        """ai:// URLs and (secret, path) pairs -> bucket/key/connection; the run engine reuses it."""
        from ..domain.object_store import ObjectStoreResolver, PlatformStorage

        s = self.settings
        platform = PlatformStorage(s.resolved_bucket, s.aws_endpoint_url, s.aws_region,
                                   allow_private_endpoints=s.aws_endpoint_url is not None,
                                   buckets_in_platform_store=s.secret_buckets_in_platform_store)
        return ObjectStoreResolver(self.object_store_secrets, platform)

    @cached_property
    def dataset_files(self):
        from ..domain.dataset_files import DatasetFileService

        return DatasetFileService(self.object_locations, self.object_store, self.settings.max_dataset_file_bytes)

    @cached_property
    def schedules(self):
        from ..domain.schedules import ScheduleService

        return ScheduleService(self.store, self.clock, self.settings.schedule_min_interval_seconds)

    @cached_property
    def schedule_ticker(self):
        from ..domain.ticker import ScheduleTicker

        return ScheduleTicker(self.store, self.clock, self.executions, self.telemetry)

    @cached_property
    def metrics(self):
        from ..domain.tracking.service import MetricsService

        return MetricsService(self.store, self.clock, self.settings.metrics_max_document_bytes)

    @cached_property
    def _credential_key(self) -> bytes:
        """The key that signs credentials carried in URLs (a run's tracking endpoint, a deployment's logger URL)."""
        import hashlib

        s = self.settings
        if s.tracking_mac_key_id:  # AWS: every function derives the same key; none is stored
            from ..adapters.aws.kms_cipher import derived_key

            material = derived_key(self.kms_client, s.tracking_mac_key_id, b"aicore-tracking")
        elif s.secrets_key:
            material = s.secrets_key.encode()
        else:
            from ..adapters.local.keys import load_secrets_key

            material = load_secrets_key(s.keys_dir)
        return hashlib.sha256(b"aicore-tracking:" + material).digest()

    @cached_property
    def tracking_credentials(self):
        """Signs the credential in a run's AICORE_TRACKING_ENDPOINT (it may write only that run's metrics)."""
        from ..domain.tracking import TrackingCredentials

        return TrackingCredentials(self._credential_key, self.clock)

    @cached_property
    def traffic_credentials(self):
        """Signs the credential in a deployment's KServe logger URL (it may record only that deployment's traffic;
        each class signs under its own purpose, so neither credential passes for the other)."""
        from ..domain.traffic_collector import TrafficCredentials

        return TrafficCredentials(self._credential_key, self.clock)

    @cached_property
    def log_store(self):
        if self.settings.engine == "stepfunctions":  # runs on EKS: archived pods in S3, running pods live
            from ..adapters.aws.cluster_logs import cluster_log_store

            return cluster_log_store(self.settings, self.cluster_log_archive)
        # No engine collects logs here; the local stack swaps in its durable FileLogStore.
        from ..adapters.local.logs import EmptyLogStore

        return EmptyLogStore()

    @cached_property
    def logs(self):
        from ..domain.logs import LogService

        return LogService(self.store, self.log_store, self.clock)
