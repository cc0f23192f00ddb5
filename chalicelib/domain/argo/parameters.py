"""Workflow parameters as Argo binds them at submit, for the local walk and for rendering a cluster Workflow alike:
the configuration's binding over the declared `value` over `default`; a parameter with none of them is an error
naming it; `enum` lists the values allowed."""
from __future__ import annotations

from typing import Any, Dict, List

from .pods import WorkflowError
from .values import text


def declared_parameters(spec: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [p for p in (spec.get("arguments") or {}).get("parameters") or [] if isinstance(p, dict)]


def parameter_values(spec: Dict[str, Any], bound: Dict[str, str]) -> Dict[str, str]:
    """name -> value, in declaration order; bindings the template does not declare come last."""
    values: Dict[str, str] = {}
    for p in declared_parameters(spec):
        name = p.get("name")
        value = bound.get(name, p.get("value", p.get("default")))
        if value is None:
            raise WorkflowError(f"Workflow parameter '{name}' has no value: give it a value or default in "
                                "spec.arguments.parameters, or bind it in the configuration.")
        values[name] = text(value)
    for name, value in bound.items():
        values.setdefault(name, str(value))
    return values


def check_enum(parameter: Dict[str, Any], value: str, what: str) -> None:
    allowed = parameter.get("enum")
    if allowed and value not in [text(v) for v in allowed]:
        raise WorkflowError(f"{what}.value should be present in {what}.enum list: '{value}' is not one of "
                            f"{', '.join(text(v) for v in allowed)}")  # Argo's validation words it so
