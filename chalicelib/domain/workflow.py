"""Interpreting an Argo WorkflowTemplate: parameters, steps and dag orchestration, retries. No I/O here.

`WorkflowRun.run()` walks the entrypoint; every `container`/`script` template it reaches becomes a
`ContainerNode` handed to a `NodeRunner` port (the local engine runs it as a host process; an EKS engine would
not use this walk at all). Supported: `steps` (outer list sequential, inner groups in parallel), `dag` (tasks
with `dependencies` or a `depends` expression of task names joined by &&), `{{workflow.parameters.x}}` and
`{{inputs.parameters.x}}` (step/task `arguments.parameters` over the template's input defaults),
`retryStrategy.limit`. Not interpreted: `when`, `withItems`/`withParam`, output parameters, exit handlers.
"""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Protocol

_EXPR = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")
_DEPENDS_NAME = re.compile(r"[A-Za-z0-9][\w-]*")
MAX_DEPTH = 20


class WorkflowError(Exception):
    """The template cannot run as written (message for statusMessage)."""


class Cancelled(Exception):
    """The run was stopped."""


@dataclass
class ContainerNode:
    step: str  # display name: step/task path, e.g. "train" or "pipeline.train"
    pod: str
    template: Dict[str, Any]  # the container/script template, parameters substituted
    attempts: int = 1


class NodeRunner(Protocol):
    def run(self, node: ContainerNode, attempt: int) -> int:
        """Run one attempt of a container node; return its exit code (raise Cancelled when stopped)."""


def substitute(value: Any, scope: Dict[str, str]) -> Any:
    """Replace {{name}} wherever it appears in strings of a nested structure; unknown names stay as written
    unless they look like parameters (then the template is wrong and says so)."""
    if isinstance(value, str):
        def one(match: re.Match) -> str:
            name = match.group(1)
            if name in scope:
                return scope[name]
            if name.startswith(("inputs.parameters.", "workflow.parameters.")):
                raise WorkflowError(f"Parameter '{name}' has no value: declare it with a default or bind it "
                                    "in the configuration.")
            return match.group(0)

        return _EXPR.sub(one, value)
    if isinstance(value, list):
        return [substitute(v, scope) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, scope) for k, v in value.items()}
    return value


def declared_value(parameter: Dict[str, Any]) -> Optional[str]:
    """A declared parameter's own value: `value` wins over `default`, as in Argo."""
    for key in ("value", "default"):
        if parameter.get(key) is not None:
            return str(parameter[key])
    return None


def workflow_parameters(spec: Dict[str, Any], bound: Dict[str, str]) -> Dict[str, str]:
    """spec.arguments.parameters (`value`, else `default`: AI Core's documentation writes `default`), overridden
    by the configuration's parameter bindings."""
    values: Dict[str, str] = {}
    for p in (spec.get("arguments") or {}).get("parameters") or []:
        if isinstance(p, dict) and p.get("name"):
            given = declared_value(p)
            if given is not None:
                values[p["name"]] = given
    values.update({k: str(v) for k, v in bound.items()})
    return values


def _depends_on(task: Dict[str, Any]) -> List[str]:
    if task.get("dependencies"):
        return [str(d) for d in task["dependencies"]]
    expr = task.get("depends") or ""
    # "A && B.Succeeded": every name must have succeeded (|| and negation are read as && here).
    return [n for n in _DEPENDS_NAME.findall(expr) if n not in ("Succeeded", "Failed", "Errored", "Skipped",
                                                                 "Daemoned", "AnySucceeded", "AllFailed")]


