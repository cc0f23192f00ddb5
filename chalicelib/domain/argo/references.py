"""Placeholders that can never resolve, found before any step runs, as Argo's validation rejects them at submit.

Only references whose target is declared in the document are checked: `inputs.parameters.x` against the
template's inputs, `workflow.parameters.x` against spec.arguments (plus the configuration's bindings),
`steps.x` against the steps of the same template before the current group, `tasks.x` against the tasks of the
same DAG, `workflow.outputs.parameters.x` against the globalNames declared anywhere; and each DAG's depends
expressions (unknown tasks, cycles, results Argo does not have). Anything else (expression
tags, names the walk provides) is left to the walk, which still fails on it by name.
"""
from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Set

from .dag import task_expressions
from .defaults import with_template_defaults
from .pods import WorkflowError

_TAG = re.compile(r"\{\{\s*([^=\s][^}]*?)\s*\}\}")


def _tags(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield from _TAG.findall(value)
    elif isinstance(value, list):
        for item in value:
            yield from _tags(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tags(item)


def unresolvable(document: Dict[str, Any], bound: Iterable[str] = ()) -> List[str]:
    """One message per placeholder that names something the template does not declare."""
    spec = with_template_defaults(document).get("spec") or {}
    templates = [t for t in spec.get("templates") or [] if isinstance(t, dict)]
    params = {p.get("name") for p in (spec.get("arguments") or {}).get("parameters") or [] if isinstance(p, dict)}
    params |= set(bound)
    global_outputs = {p.get("globalName") for t in templates
                      for p in (t.get("outputs") or {}).get("parameters") or [] if p.get("globalName")}
    problems: List[str] = []
    for template in templates:
        _template(template, params, global_outputs, problems)
    return list(dict.fromkeys(problems))


def _template(template: Dict[str, Any], params: Set[str], global_outputs: Set[str], problems: List[str]) -> None:
    name = template.get("name")
    inputs = {p.get("name") for p in (template.get("inputs") or {}).get("parameters") or [] if isinstance(p, dict)}

    def check(value: Any, steps: Set[str] = frozenset(), tasks: Set[str] = frozenset()) -> None:
        for tag in _tags(value):
            parts = tag.split(".")
            missing = (
                (tag.startswith("inputs.parameters.") and parts[2] not in inputs)
                or (tag.startswith("workflow.parameters.") and parts[2] not in params)
                or (tag.startswith("workflow.outputs.parameters.") and parts[3] not in global_outputs)
                or (parts[0] == "steps" and len(parts) > 2 and parts[1] not in steps)
                or (parts[0] == "tasks" and len(parts) > 2 and parts[1] not in tasks))
            if missing:
                problems.append(f"template '{name}': failed to resolve {{{{{tag}}}}}")

    if "steps" in template:
        seen: Set[str] = set()
        for group in template.get("steps") or []:
            group = [s for s in group or [] if isinstance(s, dict)]
            for step in group:
                check({k: v for k, v in step.items() if k not in ("inline", "hooks")}, steps=seen)
                check(step.get("hooks"), steps=seen | {step.get("name")})  # an exit hook reads the step's own outputs
            seen |= {s.get("name") for s in group}
        check(template.get("outputs"), steps=seen)
    elif "dag" in template:
        tasks = {t.get("name") for t in (template.get("dag") or {}).get("tasks") or [] if isinstance(t, dict)}
        try:
            task_expressions([t for t in (template.get("dag") or {}).get("tasks") or [] if isinstance(t, dict)],
                             f"template '{name}'")
        except WorkflowError as err:  # an unknown task, a cycle, a result Argo does not have
            text = str(err)
            problems.append(text if text.startswith("template '") else f"template '{name}': {text}")
        for task in (template.get("dag") or {}).get("tasks") or []:
            if isinstance(task, dict):
                check({k: v for k, v in task.items() if k != "inline"}, tasks=tasks)
        check(template.get("outputs"), tasks=tasks)
    else:
        check({k: v for k, v in template.items() if k not in ("name", "inputs")})
        check([(p or {}).get("default") for p in (template.get("inputs") or {}).get("parameters") or []])
