"""The ML Operations web app's static files (built from webapp/ into chalicelib/static/webapp by `make webapp`) and
its configuration. Public: they hold no tenant data; everything the app shows comes from the API with the user's
token. The app routes by the URL's fragment (`/#/executions`), so `/` is the only page path besides the API
reference (`/reference`, Swagger UI from the npm registry, reading /v2/openapi.json)."""
from __future__ import annotations

import json
import mimetypes
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

from chalice import Blueprint, Response

from chalicelib.bootstrap import container

from .routing import PUBLIC_PATHS

bp = Blueprint(__name__)

BUILD = Path(__file__).resolve().parents[1] / "static" / "webapp"
ASSET_NAME = re.compile(r"^[A-Za-z0-9._-]{1,200}$")  # Vite's flat assets/ folder: no path separators, no '..'
# Hashed file names never change content: cache for a year. The pages themselves are re-read on every visit.
ASSET_CACHE = "public, max-age=31536000, immutable"
NOT_BUILT = "The web app is not built: run `make webapp` (make run does it), then reload."


def _public(path: str) -> str:
    PUBLIC_PATHS.add(path)
    return path


def _read(relative: str) -> Optional[bytes]:
    target = BUILD / relative
    return target.read_bytes() if target.is_file() else None


# Hashed assets never change under their name; the pages (which name the current assets) are read on every visit,
# so a rebuilt app is served without a restart.
_asset = lru_cache(maxsize=256)(_read)


def _error(status: int, code: str, message: str) -> Response:
    """The AI API's error body (the auth middleware adds the request id to the response's headers)."""
    return Response(json.dumps({"error": {"code": code, "message": message}}), status_code=status,
                    headers={"Content-Type": "application/json"})


def _page(name: str) -> Response:
    body = _read(name)
    if body is None:
        return _error(503, "ServiceUnavailable", NOT_BUILT)
    return Response(body.decode("utf-8"), headers={
        "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache",
        # the app talks to this origin only (and, signed in with OIDC, to the issuer)
        "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                   f"connect-src 'self' {_issuer_origin()}; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff"})


def _issuer_origin() -> str:
    issuer = container().settings.oidc_issuer or ""
    match = re.match(r"^https?://[^/]+", issuer)
    return match.group(0) if match else ""


@bp.route(_public("/"), methods=["GET"])
def index():
    return _page("index.html")


@bp.route(_public("/reference"), methods=["GET"])
def reference():
    return _page("reference.html")


@bp.route(_public("/assets/{name}"), methods=["GET"])
def asset(name):
    body = _asset(f"assets/{name}") if ASSET_NAME.match(name) else None
    if body is None:
        return _error(404, "NotFound", "No such file in the web app.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type in ("application/javascript", "application/json",
                                                            "image/svg+xml"):
        return Response(body.decode("utf-8"), headers={"Content-Type": content_type, "Cache-Control": ASSET_CACHE})
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": ASSET_CACHE})


@bp.route(_public("/app-config.json"), methods=["GET"])
def app_config():
    """How the app signs in: locally with a service key at /oauth/token; on AWS with the OIDC authorization code
    flow and PKCE against the configured issuer (a public client: no secret here)."""
    settings = container().settings
    if settings.auth_mode == "oidc":
        sign_in = {"mode": "oidc", "issuer": settings.oidc_issuer, "clientId": settings.webapp_oidc_client_id,
                   "scope": settings.webapp_oidc_scope}
    else:
        sign_in = {"mode": "serviceKey", "tokenUrl": "/oauth/token"}
    # The API's path prefix as users reach it: "/dev" behind API Gateway's stage URL, "" on a custom domain or locally
    return {"signIn": sign_in, "apiBase": urlparse(settings.base_url).path.rstrip("/")}