@dataclass
class WorkflowRun:
    template: Dict[str, Any]  # the WorkflowTemplate document
    parameters: Dict[str, str]  # configuration bindings
    runner: NodeRunner
    run_id: str
    cancelled: threading.Event = field(default_factory=threading.Event)
    max_parallel: int = 8

    def __post_init__(self) -> None:
        spec = self.template.get("spec") or {}
        self._templates = {t.get("name"): t for t in spec.get("templates") or [] if isinstance(t, dict)}
        self._entry = spec.get("entrypoint")
        if self._entry not in self._templates:
            raise WorkflowError(f"The entrypoint '{self._entry}' is not one of the templates.")
        self._globals = {f"workflow.parameters.{k}": v
                         for k, v in workflow_parameters(spec, self.parameters).items()}
        self._globals["workflow.name"] = self.run_id
        self._seq = 0
        self._lock = threading.Lock()

    def run(self) -> None:
        """Raise WorkflowError on failure, Cancelled when stopped; return when every node succeeded."""
        self._call(self._entry, {}, self._entry, 0)

    # -- walking --------------------------------------------------------------------------------------
    def _call(self, name: str, arguments: Dict[str, str], path: str, depth: int) -> None:
        if self.cancelled.is_set():
            raise Cancelled()
        if depth > MAX_DEPTH:
            raise WorkflowError(f"Templates nest deeper than {MAX_DEPTH} levels at '{path}'.")
        template = self._templates.get(name)
        if template is None:
            raise WorkflowError(f"Step '{path}' names template '{name}', which the WorkflowTemplate lacks.")
        scope = dict(self._globals)
        for p in (template.get("inputs") or {}).get("parameters") or []:
            value = arguments.get(p.get("name"), declared_value(p))
            if value is None:
                raise WorkflowError(f"Input parameter '{p.get('name')}' of template '{name}' has no value.")
            scope[f"inputs.parameters.{p['name']}"] = str(value)
        if "steps" in template:
            for group in template.get("steps") or []:
                self._parallel([(s, f"{path}.{s.get('name')}") for s in (group or [])], scope, depth)
        elif "dag" in template:
            self._dag((template.get("dag") or {}).get("tasks") or [], scope, path, depth)
        elif "container" in template or "script" in template:
            self._container(substitute({k: v for k, v in template.items() if k != "inputs"}, scope)
                            | {"inputs": substitute(template.get("inputs") or {}, scope)}, path)
        else:
            raise WorkflowError(f"Template '{name}' is neither steps, dag, container nor script; "
                                "the local engine cannot run it.")

    def _child(self, step: Dict[str, Any], scope: Dict[str, str], path: str, depth: int) -> None:
        args = {p.get("name"): str(substitute(p.get("value", ""), scope))
                for p in (step.get("arguments") or {}).get("parameters") or [] if isinstance(p, dict)}
        self._call(step.get("template"), args, path, depth + 1)

    def _parallel(self, steps: List[tuple], scope: Dict[str, str], depth: int) -> None:
        if len(steps) == 1:
            self._child(steps[0][0], scope, steps[0][1], depth)
            return
        with ThreadPoolExecutor(max_workers=min(self.max_parallel, len(steps))) as pool:
            futures = [pool.submit(self._child, s, scope, p, depth) for s, p in steps]
        for future in futures:
            future.result()  # the first failure (in declaration order) is the one reported

    def _dag(self, tasks: List[Dict[str, Any]], scope: Dict[str, str], path: str, depth: int) -> None:
        by_name = {t.get("name"): t for t in tasks}
        needs = {n: set(_depends_on(t)) for n, t in by_name.items()}
        for n, deps in needs.items():
            missing = deps - by_name.keys()
            if missing:
                raise WorkflowError(f"DAG task '{n}' depends on unknown task(s) {sorted(missing)}.")
        done: set = set()
        while len(done) < len(by_name):
            ready = [n for n in by_name if n not in done and needs[n] <= done]
            if not ready:
                raise WorkflowError(f"DAG tasks {sorted(set(by_name) - done)} depend on each other in a cycle.")
            self._parallel([(by_name[n], f"{path}.{n}") for n in ready], scope, depth)
            done.update(ready)

    def _container(self, template: Dict[str, Any], path: str) -> None:
        limit = (template.get("retryStrategy") or {}).get("limit", 0)
        try:
            attempts = 1 + max(0, int(str(limit)))
        except ValueError:
            raise WorkflowError(f"retryStrategy.limit of '{path}' must be a number, got '{limit}'.") from None
        with self._lock:
            self._seq += 1
            pod = f"{self.run_id}-{path.rsplit('.', 1)[-1]}-{self._seq}"[:63]
        node = ContainerNode(step=path, pod=pod, template=template, attempts=attempts)
        code = None
        for attempt in range(1, attempts + 1):
            if self.cancelled.is_set():
                raise Cancelled()
            code = self.runner.run(node, attempt)
            if code == 0:
                return
        raise WorkflowError(f"Step '{path}' failed with exit code {code}"
                            + (f" after {attempts} attempts." if attempts > 1 else "."))

