"""The tenant context: built once per request from the token and the AI-Resource-Group header."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .errors import InvalidInput

DEFAULT_RESOURCE_GROUP = "default"


@dataclass(frozen=True)
class TenantContext:
    tenant: str
    resource_group: Optional[str] = None
    tenant_scope: bool = False  # AI-Tenant-Scope: true (generic secrets at main-tenant level)
    client_id: Optional[str] = None

    def require_resource_group(self) -> str:
        if not self.resource_group:
            raise InvalidInput(
                "Missing header AI-Resource-Group: name the resource group this call works in "
                f"(for example '{DEFAULT_RESOURCE_GROUP}')."
            )
        return self.resource_group

    def with_resource_group(self, resource_group: Optional[str]) -> "TenantContext":
        return TenantContext(self.tenant, resource_group, self.tenant_scope, self.client_id)
