"""The two template kinds: what each contributes to an executable (parameters, artifacts, deployable)."""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Set, Tuple

import yaml

from .scenarios import ExecutableParameter
from .template_metadata import EXT_LABEL, SCENARIO_LABEL, Metadata
from .templates import (EXECUTABLE_DESCRIPTION, EXECUTABLE_ID, EXECUTABLE_NAME, ID, SCENARIO_DESCRIPTION, SCENARIO_ID,
                        SCENARIO_NAME, VERSION, ParsedTemplate, WorkflowValidator)

# Argo artifact locations: an input that names one is filled by Argo, not bound by a configuration.
INLINE_SOURCES = ("raw", "s3", "http", "git", "gcs", "oss", "hdfs", "artifactory", "azure", "from", "fromExpression")
PLACEHOLDER = re.compile(r"{{\s*inputs\.(parameters|artifacts)\.([^\s}]+)\s*}}")
VERSION_ID = re.compile(r"^[\w.-]{1,64}$")


def _common(meta: Metadata, document: Dict[str, Any], deployable: bool, **parts: Any) -> ParsedTemplate:
    return ParsedTemplate(
        kind=meta.kind, executable_id=meta.optional(meta.labels, EXECUTABLE_ID, "label", pattern=ID) or meta.name,
        name=meta.required(meta.annotations, EXECUTABLE_NAME, "annotation"),
        description=meta.optional(meta.annotations, EXECUTABLE_DESCRIPTION, "annotation"),
        scenario_id=meta.required(meta.labels, SCENARIO_ID, "label", ID),
        scenario_name=meta.required(meta.annotations, SCENARIO_NAME, "annotation"),
        scenario_description=meta.optional(meta.annotations, SCENARIO_DESCRIPTION, "annotation"),
        scenario_labels=meta.label_list(SCENARIO_LABEL, exclude=(SCENARIO_ID,)),
        version_id=meta.required(meta.labels, VERSION, "label", VERSION_ID),
        deployable=deployable, labels=meta.label_list(EXT_LABEL), document=document, **parts)


def _parameter(meta: Metadata, item: Any, where: str) -> ExecutableParameter:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        raise meta.error(f"{where}: every parameter needs a name")
    kind = item.get("type", "string")
    if kind != "string":
        raise meta.error(f"{where} '{item['name']}': type must be 'string' (the only parameter type), got '{kind}'")
    default = item.get("value", item.get("default"))  # Argo: a given value wins over the default
    description = item.get("description")
    return ExecutableParameter(name=item["name"], default=default if isinstance(default, str) else None,
                               description=description if isinstance(description, str) else None)


