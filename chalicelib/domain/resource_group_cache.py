"""Every resource-group route first checks that the group exists and is provisioned: one more key lookup
per request, for an answer that almost never changes. This remembers PROVISIONED groups per
(tenant, group) for a few seconds.

Safe across tenants: the key starts with the tenant, so one tenant's group never answers for another's.
Never cached: a missing or not-yet-provisioned group (creating one is seen at once). A delete through this
process forgets the group at once; another process (another Lambda instance) may still accept requests to a
just-deleted group for up to `ttl_seconds` — the group's objects stay keyed by it until swept, as before.
"""
from __future__ import annotations

import threading
import time
from typing import Callable, Dict, List, Optional, Tuple

from .clock import Clock
from .context import TenantContext
from .labels import KeyValue
from .orchestration import GroupProvisioner
from .records import RecordStore
from .resource_groups import ResourceGroup, ResourceGroupService

MAX_ENTRIES = 10_000


class CachedResourceGroups(ResourceGroupService):
    def __init__(self, store: RecordStore, clock: Clock, ttl_seconds: float = 5.0,
                 monotonic: Callable[[], float] = time.monotonic, provisioner: Optional[GroupProvisioner] = None):
        super().__init__(store, clock, provisioner)
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._usable: Dict[Tuple[str, str], Tuple[float, ResourceGroup]] = {}
        self._lock = threading.Lock()

    def require_usable(self, ctx: TenantContext) -> ResourceGroup:
        key = (ctx.tenant, ctx.require_resource_group())
        now = self._monotonic()
        hit = self._usable.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        group = super().require_usable(ctx)  # raises for missing or unprovisioned groups: nothing cached then
        with self._lock:
            if len(self._usable) >= MAX_ENTRIES:
                self._usable.clear()
            self._usable[key] = (now + self._ttl, group)
        return group

    def modify(self, ctx: TenantContext, rg_id: str, labels: List[KeyValue]) -> ResourceGroup:
        self._forget(ctx, rg_id)
        return super().modify(ctx, rg_id, labels)

    def delete(self, ctx: TenantContext, rg_id: str) -> None:
        self._forget(ctx, rg_id)
        super().delete(ctx, rg_id)
        self._forget(ctx, rg_id)  # a request that refilled the entry meanwhile must not keep it

    def _forget(self, ctx: TenantContext, rg_id: str) -> None:
        with self._lock:
            self._usable.pop((ctx.tenant, rg_id), None)
