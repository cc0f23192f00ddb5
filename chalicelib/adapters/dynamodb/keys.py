"""The one place that turns a tenant context and a kind into DynamoDB keys.

Partition keys begin with the tenant (T#<tenant>) and, for resource-group kinds, the resource group
(T#<tenant>#RG#<rg>); sort keys are <KIND>#<id>. '#' cannot occur in tenant, group or id values (their
patterns forbid it), so one tenant's keys can never be spelled from another's.
"""
from __future__ import annotations

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind, Scope


def partition_key(ctx: TenantContext, kind: Kind) -> str:
    tenant = _clean(ctx.tenant, "tenant")
    if kind.scope is Scope.TENANT:
        return f"T#{tenant}"
    return f"T#{tenant}#RG#{_clean(ctx.require_resource_group(), 'resource group')}"


def sort_key(kind: Kind, id: str = "") -> str:
    return f"{kind.prefix}#{_clean(id, 'id') if id else ''}"


def _clean(value: str, what: str) -> str:
    if not value or "#" in value:
        # Reaching here means a caller skipped validation; refuse rather than build a foreign key.
        raise ValueError(f"invalid {what} for a storage key: {value!r}")
    return value
