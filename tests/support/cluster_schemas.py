"""What the API server (with Argo's and KServe's CRDs and webhooks) would refuse in a manifest, checked against the
maintained models instead of hand-written dicts:

- an Argo `Workflow` against hera's generated models (hera.workflows.models, from Argo's OpenAPI schema). Hera's
  models ignore unknown fields, as pydantic does by default; validating with `extra="forbid"` makes a misspelled
  field an error naming it, and a round trip through the model catches anything the validation let through silently.
- a KServe `InferenceService` against the `kserve` package's OpenAPI-generated models (V1beta1InferenceService and the
  kubernetes client's V1Container, V1ObjectMeta ... they refer to). kserve's own ApiClient cannot be used as it is:
  it looks every class name up in `kserve.models` only, and V1ObjectMeta or V1Container live in
  `kubernetes.client`, so it fails on the first metadata. The walk below does what its deserializer does (follow
  `openapi_types` / `attribute_map`, construct each class, which checks required fields and enums), looking names up
  in both packages, and reports what the generated deserializer drops or coerces silently: unknown fields and
  values of the wrong type.
- metadata as Kubernetes and the controllers require it: names (DNS-1123; Argo caps Workflow names at 63, KServe
  wants a DNS-1035 label), the namespace, label keys and values, annotation values.

Each function returns a list of problems ("<path>: <what>"); empty means the manifest would be accepted.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional

import kubernetes.client as k8s_models
import pydantic
from hera.workflows.models.io.argoproj.workflow.v1alpha1 import Workflow

import kserve.models as kserve_models  # test-only dependency (requirements-dev.txt)

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# KServe's webhook (pkg/apis/serving/v1beta1/inference_service_validation.go, IsvcNameFmt): the name becomes part of
# host names, so it must start with a letter.
ISVC_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

WORKFLOW_API = ("argoproj.io/v1alpha1", "Workflow")
ISVC_API = ("serving.kserve.io/v1beta1", "InferenceService")


# -- metadata (both kinds) -------------------------------------------------------------------------------------------

def _label_key_problems(key: Any, where: str) -> List[str]:
    if not isinstance(key, str):
        return [f"{where}: key {key!r} is not a string"]
    prefix, _, name = key.rpartition("/")
    problems = []
    if prefix and (len(prefix) > 253 or not DNS1123_SUBDOMAIN.match(prefix)):
        problems.append(f"{where}.{key}: prefix '{prefix}' is not a DNS-1123 subdomain")
    if not name or len(name) > 63 or not LABEL_NAME.match(name):
        problems.append(f"{where}.{key}: name '{name}' is not a valid label/annotation name (<= 63 characters, "
                        "alphanumerics, '-', '_', '.', starting and ending alphanumeric)")
    return problems


def metadata_problems(manifest: dict, api: tuple, name_pattern: re.Pattern, name_rule: str,
                      request_namespace: Optional[str] = None) -> List[str]:
    problems = []
    if (manifest.get("apiVersion"), manifest.get("kind")) != api:
        problems.append(f"apiVersion/kind: {manifest.get('apiVersion')}/{manifest.get('kind')} is not "
                        f"{api[0]}/{api[1]}")
    meta = manifest.get("metadata")
    if not isinstance(meta, dict):
        return problems + ["metadata: missing"]
    name = meta.get("name")
    if not name:
        problems.append("metadata.name: missing")
    elif not isinstance(name, str) or len(name) > 63 or not name_pattern.match(name):
        problems.append(f"metadata.name: '{name}' is not {name_rule}")
    namespace = meta.get("namespace")
    if request_namespace is not None and namespace not in (None, request_namespace):
        # the API server's own words
        problems.append(f"metadata.namespace: the namespace of the provided object ({namespace}) does not match "
                        f"the namespace sent on the request ({request_namespace})")
    elif request_namespace is not None and not namespace:
        pass  # the API server takes it from the request's path
    elif not namespace:
        problems.append("metadata.namespace: missing")
    elif not isinstance(namespace, str) or len(namespace) > 63 or not DNS1123_LABEL.match(namespace):
        problems.append(f"metadata.namespace: '{namespace}' is not a DNS-1123 label")
    for key, value in (meta.get("labels") or {}).items():
        problems += _label_key_problems(key, "metadata.labels")
        if not isinstance(value, str) or len(value) > 63 or not LABEL_VALUE.match(value):
            problems.append(f"metadata.labels.{key}: value {value!r} is not a valid label value (a string of at "
                            "most 63 characters, alphanumerics, '-', '_', '.', starting and ending alphanumeric)")
    for key, value in (meta.get("annotations") or {}).items():
        problems += _label_key_problems(key, "metadata.annotations")
        if not isinstance(value, str):
            problems.append(f"metadata.annotations.{key}: value {value!r} is not a string")
    return problems


# -- Argo Workflow (hera's models) -------------------------------------------------------------------------------------

def _path(loc) -> str:
    return ".".join(str(part) for part in loc)


def _quantities_as_strings(node: Any) -> Any:
    """Kubernetes takes a resource quantity as a string or a number (`cpu: 1`); hera's Quantity is a string only.
    A copy with the numbers under `resources.limits/requests` written as strings, so only real errors remain."""
    if isinstance(node, list):
        return [_quantities_as_strings(item) for item in node]
    if not isinstance(node, dict):
        return node
    copy = {key: _quantities_as_strings(value) for key, value in node.items()}
    for key in ("limits", "requests"):
        if isinstance(copy.get(key), dict) and set(copy) <= {"limits", "requests", "claims"}:
            copy[key] = {name: str(value) if isinstance(value, (int, float)) and not isinstance(value, bool)
                         else value for name, value in copy[key].items()}
    return copy


def _differences(given: Any, kept: Any, path: str) -> List[str]:
    if isinstance(given, dict) and isinstance(kept, dict):
        problems = [f"{path}.{key}: dropped by the model (unknown field?)".lstrip(".")
                    for key in given if key not in kept]
        return problems + [p for key in given if key in kept
                           for p in _differences(given[key], kept[key], f"{path}.{key}")]
    if isinstance(given, list) and isinstance(kept, list) and len(given) == len(kept):
        return [p for i, (g, k) in enumerate(zip(given, kept)) for p in _differences(g, k, f"{path}.{i}")]
    if given != kept:
        return [f"{path.lstrip('.')}: {given!r} became {kept!r} in the model (wrong type?)"]
    return []


def workflow_problems(manifest: dict, namespace: Optional[str] = None) -> List[str]:
    """Problems Argo's Workflow schema (hera's models) and Kubernetes' metadata rules find in `manifest`.
    `namespace`: the one in the request's path (the stand-in's case), which the body may leave out; without it,
    the body must name its namespace (what our renderers promise)."""
    if not isinstance(manifest, dict):
        return ["manifest: not a mapping"]
    problems = metadata_problems(manifest, WORKFLOW_API, DNS1123_SUBDOMAIN,
                                 "a DNS-1123 subdomain of at most 63 characters (Argo's limit)", namespace)
    given = _quantities_as_strings(manifest)
    try:
        model = Workflow.model_validate(given, extra="forbid")
    except pydantic.ValidationError as err:
        return problems + [f"{_path(error['loc'])}: {error['msg']}" for error in err.errors()]
    kept = model.model_dump(by_alias=True, exclude_unset=True, mode="json")
    problems += _differences(given, kept, "")
    return problems + _argo_validation_problems(manifest["spec"])


def _argo_validation_problems(spec: dict) -> List[str]:
    """The few rules of Argo's own validation (workflow/validate/validate.go) the schema cannot express and a
    rendered Workflow could break: templates present, an image on every container and script."""
    if not spec.get("templates") and not spec.get("workflowTemplateRef"):
        return ["spec.templates: a Workflow needs templates (or a workflowTemplateRef)"]
    problems = []
    defaults = spec.get("templateDefaults") or {}
    for i, template in enumerate(spec.get("templates") or []):
        for kind in ("container", "script"):
            if isinstance(template.get(kind), dict) and not template[kind].get("image") and not (
                    defaults.get(kind) or {}).get("image"):
                problems.append(f"spec.templates.{i}.{kind}.image: templates.{template.get('name')}.{kind}.image "
                                "may not be empty (Argo's validation)")
    return problems


# -- KServe InferenceService (kserve's and the kubernetes client's generated models) ---------------------------------

# Types kserve's models name that neither package defines under that name.
_ALIASES = {
    "K8sIoApiAppsV1DeploymentStrategy": "V1DeploymentStrategy",
    "K8sIoApiAutoscalingV2HorizontalPodAutoscalerBehavior": "V2HorizontalPodAutoscalerBehavior",
    "V1Time": "datetime",
    "ResourceQuantity": "quantity",
    "V1beta1MetricQuantity": "quantity",
}
_PRIMITIVES = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,), "date": (str,),
               "datetime": (str,), "quantity": (str, int, float)}
# (class, attribute) pairs whose `dict(str, str)` values are resource quantities (a string or a number).
_QUANTITY_MAPS = {("V1ResourceRequirements", "limits"), ("V1ResourceRequirements", "requests")}


def _model_class(name: str) -> Optional[type]:
    return getattr(kserve_models, name, None) or getattr(k8s_models, name, None)


class _Walk:
    def __init__(self):
        self.problems: List[str] = []

    def value(self, data: Any, kind: str, path: str) -> Any:
        kind = _ALIASES.get(kind, kind)
        if data is None:
            return None
        if kind.startswith("list["):
            if not isinstance(data, list):
                return self.wrong(path, data, "a list")
            inner = kind[5:-1]
            return [self.value(item, inner, f"{path}.{i}") for i, item in enumerate(data)]
        if kind.startswith("dict("):
            if not isinstance(data, dict):
                return self.wrong(path, data, "a mapping")
            inner = kind[5:-1].split(", ", 1)[1]
            return {key: self.value(item, inner, f"{path}.{key}") for key, item in data.items()}
        if kind in _PRIMITIVES:
            ok = isinstance(data, _PRIMITIVES[kind]) and not (kind in ("int", "float") and isinstance(data, bool))
            return data if ok else self.wrong(path, data, f"of type {kind}")
        klass = _model_class(kind)
        if klass is None or kind == "object":
            # Free-form (IntOrString is 'object') or a status-only type neither package defines (Knative's
            # addressable/conditions): accepted as given.
            return data
        return self.model(data, klass, path)

    def model(self, data: Any, klass: type, path: str) -> Any:
        if not isinstance(data, dict):
            return self.wrong(path, data, f"a mapping ({klass.__name__})")
        by_json = {json: attr for attr, json in klass.attribute_map.items()}
        kwargs = {}
        for key, item in data.items():
            attr = by_json.get(key)
            where = f"{path}.{key}".lstrip(".")
            if attr is None:
                self.problems.append(f"{where}: unknown field of {klass.__name__} "
                                     f"(known: {', '.join(sorted(by_json))})")
                continue
            kind = klass.openapi_types[attr]
            if (klass.__name__, attr) in _QUANTITY_MAPS:
                kind = "dict(str, quantity)"
            kwargs[attr] = self.value(item, kind, where)
        try:
            return klass(**kwargs)  # the generated setters check required fields and enums
        except (ValueError, TypeError) as err:
            self.problems.append(f"{path.lstrip('.') or klass.__name__}: {err}")
            return None

    def wrong(self, path: str, data: Any, expected: str) -> None:
        self.problems.append(f"{path.lstrip('.')}: {data!r} is not {expected}")
        return None


def inference_service_problems(manifest: dict, namespace: Optional[str] = None) -> List[str]:
    """Problems KServe's InferenceService schema (the `kserve` package's models) and Kubernetes' metadata rules
    find in `manifest`. `namespace` as for workflow_problems."""
    if not isinstance(manifest, dict):
        return ["manifest: not a mapping"]
    problems = metadata_problems(manifest, ISVC_API, ISVC_NAME,
                                 "a DNS-1035 label of at most 63 characters (KServe: lower case alphanumerics "
                                 "or '-', starting with a letter)", namespace)
    walk = _Walk()
    walk.model(manifest, kserve_models.V1beta1InferenceService, "")
    problems += walk.problems
    spec = manifest.get("spec")
    if not isinstance(spec, dict) or not isinstance(spec.get("predictor"), dict):
        problems.append("spec.predictor: missing (an InferenceService needs a predictor)")
    return problems
