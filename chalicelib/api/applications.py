"""/v2/admin/applications: what to sync from which repository (tenant level; the RG header is ignored)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.clock import to_wire
from chalicelib.schemas.applications import (ApplicationCreate, ApplicationOut, ApplicationPatch, ApplicationSource,
                                             ApplicationStatusOut, SyncResource)
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse

from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/admin/applications"
ITEM = BASE + "/{application_name}"


def _out(app) -> ApplicationOut:
    return ApplicationOut(application_name=app.name, repository_url=app.repository_url, revision=app.revision,
                          path=app.path)


@route(bp, BASE, ["POST"], body=ApplicationCreate, response=IdMessage, summary="Create an application")
def create(req):
    body = req.body(ApplicationCreate)
    app = container().applications.create(req.ctx, body.application_name, body.repository_url,
                                          body.repository_name, body.revision, body.path)
    return IdMessage(id=app.name, message="ArgoCD application has been created")


@route(bp, BASE, ["GET"], response=ListOf(ApplicationOut), query=("$top", "$skip", "$count"),
       summary="List applications")
def query(req):
    skip, top = req.paging(default_top=None)
    from chalicelib.domain.applications import Application

    page = container().applications.query(req.ctx, skip, top)
    items = [_out(Application.from_record(r)) for r in page.items]
    return ListResponse[ApplicationOut](count=req.admin_count(page.count, len(items)),
                                        resources=items)


@route(bp, ITEM, ["GET"], response=ApplicationOut, summary="Get an application")
def get(req, application_name):
    return _out(container().applications.get(req.ctx, application_name))


@route(bp, ITEM, ["PATCH"], body=ApplicationPatch, response=IdMessage, summary="Change an application's source")
def modify(req, application_name):
    body = req.body(ApplicationPatch)
    container().applications.modify(req.ctx, application_name, body.repository_url, body.revision, body.path)
    return IdMessage(id=application_name, message="ArgoCD application has been updated")


@route(bp, ITEM, ["DELETE"], response=IdMessage, summary="Delete an application and what it synced")
def delete(req, application_name):
    container().applications.delete(req.ctx, application_name)
    return IdMessage(id=application_name, message="ArgoCD application has been deleted")


@route(bp, ITEM + "/refresh", ["POST"], status=202, response=IdMessage, summary="Sync an application now")
def refresh(req, application_name):
    container().applications.refresh(req.ctx, application_name)
    return json_response(IdMessage(id=application_name,
                                   message="Refresh of ArgoCD application has been scheduled"), 202)


@route(bp, ITEM + "/status", ["GET"], response=ApplicationStatusOut, summary="Health and sync status")
def status(req, application_name):
    app = container().applications.get(req.ctx, application_name)
    resources = [SyncResource(**r.model_dump()) for r in app.resources]
    return ApplicationStatusOut(
        health_status=app.health_status, sync_status=app.reported_sync_status,
        message=app.message or "waiting for the first sync",
        source=ApplicationSource(repo_url=app.repository_url, path=app.path,
                                 revision=app.synced_revision or app.revision),
        sync_started_at=to_wire(app.sync_started_at) or "Unknown",
        sync_finished_at=to_wire(app.sync_finished_at) or "Unknown",
        reconciled_at=to_wire(app.reconciled_at) or "Unknown",
        sync_resources_status=resources, sync_ressources_status=resources)
