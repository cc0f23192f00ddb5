"""The tenant's secrets a run's pods use, as the Kubernetes Secrets to write into its namespace: the docker registry
secrets its template pulls with, the generic secrets its containers read (secretKeyRef/secretRef) and, for an
execution, the credentials of the object stores its Workflow reads and writes (when a store has its own; the
platform's store is reached with the pods' service account instead).

Values are decrypted here to be written there and nowhere else: messages name secrets, never their values.
"""
from __future__ import annotations

import base64
from typing import Any, Dict, List

from ..argo.pods import WorkflowError
from ..context import TenantContext
from ..errors import NotFound
from ..object_store import AI_SCHEME
from ..records import RecordStore
from ..run_steps import bound_inputs, load_run, output_artifacts, parameters_of
from ..runs import Run
from .inference_service import pull_secret_names as serving_pull_secrets
from .run_ref import EXECUTION, RunRef
from .secret_manifests import docker_registry_secret, generic_secret, object_store_secret
from .workflow_manifest import pull_secret_names, secret_names


def run_secrets(store: RecordStore, services: Any, ref: RunRef, run: Run) -> List[Dict[str, Any]]:
    """`services`: ClusterServices (docker_secrets, generic_secrets, locations, artifacts)."""
    ctx, namespace = ref.ctx, ref.namespace
    configuration, executable = load_run(store, ctx, run)
    document = executable.template
    if ref.kind == EXECUTION:
        docker = pull_secret_names(document)
        generic = secret_names(document)
    else:
        docker = serving_pull_secrets(document, parameters_of(configuration))
        generic = secret_names({"spec": {"templates": [(document.get("spec") or {}).get("template")]}})
    found: List[Dict[str, Any]] = []
    for name in docker:
        try:
            config = services.docker_secrets.read_config(ctx, name)  # tenant-wide: the service scopes ctx itself
        except NotFound:
            raise WorkflowError(f"The template pulls its images with docker registry secret '{name}' "
                                "(imagePullSecrets), which does not exist: create it first.") from None
        found.append(docker_registry_secret(name, namespace, config))
    for name in generic:
        try:
            data = services.generic_secrets.read_data(ctx, name)
        except NotFound:
            raise WorkflowError(f"The template reads secret '{name}' (secretKeyRef/secretRef), which does not "
                                f"exist in resource group '{ctx.resource_group}': create it first.") from None
        found.append(generic_secret(name, namespace, {k: _b64(v) for k, v in data.items()}))
    if ref.kind == EXECUTION:
        found += _store_secrets(services, ctx, namespace, document, configuration)
    return found


def _store_secrets(services: Any, ctx: TenantContext, namespace: str, document: Dict[str, Any],
                   configuration: Any) -> List[Dict[str, Any]]:
    locations = []
    if output_artifacts(document):
        locations.append(services.locations.locate(ctx, "default", "", allow_empty=True))
    for artifact in bound_inputs(services.artifacts, ctx, configuration).values():
        if artifact.url.startswith(AI_SCHEME):
            locations.append(services.locations.resolve_url(ctx, artifact.url))
    manifests: Dict[str, Dict[str, Any]] = {}
    for location in locations:
        connection = location.connection
        if connection.access_key_id and connection.secret_access_key and location.secret not in manifests:
            manifests[location.secret] = object_store_secret(location.secret, namespace, connection.access_key_id,
                                                             connection.secret_access_key)
    return list(manifests.values())


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")
