"""What the local engine carries out of an Argo WorkflowTemplate, as a whitelist: every field not listed here is
refused by name, so a template never runs locally with a part silently dropped (a sidecar that never started, a
hook that never fired). On AWS, Argo runs the template as written; only the local stack consults this list.

`refusals(document)` walks the spec, every template, steps (a list of lists), dag tasks and the `inline`
templates nested in them, and returns one sentence per refused field:
    "template 'train': sidecars is not supported by the local engine"
    "workflow 'my-wf': spec.hooks is not supported by the local engine"
Each distinct field is reported once per template (its first occurrence), so the list stays readable.

Fields marked "accepted and ignored" only place pods in a cluster (node selection, service accounts, probes,
resources); a local run has no cluster, so ignoring them changes nothing the template's author relies on.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Set, Tuple, Union

from .defaults import with_template_defaults

SUFFIX = "is not supported by the local engine"
RETRY_POLICIES = ("Always", "OnFailure", "OnError", "OnTransientError")


class _Any:
    """Accepted; its contents are not looked at (a value, or a field the local engine ignores)."""


ANY = _Any()


class _Each:
    """A list whose items all follow one schema."""

    def __init__(self, item: "Schema"):
        self.item = item


Report = Callable[[str], None]
Check = Callable[[Any, str, Report], None]  # a field whose value matters: (value, path, report)
Schema = Union[_Any, _Each, Dict[str, Any], Check]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _walk(value: Any, schema: Schema, path: str, report: Report) -> None:
    if schema is ANY:
        return
    if isinstance(schema, _Each):
        if isinstance(value, list):
            for index, item in enumerate(value):
                _walk(item, schema.item, f"{path}[{index}]", report)
        return
    if isinstance(schema, dict):
        if isinstance(value, dict):
            for key, item in value.items():
                where = _join(path, str(key))
                if key in schema:
                    _walk(item, schema[key], where, report)
                else:
                    report(where)
        return
    schema(value, path, report)  # a check function


def _only(*keys: str) -> Dict[str, Any]:
    return {key: ANY for key in keys}


# -- value checks --------------------------------------------------------------------------------------------
def _retry_policy(value: Any, path: str, report: Report) -> None:
    if value not in RETRY_POLICIES:
        report(f"{path} '{value}'")


def _suspend(value: Any, path: str, report: Report) -> None:
    # Without a duration a suspend waits for someone to resume it (argo resume / the UI): nobody can locally.
    if not isinstance(value, dict) or value.get("duration") in (None, ""):
        report(f"{path} without duration")
    if isinstance(value, dict):
        _walk(value, _only("duration"), path, report)


def _volume(value: Any, path: str, report: Report) -> None:
    # Only emptyDir: a claim, config map, secret or host path has nothing behind it on this machine.
    if isinstance(value, dict) and "emptyDir" not in value and set(value) <= {"name"}:
        report(f"{path} without emptyDir")
    _walk(value, {"name": ANY, "emptyDir": ANY}, path, report)


def _steps(value: Any, path: str, report: Report) -> None:
    """steps: a list of parallel groups, each a list of steps."""
    if not isinstance(value, list):
        return
    for i, group in enumerate(value):
        if isinstance(group, list):
            for j, step in enumerate(group):
                _walk(step, STEP, f"{path}[{i}][{j}]", report)
        else:
            _walk(group, STEP, f"{path}[{i}]", report)


# -- the whitelist ---------------------------------------------------------------------------------------------
ARCHIVE = {"none": ANY, "tar": ANY}  # zip is refused: Argo only ever un-archives tar
S3 = _only("key")  # a key in the run's artifact repository (the resource group's `default` object store)
RAW = _only("data")

WORKFLOW_PARAMETER = _only("name", "value", "default", "enum", "description")
WORKFLOW_ARTIFACT = {"name": ANY, "path": ANY, "archive": ARCHIVE, "optional": ANY, "raw": RAW, "s3": S3}

INPUT_ARTIFACT = {"name": ANY, "path": ANY, "from": ANY, "raw": RAW, "s3": S3, "optional": ANY, "mode": ANY,
                  "archive": ARCHIVE}
OUTPUT_PARAMETER = {"name": ANY, "valueFrom": _only("path", "default", "parameter", "expression"),
                    "globalName": ANY, "default": ANY, "description": ANY}
OUTPUT_ARTIFACT = {"name": ANY, "path": ANY, "globalName": ANY, "archive": ARCHIVE, "optional": ANY, "s3": S3,
                   "from": ANY, "fromExpression": ANY}

ENV = {"name": ANY, "value": ANY, "valueFrom": {"secretKeyRef": _only("name", "key")}}
CONTAINER_IGNORED = ("name", "resources", "imagePullPolicy", "securityContext", "ports", "livenessProbe",
                     "readinessProbe", "startupProbe", "stdin", "tty", "terminationMessagePath",
                     "terminationMessagePolicy")
CONTAINER = {"image": ANY, "command": ANY, "args": ANY, "env": _Each(ENV), "envFrom": _Each({"secretRef": ANY}),
             "workingDir": ANY, "volumeMounts": _Each(_only("name", "mountPath", "readOnly")),
             **_only(*CONTAINER_IGNORED)}
SCRIPT = {**CONTAINER, "source": ANY}

ARGUMENTS = {"parameters": _Each(_only("name", "value")),
             "artifacts": _Each({"name": ANY, "from": ANY, "fromExpression": ANY, "raw": RAW, "s3": S3})}
STEP: Dict[str, Any] = {
    "name": ANY, "template": ANY,
    "arguments": ARGUMENTS,
    "when": ANY, "withItems": ANY, "withParam": ANY, "withSequence": _only("count", "start", "end", "format"),
    "continueOn": _only("failed", "error"), "onExit": ANY, "dependencies": ANY, "depends": ANY,
    # the `exit` hook is a step's exit handler with arguments; other hooks wait on expressions while it runs
    "hooks": {"exit": {"template": ANY, "arguments": ARGUMENTS}},
}  # "inline" is added below: an inline template follows the template whitelist

TEMPLATE_IGNORED = ("metadata", "nodeSelector", "tolerations", "affinity", "serviceAccountName", "securityContext",
                    "priorityClassName", "automountServiceAccountToken", "podResources",
                    "annotations")  # annotations: a display name
TEMPLATE: Dict[str, Any] = {
    "name": ANY,
    "inputs": {"parameters": _Each(WORKFLOW_PARAMETER), "artifacts": _Each(INPUT_ARTIFACT)},
    "outputs": {"parameters": _Each(OUTPUT_PARAMETER), "artifacts": _Each(OUTPUT_ARTIFACT)},
    "container": CONTAINER, "script": SCRIPT, "steps": _steps,
    "dag": {"tasks": _Each(STEP), "failFast": ANY, "target": ANY},
    "suspend": _suspend,
    "archiveLocation": _only("archiveLogs"),  # keeping the logs, as spec.archiveLogs: the run's logs are kept anyway
    "retryStrategy": {"limit": ANY, "retryPolicy": _retry_policy,
                      "backoff": _only("duration", "factor", "maxDuration", "cap")},
    "activeDeadlineSeconds": ANY, "timeout": ANY, "parallelism": ANY, "failFast": ANY, "volumes": _Each(_volume),
    **_only(*TEMPLATE_IGNORED),
}
STEP["inline"] = TEMPLATE

SPEC_IGNORED = ("imagePullSecrets", "serviceAccountName", "nodeSelector", "tolerations", "affinity", "podMetadata",
                "podGC", "ttlStrategy", "archiveLogs", "priorityClassName", "podPriorityClassName", "schedulerName",
                "securityContext", "workflowMetadata", "automountServiceAccountToken", "podDisruptionBudget",
                "podResources", "priority")
SPEC = {
    "entrypoint": ANY,
    "arguments": {"parameters": _Each(WORKFLOW_PARAMETER), "artifacts": _Each(WORKFLOW_ARTIFACT)},
    "templates": ANY,  # walked one by one, each under its own name
    "onExit": ANY, "parallelism": ANY, "activeDeadlineSeconds": ANY, "volumes": _Each(_volume),
    "volumeClaimTemplates": _Each(_only("apiVersion", "kind", "metadata", "spec")),
    **_only(*SPEC_IGNORED),
}


def _refused(value: Any, schema: Schema, path: str) -> List[str]:
    """Refused field paths under `value`, each distinct field (indices aside) once, first occurrence first."""
    found: List[Tuple[str, str]] = []
    seen: Set[str] = set()

    def report(where: str) -> None:
        generic = re.sub(r"\[\d+\]", "[]", where)
        if generic not in seen:
            seen.add(generic)
            found.append((generic, where))

    _walk(value, schema, path, report)
    return [where for _, where in found]


def refusals(document: Any) -> List[str]:
    """One sentence per field of the WorkflowTemplate `document` that the local engine does not carry out."""
    document = with_template_defaults(document)  # each default is checked where it lands, in each template
    spec = document.get("spec") if isinstance(document, dict) else None
    if not isinstance(spec, dict):
        return []
    metadata = document.get("metadata")
    workflow = (metadata.get("name") if isinstance(metadata, dict) else None) or "?"
    sentences = [f"workflow '{workflow}': {where} {SUFFIX}" for where in _refused(spec, SPEC, "spec")]
    templates = spec.get("templates")
    for index, template in enumerate(templates if isinstance(templates, list) else []):
        if isinstance(template, dict):
            name = template.get("name") or f"templates[{index}]"
            sentences += [f"template '{name}': {where} {SUFFIX}" for where in _refused(template, TEMPLATE, "")]
    return sentences
