"""The Argo `Workflow` an execution submits: the synced WorkflowTemplate rendered with the configuration
(argo/render.py binds parameters with the local engine's rules), then made runnable in the resource group's
namespace: artifact locations, the service account and pull secrets, the AICORE_* environment, resource plans.

Where artifacts go. Every artifact gets an explicit, complete S3 location (endpoint, bucket, key, credentials
or IRSA) rather than a key-only one resolved through the namespace's artifact repository ConfigMap
(`artifactRepositoryRef`): a resource group's `default` store is its object store secret, which the tenant can
change at any time, and a ConfigMap per namespace would be a second copy to keep in step with it. With the
location in the Workflow, what it reads and writes is visible in `kubectl get wf -o yaml`, the cluster needs no
artifact repository configured for our namespaces, and a cluster admin's own default repository is left alone.
- outputs with `globalName` (what the execution registers as artifacts): `<prefix>/<executionId>/<globalName>`,
  always, so what finalize registers (`ai://default/<executionId>/<globalName>`, the same URL as locally) is
  where the file is;
- other outputs (handed from step to step): `<prefix>/<executionId>/{{pod.name}}/<name>.tgz` (or `/<basename of
  path>` with `archive: none`), the local engine's layout (pod_outputs.py) and Argo's own default key format
  (`{{workflow.name}}/{{pod.name}}`) under the execution: a step run in a loop never overwrites itself, and
  deleting `<prefix>/<executionId>/` removes everything the run wrote;
- a key-only `s3: {key: ...}` (Argo's key-only artifact, input or output) is that key in the default store, as
  locally; a complete location of the template's own (an `s3` with a bucket, `http`, `git` ...) stays as written.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set

from ..argo.pods import WorkflowError
from ..argo.render import EXECUTION_LABEL, render_workflow
from .names import is_label_value, keep_or_label
from .resource_plans import DEFAULT_PLAN, DEFAULT_RESOURCE_PLANS, PLAN_LABEL, resource_plan, with_plan_resources
from ..object_store import ObjectLocation
from .secret_manifests import (ACCESS_KEY, SECRET_KEY, kubernetes_secret_name, object_store_secret_name,
                               referenced_secrets)

EXECUTABLE_LABEL = "executables.ai.sap.com/id"
# Where an Argo artifact says where it is; one of these present means the template placed it itself.
SOURCES = ("s3", "http", "git", "raw", "artifactory", "hdfs", "oss", "gcs", "azure", "plugin", "from",
           "fromExpression")
AWS_S3_ENDPOINT = "s3.amazonaws.com"


@dataclass(frozen=True)
class S3Location:
    """An object (or prefix) in S3 or an S3-compatible store. `credentials_secret`: a Kubernetes Secret in the
    namespace with keys `accessKey`/`secretKey` (secret_manifests.object_store_secret); None: the pod's service
    account reaches S3 itself (IRSA)."""

    bucket: str
    key: str
    endpoint: Optional[str] = None  # host[:port], or a URL (http:// means no TLS); None: AWS S3
    region: Optional[str] = None
    credentials_secret: Optional[str] = None

    def joined(self, *parts: str) -> "S3Location":
        return replace(self, key="/".join(p.strip("/") for p in (self.key, *parts) if p and p.strip("/")))

    def argo(self) -> Dict[str, Any]:
        """Argo's S3Artifact. The endpoint is always set: Argo treats an s3 location without one as key-only and
        would look for an artifact repository to complete it."""
        endpoint = self.endpoint or (f"s3.{self.region}.amazonaws.com" if self.region else AWS_S3_ENDPOINT)
        insecure = endpoint.startswith("http://")
        s3: Dict[str, Any] = {"endpoint": endpoint.split("://", 1)[-1].rstrip("/"), "bucket": self.bucket,
                              "key": self.key}
        if self.region:
            s3["region"] = self.region
        if insecure:
            s3["insecure"] = True
        if self.credentials_secret:
            s3["accessKeySecret"] = {"name": self.credentials_secret, "key": ACCESS_KEY}
            s3["secretKeySecret"] = {"name": self.credentials_secret, "key": SECRET_KEY}
        else:
            s3["useSDKCreds"] = True  # the AWS SDK's chain: IRSA's web identity token in the pod
        return s3


@dataclass(frozen=True)
class ExecutionSpec:
    execution_id: str
    namespace: str
    parameters: Dict[str, str]
    inputs: Dict[str, S3Location]  # input artifact name -> where its bound ai:// URL points
    outputs: S3Location  # the group's default object store: bucket and the key prefix of ai://default/
    env: Dict[str, str]  # AICORE_EXECUTION_ID, AICORE_TRACKING_ENDPOINT ... injected into every step
    pull_secrets: List[str]  # Kubernetes Secret names (secret_manifests.kubernetes_secret_name)
    service_account: str
    resource_plans: Mapping[str, dict] = field(default_factory=lambda: DEFAULT_RESOURCE_PLANS)


def s3_location(location: ObjectLocation) -> S3Location:
    """Where ObjectStoreResolver says an ai:// URL points, as the pods reach it: with the object store secret's
    credentials synced into the namespace (secret_manifests.object_store_secret) when the store has its own, or
    through the service account (IRSA) for the platform's store, whose credentials never leave the platform."""
    connection = location.connection
    secret = object_store_secret_name(location.secret) if connection.access_key_id else None
    return S3Location(location.bucket, location.key, connection.endpoint_url, connection.region, secret)


