"""API tests through chalice.test.Client on in-process moto, with real tokens from the local issuer."""
from __future__ import annotations

import json
from typing import Any, Optional

from chalice.test import Client

from chalicelib.adapters.auth.jwt_tokens import LocalTokenIssuer
from chalicelib.adapters.local.keys import load_signing_key
from chalicelib.settings import Settings


class Api:
    def __init__(self, app, settings: Settings):
        self.client = Client(app)
        self.settings = settings
        self.issuer = LocalTokenIssuer(load_signing_key(settings.keys_dir), settings.local_issuer, 3600)
        self._tokens: dict = {}

    def token(self, tenant: str = "t1", scope: Optional[str] = None) -> str:
        key = (tenant, scope)
        if key not in self._tokens:
            self._tokens[key] = self.issuer.issue(tenant, f"client-{tenant}", scope=scope)["access_token"]
        return self._tokens[key]

    def call(self, method: str, path: str, body: Any = None, *, tenant: str = "t1", rg: Optional[str] = "default",
             headers: Optional[dict] = None, raw: Optional[bytes] = None, token: Optional[str] = "auto"):
        h = {"Content-Type": "application/json"}
        if token == "auto":
            h["Authorization"] = f"Bearer {self.token(tenant)}"
        elif token is not None:
            h["Authorization"] = token
        if rg is not None:
            h["AI-Resource-Group"] = rg
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = self.client.http.request(method, path, headers=h, body=data)
        return Result(response)


class Result:
    def __init__(self, response):
        self.status = response.status_code
        self.headers = {k.lower(): v for k, v in response.headers.items()}
        self.body = response.body

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def __repr__(self) -> str:
        return f"<{self.status} {self.body[:300]!r}>"
