"""AI Core's resource plans (the `ai.sap.com/resourcePlan` label) as Kubernetes scheduling: a nodeSelector that
sends the pod to the node group serving that plan, the CPU/memory/GPU the pod asks for, and for GPU plans the
toleration of the `nvidia.com/gpu` taint EKS GPU node groups usually carry.

The figures follow SAP's published plan sizes (what a pod of that plan gets, a little under the node's size so
the node's own daemons fit). A cluster admin replaces the table in settings (same shape) to match the node groups
actually there; node groups are expected to carry the label `ai.sap.com/resourcePlan: <plan>` (infra/k8s).
"""
from __future__ import annotations

from typing import Any, Dict, Mapping

from ..errors import InvalidInput

PLAN_LABEL = "ai.sap.com/resourcePlan"
DEFAULT_PLAN = "starter"  # AI Core's plan for a template that names none
GPU = "nvidia.com/gpu"
_GPU_TOLERATION = {"key": GPU, "operator": "Exists", "effect": "NoSchedule"}


def _plan(name: str, cpu: str, memory: str, gpus: int = 0) -> Dict[str, Any]:
    amounts = {"cpu": cpu, "memory": memory, **({GPU: str(gpus)} if gpus else {})}
    plan: Dict[str, Any] = {"nodeSelector": {PLAN_LABEL: name},
                            "resources": {"requests": dict(amounts), "limits": dict(amounts)}}
    if gpus:
        plan["tolerations"] = [dict(_GPU_TOLERATION)]
    return plan


DEFAULT_RESOURCE_PLANS: Mapping[str, Dict[str, Any]] = {
    "starter": _plan("starter", "1", "3Gi"),
    "basic": _plan("basic", "3", "11Gi"),
    "basic.8x": _plan("basic.8x", "31", "116Gi"),
    "infer.s": _plan("infer.s", "3", "10Gi", gpus=1),   # one NVIDIA T4
    "infer.m": _plan("infer.m", "7", "26Gi", gpus=1),   # one NVIDIA T4
    "infer.l": _plan("infer.l", "15", "58Gi", gpus=1),  # one NVIDIA T4
    "train.l": _plan("train.l", "7", "55Gi", gpus=1),   # one NVIDIA V100
}


class UnknownResourcePlan(InvalidInput):
    """The template names a plan the table does not have; the run ends DEAD with this message."""


def resource_plan(name: str, plans: Mapping[str, Dict[str, Any]]) -> Dict[str, Any]:
    if name not in plans:
        raise UnknownResourcePlan(f"Resource plan '{name}' (label {PLAN_LABEL}) is not offered here; known plans: "
                                  f"{', '.join(sorted(plans))}.")
    return plans[name]


def with_plan_resources(resources: Any, plan: Mapping[str, Any]) -> Dict[str, Any]:
    """The container's resources with the plan's amounts: the plan wins for what it sets (it is what the tenant
    chose and what the node group was sized for); other keys the template gives (ephemeral-storage...) stay."""
    merged = {key: dict(value) for key, value in (resources or {}).items() if isinstance(value, dict)}
    for kind, amounts in (plan.get("resources") or {}).items():
        merged[kind] = {**merged.get(kind, {}), **amounts}
    return merged


def check_resource_plans(plans: Any) -> Dict[str, Dict[str, Any]]:
    """A table given in settings (same shape as DEFAULT_RESOURCE_PLANS), checked once at start-up so a typo is a
    clear error there rather than a pod Kubernetes refuses later."""
    if not isinstance(plans, dict) or not plans:
        raise ValueError("resource plans must be a non-empty mapping of plan name to plan")
    for name, plan in plans.items():
        where = f"resource plan '{name}'"
        if not isinstance(plan, dict) or set(plan) - {"nodeSelector", "resources", "tolerations"}:
            raise ValueError(f"{where}: a mapping with nodeSelector, resources and tolerations only")
        if not _string_map(plan.get("nodeSelector", {})):
            raise ValueError(f"{where}: nodeSelector must map label names to strings")
        resources = plan.get("resources", {})
        if not isinstance(resources, dict) or set(resources) - {"requests", "limits"} or not all(
                _string_map(amounts) for amounts in resources.values()):
            raise ValueError(f"{where}: resources must be requests/limits, each mapping a resource to a quantity "
                             "string such as '2' or '8Gi'")
        if not isinstance(plan.get("tolerations", []), list):
            raise ValueError(f"{where}: tolerations must be a list")
    return plans


def _string_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
