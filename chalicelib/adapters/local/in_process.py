"""DynamoDB calls from the stack's own process to its embedded emulator, without a socket.

The API and the emulator share one process. Over loopback HTTP each DynamoDB call paid for a TCP connection
(werkzeug's server does not keep them alive), request parsing and a thread hand-off: about two thirds of a
key lookup. This botocore `before-send` hook hands such requests to the same WSGI app the emulator serves
(durable journal included, so an acknowledged write is on disk exactly as before) and returns its answer.
Requests for any other endpoint, and S3 (whose bodies stream), still go over HTTP.
"""
from __future__ import annotations

import io
import threading
from typing import Any, Callable, Dict, Optional
from urllib.parse import urlsplit

from botocore.awsrequest import AWSResponse
from werkzeug.test import EnvironBuilder

_lock = threading.Lock()
_apps: Dict[str, Callable] = {}  # endpoint URL -> WSGI app, while its emulator runs
_installed = False


class _Raw(io.BytesIO):
    """What botocore reads a response body from (AWSResponse.raw)."""

    def stream(self, **_: Any):
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def serve(endpoint_url: str, app: Callable) -> None:
    """From now on, DynamoDB requests to `endpoint_url` made in this process go straight to `app`."""
    global _installed
    with _lock:
        _apps[endpoint_url.rstrip("/")] = app
        if not _installed:
            from botocore.handlers import BUILTIN_HANDLERS

            # Every botocore session created afterwards (PynamoDB makes one per thread) gets the hook.
            BUILTIN_HANDLERS.append(("before-send.dynamodb", _before_send))
            _installed = True


def stop(endpoint_url: str) -> None:
    with _lock:
        _apps.pop(endpoint_url.rstrip("/"), None)


def _before_send(request: Any, **_: Any) -> Optional[AWSResponse]:
    parts = urlsplit(request.url)
    app = _apps.get(f"{parts.scheme}://{parts.netloc}")
    if app is None:
        return None  # not our emulator: botocore sends it over the network
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    environ = EnvironBuilder(method=request.method, path=parts.path or "/", query_string=parts.query or None,
                             data=body or b"", headers=headers).get_environ()
    environ["HTTP_HOST"] = parts.netloc
    captured: list = []

    def start_response(status, response_headers, exc_info=None):
        captured[:] = [status, response_headers]
        return lambda data: None

    result = app(environ, start_response)
    try:
        payload = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status, response_headers = captured
    return AWSResponse(request.url, int(status.split(" ", 1)[0]), dict(response_headers), _Raw(payload))
