"""The Orchestrator port: what the services ask of whatever drives runs (local engine, Step Functions).

Services record the user's intent first (a conditional write of targetStatus), then call the orchestrator.
An orchestrator moves the run on with the `mark_*` steps of domain/runs.py through a RunRepository, at once
or later; it never decides whether a request is allowed (the state machine already did).
"""
from __future__ import annotations

from typing import Optional, Protocol

from .context import TenantContext
from .runs import Deployment, Execution


class Orchestrator(Protocol):
    def start_execution(self, ctx: TenantContext, execution: Execution) -> None:
        """A new execution was stored with status UNKNOWN: submit it."""

    def stop_execution(self, ctx: TenantContext, execution: Execution) -> None:
        """targetStatus became STOPPED: stop the work and record STOPPED."""

    def delete_execution(self, ctx: TenantContext, execution: Execution) -> None:
        """targetStatus became DELETED: release what the run holds, then remove its record."""

    def start_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        """A new deployment was stored with status UNKNOWN: bring the predictor up."""

    def update_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        """The deployment now names another configuration: roll the predictor over to it."""

    def stop_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        """targetStatus became STOPPED: take the predictor down and record STOPPED."""

    def delete_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        """targetStatus became DELETED: release what the run holds, then remove its record."""


class GroupProvisioner(Protocol):
    """What the resource group service asks of the engine when a group comes and goes (AWS: the group's namespace on
    the cluster, through the control state machine). Runs do not wait for it: their first step ensures the namespace
    too, so a provisioning that did not go through is made up for then."""

    def provision_group(self, tenant: str, resource_group: str) -> None:
        """A resource group was created."""

    def deprovision_group(self, tenant: str, resource_group: str) -> None:
        """A resource group was deleted: what the engine holds for it goes."""


class SecretCopies(Protocol):
    """What a secret service asks of the engine when a secret is deleted (AWS: the Kubernetes Secrets that runs'
    submits wrote into namespaces, removed through the control state machine). Locally there are no copies."""

    def forget_secret(self, tenant: str, resource_group: Optional[str], kubernetes_name: str) -> None:
        """The copies named `kubernetes_name` go from the group's namespace, or from every group's of the tenant
        (`resource_group` None: a tenant-wide secret)."""