def workflow_name(execution_id: str) -> str:
    """The execution id itself (AI Core's ids are lower-case hex): submitting twice finds the same Workflow."""
    return keep_or_label(execution_id, "exec")


def execution_workflow(document: Dict[str, Any], spec: ExecutionSpec) -> Dict[str, Any]:
    """The Workflow to submit for `document` (a WorkflowTemplate) and `spec`. WorkflowError or
    UnknownResourcePlan (InvalidInput) when the template and configuration cannot give a runnable Workflow."""
    inputs = {name: {"s3": location.argo()} for name, location in spec.inputs.items()}
    workflow = render_workflow(document, spec.parameters, spec.execution_id, spec.namespace, inputs)
    workflow["metadata"]["name"] = workflow_name(spec.execution_id)
    _label_executable(workflow, document)
    body = workflow["spec"]
    _check_inputs_bound(body)
    body["serviceAccountName"] = spec.service_account
    body["imagePullSecrets"] = [{"name": name} for name in spec.pull_secrets]
    pod_labels = (body.setdefault("podMetadata", {})).setdefault("labels", {})
    pod_labels[EXECUTION_LABEL] = spec.execution_id
    document_plan = ((document.get("metadata") or {}).get("labels") or {}).get(PLAN_LABEL)
    passed = _passed_by_callers(body)
    _complete_key_only((body.get("arguments") or {}).get("artifacts"), spec.outputs)
    for template in body.get("templates") or []:
        if not isinstance(template, dict):
            continue
        _complete_key_only((template.get("inputs") or {}).get("artifacts"), spec.outputs)
        _bind_template_inputs(template, inputs, passed.get(template.get("name"), set()))
        _place_outputs(template, spec)
        containers = _step_containers(template)
        if containers:
            _apply_plan(template, containers, document_plan, spec.resource_plans)
            for container in containers:
                container["env"] = with_env(container.get("env"), spec.env)
                rename_secret_refs(container)
    return workflow


# -- artifacts ---------------------------------------------------------------------------------------------------------

def _has_source(artifact: Mapping[str, Any]) -> bool:
    return any(artifact.get(key) not in (None, "", {}) for key in SOURCES)


