"""Every route goes through here: tenant context, error mapping and serialization in one place."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Set

from chalice import Response
from pydantic import BaseModel, ValidationError

from chalicelib.domain.auth import Principal
from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import DomainError, Forbidden, InvalidInput

from .errors import domain_error_response, unexpected_error_response, validation_message
from .request import ApiRequest

PRINCIPAL_KEY = "aicore.principal"
REQUEST_ID_KEY = "requestId"


@dataclass(frozen=True)
class RouteDoc:
    """What /v2/openapi.json says about a route; filled from route() arguments."""

    path: str
    method: str
    status: int
    summary: str
    request_model: Optional[type] = None
    response_model: Optional[Any] = None  # a model, ListOf(model), or a tuple of those (one is answered)
    resource_group: bool = False
    query: tuple = ()  # names from parameters.QUERY, or parameters.Param for a route's own reading
    public: bool = False
    path_params: tuple = ()  # parameters.Param for path names parameters.PATH does not describe (`{name}`)
    headers: tuple = ()  # optional headers (parameters.Param) besides the required AI-Resource-Group
    errors: tuple = ()  # error statuses beyond those every route of its kind may answer (openapi.py)
    content_type: str = "application/json"  # of the success answer


ROUTE_DOCS: List[RouteDoc] = []
# Route paths that answer without a token (the health check, for load balancers): the auth middleware reads it.
PUBLIC_PATHS: Set[str] = set()
# Route path -> the methods it answers: other methods get 405 with `Allow` before any token check (auth.py).
ROUTE_METHODS: Dict[str, Set[str]] = {}


def principal_of(req: ApiRequest) -> Principal:
    """The verified caller (domain.auth.Principal): views need it only to honour a restricted token's scopes."""
    return req.raw.context[PRINCIPAL_KEY]


def json_response(body: Any, status: int = 200, headers: Optional[dict] = None) -> Response:
    if isinstance(body, BaseModel):
        body = body.model_dump(by_alias=True, exclude_none=True, mode="json")
    return Response(body=json.dumps(body), status_code=status,
                    headers={"Content-Type": "application/json", **(headers or {})})


def route(blueprint: Any, path: str, methods: Iterable[str] = ("GET",), *, status: int = 200,
          resource_group: bool = False, allow_restricted: bool = False, public: bool = False,
          body: Optional[type] = None, response: Optional[Any] = None, query: Iterable[Any] = (),
          summary: str = "", path_params: Iterable[Any] = (), headers: Iterable[Any] = (),
          errors: Iterable[int] = (), content_type: str = "application/json") -> Callable:
    """Register `fn(req, **path_params)` on the blueprint.

    resource_group=True: the route works inside one resource group; the header must name one that exists.
    public=True: no token needed and no tenant context (req.ctx is None); only for answers that say nothing of a
    tenant, such as the health check.
    body/response/query/summary/path_params/headers/errors/content_type only document the route in
    /v2/openapi.json (see RouteDoc).
    A view returns a pydantic model, a plain JSON value or a chalice Response.
    """

    def decorator(fn: Callable) -> Callable:
        for method in methods:
            ROUTE_DOCS.append(RouteDoc(path, method, status, summary or (fn.__doc__ or fn.__name__).strip(),
                                       body, response, resource_group, tuple(query), public, tuple(path_params),
                                       tuple(headers), tuple(errors), content_type))
        if public:
            PUBLIC_PATHS.add(path)
        ROUTE_METHODS.setdefault(path, set()).update(method.upper() for method in methods)

        @functools.wraps(fn)
        def view(**params: Any) -> Response:
            raw = blueprint.current_request
            request_id = raw.context.get(REQUEST_ID_KEY, "")
            path_text = raw.context.get("path", path)
            try:
                principal = raw.context.get(PRINCIPAL_KEY)
                if principal is None and not public:  # the auth middleware sets it on every other /v2 route
                    raise Forbidden("Request was not authenticated.")
                if principal is not None and principal.is_restricted and not allow_restricted:
                    raise Forbidden("This token may only write metrics of its own execution.")
                ctx = _context(raw, principal) if principal is not None else None
                from chalicelib.bootstrap import container  # late: keeps app import light

                c = container()
                req = ApiRequest(raw, ctx, request_id, c.settings.max_body_bytes)
                if resource_group:
                    c.resource_groups.require_usable(ctx)
                result = fn(req, **params)
            except DomainError as err:
                return domain_error_response(err, request_id, path_text)
            except ValidationError as err:
                return domain_error_response(InvalidInput(validation_message(err)), request_id, path_text)
            except Exception:  # noqa: BLE001 - the one place unexpected errors become an opaque 500
                return unexpected_error_response(request_id, path_text)
            if isinstance(result, Response):
                return result
            return json_response(result, status)

        blueprint.route(path, methods=list(methods), content_types=["*/*"])(view)
        return fn

    return decorator


def _context(raw: Any, principal: Any) -> TenantContext:
    rg = (raw.headers.get("ai-resource-group") or "").strip() or None
    if principal.resource_group:  # a run's credential names its group; the header may only repeat it
        if rg not in (None, principal.resource_group):
            raise Forbidden(f"This credential works in resource group '{principal.resource_group}' only, "
                            f"not '{rg}' (header AI-Resource-Group).")
        rg = principal.resource_group
    scope = (raw.headers.get("ai-tenant-scope") or "").strip().lower() == "true"
    return TenantContext(principal.tenant, rg, scope, principal.client_id)
