"""Wire models for /admin/resourceGroups."""
from __future__ import annotations

from typing import List, Optional

from pydantic import Field

from .common import Body, Wire
from .time import WireTime


class RGLabel(Body):
    key: str = Field(max_length=256)
    value: str = Field(max_length=5000)


class ResourceGroupCreate(Body):
    resource_group_id: str = Field(min_length=3, max_length=253)
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
    request: int = Field(ge=0)


class NodeReservation(Body):
    """PATCH /admin/resources/nodes: warm nodes per resource plan."""
    resource_plans: List[NodeRequest]
