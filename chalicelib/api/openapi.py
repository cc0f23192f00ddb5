"""/v2/openapi.json: this service's own OpenAPI 3 document, generated from its routes and wire models."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Dict, List

from chalice import Blueprint
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.bootstrap import container
from chalicelib.schemas.common import ErrorBody, ListOf

from .routing import ROUTE_DOCS, RouteDoc, route

bp = Blueprint(__name__)

PATH_PARAM = re.compile(r"{(\w+)}")
REF = "#/components/schemas/{model}"


def _resolved(model: Any) -> Any:
    return model.resolve() if isinstance(model, ListOf) else model


def _model_classes() -> List[type]:
    models = {ErrorBody}
    for doc in ROUTE_DOCS:
        for model in (doc.request_model, _resolved(doc.response_model)):
            if isinstance(model, type) and issubclass(model, BaseModel):
                models.add(model)
    return sorted(models, key=lambda m: m.__name__)


def _operation(doc: RouteDoc, names: Dict[type, str]) -> Dict[str, Any]:
    params: List[Dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in PATH_PARAM.findall(doc.path)
    ]
    params += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}} for name in doc.query]
    if doc.resource_group:
        params.append({"name": "AI-Resource-Group", "in": "header", "required": True, "schema": {"type": "string"}})
    success: Dict[str, Any] = {"description": "Success"}
    response_model = _resolved(doc.response_model)
    if response_model in names:
        success["content"] = {"application/json": {"schema": {"$ref": REF.format(model=names[response_model])}}}
    error = {"description": "Error", "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}}}
    operation: Dict[str, Any] = {
        "summary": doc.summary.splitlines()[0] if doc.summary else "",
        "operationId": f"{doc.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', doc.path).strip('_')}",
        "parameters": params,
        "responses": {str(doc.status): success, "400": error, "401": error, "404": error},
        "security": [] if doc.public else [{"oauth2": []}],
    }
    if doc.request_model in names:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": {"$ref": REF.format(model=names[doc.request_model])}}}}
    return operation


@lru_cache(maxsize=1)
def build_document(base_url: str, token_url: str) -> Dict[str, Any]:
    models = _model_classes()
    keys, schema = models_json_schema([(m, "serialization") for m in models], by_alias=True, ref_template=REF)
    names = {m: keys[(m, "serialization")]["$ref"].rsplit("/", 1)[-1] for m in models}
    paths: Dict[str, Dict[str, Any]] = {}
    for doc in ROUTE_DOCS:
        paths.setdefault(doc.path, {})[doc.method.lower()] = _operation(doc, names)
    return {
        "openapi": "3.0.3",
        "info": {"title": "AI API (SAP AI Core compatible)", "version": "2.42.0"},
        "servers": [{"url": base_url}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {"oauth2": {"type": "oauth2", "flows": {
                "clientCredentials": {"tokenUrl": token_url, "scopes": {}}}}},
        },
    }


@route(bp, "/v2/openapi.json", summary="This service's OpenAPI 3 document")
def openapi(req):
    settings = container().settings
    token_url = (settings.oidc_issuer or settings.base_url).rstrip("/") + "/oauth/token"
    return build_document(settings.base_url, token_url)
