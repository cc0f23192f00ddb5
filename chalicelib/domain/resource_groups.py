"""Resource groups: the tenant's isolation units. `default` is created when a tenant is onboarded (`make run`,
`make tenant`), or on first use by a tenant that had no onboarding step (OIDC tokens)."""
from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar, List, Optional

from .clock import Clock
from .context import DEFAULT_RESOURCE_GROUP, TenantContext
from .entity import Entity
from .errors import AlreadyExists, Conflict, InvalidInput, NotFound, PreconditionFailed
from .labels import LabelSelector, KeyValue
from .orchestration import GroupProvisioner
from .records import Kind, Page, RecordStore

RG_ID = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.-]{1,251}[a-zA-Z0-9]$")
RG_LABEL_KEY = re.compile(r"^ext\.ai\.sap\.com/[\w.-]{1,63}$")


class ResourceGroup(Entity):
    KIND: ClassVar[Kind] = Kind.RESOURCE_GROUP

    resource_group_id: str
    tenant_id: str
    zone_id: Optional[str] = None
    created_at: datetime
    labels: List[KeyValue] = []
    status: str = "PROVISIONED"
    status_message: Optional[str] = None
    service_plan: str = "extended"


def validate_rg_id(value: str) -> str:
    if not RG_ID.match(value or ""):
        raise InvalidInput(
            f"Resource group id '{value}' is invalid: use 3-253 letters, digits, '.' or '-', "
            "starting and ending with a letter or digit.", target="resourceGroupId")
    return value


def validate_labels(labels: List[KeyValue]) -> List[KeyValue]:
    for label in labels:
        if not RG_LABEL_KEY.match(label.key):
            raise InvalidInput(f"Label key '{label.key}' must look like ext.ai.sap.com/<name> "
                               "(name: at most 63 letters, digits, '_', '.', '-').", target="labels")
        if len(label.value) > 5000:
            raise InvalidInput(f"Label '{label.key}' value is longer than 5000 characters.", target="labels")
    return labels


class ResourceGroupService:
    def __init__(self, store: RecordStore, clock: Clock, provisioner: Optional[GroupProvisioner] = None):
        self._store = store
        self._clock = clock
        self._provisioner = provisioner  # AWS: the group's namespace on the cluster

    def _tenant(self, ctx: TenantContext) -> TenantContext:
        return TenantContext(ctx.tenant)

    def create(self, ctx: TenantContext, rg_id: str, labels: List[KeyValue]) -> ResourceGroup:
        """Idempotent: a group that exists already is answered as it is (its labels are not changed), so a CI
        script that creates its group at the top of every run keeps working."""
        validate_rg_id(rg_id)
        group = ResourceGroup(resource_group_id=rg_id, tenant_id=ctx.tenant, zone_id=ctx.tenant,
                              created_at=self._clock.now(), labels=validate_labels(labels))
        try:
            self._store.create(self._tenant(ctx), group.to_record(rg_id))
        except AlreadyExists:
            record = self._store.get(self._tenant(ctx), Kind.RESOURCE_GROUP, rg_id)
            if record is None:  # deleted between our write and read: the caller may simply retry
                raise Conflict(f"Resource group '{rg_id}' was being deleted; retry.",
                               target="resourceGroupId") from None
            return ResourceGroup.from_record(record)
        if self._provisioner is not None:
            self._provisioner.provision_group(ctx.tenant, rg_id)
        return group

    def onboard(self, tenant: str) -> ResourceGroup:
        """AI Core: "When your tenant is onboarded, a default resource group is created immediately"."""
        return self.create(TenantContext(tenant), DEFAULT_RESOURCE_GROUP, [])

    def get(self, ctx: TenantContext, rg_id: str) -> ResourceGroup:
        validate_rg_id(rg_id)
        record = self._store.get(self._tenant(ctx), Kind.RESOURCE_GROUP, rg_id)
        if record is None:
            if rg_id == DEFAULT_RESOURCE_GROUP:  # a tenant that came through OIDC had no onboarding step
                return self.onboard(ctx.tenant)
            raise NotFound(f"Resource group '{rg_id}' not found.", target="resourceGroupId")
        return ResourceGroup.from_record(record)

    def require_usable(self, ctx: TenantContext) -> ResourceGroup:
        """The header must name a resource group of this tenant that is provisioned."""
        rg_id = ctx.require_resource_group()
        if not RG_ID.match(rg_id):
            raise InvalidInput(f"Header AI-Resource-Group '{rg_id}' is not a valid resource group id.")
        try:
            group = self.get(ctx, rg_id)
        except NotFound:
            raise NotFound(f"Resource group '{rg_id}' (header AI-Resource-Group) not found: create it with "
                           "POST /v2/admin/resourceGroups first.") from None
        if group.status != "PROVISIONED":
            raise PreconditionFailed(f"Resource group '{rg_id}' is {group.status}, not PROVISIONED.")
        return group

    def query(self, ctx: TenantContext, selector: LabelSelector, search: Optional[str], case_insensitive: bool,
              skip: int, top: Optional[int]) -> Page:
        self._ensure_default_listed(ctx)

        def matches(doc: dict) -> bool:
            if not selector.matches(doc.get("labels") or []):
                return False
            if search:
                hay, needle = doc.get("resource_group_id", ""), search
                if case_insensitive:
                    hay, needle = hay.lower(), needle.lower()
                return needle in hay
            return True

        page = self._store.query(self._tenant(ctx), Kind.RESOURCE_GROUP, predicate=matches, skip=skip, top=top)
        return page

    def _ensure_default_listed(self, ctx: TenantContext) -> None:
        if self._store.get(self._tenant(ctx), Kind.RESOURCE_GROUP, DEFAULT_RESOURCE_GROUP) is None:
            self.onboard(ctx.tenant)

    def modify(self, ctx: TenantContext, rg_id: str, labels: List[KeyValue]) -> ResourceGroup:
        group = self.get(ctx, rg_id)
        group.labels = validate_labels(labels)
        self._store.replace(self._tenant(ctx), group.to_record(rg_id, group.stored_version))
        return group

    def delete(self, ctx: TenantContext, rg_id: str) -> None:
        self.get(ctx, rg_id)
        if rg_id == DEFAULT_RESOURCE_GROUP:
            raise PreconditionFailed("The 'default' resource group cannot be deleted.", target="resourceGroupId")
        # Objects inside the group stay keyed by it and become unreachable; a later sweep removes them.
        self._store.delete(self._tenant(ctx), Kind.RESOURCE_GROUP, rg_id)
        if self._provisioner is not None:  # the engine's part goes at once (on AWS: the namespace, its secrets)
            self._provisioner.deprovision_group(ctx.tenant, rg_id)
