"""Wire models for /admin/resourceGroups."""
from __future__ import annotations

from typing import List, Optional

from pydantic import Field

from chalicelib.domain.resource_groups import RG_ID, RG_LABEL_KEY

from .common import Body, Wire, stated
from .time import WireTime


class RGLabel(Body):
    key: str = Field(max_length=256, json_schema_extra=stated(RG_LABEL_KEY))
    value: str = Field(max_length=5000)


class ResourceGroupCreate(Body):
    resource_group_id: str = Field(min_length=3, max_length=253, json_schema_extra=stated(RG_ID))
    labels: List[RGLabel] = []


class ResourceGroupPatch(Body):
    labels: List[RGLabel] = []


class ResourceGroupOut(Wire):
    resource_group_id: str
    tenant_id: Optional[str] = None
    zone_id: Optional[str] = None
    created_at: WireTime
    labels: List[RGLabel] = []
    status: str
    status_message: Optional[str] = None
    service_plan: Optional[str] = None


class ResourceGroupCreated(Wire):
    resource_group_id: str
    tenant_id: Optional[str] = None
    zone_id: Optional[str] = None


class NodeRequest(Body):
    name: str = Field(min_length=1, max_length=256)
    # No plan has a node pool on this stack (GET /admin/resources/nodes lists none): only 0 can be reserved.
    request: int = Field(ge=0, json_schema_extra=stated(maximum=0))


class NodeReservation(Body):
    """PATCH /admin/resources/nodes: warm nodes per resource plan."""
    resource_plans: List[NodeRequest]
