"""/v2/openapi.json: this service's own OpenAPI 3 document, generated from its routes and wire models."""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from http import HTTPStatus
from typing import Any, Dict, List, Tuple

from chalice import Blueprint
from pydantic import BaseModel
from pydantic.alias_generators import to_camel
from pydantic.json_schema import models_json_schema

from chalicelib.bootstrap import container
from chalicelib.schemas.common import ErrorBody, ListOf

from . import parameters
from .routing import ROUTE_DOCS, RouteDoc, route

bp = Blueprint(__name__)

PATH_PARAM = re.compile(r"{(\w+)}")
REF = "#/components/schemas/{model}"
# Success bodies of routes without a wire model.
CONTENT_SCHEMAS: Dict[str, Any] = {
    "application/json": {"type": "object"},
    "text/plain": {"type": "integer", "minimum": 0},  # the `$count` routes' bare number
    "application/octet-stream": {"type": "string", "format": "binary"},
}


def _resolved(model: Any) -> Any:
    return model.resolve() if isinstance(model, ListOf) else model


def _answers(doc: RouteDoc) -> List[Any]:
    """The route's answer models: `response=(A, B)` when a query parameter picks one ($select=status)."""
    models = doc.response_model if isinstance(doc.response_model, tuple) else (doc.response_model,)
    return [_resolved(model) for model in models if model is not None]


def _models() -> List[Tuple[type, str]]:
    """(model, mode): request bodies as pydantic validates them, answers as it serializes them."""
    models = {(ErrorBody, "serialization")}
    for doc in ROUTE_DOCS:
        for model, mode in [(doc.request_model, "validation")] + [(m, "serialization") for m in _answers(doc)]:
            if isinstance(model, type) and issubclass(model, BaseModel):
                models.add((model, mode))
    return sorted(models, key=lambda item: (item[0].__name__, item[1]))


def _doc_path(path: str) -> str:
    """`{execution_id}` -> `{executionId}`, as the AI API spells its path parameters."""
    return PATH_PARAM.sub(lambda m: "{" + to_camel(m[1]) + "}", path)


def _parameters(doc: RouteDoc) -> List[Dict[str, Any]]:
    overrides = {p.name: p for p in doc.path_params}
    specs = [replace(parameters.path_param(name, overrides), name=to_camel(name)).spec("path")
             for name in PATH_PARAM.findall(doc.path)]
    specs += [parameters.query_param(item).spec("query") for item in doc.query]
    if doc.resource_group:
        specs.append(parameters.RESOURCE_GROUP_HEADER.spec("header"))
    specs += [header.spec("header") for header in doc.headers]
    return specs


def _error_statuses(doc: RouteDoc) -> List[int]:
    """What the route may answer besides success: from the checks every route of its kind passes through."""
    if doc.public:
        return sorted({400, *doc.errors})
    statuses = {400, 401, 403, 404, *doc.errors}  # bad input, no/bad token, restricted token, unknown resource
    if doc.resource_group:
        statuses.add(412)  # the resource group is not PROVISIONED (yet, or any more)
    if doc.method in ("POST", "PUT", "PATCH", "DELETE"):
        statuses |= {409, 412}  # exists already / concurrent change; the resource's state forbids it
    if doc.request_model is not None or doc.method == "PUT":
        statuses.add(413)  # body over the size limit
    return sorted(statuses)


def _success(doc: RouteDoc, names: Dict[Tuple[type, str], str]) -> Dict[str, Any]:
    success: Dict[str, Any] = {"description": HTTPStatus(doc.status).phrase}
    refs = [{"$ref": REF.format(model=names[(model, "serialization")])} for model in _answers(doc)
            if (model, "serialization") in names]
    if refs:
        success["content"] = {doc.content_type: {"schema": refs[0] if len(refs) == 1 else {"anyOf": refs}}}
    elif doc.status != 204:
        success["content"] = {doc.content_type: {"schema": CONTENT_SCHEMAS.get(doc.content_type, {})}}
    return success


def _operation(doc: RouteDoc, names: Dict[Tuple[type, str], str]) -> Dict[str, Any]:
    error = {"description": "AI API error", "content": {"application/json": {"schema": {
        "$ref": REF.format(model=names[(ErrorBody, "serialization")])}}}}
    responses = {str(doc.status): _success(doc, names)}
    responses.update({str(status): {**error, "description": HTTPStatus(status).phrase}
                      for status in _error_statuses(doc)})
    operation: Dict[str, Any] = {
        "summary": doc.summary.splitlines()[0] if doc.summary else "",
        "operationId": f"{doc.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', doc.path).strip('_')}",
        "parameters": _parameters(doc),
        "responses": responses,
        "security": [] if doc.public else [{"oauth2": []}],
    }
    if (doc.request_model, "validation") in names:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": REF.format(model=names[(doc.request_model, "validation")])}}}}
    elif doc.method == "PUT":  # dataset upload: the file's raw bytes
        operation["requestBody"] = {"required": True, "content": {
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    return operation


@lru_cache(maxsize=1)
def build_document(base_url: str, token_url: str) -> Dict[str, Any]:
    models = _models()
    keys, schema = models_json_schema(models, by_alias=True, ref_template=REF)
    names = {item: keys[item]["$ref"].rsplit("/", 1)[-1] for item in models}
    paths: Dict[str, Dict[str, Any]] = {}
    for doc in ROUTE_DOCS:
        paths.setdefault(_doc_path(doc.path), {})[doc.method.lower()] = _operation(doc, names)
    return {
        "openapi": "3.1.0",  # pydantic writes JSON Schema 2020-12, OpenAPI 3.1's dialect
        "info": {"title": "AI API (SAP AI Core compatible)", "version": "2.42.0"},
        "servers": [{"url": base_url}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {"oauth2": {"type": "oauth2", "flows": {
                "clientCredentials": {"tokenUrl": token_url, "scopes": {}}}}},
        },
    }


@route(bp, "/v2/openapi.json", public=True,
       summary="This service's OpenAPI 3 document (no token: it holds no tenant data)")
def openapi(req):
    settings = container().settings
    token_url = (settings.oidc_issuer or settings.base_url).rstrip("/") + "/oauth/token"
    return build_document(settings.base_url, token_url)
