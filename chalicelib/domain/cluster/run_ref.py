"""Which run a state machine drives, as its events name it: `{"kind", "tenant", "resourceGroup", "id"}`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict

from ..context import TenantContext
from ..runs import Deployment, Execution
from .names import is_label
from .namespaces import namespace_for

EXECUTION, DEPLOYMENT = "execution", "deployment"
GROUP = "resourceGroup"  # a resource group's own namespace (provisioned with the group, removed with it): id = group
SECRET = "secret"  # a secret's copies in namespaces: id = the Kubernetes Secret's name, resourceGroup = EVERY_GROUP
EVERY_GROUP = "*"  # or the group: a tenant-wide secret may have been copied into every group's namespace


@dataclass(frozen=True)
class RunRef:
    """Which run a state machine drives: `{"kind", "tenant", "resourceGroup", "id"}` in its events."""

    kind: str  # "execution" | "deployment" | "resourceGroup" | "secret"
    tenant: str
    resource_group: str
    id: str

    @classmethod
    def from_event(cls, run: Dict[str, Any]) -> "RunRef":
        kind = run.get("kind")
        if kind not in (EXECUTION, DEPLOYMENT, GROUP, SECRET):
            raise ValueError(f"run.kind must be 'execution', 'deployment', 'resourceGroup' or 'secret', got {kind!r}.")
        fields = {name: run.get(key) for name, key in (("tenant", "tenant"), ("resource_group", "resourceGroup"),
                                                        ("id", "id"))}
        missing = [key for key, value in fields.items() if not isinstance(value, str) or not value]
        if missing:
            raise ValueError(f"run is missing {', '.join(missing)}.")
        return cls(kind=kind, **fields)

    def to_event(self) -> Dict[str, str]:
        return {"kind": self.kind, "tenant": self.tenant, "resourceGroup": self.resource_group, "id": self.id}

    @property
    def ctx(self) -> TenantContext:
        return TenantContext(self.tenant, self.resource_group)

    @property
    def run_class(self) -> type:
        return Execution if self.kind == EXECUTION else Deployment

    @property
    def namespace(self) -> str:
        return namespace_for(self.tenant, self.resource_group)


def namespace_labels(ref: RunRef) -> Dict[str, str]:
    """The run's namespace labels: who manages it, and the tenant and group where they are valid label values."""
    labels = {"app.kubernetes.io/managed-by": "aicore"}
    for key, value in (("ai.sap.com/tenant", ref.tenant), ("ai.sap.com/resourceGroup", ref.resource_group)):
        if is_label(value.lower()) and value == value.lower():  # a label value must be one; else the hash says it
            labels[key] = value
    return labels
