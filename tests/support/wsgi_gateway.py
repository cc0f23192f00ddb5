"""The Chalice app as a WSGI app, through chalice.local's LocalGateway (the same gateway the local HTTP front
uses), so WSGI-speaking tools such as schemathesis drive it in-process with no port and no server thread."""
from __future__ import annotations

import base64
import json
from typing import Any, Callable, Iterable
from urllib.parse import quote

from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException

from chalicelib.api.errors import error_body

REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 400: "Bad Request",
           401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
           412: "Precondition Failed", 413: "Payload Too Large", 415: "Unsupported Media Type",
           500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable"}


class WsgiGateway:
    def __init__(self, app: Any):
        self.gateway = LocalGateway(app, Config(chalice_stage="dev"))

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        # The local front hands the gateway the raw request target (PATH_INFO is decoded: an encoded '/' or ';'
        # would change the route).
        path = (environ.get("RAW_URI") or quote(environ.get("PATH_INFO", ""), safe="/$")).split("?")[0]
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {key[5:].replace("_", "-").title(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").title()] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else None
        try:
            response = self.gateway.handle_request(environ["REQUEST_METHOD"], path, headers, body)
        except LocalGatewayException:  # no route: the local front answers this itself, the same way
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [json.dumps(error_body("NotFound", "No route.", None, path)).encode()]
        status = response["statusCode"]
        out = dict(response.get("headers") or {})
        payload = response.get("body") or b""
        if response.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        elif isinstance(payload, str):
            payload = payload.encode()
        start_response(f"{status} {REASONS.get(status, 'Status')}", [(k, str(v)) for k, v in out.items()])
        return [payload]
