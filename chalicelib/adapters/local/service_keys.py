"""Service keys of the local stack: files in the shape of an AI Core service key, one per client/tenant."""
from __future__ import annotations

import hmac
import json
import os
import re
import secrets
from pathlib import Path
from typing import Iterator, List, Optional

TENANT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def key_path(keys_dir: Path, tenant: str) -> Path:
    return keys_dir / f"{tenant}.json"


def mint(keys_dir: Path, tenant: str, base_url: str) -> dict:
    """Write a service key for `tenant` unless one exists; return it."""
    if not TENANT_NAME.match(tenant):
        raise ValueError(f"tenant name '{tenant}' must be 2-63 lowercase letters, digits or '-'")
    path = key_path(keys_dir, tenant)
    if path.exists():
        key = json.loads(path.read_text())
        if key.get("url") != base_url:  # started on another port or host: keep the credentials, fix the URLs
            key["url"] = base_url
            key.setdefault("serviceurls", {})["AI_API_URL"] = base_url
            _write(path, key)
        return key
    key = {
        "clientid": f"sb-{tenant}-{secrets.token_hex(6)}",
        "clientsecret": secrets.token_urlsafe(32),
        "url": base_url,
        "identityzone": tenant,
        "identityzoneid": tenant,
        "appname": f"aicore-{tenant}",
        "serviceurls": {"AI_API_URL": base_url},
    }
    keys_dir.mkdir(parents=True, exist_ok=True)
    _write(path, key)
    return key


def _write(path: Path, key: dict) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(key, handle, indent=2)
    os.replace(tmp, path)


class ServiceKeyClients:
    """Client registry for /oauth/token, read from the key files (so `make tenant` needs no restart)."""

    def __init__(self, keys_dir: Path):
        self._dir = keys_dir

    def tenants(self) -> List[str]:
        """Every tenant that has a service key (onboarded with `make run` or `make tenant`)."""
        found = set()
        for key in self._keys():
            if isinstance(key.get("identityzone"), str) and TENANT_NAME.match(key["identityzone"]):
                found.add(key["identityzone"])
        return sorted(found)

    def _keys(self) -> Iterator[dict]:
        if not self._dir.is_dir():
            return
        for path in sorted(self._dir.glob("*.json")):
            try:
                key = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            if isinstance(key, dict):
                yield key

    def authenticate(self, client_id: str, client_secret: str) -> Optional[str]:
        """The tenant of a client whose secret matches, else None."""
        for key in self._keys():
            if hmac.compare_digest(str(key.get("clientid", "")), client_id):
                if hmac.compare_digest(str(key.get("clientsecret", "")), client_secret):
                    return key.get("identityzone")
                return None
        return None


def exports(key: dict, resource_group: str = "default") -> str:
    return "\n".join([
        f"export AICORE_AUTH_URL={key['url']}/oauth/token",
        f"export AICORE_CLIENT_ID={key['clientid']}",
        f"export AICORE_CLIENT_SECRET={key['clientsecret']}",
        f"export AICORE_BASE_URL={key['serviceurls']['AI_API_URL']}/v2",
        f"export AICORE_RESOURCE_GROUP={resource_group}",
    ])
