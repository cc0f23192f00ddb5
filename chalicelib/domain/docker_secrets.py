"""Docker registry secrets (/admin/dockerRegistrySecrets): tenant level; templates name them in imagePullSecrets."""
from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any, ClassVar, Dict, List, Optional, Tuple

from .clock import Clock
from .context import TenantContext
from .entity import Entity
from .errors import AlreadyExists, Conflict, InvalidInput, NotFound
from .records import Kind, Page, RecordStore
from .cluster.secret_manifests import kubernetes_secret_name
from .orchestration import SecretCopies
from .secrets import SecretCipher, SecretSealer, check_name

# The spec's ^[a-z0-9](?:_?[a-z0-9\.\-]+)*[a-z0-9]$ without its nested quantifier (same language, no
# exponential backtracking).
NAME = re.compile(r"[a-z0-9](?:_?[a-z0-9.-])*[a-z0-9]")
NAME_RULE = ("use 2-63 lower-case letters, digits, '.', '-' or single '_' followed by one of those, "
             "starting and ending with a letter or digit.")
CONFIG_KEY = ".dockerconfigjson"


class DockerRegistrySecret(Entity):
    KIND: ClassVar[Kind] = Kind.DOCKER_SECRET

    name: str
    sealed_data: str
    created_at: datetime
    modified_at: datetime


def check_docker_data(data: Any) -> Dict[str, str]:
    """Exactly {".dockerconfigjson": "<JSON with an 'auths' object>"}, the JSON given as text, base64-encoded
    (as in a Kubernetes Secret's `data`, and in AI Core's ML Operations reference) or as an object; stored as the
    JSON text.
    Messages never quote the value."""
    if not isinstance(data, dict) or set(data) != {CONFIG_KEY}:
        raise InvalidInput(f"'data' must be an object with exactly one key, '{CONFIG_KEY}'.", target="data")
    text = data[CONFIG_KEY]
    if isinstance(text, dict):  # the config itself as a JSON object, not as a string holding it: same meaning
        text = json.dumps(text)
    if not isinstance(text, str):
        raise InvalidInput(f"'data.{CONFIG_KEY}' must be a string holding Docker config JSON.", target="data")
    text = _decoded(text)
    try:
        config = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested ~1,000 deep, no Docker config is
        raise InvalidInput(f"'data.{CONFIG_KEY}' is neither Docker config JSON nor base64-encoded Docker config "
                           'JSON: send the content of a Docker config.json, e.g. {"auths": {"<registry>": '
                           '{"username": "...", "password": "..."}}}, as text or base64-encoded.',
                           target="data") from None
    if not isinstance(config, dict) or not isinstance(config.get("auths"), dict):
        raise InvalidInput(f"'data.{CONFIG_KEY}' must be a JSON object with an 'auths' object.", target="data")
    return {CONFIG_KEY: text}


def _decoded(text: str) -> str:
    """Base64 (standard or URL-safe, padding optional) of UTF-8 text is decoded; anything else is returned as is.
    JSON text never decodes as base64 here: it holds '{', which neither alphabet has."""
    compact = "".join(text.split())
    if not compact or compact.startswith("{"):
        return text
    try:
        raw = base64.b64decode(compact.replace("-", "+").replace("_", "/") + "=" * (-len(compact) % 4),
                               validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return text


class DockerRegistrySecretService:
    def __init__(self, store: RecordStore, clock: Clock, cipher: SecretCipher, copies: Optional[SecretCopies] = None):
        self._store = store
        self._clock = clock
        self._sealer = SecretSealer(cipher)
        self._copies = copies  # AWS: the Kubernetes Secrets runs' submits made of it go when it goes

    @staticmethod
    def _tenant(ctx: TenantContext) -> TenantContext:
        return TenantContext(ctx.tenant)

    def _seal(self, ctx: TenantContext, name: str, data: Dict[str, str]) -> str:
        return self._sealer.seal(SecretSealer.owner(self._tenant(ctx), Kind.DOCKER_SECRET, name), data)

    def create(self, ctx: TenantContext, name: str, data: Any) -> DockerRegistrySecret:
        check_name(name, NAME, 63, "Docker registry secret name", NAME_RULE)
        values = check_docker_data(data)
        now = self._clock.now()
        secret = DockerRegistrySecret(name=name, sealed_data=self._seal(ctx, name, values), created_at=now,
                                      modified_at=now)
        try:
            self._store.create(self._tenant(ctx), secret.to_record(name))
        except AlreadyExists:
            raise AlreadyExists(f"Docker registry secret '{name}' already exists.", target="name") from None
        return secret

    def get(self, ctx: TenantContext, name: str) -> DockerRegistrySecret:
        check_name(name, NAME, 63, "Docker registry secret name", NAME_RULE, "dockerRegistryName")
        record = self._store.get(self._tenant(ctx), Kind.DOCKER_SECRET, name)
        if record is None:
            raise NotFound(f"Docker registry secret '{name}' not found.", target="dockerRegistryName")
        if self._copies is not None:  # tenant-wide: any group's namespace may hold a copy
            self._copies.forget_secret(ctx.tenant, None, kubernetes_secret_name(name))
        return DockerRegistrySecret.from_record(record)

    def query(self, ctx: TenantContext, skip: int, top: Optional[int]) -> Tuple[Page, List[DockerRegistrySecret]]:
        page = self._store.query(self._tenant(ctx), Kind.DOCKER_SECRET, skip=skip, top=top)
        return page, [DockerRegistrySecret.from_record(r) for r in page.items]

    def modify(self, ctx: TenantContext, name: str, data: Any) -> DockerRegistrySecret:
        values = check_docker_data(data)
        for _ in range(3):
            secret = self.get(ctx, name)
            secret.sealed_data = self._seal(ctx, name, values)
            secret.modified_at = self._clock.now()
            try:
                self._store.replace(self._tenant(ctx), secret.to_record(name, secret.stored_version))
                return secret
            except Conflict:
                continue
        raise Conflict(f"Docker registry secret '{name}' is being changed by other requests; retry.")

    def delete(self, ctx: TenantContext, name: str) -> None:
        check_name(name, NAME, 63, "Docker registry secret name", NAME_RULE, "dockerRegistryName")
        if not self._store.delete(self._tenant(ctx), Kind.DOCKER_SECRET, name):
            raise NotFound(f"Docker registry secret '{name}' not found.", target="dockerRegistryName")
        if self._copies is not None:  # tenant-wide: any group's namespace may hold a copy
            self._copies.forget_secret(ctx.tenant, None, kubernetes_secret_name(name))

    # -- engine side (never exposed over HTTP) -----------------------------------------------------
    def read_config(self, ctx: TenantContext, name: str) -> Dict[str, Any]:
        """The parsed Docker config ({"auths": {...}}) for pulling a template's images."""
        secret = self.get(ctx, name)
        owner = SecretSealer.owner(self._tenant(ctx), Kind.DOCKER_SECRET, name)
        return json.loads(self._sealer.unseal(owner, secret.sealed_data)[CONFIG_KEY])
