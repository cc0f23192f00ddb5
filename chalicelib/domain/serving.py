"""ServingTemplate rendering: a deployment's configuration applied to its template, giving the KServe predictor.

AI Core keeps `spec.template.spec` as YAML *text* with `{{inputs.parameters.x}}` and `{{inputs.artifacts.x}}`
placeholders and substitutes them textually before applying the InferenceService (as Argo does), so a value
lands where the placeholder stands, quoted or not. We do the same, then read the predictor's first container:
image, command/args, env, the declared containerPort and the replica bounds. Anything that does not render to a
runnable predictor is a `RenderError` whose message ends up as the deployment's statusMessage (it dies DEAD).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from .errors import InvalidInput

PLACEHOLDER = re.compile(r"{{\s*inputs\.(parameters|artifacts)\.([^\s}]+)\s*}}")
DEFAULT_PORT = 8080  # KServe's default containerPort for a custom predictor
MODEL_DIR = "/mnt/models"  # where KServe's storage initializer puts storageUri's content


class RenderError(InvalidInput):
    """The template and configuration do not give a runnable predictor."""


@dataclass(frozen=True)
class Container:
    name: str
    image: str
    command: List[str] = field(default_factory=list)
    args: List[str] = field(default_factory=list)
    env: Dict[str, str] = field(default_factory=dict)
    port: int = DEFAULT_PORT  # the containerPort the template declares (or KServe's default)


@dataclass(frozen=True)
class Predictor:
    container: Container
    storage_uri: Optional[str] = None  # what KServe would download to /mnt/models (an ai:// URL here)
    min_replicas: int = 1
    max_replicas: int = 1

    def bound_to_port(self, port: int) -> "Predictor":
        """The predictor listening on `port` instead of its declared one: PORT is set, and the declared number is
        replaced wherever command, args or env name it as a word (`--port 9001`, `0.0.0.0:9001`)."""
        declared = re.compile(rf"(?<![\w.]){self.container.port}(?![\w.])")
        swap = lambda text: declared.sub(str(port), text)  # noqa: E731
        c = self.container
        env = {name: swap(value) for name, value in c.env.items()}
        env["PORT"] = str(port)
        return replace(self, container=replace(c, command=[swap(x) for x in c.command],
                                               args=[swap(x) for x in c.args], env=env, port=port))


def substitute(text: str, parameters: Mapping[str, str], artifacts: Mapping[str, str]) -> str:
    def value(match: "re.Match[str]") -> str:
        group, name = match[1], match[2]
        known = parameters if group == "parameters" else artifacts
        if name not in known:
            what = "parameter" if group == "parameters" else "input artifact"
            hint = "bind it in the configuration or give it a default" if group == "parameters" else \
                "bind an artifact to it in the configuration (inputArtifactBindings)"
            raise RenderError(f"The serving template uses {{{{inputs.{group}.{name}}}}} but {what} '{name}' has no "
                              f"value: {hint}.")
        return known[name]

    return PLACEHOLDER.sub(value, text)


def render_yaml(value: Any, parameters: Mapping[str, str], artifacts: Mapping[str, str], where: str) -> Any:
    """A field of spec.template (YAML text, or already a mapping) with its placeholders substituted, parsed."""
    text = value if isinstance(value, str) else yaml.safe_dump(value, sort_keys=False)
    rendered = substitute(text, parameters, artifacts)
    try:
        return yaml.safe_load(rendered)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise RenderError(f"{where} is not valid YAML once rendered{line}: "
                          f"{getattr(err, 'problem', None) or err}. Check values substituted into it.") from None


def parameter_values(template: Mapping[str, Any], bindings: Mapping[str, str]) -> Dict[str, str]:
    """The template's declared defaults, overridden by the configuration's bindings."""
    declared = ((template.get("spec") or {}).get("inputs") or {}).get("parameters") or []
    values = {p["name"]: str(p.get("value", p.get("default"))) for p in declared
              if isinstance(p, dict) and "name" in p and p.get("value", p.get("default")) is not None}
    values.update(bindings)
    return values


def render_predictor(template: Mapping[str, Any], parameters: Mapping[str, str],
                     artifacts: Mapping[str, str]) -> Predictor:
    """`template` is the ServingTemplate document; `parameters` are final values (see parameter_values) and
    `artifacts` map input names to their bound artifact URLs."""
    body = ((template.get("spec") or {}).get("template") or {}).get("spec")
    if body is None:
        raise RenderError("The serving template has no spec.template.spec (the KServe predictor).")
    spec = render_yaml(body, parameters, artifacts, "spec.template.spec")
    predictor = spec.get("predictor") if isinstance(spec, dict) else None
    if not isinstance(predictor, dict):
        raise RenderError("spec.template.spec must define a 'predictor' mapping (KServe InferenceService spec).")
    return _predictor(predictor)


def _predictor(predictor: Dict[str, Any]) -> Predictor:
    containers = predictor.get("containers")
    model = predictor.get("model")
    storage_uri = model.get("storageUri") if isinstance(model, dict) else None
    if not containers:
        raise RenderError("The predictor has no 'containers': only custom predictors (containers with an image and "
                          "a command) run locally; KServe model formats (predictor.model) need a cluster.")
    if not isinstance(containers, list) or not isinstance(containers[0], dict):
        raise RenderError("predictor.containers must be a list of containers.")
    first = containers[0]
    image = first.get("image")
    if not isinstance(image, str) or not image.strip():
        raise RenderError("predictor.containers[0] needs an 'image'.")
    command, args = _strings(first.get("command"), "command"), _strings(first.get("args"), "args")
    if not command and not args:
        raise RenderError(f"predictor.containers[0] (image {image}) needs a 'command' or 'args': the image's "
                          "own entrypoint is unknown without Docker.")
    env = _env(first.get("env"))
    storage_uri = storage_uri or first.get("storageUri") or env.get("STORAGE_URI")
    low, high = _replicas(predictor)
    return Predictor(Container(str(first.get("name") or "kserve-container"), image.strip(), command, args, env,
                               _port(first.get("ports"))), storage_uri, low, high)


def _strings(value: Any, what: str) -> List[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
        raise RenderError(f"predictor.containers[0].{what} must be a list of strings.")
    return [str(v) for v in value]


def _env(value: Any) -> Dict[str, str]:
    env: Dict[str, str] = {}
    for item in value or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise RenderError("predictor.containers[0].env entries need a 'name'.")
        if "valueFrom" in item:
            raise RenderError(f"env '{item['name']}' uses valueFrom, which the local engine does not resolve for "
                              "predictors; give it a value.")
        raw = item.get("value", "")
        env[item["name"]] = ("true" if raw else "false") if isinstance(raw, bool) else "" if raw is None else str(raw)
    return env


def _port(value: Any) -> int:
    if not value:
        return DEFAULT_PORT
    first = value[0] if isinstance(value, list) else None
    port = first.get("containerPort") if isinstance(first, dict) else None
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise RenderError(f"predictor.containers[0].ports[0].containerPort must be a number, got '{port}'.") from None
    if not 1 <= port <= 65535:
        raise RenderError(f"containerPort {port} is out of range (1-65535).")
    return port


def _replicas(predictor: Dict[str, Any]) -> Tuple[int, int]:
    try:
        low = int(predictor.get("minReplicas", 1))
        high = int(predictor.get("maxReplicas", max(low, 1)))
    except (TypeError, ValueError):
        raise RenderError("minReplicas and maxReplicas must be whole numbers.") from None
    if low < 0 or high < max(low, 1):
        raise RenderError(f"Replica bounds are inconsistent: minReplicas {low}, maxReplicas {high}.")
    return low, high
