"""Object storage as the domain sees it: the `ObjectStore` port, `ai://` URLs and where they point.

`ai://<secret>/<path>` names `<path>` under the bucket and pathPrefix of object-store secret `<secret>` in the
caller's resource group. Two kinds of target:
- a secret that reaches the platform's own store (object_store_targets decides: no bucket, the platform bucket,
  an endpoint that is the embedded emulator, or on the embedded stack any bucket without an endpoint): the
  platform bucket, confined to `tenants/<tenant>/<resource group>/` (then `<bucket>/` for a bucket of its own,
  so `bucket: b, pathPrefix: p` and the reference's `pathPrefix: b/p` name the same files). The platform's
  credentials are used there and never outside that prefix, whatever bucket, endpoint or pathPrefix it names;
  one that spells out `tenants/...` inside it is refused rather than quietly sent elsewhere.
- any other: its bucket, at its endpoint (or real S3), with the credentials in its data.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Protocol, Tuple
from urllib.parse import quote

from .context import TenantContext
from .errors import Forbidden, InvalidInput
from .secrets import check_name
from .object_store_secrets import NAME as SECRET_NAME
from .object_store_secrets import NAME_RULE as SECRET_NAME_RULE
from .object_store_secrets import ObjectStoreSecretService
from .object_store_targets import PlatformStorage, endpoint_url, split_bucket, targets_platform

__all__ = ["PlatformStorage"]  # re-exported: callers build it with the resolver

AI_SCHEME = "ai://"
MAX_PATH = 1024
SEGMENT = re.compile(r"[\w.=+@~,-]+")


@dataclass(frozen=True)
class StoreConnection:
    """How to reach one S3 endpoint. Credentials are left out of repr so a log line never shows them."""

    endpoint_url: Optional[str] = None  # None: the SDK's default (real AWS)
    region: Optional[str] = None
    access_key_id: Optional[str] = field(default=None, repr=False)
    secret_access_key: Optional[str] = field(default=None, repr=False)
    session_token: Optional[str] = field(default=None, repr=False)
    verify_ssl: bool = True


@dataclass(frozen=True)
class ObjectLocation:
    bucket: str
    key: str
    connection: StoreConnection
    url: str  # the ai:// URL it was resolved from, for messages
    secret: str = ""  # the object store secret's name, for messages about its store


class ObjectStore(Protocol):
    def put(self, location: ObjectLocation, data: bytes, overwrite: bool) -> None:
        """Store bytes; AlreadyExists when the object exists and overwrite is False."""

    def get(self, location: ObjectLocation) -> bytes:
        """NotFound when there is no such object."""

    def delete(self, location: ObjectLocation) -> None:
        """NotFound when there is no such object."""

    def exists(self, location: ObjectLocation) -> bool: ...

    def list_keys(self, location: ObjectLocation) -> list:
        """Keys of the objects under location.key as a folder; ValueError when there are too many."""


def check_object_path(path: str, *, allow_empty: bool = False, what: str = "path") -> str:
    """A relative object path: no '..', '.', empty segments, backslashes, control characters or leading '/'."""
    if not path:
        if allow_empty:
            return ""
        raise InvalidInput(f"The {what} must name a file inside the object store, e.g. <secret>/data/train.csv.",
                           target=what)
    if len(path) > MAX_PATH:
        raise InvalidInput(f"The {what} is longer than {MAX_PATH} characters.", target=what)
    if path.startswith("/"):
        raise InvalidInput(f"The {what} must be relative (no leading '/').", target=what)
    if "\\" in path or any(ord(c) < 32 or ord(c) == 127 for c in path):
        raise InvalidInput(f"The {what} must not contain backslashes or control characters.", target=what)
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidInput(f"The {what} '{path}' has an empty, '.' or '..' segment; name the file directly.",
                               target=what)
        if not SEGMENT.fullmatch(segment):
            raise InvalidInput(f"The {what} segment '{segment}' may only use letters, digits and the "
                               "characters _ . - = + @ ~ and ','.", target=what)
    return path


def parse_ai_url(url: str) -> Tuple[str, str]:
    """`ai://<secret>/<path>` -> (secret, path); the path may be empty (the store's root), never end in '/'."""
    if not isinstance(url, str) or not url.startswith(AI_SCHEME):
        raise InvalidInput(f"'{str(url)[:200]}' is not an ai:// URL (ai://<object-store-secret>/<path>).",
                           target="url")
    rest = url[len(AI_SCHEME):]
    if rest.endswith("/"):
        raise InvalidInput(f"'{url[:200]}' must not end with '/': name the folder without it.", target="url")
    secret, _, path = rest.partition("/")
    if len(secret) > 233 or not SECRET_NAME.fullmatch(secret):
        raise InvalidInput(f"'{url[:200]}' does not start with a valid object store secret name.", target="url")
    return secret, check_object_path(path, allow_empty=True, what="url path")


def ai_url(secret: str, path: str) -> str:
    return f"{AI_SCHEME}{secret}/{path}" if path else f"{AI_SCHEME}{secret}"


class ObjectStoreResolver:
    """Turns (resource group, secret, path) or an ai:// URL into an ObjectLocation."""

    def __init__(self, secrets: ObjectStoreSecretService, platform: PlatformStorage):
        self._secrets = secrets
        self._platform = platform

    def resolve_url(self, ctx: TenantContext, url: str) -> ObjectLocation:
        secret, path = parse_ai_url(url)
        return self.locate(ctx, secret, path, allow_empty=True)

    def locate(self, ctx: TenantContext, secret_name: str, path: str, *, allow_empty: bool = False) -> ObjectLocation:
        check_name(secret_name, SECRET_NAME, 233, "Object store secret name", SECRET_NAME_RULE, "path")
        path = check_object_path(path, allow_empty=allow_empty)
        group = ctx.require_resource_group()
        secret = self._secrets.get(ctx, secret_name)
        if not secret.is_s3:
            raise InvalidInput(f"Object store secret '{secret.name}' is of type '{secret.type}'; only S3 stores "
                               "can be read or written here.", target="objectStoreName")
        bucket, prefix = split_bucket(secret)
        if prefix:
            check_object_path(prefix, what="pathPrefix")
        url = ai_url(secret.name, path)
        platform = self._platform
        if targets_platform(secret, platform):
            own = "" if bucket in ("", platform.bucket.lower()) else check_object_path(bucket, what="bucket")
            relative = "/".join(part for part in (own, prefix, path) if part)
            if relative == "tenants" or relative.startswith("tenants/"):
                raise Forbidden(f"Object store secret '{secret.name}' reaches the platform's own object store, where "
                                f"tenant '{ctx.tenant}' and resource group '{group}' see only their own files: "
                                "'tenants/...' in its bucket, pathPrefix or path cannot name another tenant's or "
                                "group's. Leave endpoint and bucket out to use the managed store.",
                                target="objectStoreName")
            # quote(): a tenant id holding '/' must not spell another tenant's prefix.
            home = f"tenants/{quote(ctx.tenant, safe='')}/{group}"
            return ObjectLocation(platform.bucket, f"{home}/{relative}" if relative else home,
                                  StoreConnection(platform.endpoint_url, platform.region), url, secret.name)
        data = self._secrets.open(ctx, secret)
        key_id, key = data.get("AWS_ACCESS_KEY_ID"), data.get("AWS_SECRET_ACCESS_KEY")
        if not key_id or not key:
            raise InvalidInput(f"Object store secret '{secret.name}' names bucket '{bucket}' but its data has "
                               "no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; add them, or leave 'bucket' out to "
                               "use the platform's managed store.", target="objectStoreName")
        # No endpoint here means AWS S3 itself (on the embedded stack only when told to: object_store_real_s3).
        endpoint = endpoint_url(secret, platform.allow_private_endpoints) if secret.endpoint else None
        connection = StoreConnection(endpoint, secret.region or platform.region, key_id, key,
                                     data.get("AWS_SESSION_TOKEN"), secret.verifyssl != "0")
        return ObjectLocation(bucket, "/".join(p for p in (prefix, path) if p), connection, url, secret.name)
