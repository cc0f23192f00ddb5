"""The one place that turns a tenant context and a kind into DynamoDB keys.

Partition keys begin with the tenant (T#<tenant>) and, for resource-group kinds, the resource group
(T#<tenant>#RG#<rg>); sort keys are <KIND>#<id>. Execution-scoped kinds (ids "<executionId>/<rest>") live in
a partition of their execution and kind, T#<tenant>#RG#<rg>#X#<executionId>#<KIND>, with sort keys
<KIND>#<rest>: one kind's items never slow a Query of another's (the emulator walks a whole partition). '#' cannot occur in tenant, group or id values (their
patterns forbid it), so one tenant's keys can never be spelled from another's.
"""
from __future__ import annotations

from chalicelib.domain.context import TenantContext
from chalicelib.domain.records import Kind, Scope


def partition_key(ctx: TenantContext, kind: Kind, id: str = "") -> str:
    tenant = _clean(ctx.tenant, "tenant")
    if kind.scope is Scope.TENANT:
        return f"T#{tenant}"
    group = f"T#{tenant}#RG#{_clean(ctx.require_resource_group(), 'resource group')}"
    if kind.scope is Scope.EXECUTION:
        return f"{group}#X#{_clean(_split(id)[0], 'execution id')}#{kind.prefix}"
    return group


def sort_key(kind: Kind, id: str = "") -> str:
    if kind.scope is Scope.EXECUTION:
        id = _split(id)[1]
    return f"{kind.prefix}#{_clean(id, 'id') if id else ''}"


def id_of(kind: Kind, pk: str, sk: str) -> str:
    """The record id a stored item's keys spell (the inverse of the two functions above)."""
    rest = sk[len(kind.prefix) + 1:]
    if kind.scope is Scope.EXECUTION:
        return f"{pk.rsplit('#X#', 1)[1].rsplit('#', 1)[0]}/{rest}"
    return rest


def _split(id: str) -> tuple:
    owner, slash, rest = id.partition("/")
    if not slash:
        raise ValueError(f"an execution-scoped id must be '<executionId>/<rest>': {id!r}")
    return owner, rest


def _clean(value: str, what: str) -> str:
    if not value or "#" in value:
        # Reaching here means a caller skipped validation; refuse rather than build a foreign key.
        raise ValueError(f"invalid {what} for a storage key: {value!r}")
    return value
