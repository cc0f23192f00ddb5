"""/v2/admin/secrets: generic secrets in a resource group, or at tenant level with `AI-Tenant-Scope: true`
(`AI-Resource-Group: *` with it: tenant-wide, seen by every group). The py client sends the tenant scope by
default."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.domain.labels import KeyValue
from chalicelib.schemas.common import ListOf, ListResponse
from chalicelib.schemas.secrets import (GenericSecretCreate, GenericSecretOut, GenericSecretPatch, Message,
                                        NameMessage, SecretLabel)

from .parameters import GENERIC_SECRET_NAME, SECRETS_RESOURCE_GROUP_HEADER, TENANT_SCOPE_HEADER
from .routing import route

bp = Blueprint(__name__)
BASE = "/v2/admin/secrets"
ITEM = BASE + "/{name}"
GROUP = (SECRETS_RESOURCE_GROUP_HEADER, TENANT_SCOPE_HEADER)
NAME = (GENERIC_SECRET_NAME,)


def _ctx(req):
    """Resource-group secrets need a usable group; tenant-scoped ones need none."""
    if not req.ctx.tenant_scope and req.ctx.resource_group not in (None, "*"):
        container().resource_groups.require_usable(req.ctx)
    return req.ctx


def _labels(labels):
    return None if labels is None else [KeyValue(key=label.key, value=label.value) for label in labels]


def _out(ctx, secret) -> GenericSecretOut:
    return GenericSecretOut(
        name=secret.name, created_at=secret.created_at,
        labels=[SecretLabel(key=l.key, value=l.value) for l in secret.labels] or None,
        resource_group_secrets_sync_status=container().generic_secrets.sync_status(ctx, secret))


@route(bp, BASE, ["POST"], headers=GROUP, body=GenericSecretCreate, response=NameMessage,
       summary="Create a generic secret")
def create(req):
    body = req.body(GenericSecretCreate)
    secret = container().generic_secrets.create(_ctx(req), body.name, body.data, _labels(body.labels))
    return NameMessage(name=secret.name, message="Secret has been created")


@route(bp, BASE, ["GET"], headers=GROUP, response=ListOf(GenericSecretOut), query=("$top", "$skip", "$count"),
       summary="List generic secrets (no data)")
def query(req):
    skip, top = req.paging(default_top=None)
    ctx = _ctx(req)
    page, secrets = container().generic_secrets.query(ctx, skip, top)
    items = [_out(ctx, s) for s in secrets]
    return ListResponse[GenericSecretOut](count=req.admin_count(page.count, len(items)),
                                          resources=items)


@route(bp, ITEM, ["GET"], headers=GROUP, path_params=NAME, response=GenericSecretOut,
       summary="Get a generic secret (no data)")
def get(req, name):
    ctx = _ctx(req)
    return _out(ctx, container().generic_secrets.get(ctx, name))


@route(bp, ITEM, ["PATCH"], headers=GROUP, path_params=NAME, body=GenericSecretPatch, response=NameMessage,
       summary="Replace the data (and labels) of a generic secret")
def modify(req, name):
    body = req.body(GenericSecretPatch)
    secret = container().generic_secrets.modify(_ctx(req), name, body.data, _labels(body.labels))
    return NameMessage(name=secret.name, message="Secret has been modified")


@route(bp, ITEM, ["DELETE"], headers=GROUP, path_params=NAME, response=Message, summary="Delete a generic secret")
def delete(req, name):
    container().generic_secrets.delete(_ctx(req), name)
    # The spec has no body here, but ai-core-sdk 2.6.2 parses one.
    return Message(message="Secret has been deleted")
