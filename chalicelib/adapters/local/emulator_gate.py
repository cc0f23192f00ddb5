"""Only the stack itself may call the embedded emulator.

moto accepts any credentials, and the emulator listens on loopback where a run's step or a predictor (tenant code
on the same machine) can reach it: with any key it could read every tenant's records and objects, or wipe them
through `/moto-api`. The gate lets through only requests signed with the stack's own access key id (random, kept
in AICORE_HOME/keys, never given to steps) and answers everything else 403 in the service's own error shape.
It checks the key id a request names, not its signature: the id is the secret here, and it only travels over
loopback to this process.
"""
from __future__ import annotations

import hmac
import json
import secrets
from pathlib import Path
from typing import Any, Callable, Dict, Tuple
from urllib.parse import parse_qs

from .keys import _write_private


def emulator_credentials(keys_dir: Path) -> Tuple[str, str]:
    """(access key id, secret access key) of the stack for its emulator, created on first use."""
    path = keys_dir / "emulator.json"
    if not path.exists():
        pair = {"id": "AKIA" + secrets.token_hex(10).upper(), "secret": secrets.token_urlsafe(30)}
        _write_private(path, json.dumps(pair).encode())
    pair = json.loads(path.read_text())
    return pair["id"], pair["secret"]


def _key_id(environ: Dict[str, Any]) -> str:
    text = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" not in text:  # a presigned URL carries it in the query
        text = "Credential=" + (parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential") or [""])[0]
    return text.split("Credential=", 1)[1].split("/", 1)[0].strip()


class KeyGate:
    def __init__(self, app: Callable, access_key_id: str):
        self._app = app
        self._key = access_key_id.encode()

    def __call__(self, environ: Dict[str, Any], start_response: Callable):
        allowed = not environ.get("PATH_INFO", "").startswith("/moto-api") and \
            hmac.compare_digest(_key_id(environ).encode(), self._key)
        if allowed:
            return self._app(environ, start_response)
        message = "This AWS emulator serves the aicore stack only."
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            body = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#AccessDeniedException",
                               "message": message}).encode()
            content_type = "application/x-amz-json-1.0"
        else:
            body = (f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>"
                    f"<Message>{message}</Message></Error>").encode()
            content_type = "application/xml"
        start_response("403 Forbidden", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]
