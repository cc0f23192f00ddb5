"""AWS orchestration: Step Functions (the API side, boto3 only) and the EKS cluster (the cluster_task
function only: the API function never loads kubernetes)."""
from __future__ import annotations

from functools import cached_property

from .base import Wiring


class AwsEngineWiring(Wiring):
    @cached_property
    def step_functions_client(self):
        import boto3

        s = self.settings
        return boto3.client("stepfunctions", region_name=s.aws_region, endpoint_url=s.aws_endpoint_url)

    @cached_property
    def step_functions_orchestrator(self):
        """Starts the state machines of infra/statemachines/; only boto3 (the API function never loads kubernetes)."""
        from ..adapters.aws.stepfunctions import StepFunctionsOrchestrator

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
        from ..adapters.k8s.eks_auth import eks_cluster

        return eks_cluster(s.eks_endpoint, s.eks_ca_data, s.eks_cluster_name, s.aws_region, s.eks_role_arn,
                           s.eks_workload_role_arn)

    @cached_property
    def cluster_inference_access(self):
        """Who may call which deployment on AWS (the inference path's authorizer): RUNNING deployments of the
        caller's tenant and group, at the ingress host KServe serves their InferenceService under."""
        from ..adapters.aws.inference_authorizer import running_host
        from ..domain.cluster.inference_hosts import check_domain_template, ingress_host
        from ..domain.inference import InferenceAccess

        s = self.settings
        template = check_domain_template(s.ingress_domain_template)

        def host_of(ctx, deployment_id):
            return ingress_host(template, s.ingress_domain, ctx.tenant, ctx.require_resource_group(), deployment_id)

        return InferenceAccess(self.verifier, self.store, running_host(self.store, host_of))

    @cached_property
    def cluster_log_archive(self):
        """Pods' logs after the pods are gone: JSON lines in the artifacts bucket."""
        from ..adapters.aws.s3_log_archive import S3LogArchive

        s = self.settings
        return S3LogArchive(s.resolved_bucket, s.log_archive_prefix, s.aws_region, s.aws_endpoint_url)

    @cached_property
    def cluster_steps(self):
        """The orchestration steps the state machines' tasks run (adapters/aws/cluster_tasks.py dispatches to it)."""
        from ..domain.cluster.steps import ClusterRunSteps, ClusterServices

        s = self.settings
        services = ClusterServices(
            artifacts=self.artifacts, locations=self.object_locations, docker_secrets=self.docker_registry_secrets,
            generic_secrets=self.generic_secrets,
            tracking_env=lambda ctx, run_id: self.tracking_credentials.run_environment(s.base_url, ctx, run_id),
            log_archive=self.cluster_log_archive, poll_pending_seconds=s.cluster_poll_pending_seconds,
            poll_running_seconds=s.cluster_poll_running_seconds, poll_serving_seconds=s.cluster_poll_serving_seconds,
            telemetry=self.telemetry,
            traffic_logger_url=lambda ctx, deployment_id, rate: self.traffic_credentials.logger_url(
                s.base_url, ctx, deployment_id, rate))
        return ClusterRunSteps(self.store, self.clock, self.cluster, services)