def _list(meta: Metadata, value: Any, where: str) -> List[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise meta.error(f"{where} must be a list")
    return value


def _unique(items: Iterable[Any]) -> List[Any]:
    seen: Set[str] = set()
    return [i for i in items if not (i.name in seen or seen.add(i.name))]


# -- WorkflowTemplate (argoproj.io/v1alpha1) ---------------------------------------------------------------------
def parse_workflow(document: Dict[str, Any], meta: Metadata, validate: WorkflowValidator) -> ParsedTemplate:
    problems = validate(document)
    if problems:
        raise meta.error("not a valid Argo WorkflowTemplate: " + "; ".join(problems[:5]))
    spec = document.get("spec") or {}
    templates = [t for t in _list(meta, spec.get("templates"), "spec.templates") if isinstance(t, dict)]
    if not templates:
        if spec.get("workflowTemplateRef"):  # a Workflow that only points at another WorkflowTemplate
            raise meta.error("spec.workflowTemplateRef is not supported: an executable's WorkflowTemplate holds its "
                             "own spec.templates (put the referenced template's content here)")
        raise meta.error("spec.templates must list at least one template")
    names = {t.get("name") for t in templates}
    entrypoint = spec.get("entrypoint")
    if not entrypoint or entrypoint not in names:
        raise meta.error(f"spec.entrypoint must name one of spec.templates ({', '.join(sorted(map(str, names)))}), "
                         f"got '{entrypoint}'")
    arguments = spec.get("arguments") or {}
    parameters = [_parameter(meta, p, "spec.arguments.parameters")
                  for p in _list(meta, arguments.get("parameters"), "spec.arguments.parameters")]
    return _common(meta, document, False, parameters=_unique(parameters),
                   input_artifacts=_unique(_workflow_inputs(meta, arguments, templates, entrypoint)),
                   output_artifacts=_unique(_workflow_outputs(meta, templates)))


def _is_inline(artifact: Dict[str, Any]) -> bool:
    return any(artifact.get(key) for key in INLINE_SOURCES)


def _fed_by_steps(templates: List[Dict[str, Any]]) -> Set[Tuple[str, str]]:
    """(template, input) pairs that a step or task fills from another step's output or an inline source."""
    fed: Set[Tuple[str, str]] = set()
    for template in templates:
        steps = [s for group in (template.get("steps") or []) for s in (group or [])]
        tasks = (template.get("dag") or {}).get("tasks") or []
        calls = [c for c in steps + tasks if isinstance(c, dict)]
        hooks = [c["hooks"]["exit"] for c in calls  # a step's exit hook calls its template with arguments too
                 if isinstance(c.get("hooks"), dict) and isinstance(c["hooks"].get("exit"), dict)]
        for call in calls + hooks:
            for artifact in ((call.get("arguments") or {}).get("artifacts") or []):
                source = str(artifact.get("from") or artifact.get("fromExpression") or "")
                if _is_inline({k: v for k, v in artifact.items() if k not in ("from", "fromExpression")}) \
                        or "steps." in source or "tasks." in source:
                    fed.add((call.get("template"), artifact.get("name")))
    return fed


def _workflow_inputs(meta: Metadata, arguments: Dict[str, Any], templates: List[Dict[str, Any]], entrypoint: Any):
    fed = _fed_by_steps(templates)
    for artifact in arguments.get("artifacts") or []:
        if not _is_inline(artifact):
            yield meta.artifact(artifact["name"])
        else:  # an inline workflow argument feeds the entrypoint's input of that name, as on Argo
            fed.add((entrypoint, artifact.get("name")))
    for template in templates:
        for artifact in ((template.get("inputs") or {}).get("artifacts") or []):
            if not _is_inline(artifact) and (template.get("name"), artifact["name"]) not in fed:
                yield meta.artifact(artifact["name"])


def _workflow_outputs(meta: Metadata, templates: List[Dict[str, Any]]):
    for template in templates:
        for artifact in ((template.get("outputs") or {}).get("artifacts") or []):
            if artifact.get("globalName"):  # only global outputs become registered artifacts
                yield meta.artifact(artifact["name"], artifact["globalName"])


# -- ServingTemplate (ai.sap.com/v1alpha1, wraps a KServe InferenceService) --------------------------------------
def parse_serving(document: Dict[str, Any], meta: Metadata, _validate: WorkflowValidator) -> ParsedTemplate:
    spec = document.get("spec")
    if not isinstance(spec, dict):
        raise meta.error("spec must be a mapping with inputs and template")
    inputs = spec.get("inputs") or {}
    if not isinstance(inputs, dict):
        raise meta.error("spec.inputs must be a mapping")
    parameters = [_parameter(meta, p, "spec.inputs.parameters")
                  for p in _list(meta, inputs.get("parameters"), "spec.inputs.parameters")]
    artifacts = []
    for item in _list(meta, inputs.get("artifacts"), "spec.inputs.artifacts"):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
            raise meta.error("spec.inputs.artifacts: every artifact needs a name")
        artifacts.append(meta.artifact(item["name"]))
    _check_predictor(meta, spec.get("template"), {p.name for p in parameters}, {a.name for a in artifacts})
    return _common(meta, document, True, parameters=_unique(parameters), input_artifacts=_unique(artifacts),
                   output_artifacts=[])


def _check_predictor(meta: Metadata, template: Any, parameters: Set[str], artifacts: Set[str]) -> None:
    if not isinstance(template, dict):
        raise meta.error("spec.template is required: the KServe InferenceService (apiVersion, metadata, spec)")
    if template.get("apiVersion") != "serving.kserve.io/v1beta1":
        raise meta.error(f"spec.template.apiVersion must be 'serving.kserve.io/v1beta1', got "
                         f"'{template.get('apiVersion')}'")
    metadata = template.get("metadata") or {}
    for part in ("labels", "annotations"):
        _embedded(meta, metadata.get(part) if isinstance(metadata, dict) else None,
                  f"spec.template.metadata.{part}", parameters, artifacts)
    body = _embedded(meta, template.get("spec"), "spec.template.spec", parameters, artifacts)
    if not isinstance(body, dict) or not isinstance(body.get("predictor"), dict):
        raise meta.error("spec.template.spec must define a 'predictor' (KServe InferenceService spec)")


def _embedded(meta: Metadata, value: Any, where: str, parameters: Set[str], artifacts: Set[str]) -> Any:
    """AI Core keeps these parts as YAML text with {{inputs.*}} placeholders; check both layers."""
    if value is None:
        return None
    text = value if isinstance(value, str) else yaml.safe_dump(value)
    for group, name in PLACEHOLDER.findall(text):
        known = parameters if group == "parameters" else artifacts
        if name not in known:
            raise meta.error(f"{where} uses {{{{inputs.{group}.{name}}}}} but spec.inputs.{group} does not "
                             f"declare '{name}'")
    if not isinstance(value, str):
        return value
    try:
        parsed = yaml.safe_load(PLACEHOLDER.sub("placeholder", text))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where_in = f" (line {mark.line + 1})" if mark is not None else ""
        raise meta.error(f"{where} is not valid YAML{where_in}: {getattr(err, 'problem', None) or err}") from None
    if parsed is not None and not isinstance(parsed, dict):
        raise meta.error(f"{where} must be a YAML mapping")
    return parsed
