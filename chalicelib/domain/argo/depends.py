"""DAG task dependencies: Argo's `depends` expressions (docs/enhanced-depends-logic.md) and the legacy
`dependencies` list.

Operands are `task` or `task.Result` with Result one of Succeeded, Failed, Errored, Skipped, Omitted, Daemoned,
AnySucceeded, AllFailed, and Completed (Succeeded, Failed or Errored: issue 7 asks for it; Argo's own validation
has no such result, so a template using it runs here but not on a cluster - the README says so); operators `&&`,
`||`, `!` and parentheses. A bare `task` means (task.Succeeded || task.Skipped || task.Daemoned), plus task.Failed / task.Errored
when that task has continueOn.failed / continueOn.error (workflow/common/ancestry.go expandDependency).
Like Argo, nothing is decided until every task the expression names has finished.
"""
from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Set, Tuple

from simpleeval import SimpleEval

from chalicelib.domain.argo.expr_syntax import ExpressionError
from chalicelib.domain.argo.pods import ERROR, FAILED, OMITTED, SKIPPED, SUCCEEDED

RESULTS = ("Succeeded", "Failed", "Errored", "Skipped", "Omitted", "Daemoned", "AnySucceeded", "AllFailed",
           "Completed")
FINAL_PHASES = (SUCCEEDED, FAILED, ERROR, SKIPPED, OMITTED)
_PHASE_OF = {"Succeeded": SUCCEEDED, "Failed": FAILED, "Errored": ERROR, "Skipped": SKIPPED, "Omitted": OMITTED}

_TOKENS = re.compile(r"\s+|(?P<operand>[a-zA-Z0-9][-a-zA-Z0-9]*(?:\.(?P<result>[A-Za-z]+))?)|(?P<op>&&|\|\||[!()])")


@dataclass
class TaskResult:
    """How a task the expression names ended. phase: its node phase (Succeeded, Failed, Error, Skipped, Omitted;
    Running/Pending = not finished). children_phases: the phases of its iterations when it loops (withItems,
    withParam, withSequence), for .AnySucceeded / .AllFailed. continue_on: the task's continueOn
    ({"failed": true, "error": true}), which widens what a bare `task` accepts."""

    phase: str
    children_phases: Optional[List[str]] = None
    continue_on: Optional[Dict[str, bool]] = None


@lru_cache(maxsize=1024)
def _parse(expr: str) -> Tuple[Any, Tuple[Tuple[str, Optional[str]], ...]]:
    """depends text -> (parsed Python over _r(i) lookups, the operands (task, result or None) in order)."""
    out: List[str] = []
    operands: List[Tuple[str, Optional[str]]] = []
    pos = 0
    while pos < len(expr):
        m = _TOKENS.match(expr, pos)
        if not m:
            raise ExpressionError(f"invalid depends '{expr}': unexpected {expr[pos]!r} at position {pos} "
                                  f"(use task names, .Succeeded-style results, &&, ||, ! and parentheses)")
        pos = m.end()
        if m.group("operand"):
            name, result = m.group("operand").split(".")[0], m.group("result")
            if result is not None and result not in RESULTS:
                raise ExpressionError(f"invalid depends '{expr}': task result '{result}' for task '{name}' is "
                                      f"invalid (one of {', '.join(RESULTS)})")
            out.append(f"_r({len(operands)})")
            operands.append((name, result))
        elif m.group("op"):
            out.append({"&&": "and", "||": "or", "!": "not"}.get(m.group("op"), m.group("op")))
    if not operands:
        if not expr.strip():
            return None, ()  # no dependencies: the task may start at once
        raise ExpressionError(f"invalid depends '{expr}': it names no task")
    try:
        tree = SimpleEval.parse(" ".join(out))
    except SyntaxError:
        raise ExpressionError(f"invalid depends '{expr}': the operators do not fit together") from None
    return tree, tuple(operands)


def depends_names(expr: str) -> Set[str]:
    """The tasks a depends expression waits for."""
    return {name for name, _ in _parse(expr)[1]}


def dependencies_expr(dependencies: List[str]) -> str:
    """The legacy `dependencies: [A, B]` as the depends it means: "A && B" ("" for none, which is always true)."""
    return " && ".join(dependencies)


def _holds(result: Optional[str], task: TaskResult) -> bool:
    if result is None:  # a bare task name
        accepted = {SUCCEEDED, SKIPPED}
        if (task.continue_on or {}).get("failed"):
            accepted.add(FAILED)
        if (task.continue_on or {}).get("error"):
            accepted.add(ERROR)
        return task.phase in accepted
    if result == "Completed":
        return task.phase in (SUCCEEDED, FAILED, ERROR)
    if result == "Daemoned":
        return False  # daemon steps are not run by this engine
    if result == "AnySucceeded":
        return any(p == SUCCEEDED for p in task.children_phases or [])
    if result == "AllFailed":
        children = task.children_phases or []
        return bool(children) and all(p == FAILED for p in children)
    return task.phase == _PHASE_OF[result]


def depends_true(expr: str, results: Mapping[str, TaskResult]) -> Optional[bool]:
    """True: the task may run; False: it is Omitted; None: not decidable yet (a named task has not finished)."""
    tree, operands = _parse(expr)
    if tree is None:
        return True
    for name, _ in operands:
        if name not in results or results[name].phase not in FINAL_PHASES:
            return None
    values = [_holds(result, results[name]) for name, result in operands]
    evaluator = SimpleEval(operators={ast.Not: operator.not_}, functions={"_r": values.__getitem__}, names={})
    return bool(evaluator.eval(expr, previously_parsed=tree))
