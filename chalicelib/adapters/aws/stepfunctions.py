"""The Orchestrator on AWS: each run is driven by a Step Functions state machine (infra/statemachines/).

The API function only starts state-machine executions (boto3; no kubernetes here); the `cluster_task` function
does the work on the cluster. Names make starts idempotent: a run's execution is named after the run, and Step
Functions refuses a second execution of that name (ExecutionAlreadyExists) while the first one counts, so a start
that is repeated (a retried request, a schedule firing twice) never drives the run twice. Stop, delete and update
go through the control state machine under names that carry the request time, so each request runs once.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import datetime
from typing import Any, Dict, Optional

from botocore.exceptions import ClientError

from chalicelib.domain.clock import Clock
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import NotFound, PreconditionFailed
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.records import RecordStore
from chalicelib.domain.runs import Deployment, Execution, Run, RunRepository, mark_finished, mark_pending

log = logging.getLogger(__name__)

# Execution names: at most 80 characters; with CloudWatch logging on, only letters, digits, '-' and '_'.
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_ALREADY_EXISTS = "ExecutionAlreadyExists"


def run_input(ctx: TenantContext, run: Run) -> Dict[str, Any]:
    """The `run` object every state machine and task event carries (chalicelib/adapters/aws/cluster_tasks.py)."""
    return {"kind": run.RUN_KIND.value, "tenant": ctx.tenant, "resourceGroup": ctx.resource_group, "id": run.id}


def execution_name(ctx: TenantContext, run: Run) -> str:
    """Readable (the run id first) and unique per tenant, resource group, kind and id (the digest)."""
    return _name(run.RUN_KIND.value, ctx.tenant, ctx.resource_group or "", run.id)


def _name(kind: str, tenant: str, resource_group: str, id_: str) -> str:
    digest = hashlib.sha256("\n".join([kind, tenant, resource_group, id_]).encode()).hexdigest()[:12]
    return f"{_NAME_UNSAFE.sub('_', id_)[:24]}-{digest}"


def request_name(ctx: TenantContext, run: Run, action: str, at: datetime) -> str:
    """One control request: the run's name, the action and the request time (<= 24+1+12+1+11+1+22 = 72 chars)."""
    return f"{execution_name(ctx, run)}-{action}-{at.strftime('%Y%m%dT%H%M%S%fZ')}"


GROUP = "resourceGroup"  # the control machine's `run.kind` for a resource group's own namespace
SECRET, EVERY_GROUP = "secret", "*"  # ... for a deleted secret's copies (in one group's namespace, or every group's)


