"""/v2/admin/dockerRegistrySecrets: tenant level (the AI-Resource-Group header is ignored)."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib.bootstrap import container
from chalicelib.schemas.common import IdMessage, ListOf, ListResponse
from chalicelib.schemas.secrets import (DockerRegistrySecretCreate, DockerRegistrySecretOut,
                                        DockerRegistrySecretPatch, Message)

from .parameters import DOCKER_SECRET_NAME
from .routing import json_response, route

bp = Blueprint(__name__)
BASE = "/v2/admin/dockerRegistrySecrets"
ITEM = BASE + "/{name}"
NAME = (DOCKER_SECRET_NAME,)


@route(bp, BASE, ["POST"], status=202, body=DockerRegistrySecretCreate, response=Message,
       summary="Create a docker registry secret")
def create(req):
    body = req.body(DockerRegistrySecretCreate)
    container().docker_registry_secrets.create(req.ctx, body.name, body.data)
    return json_response(Message(message="Secret has been created"), 202)


@route(bp, BASE, ["GET"], response=ListOf(DockerRegistrySecretOut), query=("$top", "$skip", "$count"),
       summary="List docker registry secrets (names only)")
def query(req):
    skip, top = req.paging(default_top=None)
    page, secrets = container().docker_registry_secrets.query(req.ctx, skip, top)
    items = [DockerRegistrySecretOut(name=s.name) for s in secrets]
    return ListResponse[DockerRegistrySecretOut](count=req.admin_count(page.count, len(items)),
                                                 resources=items)


@route(bp, ITEM, ["GET"], path_params=NAME, response=DockerRegistrySecretOut,
       summary="Get a docker registry secret (name only)")
def get(req, name):
    return DockerRegistrySecretOut(name=container().docker_registry_secrets.get(req.ctx, name).name)


@route(bp, ITEM, ["PATCH"], path_params=NAME, status=202, body=DockerRegistrySecretPatch, response=IdMessage,
       summary="Replace the data of a docker registry secret")
def modify(req, name):
    body = req.body(DockerRegistrySecretPatch)
    container().docker_registry_secrets.modify(req.ctx, name, body.data)
    return json_response(IdMessage(id=name, message="Secret has been modified"), 202)


@route(bp, ITEM, ["DELETE"], path_params=NAME, status=202, response=IdMessage,
       summary="Delete a docker registry secret")
def delete(req, name):
    container().docker_registry_secrets.delete(req.ctx, name)
    return json_response(IdMessage(id=name, message="Docker Registry Secret has been deleted"), 202)
