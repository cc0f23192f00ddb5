"""Deployments: serve a deployable executable with a configuration; stop, switch configuration, delete."""
from __future__ import annotations

import re
from typing import Optional

from .context import TenantContext
from .errors import InvalidInput
from .run_service import RunService
from .runs import Deployment, request_reconfigure, require_id

TTL = re.compile(r"^(?P<amount>[0-9]+)(?P<unit>[mMhHdD])$")
MINUTES_PER_UNIT = {"m": 1, "h": 60, "d": 1440}
MIN_TTL_MINUTES = 10  # advertised by /lm/meta as limits.timeToLiveDeployments.minimum "10m"


def ttl_minutes(ttl: str) -> int:
    """`24H`, `5h`, `10m`, `2d`: a whole number and one unit; at least 10 minutes."""
    match = TTL.match(ttl)
    if not match:
        raise InvalidInput(f"'ttl' must be a whole number followed by m, h or d (for example 24h), got '{ttl[:50]}'.",
                           target="ttl")
    minutes = int(match["amount"]) * MINUTES_PER_UNIT[match["unit"].lower()]
    if minutes < MIN_TTL_MINUTES:
        raise InvalidInput(f"'ttl' must be at least {MIN_TTL_MINUTES}m, got '{ttl}'.", target="ttl")
    return minutes


class DeploymentService(RunService[Deployment]):
    cls = Deployment

    def __init__(self, store, clock, orchestrator, base_url: str, new_id=None):
        super().__init__(store, clock, orchestrator, new_id)
        self._base_url = base_url.rstrip("/")

    def inference_url(self, deployment_id: str) -> str:
        return f"{self._base_url}/v2/inference/deployments/{deployment_id}"

    def create(self, ctx: TenantContext, configuration_id: str, ttl: Optional[str] = None) -> Deployment:
        require_id(configuration_id, "Configuration")
        if ttl is not None:
            ttl_minutes(ttl)
        configuration, executable = self._resolve(ctx, configuration_id)
        if not executable.deployable:
            raise InvalidInput(
                f"Executable '{executable.id}' of scenario '{executable.scenario_id}' is not deployable (a workflow "
                f"template): start an execution with configuration '{configuration_id}' instead of a deployment.",
                target="configurationId")
        now = self._clock.now()
        new_id = self._new_id()
        deployment = self._runs.create(ctx, Deployment(
            id=new_id, configuration_id=configuration.id, configuration_name=configuration.name,
            scenario_id=configuration.scenario_id, executable_id=configuration.executable_id,
            inference_url=self.inference_url(new_id), ttl=ttl, created_at=now, modified_at=now))
        self._orchestrator.start_deployment(ctx, deployment)
        return self._runs.find(ctx, Deployment, deployment.id) or deployment

    def modify(self, ctx: TenantContext, deployment_id: str, target_status: Optional[str],
               configuration_id: Optional[str]) -> Deployment:
        """Single PATCH: a stop or a configuration switch, never both at once."""
        if target_status is not None and configuration_id is not None:
            raise InvalidInput("Send either 'targetStatus' or 'configurationId', not both.")
        if target_status is None and configuration_id is None:
            raise InvalidInput("Send 'targetStatus': 'STOPPED' or a new 'configurationId'.")
        if target_status is not None:
            if target_status != "STOPPED":
                hint = " Use DELETE to delete a deployment." if target_status == "DELETED" else ""
                raise InvalidInput(f"'targetStatus' must be STOPPED, got '{target_status}'.{hint}",
                                   target="targetStatus")
            return self.stop(ctx, deployment_id)
        return self._reconfigure(ctx, deployment_id, configuration_id)

    def _reconfigure(self, ctx: TenantContext, deployment_id: str, configuration_id: str) -> Deployment:
        require_id(configuration_id, "Configuration")
        current = self.get(ctx, deployment_id)
        configuration, _ = self._resolve(ctx, configuration_id)
        if (configuration.scenario_id, configuration.executable_id) != (current.scenario_id, current.executable_id):
            raise InvalidInput(
                f"Configuration '{configuration_id}' is for executable '{configuration.executable_id}' of scenario "
                f"'{configuration.scenario_id}', but deployment '{deployment_id}' serves executable "
                f"'{current.executable_id}' of scenario '{current.scenario_id}': the new configuration must use the "
                "same scenario and executable.", target="configurationId")
        deployment = self._runs.update(ctx, Deployment, deployment_id, lambda d: request_reconfigure(
            d, configuration.id, configuration.name, self._clock.now()))
        self._orchestrator.update_deployment(ctx, deployment)
        return deployment

    def _stop(self, ctx: TenantContext, run: Deployment) -> None:
        self._orchestrator.stop_deployment(ctx, run)

    def _delete(self, ctx: TenantContext, run: Deployment) -> None:
        self._orchestrator.delete_deployment(ctx, run)
