"""DAG rules that need no running: dependency checks before the start, and the DAG's phase once its tasks ended
(Argo's assessDAGPhase: a failure decides the DAG only where it reaches a leaf of its branch unhandled)."""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

from .depends import dependencies_expr, depends_names
from .nodes import Node
from .pods import ERROR, FAILED, SKIPPED, SUCCEEDED, WorkflowError

# Results that make a task a handler of its dependency's failure (failFast then keeps scheduling).
_HANDLES = ("Failed", "Errored", "Completed", "AllFailed", "AnySucceeded")


def task_expressions(tasks: List[dict], where: str) -> Dict[str, str]:
    """Each task's depends expression ("" for none); legacy `dependencies` become "A && B"."""
    exprs: Dict[str, str] = {}
    for task in tasks:
        name = task.get("name")
        if task.get("depends") and task.get("dependencies"):
            raise WorkflowError(f"{where}: task '{name}' sets both depends and dependencies; use one.")
        exprs[name] = str(task.get("depends") or dependencies_expr(task.get("dependencies") or []))
    deps = {n: depends_names(e) for n, e in exprs.items()}
    for name, names in deps.items():
        unknown = names - exprs.keys()
        if unknown:
            raise WorkflowError(f"{where}: task '{name}' depends on unknown task(s) {', '.join(sorted(unknown))}.")
    _check_cycles(deps, where)
    return exprs


def _check_cycles(deps: Dict[str, Set[str]], where: str) -> None:
    state: Dict[str, int] = {}

    def visit(name: str, trail: Tuple[str, ...]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            raise WorkflowError(f"{where}: tasks depend on each other in a cycle: {' -> '.join(trail + (name,))}.")
        state[name] = 1
        for dep in sorted(deps[name]):
            visit(dep, trail + (name,))
        state[name] = 2

    for name in deps:
        visit(name, ())


def handled_failures(exprs: Dict[str, str]) -> Set[str]:
    """Tasks whose failure another task's depends expression reacts to (`A.Failed`, `A.Completed` ...)."""
    handled: Set[str] = set()
    for expr in exprs.values():
        for name in depends_names(expr):
            if re.search(rf"(?<![\w-]){re.escape(name)}\.({'|'.join(_HANDLES)})\b", expr):
                handled.add(name)
    return handled


def dag_outcome(exprs: Dict[str, str], done: Dict[str, Node]) -> Optional[Node]:
    """The node whose failure fails the DAG, or None when it succeeded. A branch carries the phase of its last
    completed task down to its leaves; skipped and omitted tasks pass on what they inherited."""
    deps = {n: depends_names(e) for n, e in exprs.items()}
    dependents = {n: sorted(m for m in deps if n in deps[m]) for n in deps}
    queue: List[Tuple[str, Optional[Node]]] = [(n, None) for n in exprs if not deps[n]]
    seen: Set[Tuple[str, int]] = set()
    culprit: Optional[Node] = None
    while queue:
        name, branch = queue.pop(0)
        if (name, id(branch)) in seen:
            continue
        seen.add((name, id(branch)))
        node = done.get(name)
        if node is not None and node.phase in (SUCCEEDED, FAILED, ERROR, SKIPPED):
            branch = node
        if not dependents[name] and branch is not None and branch.blocking and culprit is None:
            culprit = branch
        queue.extend((child, branch) for child in dependents[name])
    return culprit