def _check_inputs_bound(body: Dict[str, Any]) -> None:
    """Argo refuses a workflow argument artifact without a source ("spec.arguments.artifacts.x.from, artifact
    location, or key is required", optional or not); said here in the AI API's words, before submitting."""
    for artifact in (body.get("arguments") or {}).get("artifacts") or []:
        if isinstance(artifact, dict) and not _has_source(artifact):
            raise WorkflowError(f"Input artifact '{artifact.get('name')}' (spec.arguments.artifacts) has no value: "
                                f"bind an artifact to it in the configuration (inputArtifactBindings key "
                                f"'{artifact.get('name')}').")


def _passed_by_callers(body: Dict[str, Any]) -> Dict[str, Set[str]]:
    """Template name -> the input artifacts some step or task passes it (and the entrypoint: spec.arguments)."""
    passed: Dict[str, Set[str]] = {}

    def add(template: Any, arguments: Any) -> None:
        names = {a.get("name") for a in (arguments or {}).get("artifacts") or [] if isinstance(a, dict)}
        passed.setdefault(template, set()).update(names)

    add(body.get("entrypoint"), body.get("arguments"))
    for template in body.get("templates") or []:
        if not isinstance(template, dict):
            continue
        calls = [s for group in template.get("steps") or [] for s in (group if isinstance(group, list) else [])]
        calls += (template.get("dag") or {}).get("tasks") or []
        for call in calls:
            if isinstance(call, dict):
                add(call.get("template"), call.get("arguments"))
    return passed


def _bind_template_inputs(template: Dict[str, Any], inputs: Mapping[str, Dict[str, Any]], passed: Set[str]) -> None:
    """AI Core templates often declare a bound input on the step template that reads it, not on spec.arguments
    (the example's `preprocess`). Argo takes a location written on a template's input as its default source, used
    when the calling step passes none: the same rule the local engine applies (interpreter.py). An input nothing
    passes or binds is refused now, as the local engine refuses it when the step starts."""
    for artifact in (template.get("inputs") or {}).get("artifacts") or []:
        if not isinstance(artifact, dict) or _has_source(artifact):
            continue
        name = artifact.get("name")
        if name in inputs:
            artifact.update(copy.deepcopy(inputs[name]))
        elif name not in passed and not artifact.get("optional"):
            raise WorkflowError(f"'{template.get('name')}': input artifact '{name}' has no source: pass it from a "
                                f"step (arguments.artifacts with from) or bind it in the configuration "
                                f"(inputArtifactBindings key '{name}').")


def _key_only(artifact: Mapping[str, Any]) -> bool:
    s3 = artifact.get("s3")
    return isinstance(s3, dict) and bool(s3.get("key")) and not s3.get("bucket") and not s3.get("endpoint")


def _complete_key_only(artifacts: Any, store: S3Location) -> None:
    for artifact in artifacts or []:
        if isinstance(artifact, dict) and _key_only(artifact):
            artifact["s3"] = store.joined(str(artifact["s3"]["key"])).argo()


def _place_outputs(template: Dict[str, Any], spec: ExecutionSpec) -> None:
    for artifact in (template.get("outputs") or {}).get("artifacts") or []:
        if not isinstance(artifact, dict):
            continue
        if artifact.get("globalName"):
            artifact.pop("s3", None)
            artifact["s3"] = spec.outputs.joined(spec.execution_id, artifact["globalName"]).argo()
        elif _key_only(artifact):
            artifact["s3"] = spec.outputs.joined(str(artifact["s3"]["key"])).argo()
        elif not _has_source(artifact) and artifact.get("path"):
            archived = "none" not in (artifact.get("archive") or {})
            name = str(artifact.get("name"))
            leaf = f"{name}.tgz" if archived else (str(artifact["path"]).rstrip("/").rsplit("/", 1)[-1] or name)
            artifact["s3"] = spec.outputs.joined(spec.execution_id, "{{pod.name}}", leaf).argo()


# -- pods: containers, environment, plans, secrets ---------------------------------------------------------------------

