"""/v2/admin/objectStoreSecrets: resource-group level; AI-Resource-Group defaults to `default` here."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.context import DEFAULT_RESOURCE_GROUP
from chalicelib.domain.object_store_secrets import SUFFIX, ObjectStoreSpec
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse
from chalicelib.schemas.secrets import Message, ObjectStoreSecretBody, ObjectStoreSecretCreate, ObjectStoreSecretOut

from .parameters import OBJECT_STORE_SECRET_NAME, OPTIONAL_RESOURCE_GROUP_HEADER
from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/admin/objectStoreSecrets"
ITEM = BASE + "/{name}"
GROUP = (OPTIONAL_RESOURCE_GROUP_HEADER,)
NAME = (OBJECT_STORE_SECRET_NAME,)


def _group_ctx(req):
    """The request's context with its resource group (default `default`), checked to exist."""
    ctx = req.ctx if req.ctx.resource_group else req.ctx.with_resource_group(DEFAULT_RESOURCE_GROUP)
    container().resource_groups.require_usable(ctx)
    return ctx


def _spec(body: ObjectStoreSecretBody) -> ObjectStoreSpec:
    return ObjectStoreSpec.model_validate(body.model_dump())


def _out(secret) -> ObjectStoreSecretOut:
    # AI Core names the stored Kubernetes secret `<name>-object-store-secret` and shows that name.
    return ObjectStoreSecretOut(name=secret.name + SUFFIX, metadata=secret.metadata())


@route(bp, BASE, ["POST"], headers=GROUP, status=202, body=ObjectStoreSecretCreate, response=Message,
       summary="Create an object store secret")
def create(req):
    body = req.body(ObjectStoreSecretCreate)
    container().object_store_secrets.create(_group_ctx(req), _spec(body))
    return json_response(Message(message="Secret has been created"), 202)


@route(bp, BASE, ["GET"], headers=GROUP, response=ListOf(ObjectStoreSecretOut), query=("$top", "$skip", "$count"),
       summary="List object store secrets (metadata only)")
def query(req):
    skip, top = req.paging(default_top=None)
    page, secrets = container().object_store_secrets.query(_group_ctx(req), skip, top)
    items = [_out(s) for s in secrets]
    return ListResponse[ObjectStoreSecretOut](count=req.admin_count(page.count, len(items)),
                                              resources=items)


@route(bp, ITEM, ["GET"], headers=GROUP, path_params=NAME, response=ObjectStoreSecretOut,
       summary="Get an object store secret (metadata only)")
def get(req, name):
    return _out(container().object_store_secrets.get(_group_ctx(req), name))


@route(bp, ITEM, ["PATCH"], headers=GROUP, path_params=NAME, status=202, body=ObjectStoreSecretBody, response=IdMessage,
       summary="Update an object store secret")
def modify(req, name):
    body = req.body(ObjectStoreSecretBody)
    secret = container().object_store_secrets.modify(_group_ctx(req), name, _spec(body))
    return json_response(IdMessage(id=secret.name, message="Secret has been modified"), 202)


@route(bp, ITEM, ["DELETE"], headers=GROUP, path_params=NAME, status=202, response=IdMessage,
       summary="Delete an object store secret")
def delete(req, name):
    deleted = container().object_store_secrets.delete(_group_ctx(req), name)
    return json_response(IdMessage(id=deleted, message="Object Store Secret has been deleted"), 202)
