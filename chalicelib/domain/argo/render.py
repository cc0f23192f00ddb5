"""The cluster path's first step: a synced WorkflowTemplate plus a configuration's parameter bindings rendered as
the Argo `Workflow` to submit, checked by the same rules the local walk applies before its first step
(parameters.py for values and enums, references.py for placeholders and depends). What Argo does with the
Workflow afterwards is Argo's; nothing of the walk is re-implemented here.

The rest of what the cluster needs (artifact locations, pull secrets, AICORE_* env, resource plans) is added
by domain/cluster/workflow_manifest.py.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Union

from .parameters import check_enum, declared_parameters, parameter_values
from .pods import WorkflowError
from .references import unresolvable

API_VERSION = "argoproj.io/v1alpha1"
EXECUTION_LABEL = "ai.sap.com/executionId"


def render_workflow(document: Dict[str, Any], bound: Dict[str, str], execution_id: str,
                    namespace: str, artifacts: Optional[Dict[str, Union[str, Dict[str, Any]]]] = None
                    ) -> Dict[str, Any]:
    """The Workflow named after the execution, its spec the template's with `arguments.parameters` bound and
    `arguments.artifacts` given their sources (`artifacts`: name -> a key in the namespace's artifact repository,
    or an Argo artifact location such as `{"s3": {"endpoint": ..., "bucket": ..., "key": ...}}`)."""
    problems = unresolvable(document, bound)
    if problems:
        raise WorkflowError("; ".join(problems))
    spec = copy.deepcopy(document.get("spec") or {})
    values = parameter_values(spec, bound)
    for p in declared_parameters(spec):
        check_enum(p, values[p["name"]], f"spec.arguments.{p['name']}")
    arguments = spec.setdefault("arguments", {})
    if values:
        arguments["parameters"] = [{"name": name, "value": value} for name, value in values.items()]
    if artifacts:
        declared = {a.get("name"): a for a in arguments.get("artifacts") or [] if isinstance(a, dict)}
        for name, source in artifacts.items():
            location = {"s3": {"key": source}} if isinstance(source, str) else copy.deepcopy(source)
            declared[name] = {**declared.get(name, {"name": name}), **location}
        arguments["artifacts"] = list(declared.values())
    meta = document.get("metadata") or {}
    labels = {**(meta.get("labels") or {}), EXECUTION_LABEL: execution_id}
    return {"apiVersion": API_VERSION, "kind": "Workflow",
            "metadata": {"name": execution_id, "namespace": namespace, "labels": labels,
                         "annotations": dict(meta.get("annotations") or {})},
            "spec": spec}
