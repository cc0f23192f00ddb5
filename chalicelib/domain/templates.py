"""Template files -> scenario and executable descriptions, by AI Core's rules (one file = one unit of change).

A file holds one or more YAML documents, each an Argo `WorkflowTemplate` (runs as an execution) or an AI Core
`ServingTemplate` (runs as a deployment). Metadata labels and annotations name the scenario, executable and
version (template_metadata.py); the kind-specific parts live in template_kinds.py. Any problem in a file makes
the whole file "broken": the sync then keeps whatever that file produced before, so a typo never deletes a
working executable.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import yaml

from .labels import KeyValue
from .scenarios import ExecutableArtifact, ExecutableParameter
from .template_metadata import Metadata, TemplateError

WORKFLOW = "WorkflowTemplate"
SERVING = "ServingTemplate"
API_VERSIONS = {WORKFLOW: "argoproj.io/v1alpha1", SERVING: "ai.sap.com/v1alpha1"}
# Written by AI Core's own ML Operations reference ("Basic Structure"): a WorkflowTemplate under AI Core's group.
# It means the Argo kind, so it is stored (and would be rendered for Argo) under Argo's apiVersion.
API_VERSION_ALIASES = {WORKFLOW: ("ai.sap.com/v1alpha1",)}

SCENARIO_ID = "scenarios.ai.sap.com/id"
VERSION = "ai.sap.com/version"
SCENARIO_NAME = "scenarios.ai.sap.com/name"
SCENARIO_DESCRIPTION = "scenarios.ai.sap.com/description"
EXECUTABLE_NAME = "executables.ai.sap.com/name"
EXECUTABLE_DESCRIPTION = "executables.ai.sap.com/description"
EXECUTABLE_ID = "executables.ai.sap.com/id"  # optional label; without it metadata.name is the executable id

ID = re.compile(r"^[\w.-]{4,64}$")
# metadata.name is both the executable id (^[\w.-]{4,64}$) and a Kubernetes object name (DNS subdomain).
K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")

MAX_DOCUMENT_JSON_BYTES = 300_000  # the executable record keeps the template; DynamoDB items stop at 400 KB
MAX_ALIASES = 50  # YAML anchors are legal, but "billion laughs" expansion is not

WorkflowValidator = Callable[[Dict[str, Any]], List[str]]


@dataclass
class ParsedTemplate:
    kind: str
    executable_id: str
    name: str
    description: Optional[str]
    scenario_id: str
    scenario_name: str
    scenario_description: Optional[str]
    scenario_labels: List[KeyValue]
    version_id: str
    deployable: bool
    parameters: List[ExecutableParameter]
    input_artifacts: List[ExecutableArtifact]
    output_artifacts: List[ExecutableArtifact]
    labels: List[KeyValue]
    document: Dict[str, Any]


@dataclass
class FileOutcome:
    """What one file yielded: templates when it is sound, otherwise the problems (and nothing else applies)."""

    path: str
    templates: List[ParsedTemplate] = field(default_factory=list)
    errors: List[TemplateError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _GuardedLoader(yaml.SafeLoader):
    """SafeLoader that refuses documents using more than MAX_ALIASES alias references."""

    def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML signature
        if self.check_event(yaml.events.AliasEvent):
            self._aliases = getattr(self, "_aliases", 0) + 1
            if self._aliases > MAX_ALIASES:
                raise yaml.YAMLError(f"more than {MAX_ALIASES} YAML aliases; expand them in the file")
        return super().compose_node(parent, index)


def load_documents(text: str) -> List[Any]:
    try:
        return [doc for doc in yaml.load_all(text, Loader=_GuardedLoader) if doc is not None]
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err)
        raise TemplateError(f"invalid YAML: {where}{problem}") from None


def parse_file(path: str, text: str, validate_workflow: WorkflowValidator) -> FileOutcome:
    outcome = FileOutcome(path)
    try:
        documents = load_documents(text)
    except TemplateError as err:
        outcome.errors.append(err)
        return outcome
    for index, doc in enumerate(documents):
        try:
            outcome.templates.append(parse_document(doc, validate_workflow))
        except TemplateError as err:
            if len(documents) > 1:
                err.message = f"document {index + 1}: {err.message}"
            outcome.errors.append(err)
        except (KeyError, TypeError, AttributeError, ValueError) as err:
            # A shape the checks above did not foresee: report it on the file rather than stop the whole sync.
            outcome.errors.append(TemplateError(f"document {index + 1}: unexpected structure ({err!r})"))
    if not documents:
        outcome.errors.append(TemplateError("the file holds no YAML document"))
    return outcome


def parse_document(doc: Any, validate_workflow: WorkflowValidator) -> ParsedTemplate:
    from .template_kinds import parse_serving, parse_workflow

    if not isinstance(doc, dict):
        raise TemplateError("a template must be a YAML mapping with apiVersion, kind, metadata and spec")
    kind = doc.get("kind")
    if kind not in API_VERSIONS:
        raise TemplateError(f"kind '{kind}' is not supported: use {WORKFLOW} ({API_VERSIONS[WORKFLOW]}) or "
                            f"{SERVING} ({API_VERSIONS[SERVING]})", kind=_text(kind))
    name = _metadata_name(doc, kind)
    if doc.get("apiVersion") in API_VERSION_ALIASES.get(kind, ()):
        doc = {**doc, "apiVersion": API_VERSIONS[kind]}
    if doc.get("apiVersion") != API_VERSIONS[kind]:
        raise TemplateError(f"apiVersion must be '{API_VERSIONS[kind]}' for kind {kind}, got "
                            f"'{doc.get('apiVersion')}'", name, kind)
    document = normalized(doc, name, kind)
    meta = Metadata(document["metadata"], name, kind)
    parse = parse_workflow if kind == WORKFLOW else parse_serving
    return parse(document, meta, validate_workflow)


def normalized(doc: Dict[str, Any], name: str, kind: str) -> Dict[str, Any]:
    """JSON-compatible copy: string keys, dates as text, scalar parameter values as strings (Argo's AnyString)."""
    text = json.dumps(_stringify_parameters(doc), default=str)
    if len(text) > MAX_DOCUMENT_JSON_BYTES:
        raise TemplateError(f"template is too large ({len(text)} bytes as JSON; at most "
                            f"{MAX_DOCUMENT_JSON_BYTES})", name, kind)
    return json.loads(text)


def _stringify_parameters(value: Any, in_parameters: bool = False) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if in_parameters and key in ("value", "default") and _is_scalar(item):
                out[key] = _scalar_text(item)
            elif in_parameters and key == "enum" and isinstance(item, list):
                out[key] = [_scalar_text(v) if _is_scalar(v) else v for v in item]
            else:
                out[key] = _stringify_parameters(item, key == "parameters")
        return out
    if isinstance(value, list):
        return [_stringify_parameters(item, in_parameters) for item in value]
    return value


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float))


def _scalar_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _metadata_name(doc: Dict[str, Any], kind: str) -> str:
    metadata = doc.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        raise TemplateError("metadata.name is required: it becomes the executable id", kind=kind)
    name = metadata["name"]
    if not ID.match(name) or not K8S_NAME.match(name):
        raise TemplateError(f"metadata.name '{name}' must be 4-64 lower-case letters, digits, '-' or '.', starting "
                            "and ending with a letter or digit", name, kind)
    return name


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None
