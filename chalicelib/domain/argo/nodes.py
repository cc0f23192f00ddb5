"""What the walk records about each node (a step, task, loop, retry or pod): its phase and outputs, and how those
become the `{{steps.x...}}` / `{{tasks.x...}}` names the next steps read, aggregated over loops as Argo does."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from .pods import ERROR, FAILED, OMITTED, SKIPPED, SUCCEEDED, ArtifactInput
from .values import text



@dataclass
class Node:
    name: str  # path, e.g. "main.print(1:b)"
    display: str = ""  # Argo's displayName: "print(1:b)", the workflow's name for the root
    template: str = ""
    phase: str = ""
    message: str = ""
    parameters: Dict[str, Optional[str]] = field(default_factory=dict)
    result: Optional[str] = None
    artifacts: Dict[str, ArtifactInput] = field(default_factory=dict)
    exit_code: Optional[int] = None
    children: List["Node"] = field(default_factory=list)  # loop children (aggregated outputs)
    started_at: str = ""
    finished_at: str = ""
    pod: str = ""
    continue_on: Dict[str, Any] = field(default_factory=dict)
    is_loop: bool = False
    cause: Optional["Node"] = None  # for a failed steps/dag/loop node: the failed step that decided it
    index: int = 0  # position in its loop (aggregated outputs keep the items' order)

    @property
    def failed(self) -> bool:
        return self.phase in (FAILED, ERROR)

    @property
    def tolerated(self) -> bool:
        """A failure the step's continueOn lets the parent carry on past."""
        return (self.phase == FAILED and bool(self.continue_on.get("failed"))) or \
            (self.phase == ERROR and bool(self.continue_on.get("error")))

    @property
    def blocking(self) -> bool:
        return self.failed and not self.tolerated


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def loop_phase(children: List[Node]) -> str:
    """A loop fails when one of its children failed (and continueOn does not cover it)."""
    blocking = [c for c in children if c.blocking]
    if blocking:
        return blocking[0].phase
    if children and all(c.phase == SKIPPED for c in children):
        return SKIPPED
    return SUCCEEDED


def aggregate(node: Node) -> None:
    """Argo's processAggregateNodeOutputs: per-name value lists, the list of parameter maps, the list of results."""
    ordered = sorted(node.children, key=lambda c: c.index)
    done = [c for c in ordered if c.phase == SUCCEEDED]
    maps = [dict(c.parameters) for c in done if c.parameters]
    names: Dict[str, List[str]] = {}
    for child in done:
        for key, value in child.parameters.items():
            names.setdefault(key, []).append(value)
    node.parameters = {key: _aggregated_list(values) for key, values in names.items()}
    node.parameters_json = text(maps)  # type: ignore[attr-defined]
    results = [_json_value(c.result) for c in done if c.result is not None]
    node.result = text(results)


def _aggregated_list(values: List[str]) -> str:
    """A JSON list of the values: parsed where every value is a JSON list or map, else the strings (Argo's
    aggregatedJSONValueList)."""
    try:
        parsed = [json.loads(v) for v in values]
    except ValueError:
        return text(values)
    return text(parsed if all(isinstance(p, (list, dict)) for p in parsed) else values)


def scope_of(prefix: str, node: Node) -> Dict[str, str]:
    """`{{steps.x.*}}` / `{{tasks.x.*}}` names of a finished node (prefix "steps.x")."""
    scope = {f"{prefix}.status": node.phase, f"{prefix}.id": node.pod or node.name,
             f"{prefix}.startedAt": node.started_at, f"{prefix}.finishedAt": node.finished_at}
    if node.phase in (SKIPPED, OMITTED):  # declared defaults, or None where the output is absent
        scope.update({f"{prefix}.outputs.parameters.{k}": v for k, v in node.parameters.items()})
        return scope
    if node.exit_code is not None:
        scope[f"{prefix}.exitCode"] = str(node.exit_code)
    for key, value in node.parameters.items():
        scope[f"{prefix}.outputs.parameters.{key}"] = value
    if node.is_loop:
        scope[f"{prefix}.outputs.parameters"] = getattr(node, "parameters_json", "[]")
    if node.result is not None:
        scope[f"{prefix}.outputs.result"] = node.result
    return scope


def failure_entry(node: Node) -> Dict[str, Any]:
    """One item of {{workflow.failures}}, with the fields Argo puts there."""
    return {"displayName": node.display or node.name, "message": node.message, "templateName": node.template,
            "phase": node.phase, "podName": node.pod, "finishedAt": node.finished_at}


@dataclass
class Frame:
    """What one template invocation sees: its names (inputs, steps.x, tasks.x) and artifact references."""

    scope: Dict[str, Any]
    artifacts: Dict[str, ArtifactInput]
    depth: int
    deadline: Optional[float]  # monotonic time by which this template must end
