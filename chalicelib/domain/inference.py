"""Deployments as the serving side sees them: what to run for one (rendering inputs), and who may call it.

`predictor_for` gathers a deployment's configuration, executable and bound artifacts from storage and renders
the predictor (domain/serving.py). `InferenceAccess` decides whether a caller reaches a deployment's predictor:
the token's tenant and the AI-Resource-Group header must own the deployment (otherwise 404, never 403, so one
tenant cannot probe another's ids), and it serves only while a predictor answers (otherwise 503).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Optional

from .auth import TokenVerifier
from .configurations import Configuration, find_executable
from .context import TenantContext
from .errors import Forbidden, InvalidInput, NotFound, ServiceUnavailable
from .ids import is_valid_id
from .records import Kind, RecordStore
from .runs import Deployment
from .serving import Predictor, RenderError, parameter_values, render_predictor


def predictor_for(store: RecordStore, ctx: TenantContext, deployment: Deployment) -> Predictor:
    record = store.get(ctx, Kind.CONFIGURATION, deployment.configuration_id)
    if record is None:
        raise RenderError(f"Configuration '{deployment.configuration_id}' no longer exists.")
    configuration = Configuration.from_record(record)
    executable = find_executable(store, ctx, configuration.scenario_id, configuration.executable_id)
    if executable is None:
        raise RenderError(f"Executable '{configuration.executable_id}' of scenario '{configuration.scenario_id}' no "
                          "longer exists; sync its template again.")
    artifacts: Dict[str, str] = {}
    for binding in configuration.input_artifact_bindings:
        artifact = store.get(ctx, Kind.ARTIFACT, binding.artifact_id)
        if artifact is None:
            raise RenderError(f"Artifact '{binding.artifact_id}' bound to input '{binding.key}' no longer exists.")
        artifacts[binding.key] = artifact.doc["url"]
    parameters = parameter_values(executable.template, {b.key: b.value for b in configuration.parameter_bindings})
    return render_predictor(executable.template, parameters, artifacts)


@dataclass(frozen=True)
class InferenceTarget:
    ctx: TenantContext
    deployment_id: str
    upstream: str  # base URL of the predictor that serves it now


# (tenant context, deployment id) -> the serving predictor's base URL, or None when none answers.
EndpointLookup = Callable[[TenantContext, str], Optional[str]]


class InferenceAccess:
    def __init__(self, verifier: TokenVerifier, store: RecordStore, endpoint_of: EndpointLookup):
        self._verifier = verifier
        self._store = store
        self._endpoint_of = endpoint_of

    def resolve(self, token: str, resource_group: Optional[str], deployment_id: str) -> InferenceTarget:
        """Raises Unauthorized (401), Forbidden (403), InvalidInput (400), NotFound (404) or
        ServiceUnavailable (503); the caller maps them to the AI API error body."""
        principal = self._verifier.verify(token)
        if principal.is_restricted:
            raise Forbidden("This token may only write metrics of its own execution.")
        group = (resource_group or "").strip()
        if not group:
            raise InvalidInput("Missing header AI-Resource-Group: name the resource group of the deployment.")
        ctx = TenantContext(principal.tenant, group, False, principal.client_id)
        if not is_valid_id(deployment_id):
            raise NotFound(f"Deployment '{deployment_id[:64]}' not found in resource group '{group}'.")
        # The engine keys predictors by tenant, group and id: a hit proves ownership without a storage read.
        upstream = self._endpoint_of(ctx, deployment_id)
        if upstream is not None:
            return InferenceTarget(ctx, deployment_id, upstream)
        record = self._store.get(ctx, Kind.DEPLOYMENT, deployment_id)
        if record is None:
            raise NotFound(f"Deployment '{deployment_id}' not found in resource group '{group}'.")
        status = record.doc.get("status", "UNKNOWN")
        raise ServiceUnavailable(f"Deployment '{deployment_id}' is {status}: it answers inference requests only "
                                 "while RUNNING.")