def _step_containers(template: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The containers that run the user's code (container, script, containerSet); sidecars and init containers
    are helpers the template adds and keep what it gives them."""
    found = [template[k] for k in ("container", "script") if isinstance(template.get(k), dict)]
    container_set = template.get("containerSet")
    if isinstance(container_set, dict):
        found += [c for c in container_set.get("containers") or [] if isinstance(c, dict)]
    return found


def with_run_env(manifest: Dict[str, Any], env: Mapping[str, str]) -> Dict[str, Any]:
    """The Workflow with `env` set in every step container: the run's credential is added at submit, so it never
    passes through the state machine's history."""
    if not env:
        return manifest
    result = copy.deepcopy(manifest)
    for template in (result.get("spec") or {}).get("templates") or []:
        if isinstance(template, dict):
            for container in _step_containers(template):
                container["env"] = with_env(container.get("env"), env)
    return result


def with_env(env: Optional[Iterable[Any]], ours: Mapping[str, str]) -> List[Dict[str, Any]]:
    """The user's env with ours set: ours win over an entry of the same name, because AICORE_EXECUTION_ID and the
    tracking endpoint must name this run (a value copied from another run would file its metrics there)."""
    kept = [e for e in env or [] if not (isinstance(e, dict) and e.get("name") in ours)]
    return kept + [{"name": name, "value": value} for name, value in ours.items()]


def _apply_plan(template: Dict[str, Any], containers: List[Dict[str, Any]], document_plan: Optional[str],
                plans: Mapping[str, dict]) -> None:
    """The plan labelled on the step template (AI Core's place for it, see the example), else on the
    WorkflowTemplate, else AI Core's default. A containerSet's containers share the pod: the plan's amounts go
    to the first, the others keep what they ask for."""
    name = ((template.get("metadata") or {}).get("labels") or {}).get(PLAN_LABEL) or document_plan or DEFAULT_PLAN
    plan = resource_plan(str(name), plans)
    template["nodeSelector"] = {**(template.get("nodeSelector") or {}), **(plan.get("nodeSelector") or {})}
    if plan.get("tolerations"):
        template["tolerations"] = list(template.get("tolerations") or []) + copy.deepcopy(plan["tolerations"])
    containers[0]["resources"] = with_plan_resources(containers[0].get("resources"), plan)


def rename_secret_refs(container: Dict[str, Any]) -> None:
    """A generic secret synced under a derived name (secret_manifests) is referred to by that name."""
    for entry in container.get("env") or []:
        ref = ((entry or {}).get("valueFrom") or {}).get("secretKeyRef") if isinstance(entry, dict) else None
        if isinstance(ref, dict) and isinstance(ref.get("name"), str):
            ref["name"] = kubernetes_secret_name(ref["name"])
    for source in container.get("envFrom") or []:
        ref = source.get("secretRef") if isinstance(source, dict) else None
        if isinstance(ref, dict) and isinstance(ref.get("name"), str):
            ref["name"] = kubernetes_secret_name(ref["name"])


def _label_executable(workflow: Dict[str, Any], document: Dict[str, Any]) -> None:
    name = (document.get("metadata") or {}).get("name")
    labels = workflow["metadata"]["labels"]
    if is_label_value(name) and EXECUTABLE_LABEL not in labels:
        labels[EXECUTABLE_LABEL] = name


# -- what the steps sync before submitting -----------------------------------------------------------------------------

def pull_secret_names(document: Dict[str, Any]) -> List[str]:
    """The docker registry secrets the WorkflowTemplate names (spec.imagePullSecrets), as the tenant named them."""
    return [s["name"] for s in (document.get("spec") or {}).get("imagePullSecrets") or []
            if isinstance(s, dict) and isinstance(s.get("name"), str)]


def secret_names(document: Dict[str, Any]) -> List[str]:
    """The generic secrets the template's containers refer to (env secretKeyRef, envFrom secretRef)."""
    return referenced_secrets((document.get("spec") or {}).get("templates"))
