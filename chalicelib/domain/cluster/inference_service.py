"""The KServe `InferenceService` a deployment applies: the ServingTemplate's `spec.template` rendered as AI Core
does (its metadata and spec are YAML text with `{{inputs.parameters.x}}` / `{{inputs.artifacts.x}}` substituted
textually, serving.py), then placed in the resource group's namespace with the service account, pull secrets and
resource plan.

The predictor (and any transformer or explainer) keeps every KServe field the template gives - minReplicas,
maxReplicas, canaryTrafficPercent, containers, model, scaleMetric ... - because rollout, canary and autoscaling
are KServe's to do. Input artifacts become their `s3://bucket/key` URIs where the template names them
(`STORAGE_URI` in a custom container's env, or `model.storageUri`): KServe's storage initializer downloads them
to /mnt/models with the predictor's service account (IRSA, or the S3 annotations an admin puts on it).
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Mapping, Optional

from ..serving import RenderError, parameter_values, render_yaml
from ..traffic_recording import ANNOTATION as RECORD_TRAFFIC
from ..traffic_recording import sample_rate
from .names import is_label_value, keep_or_label
from .resource_plans import DEFAULT_PLAN, PLAN_LABEL, resource_plan, with_plan_resources
from .secret_manifests import referenced_secrets
from .workflow_manifest import EXECUTABLE_LABEL, rename_secret_refs

API_VERSION = "serving.kserve.io/v1beta1"
DEPLOYMENT_LABEL = "ai.sap.com/deploymentId"
# Which configuration the applied spec came from: KServe's status describes that spec, so a poll tells a switch
# still on its way (the previous spec's Ready) from one rolled out.
CONFIGURATION_ANNOTATION = "ai.sap.com/configurationId"
SCENARIO_LABEL = "scenarios.ai.sap.com/id"
# KServe's name must start with a letter; its predictor's Knative revision names add ~18 characters and
# Kubernetes caps a name segment at 63.
NAME_MAX = 45


def inference_service_name(deployment_id: str) -> str:
    """The deployment id itself when KServe takes it (AI Core's ids start with 'd'); else a derived name."""
    return keep_or_label(deployment_id, "d", start_with_letter=True, max_length=NAME_MAX)


def deployment_inference_service(document: Dict[str, Any], *, deployment_id: str, namespace: str,
                                 parameters: Dict[str, str], artifacts: Dict[str, str], pull_secrets: List[str],
                                 service_account: str, resource_plans: Mapping[str, dict],
                                 configuration_id: Optional[str] = None) -> Dict[str, Any]:
    """`parameters`: the configuration's bindings (the template's defaults fill the rest); `artifacts`: input
    name -> storage URI (s3://bucket/key). RenderError or UnknownResourcePlan (both InvalidInput) when the template
    and configuration do not give an InferenceService."""
    template = (document.get("spec") or {}).get("template") or {}
    values = parameter_values(document, parameters)
    body = template.get("spec")
    if body is None:
        raise RenderError("The serving template has no spec.template.spec (the KServe InferenceService spec).")
    spec = render_yaml(body, values, artifacts, "spec.template.spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("predictor"), dict):
        raise RenderError("spec.template.spec must define a 'predictor' mapping (KServe InferenceService spec).")
    meta = template.get("metadata") or {}
    labels = _string_map(meta.get("labels"), values, artifacts, "spec.template.metadata.labels")
    annotations = _string_map(meta.get("annotations"), values, artifacts, "spec.template.metadata.annotations")
    plan = resource_plan(labels.get(PLAN_LABEL) or DEFAULT_PLAN, resource_plans)

    predictor = spec["predictor"]
    predictor["serviceAccountName"] = service_account
    predictor["imagePullSecrets"] = [{"name": name} for name in pull_secrets]
    _apply_plan(predictor, plan)
    rate = sample_rate(document)
    if rate > 0 and "logger" not in predictor:
        # Model monitoring on the cluster: KServe's own payload logger (its agent sidecar) sends every request and
        # response as CloudEvents, as no proxy of ours is in the data path there. Its URL (the stage's collector,
        # with a credential) is added at submit (with_traffic_logger); KServe does not sample: the collector keeps
        # the template's share, which the annotation below carries to it.
        predictor["logger"] = {"mode": "all"}
        annotations[RECORD_TRAFFIC] = str(rate)
    for component in ("predictor", "transformer", "explainer"):
        for container in _containers(spec.get(component)):
            rename_secret_refs(container)

    own = (document.get("metadata") or {}).get("labels") or {}
    labels.update({key: own[key] for key in (SCENARIO_LABEL,) if is_label_value(own.get(key))})
    executable = (document.get("metadata") or {}).get("name")
    if is_label_value(executable):
        labels.setdefault(EXECUTABLE_LABEL, executable)
    labels[DEPLOYMENT_LABEL] = deployment_id
    metadata: Dict[str, Any] = {"name": inference_service_name(deployment_id), "namespace": namespace,
                                "labels": labels}
    if configuration_id:
        annotations[CONFIGURATION_ANNOTATION] = configuration_id
    if annotations:
        metadata["annotations"] = annotations
    return {"apiVersion": API_VERSION, "kind": "InferenceService", "metadata": metadata, "spec": spec}


def with_traffic_logger(manifest: Dict[str, Any], logger_url: Any) -> Dict[str, Any]:
    """The InferenceService with its payload logger's URL: `logger_url(rate)` -> the collector's URL with a
    credential, added at submit so that no credential passes through a state machine's history. Unchanged when the
    template does not record traffic or no collector is configured."""
    predictor = (manifest.get("spec") or {}).get("predictor") or {}
    raw = ((manifest.get("metadata") or {}).get("annotations") or {}).get(RECORD_TRAFFIC)
    if logger_url is None or "logger" not in predictor or raw is None or predictor["logger"].get("url"):
        return manifest
    result = copy.deepcopy(manifest)
    result["spec"]["predictor"]["logger"]["url"] = logger_url(float(raw))
    return result


def _string_map(value: Any, parameters: Mapping[str, str], artifacts: Mapping[str, str],
                where: str) -> Dict[str, str]:
    """Labels and annotations: YAML text or a mapping; values as Kubernetes wants them, strings
    (`autoscaling.knative.dev/target: 1` in the template is the string "1")."""
    if value in (None, ""):
        return {}
    parsed = render_yaml(value, parameters, artifacts, where)
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise RenderError(f"{where} must be a mapping of names to values.")
    return {str(key): _text(item) for key, item in parsed.items()}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _containers(component: Any) -> List[Dict[str, Any]]:
    if not isinstance(component, dict):
        return []
    return [c for c in component.get("containers") or [] if isinstance(c, dict)]


def _apply_plan(predictor: Dict[str, Any], plan: Mapping[str, Any]) -> None:
    """nodeSelector and tolerations on the predictor's pod; the plan's amounts on the container serving the model
    (the first custom container, or KServe's model server for a `model:` predictor)."""
    predictor["nodeSelector"] = {**(predictor.get("nodeSelector") or {}), **(plan.get("nodeSelector") or {})}
    if plan.get("tolerations"):
        predictor["tolerations"] = list(predictor.get("tolerations") or []) + copy.deepcopy(plan["tolerations"])
    containers = _containers(predictor)
    target: Optional[Dict[str, Any]] = containers[0] if containers else (
        predictor["model"] if isinstance(predictor.get("model"), dict) else None)
    if target is None:
        raise RenderError("The predictor has neither 'containers' nor a 'model': KServe has nothing to run.")
    target["resources"] = with_plan_resources(target.get("resources"), plan)


def _predictor_spec(document: Dict[str, Any], parameters: Dict[str, str]) -> Dict[str, Any]:
    """spec.template.spec rendered only to read names from it (artifact URIs do not matter there); {} when it
    does not render (deployment_inference_service then says why)."""
    body = ((document.get("spec") or {}).get("template") or {}).get("spec")
    if body is None:
        return {}
    try:
        spec = render_yaml(body, parameter_values(document, parameters), _AnyArtifact(), "spec.template.spec")
    except RenderError:
        return {}
    return spec if isinstance(spec, dict) else {}


def pull_secret_names(document: Dict[str, Any], parameters: Dict[str, str]) -> List[str]:
    """The docker registry secrets the ServingTemplate's predictor names, as the tenant named them (to sync)."""
    predictor = _predictor_spec(document, parameters).get("predictor")
    secrets = predictor.get("imagePullSecrets") if isinstance(predictor, dict) else None
    return [s["name"] for s in secrets or [] if isinstance(s, dict) and isinstance(s.get("name"), str)]


def secret_names(document: Dict[str, Any], parameters: Dict[str, str]) -> List[str]:
    """The generic secrets the InferenceService's containers refer to (env secretKeyRef, envFrom secretRef)."""
    return referenced_secrets(_predictor_spec(document, parameters))


class _AnyArtifact(dict):
    """Every input artifact has a (placeholder) URI."""

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> str:
        return "s3://placeholder/" + key


def applied_configuration(isvc: Dict[str, Any]) -> Optional[str]:
    """The configuration the InferenceService's spec was rendered from (None: applied before the annotation)."""
    return ((isvc.get("metadata") or {}).get("annotations") or {}).get(CONFIGURATION_ANNOTATION)
