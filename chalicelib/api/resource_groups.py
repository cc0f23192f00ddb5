"""/v2/admin/resourceGroups: tenant level (the client's default AI-Resource-Group header is ignored)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.labels import KeyValue, LabelSelector
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse
from chalicelib.schemas.resource_groups import (ResourceGroupCreate, ResourceGroupCreated, ResourceGroupOut,
                                                ResourceGroupPatch)

from .parameters import RESOURCE_GROUP_SEARCH
from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/admin/resourceGroups"


def _out(group) -> ResourceGroupOut:
    return ResourceGroupOut.model_validate(group.model_dump())


@route(bp, BASE, ["POST"], status=202, body=ResourceGroupCreate, response=ResourceGroupCreated,
       summary="Create a resource group")
def create(req):
    body = req.body(ResourceGroupCreate)
    labels = [KeyValue(key=l.key, value=l.value) for l in body.labels]
    group = container().resource_groups.create(req.ctx, body.resource_group_id, labels)
    return json_response(ResourceGroupCreated.model_validate(group.model_dump()), 202,
                         {"Location": f"{BASE}/{group.resource_group_id}"})


@route(bp, BASE, ["GET"], response=ListOf(ResourceGroupOut), summary="List resource groups",
       query=("$top", "$skip", "$count", "labelSelector", RESOURCE_GROUP_SEARCH,
              "searchCaseInsensitive"))
def query(req):
    skip, top = req.paging(default_top=None)
    selector = LabelSelector(req.list_param("labelSelector"), param="labelSelector")
    page = container().resource_groups.query(req.ctx, selector, req.text("$search", max_length=256),
                                             req.flag("searchCaseInsensitive"), skip, top)
    from chalicelib.domain.resource_groups import ResourceGroup

    items = [_out(ResourceGroup.from_record(r)) for r in page.items]
    count = req.admin_count(page.count, len(items))
    return ListResponse[ResourceGroupOut](count=count, resources=items)


@route(bp, BASE + "/{resource_group_id}", ["GET"], response=ResourceGroupOut, summary="Get a resource group")
def get(req, resource_group_id):
    return _out(container().resource_groups.get(req.ctx, resource_group_id))


@route(bp, BASE + "/{resource_group_id}", ["PATCH"], status=202, body=ResourceGroupPatch,
       summary="Replace the labels of a resource group")
def modify(req, resource_group_id):
    body = req.body(ResourceGroupPatch)
    labels = [KeyValue(key=l.key, value=l.value) for l in body.labels]
    container().resource_groups.modify(req.ctx, resource_group_id, labels)
    return json_response({"id": resource_group_id, "message": "Resource group modification scheduled"}, 202,
                         {"Location": f"{BASE}/{resource_group_id}"})


@route(bp, BASE + "/{resource_group_id}", ["DELETE"], status=202, response=IdMessage,
       summary="Delete a resource group")
def delete(req, resource_group_id):
    container().resource_groups.delete(req.ctx, resource_group_id)
    return IdMessage(id=resource_group_id, message="Resource Group deletion scheduled")
