"""/v2/lm/deployments: create, list, count, get, stop or switch configuration (single and bulk), delete."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.lifecycle import TargetStatus
from chalicelib.domain.runs import Deployment
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse
from chalicelib.schemas.runs import (DeploymentBulkPatch, DeploymentCreate, DeploymentCreated, DeploymentOut,
                                     DeploymentPatch, DeploymentStatusOut, select_status)

from .configurations import count_response
from .executions import bulk_results, run_filter
from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/lm/deployments"
FILTERS = ("executableIds", "configurationId", "scenarioId", "status")


def _out(deployment: Deployment, details: bool = False) -> DeploymentOut:
    return DeploymentOut.model_validate(deployment.model_dump(exclude=None if details else {"status_details"}))


@route(bp, BASE, ["POST"], status=202, resource_group=True, body=DeploymentCreate, response=DeploymentCreated,
       summary="Create a deployment of a configuration (checked synchronously)")
def create(req):
    body = req.body(DeploymentCreate)
    deployment = container().deployments.create(req.ctx, body.configuration_id, body.ttl)
    created = DeploymentCreated(id=deployment.id, deployment_url=deployment.deployment_url,
                                status=deployment.status.value, ttl=deployment.ttl)
    return json_response(created, 202, {"Location": f"{BASE}/{deployment.id}"})


@route(bp, BASE, ["GET"], resource_group=True, response=(ListOf(DeploymentOut), ListOf(DeploymentStatusOut)),
       query=FILTERS + ("$top", "$skip", "$select"), summary="List deployments")
def query(req):
    skip, top = req.paging()
    status_only = select_status(req.list_param("$select"))
    listing = container().deployments.query(req.ctx, run_filter(req, schedules=False), skip, top)
    if status_only:
        return ListResponse[DeploymentStatusOut](count=listing.count, resources=[
            DeploymentStatusOut.model_validate(d.model_dump()) for d in listing.items])
    return ListResponse[DeploymentOut](count=listing.count, resources=[_out(d) for d in listing.items])


@route(bp, BASE, ["PATCH"], status=202, resource_group=True, body=DeploymentBulkPatch,
       summary="Stop or delete up to 100 deployments; each item succeeds or fails on its own")
def bulk_modify(req):
    body = req.body(DeploymentBulkPatch)
    items = [(item.id, TargetStatus(item.target_status)) for item in body.deployments]
    outcomes = container().deployments.bulk_modify(req.ctx, items)
    return json_response({"deployments": bulk_results(req, BASE, outcomes)}, 202)


@route(bp, BASE + "/$count", ["GET"], resource_group=True, query=FILTERS,
       content_type="text/plain", summary="Count deployments")
def count(req):
    return count_response(container().deployments.count(req.ctx, run_filter(req, schedules=False)))


@route(bp, BASE + "/{deployment_id}", ["GET"], resource_group=True, response=(DeploymentOut, DeploymentStatusOut),
       query=("$select",),
       summary="Get a deployment (with $select=status: only its status)")
def get(req, deployment_id):
    status_only = select_status(req.list_param("$select"))
    deployment = container().deployments.get(req.ctx, deployment_id)
    if status_only:
        return DeploymentStatusOut.model_validate(deployment.model_dump())
    return _out(deployment, details=True)


@route(bp, BASE + "/{deployment_id}", ["PATCH"], status=202, resource_group=True, body=DeploymentPatch,
       response=IdMessage, summary="Stop a deployment or switch it to another configuration")
def modify(req, deployment_id):
    body = req.body(DeploymentPatch)
    deployment = container().deployments.modify(req.ctx, deployment_id, body.target_status, body.configuration_id)
    return IdMessage(id=deployment.id, message="Deployment modification scheduled")


@route(bp, BASE + "/{deployment_id}", ["DELETE"], status=202, resource_group=True, response=IdMessage,
       summary="Delete a deployment (STOPPED, DEAD or UNKNOWN)")
def delete(req, deployment_id):
    deployment = container().deployments.delete(req.ctx, deployment_id)
    return IdMessage(id=deployment.id, message="Deployment deletion scheduled")