class StepFunctionsOrchestrator:
    def __init__(self, store: RecordStore, clock: Clock, client: Any, execution_arn: Optional[str],
                 deployment_arn: Optional[str], control_arn: Optional[str], polls_per_execution: int = 1000):
        self._runs = RunRepository(store)
        self._clock = clock
        self._client = client  # boto3 "stepfunctions"
        self._arns = {"execution": execution_arn, "deployment": deployment_arn, "control": control_arn}
        self._polls_per_execution = polls_per_execution

    # -- the Orchestrator port ---------------------------------------------------------------------------------
    def start_execution(self, ctx: TenantContext, execution: Execution) -> None:
        self._start(ctx, execution, "execution", execution_name(ctx, execution))

    def stop_execution(self, ctx: TenantContext, execution: Execution) -> None:
        self._control(ctx, execution, "stop")

    def delete_execution(self, ctx: TenantContext, execution: Execution) -> None:
        # Always through the cluster, even for an ended run: its Workflow, pods' logs and archive go too.
        self._control(ctx, execution, "delete")

    def start_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._start(ctx, deployment, "deployment", execution_name(ctx, deployment))

    def update_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        if deployment.status == Status.DEAD:
            # A DEAD deployment's state machine has ended: nothing polls it any more. A new configuration revives
            # it, so it gets a new deployment state machine (render, apply, poll) under a name of its own.
            self._start(ctx, deployment, "deployment", request_name(ctx, deployment, "revive", self._clock.now()))
            return
        # A live deployment is polled by its state machine already; the control machine applies the new
        # InferenceService spec and KServe rolls the predictor over. The update step marks it PENDING itself, after
        # the apply: it needs to see a RUNNING deployment as RUNNING to keep the old configuration if the new fails.
        self._control(ctx, deployment, "update")

    def stop_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._control(ctx, deployment, "stop")

    def delete_deployment(self, ctx: TenantContext, deployment: Deployment) -> None:
        self._control(ctx, deployment, "delete")

    # -- a resource group's namespace (the resource group service calls these) ------------------------------------
    def provision_group(self, tenant: str, resource_group: str) -> None:
        self._group(tenant, resource_group, "provision")

    def deprovision_group(self, tenant: str, resource_group: str) -> None:
        self._group(tenant, resource_group, "deprovision")

    def _group(self, tenant: str, resource_group: str, action: str) -> None:
        self._namespace_control(GROUP, tenant, resource_group, resource_group, action)

    # -- a deleted secret's copies (the secret services call this) -------------------------------------------------
    def forget_secret(self, tenant: str, resource_group: Optional[str], kubernetes_name: str) -> None:
        self._namespace_control(SECRET, tenant, resource_group or EVERY_GROUP, kubernetes_name, "forget")

    def _namespace_control(self, kind: str, tenant: str, resource_group: str, id_: str, action: str) -> None:
        now = self._clock.now()
        ref = {"kind": kind, "tenant": tenant, "resourceGroup": resource_group, "id": id_}
        name = f"{_name(kind, tenant, resource_group, id_)}-{action}-{now.strftime('%Y%m%dT%H%M%S%fZ')}"
        try:
            self._start_machine("control", name, {"run": ref, "action": action, "requestedAt": now.isoformat()})
        except ClientError as err:  # the record's change stands: the API answers; the cluster side is logged
            log.error("StartExecution %s (%s %s of %s) failed: %s", name, action, kind, resource_group, err)

    # -- starting state machines ---------------------------------------------------------------------------------
    def _start(self, ctx: TenantContext, run: Run, machine: str, name: str) -> None:
        # PENDING first: the state machine's steps move the run on from there (a later PENDING would go backwards).
        self._mark_pending(ctx, run)
        payload = {"run": run_input(ctx, run), "pollsPerExecution": self._polls_per_execution}
        try:
            self._start_machine(machine, name, payload)
        except ClientError as err:
            # Nothing will drive the run: say so on the run rather than leave it PENDING for ever.
            message = (f"Could not start the {machine} on AWS Step Functions "
                       f"({err.response.get('Error', {}).get('Code')}): create it again.")
            log.error("StartExecution %s for %s failed: %s", name, run.id, err)
            self._quietly(ctx, run, lambda r: mark_finished(r, Status.DEAD, self._clock.now(), message))

    def _control(self, ctx: TenantContext, run: Run, action: str) -> None:
        now = self._clock.now()
        payload = {"run": run_input(ctx, run), "action": action, "requestedAt": now.isoformat()}
        self._start_machine("control", request_name(ctx, run, action, now), payload)

    def _start_machine(self, machine: str, name: str, payload: Dict[str, Any]) -> None:
        arn = self._arns[machine]
        if not arn:
            raise RuntimeError(f"AICORE_{machine.upper()}_STATE_MACHINE_ARN must be set when "
                               "AICORE_ENGINE=stepfunctions")
        body = json.dumps(payload, sort_keys=True, separators=(",", ":"))  # the same run gives the same input
        try:
            self._client.start_execution(stateMachineArn=arn, name=name, input=body)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") != _ALREADY_EXISTS:
                raise
            log.info("State machine execution %s already started: this start is a repeat", name)

    # -- run records ---------------------------------------------------------------------------------------------
    def _mark_pending(self, ctx: TenantContext, run: Run) -> None:
        self._quietly(ctx, run, lambda r: mark_pending(r, self._clock.now()))

    def _quietly(self, ctx: TenantContext, run: Run, step) -> None:
        try:
            self._runs.update(ctx, type(run), run.id, step)
        except NotFound:
            pass  # deleted meanwhile: nothing left to move on
        except PreconditionFailed:
            pass  # the state machine already moved it further (a repeated start): leave its status alone
