"""The one error mapping: domain errors and validation failures -> AI API error bodies."""
from __future__ import annotations

import json
import logging
from typing import Any, Optional

from chalice import Response
from pydantic import ValidationError

from chalicelib.domain import errors as e

log = logging.getLogger("aicore.api")

STATUS_BY_ERROR = {
    e.InvalidInput: 400,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.AlreadyExists: 409,
    e.Conflict: 409,
    e.PreconditionFailed: 412,
    e.PayloadTooLarge: 413,
    e.NotImplementedYet: 501,
    e.ServiceUnavailable: 503,
    e.GatewayTimeout: 504,
}

CODE_BY_STATUS = {400: "InvalidRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound",
                  405: "MethodNotAllowed", 409: "Conflict", 412: "PreconditionFailed", 413: "PayloadTooLarge",
                  415: "UnsupportedMediaType", 500: "InternalError", 501: "NotImplemented"}


def error_body(code: str, message: str, request_id: Optional[str], target: Optional[str],
               details: Any = None) -> dict:
    error = {"code": code, "message": message, "requestId": request_id, "target": target}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(status: int, code: str, message: str, request_id: Optional[str], target: Optional[str],
                   details: Any = None) -> Response:
    return Response(body=error_body(code, message, request_id, target, details), status_code=status,
                    headers={"Content-Type": "application/json"})


def domain_error_response(err: e.DomainError, request_id: str, path: str) -> Response:
    status = next((s for cls, s in STATUS_BY_ERROR.items() if isinstance(err, cls)), 500)
    return error_response(status, err.code, err.message, request_id, path, err.details)


def validation_message(err: ValidationError) -> str:
    """One line per problem, naming the field as the client spelled it."""
    parts = []
    for item in err.errors()[:10]:
        where = ".".join(str(p) for p in item.get("loc", ())) or "body"
        text = item.get("msg", "invalid value")
        if item.get("type") == "missing":
            text = "is required"
        elif item.get("type") == "extra_forbidden":
            text = "is not a known field"
        parts.append(f"'{where}' {text}")
    return "Invalid request: " + "; ".join(parts) + "."


def unexpected_error_response(request_id: str, path: str) -> Response:
    log.exception("unexpected error for request %s on %s", request_id, path)
    return error_response(500, "InternalError",
                          f"Internal error; quote request id {request_id} when reporting it.", request_id, path)


def normalize(response: Response, request_id: str, path: str) -> Response:
    """Give responses produced outside our views (Chalice's 405/415/400) the AI API error body."""
    if response.status_code < 400:
        return response
    body = response.body
    if isinstance(body, (bytes, str)):
        try:
            body = json.loads(body or "null")
        except ValueError:
            body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return response
    message = "Request failed."
    if isinstance(body, dict):
        message = str(body.get("Message") or body.get("message") or message)
    code = CODE_BY_STATUS.get(response.status_code, "Error")
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    headers["Content-Type"] = "application/json"
    return Response(body=error_body(code, message, request_id, path), status_code=response.status_code,
                    headers=headers)
