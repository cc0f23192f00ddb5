"""A thin AI API client over `requests`: a client-credentials token, the resource group header, errors as
ApiError carrying the API's own message (AI Core answers {"error": {"code", "message"}})."""
from __future__ import annotations

import time
from typing import Any, Optional

import requests

from .config import Settings

TIMEOUT = 30


class ApiError(Exception):
    def __init__(self, status: int, message: str, method: str = "", url: str = ""):
        super().__init__(f"{method} {url}: HTTP {status}: {message}".strip())
        self.status = status
        self.message = message


class Unreachable(ApiError):
    """No HTTP answer at all (refused, DNS, TLS): the usual cause is a stack that is not running."""

    def __init__(self, message: str):
        Exception.__init__(self, message)
        self.status = 0
        self.message = message


def token_url(auth_url: str) -> str:
    """Service keys carry the bare UAA URL; some tools store it with /oauth/token already: accept both."""
    auth_url = auth_url.rstrip("/")
    return auth_url if auth_url.endswith("/oauth/token") else auth_url + "/oauth/token"


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500] or response.reason
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return error.get("message") or str(error)
    if isinstance(body, dict) and body.get("message"):
        return body["message"]
    return str(body)[:500]


class Client:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.session = requests.Session()
        self._token: Optional[str] = None
        self._expires = 0.0

    def token(self) -> str:
        if not self._token or time.monotonic() > self._expires:
            s = self.settings
            try:
                response = self.session.post(token_url(s.auth_url), data={"grant_type": "client_credentials"},
                                             auth=(s.client_id, s.client_secret), timeout=TIMEOUT)
            except requests.ConnectionError:
                raise Unreachable(f"cannot reach {token_url(s.auth_url)}: is the stack running (`make run`) and "
                                  "AICORE_AUTH_URL right?") from None
            if not response.ok:
                raise ApiError(response.status_code, _message(response), "POST", token_url(s.auth_url))
            body = response.json()
            self._token = body["access_token"]
            self._expires = time.monotonic() + max(30, int(body.get("expires_in", 3600)) - 60)
        return self._token

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token()}", "AI-Resource-Group": self.settings.resource_group}

    def request(self, method: str, path: str, *, params: Optional[dict] = None, json: Any = None,
                url: Optional[str] = None, data: Optional[bytes] = None, content_type: Optional[str] = None) -> Any:
        """`path` is relative to AICORE_BASE_URL (e.g. /lm/executions); `url` overrides it (deployment URLs);
        `data` sends raw bytes (dataset files) instead of JSON."""
        target = url or f"{self.settings.base_url}{path}"
        headers = self.headers()
        if content_type:
            headers["Content-Type"] = content_type
        try:
            response = self.session.request(method, target, params=params, json=json, data=data, headers=headers,
                                            timeout=TIMEOUT)
        except requests.ConnectionError as error:
            raise Unreachable(f"cannot reach {target}: is the stack running (`make run`) and AICORE_BASE_URL "
                              f"right? ({type(error).__name__})") from None
        if not response.ok:
            raise ApiError(response.status_code, _message(response), method, target)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    def get(self, path: str, **params) -> Any:
        return self.request("GET", path, params=params or None)

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, json=body)

    def patch(self, path: str, body: Any) -> Any:
        return self.request("PATCH", path, json=body)

    def delete(self, path: str) -> Any:
        return self.request("DELETE", path)

    def all(self, path: str, page: int = 100, **params) -> list:
        """Every resource of a paged list ($top/$skip), since defaults cut lists short."""
        items, skip = [], 0
        while True:
            body = self.get(path, **{**params, "$top": page, "$skip": skip})
            chunk = body.get("resources", []) if isinstance(body, dict) else []
            items.extend(chunk)
            if len(chunk) < page:
                return items
            skip += page
