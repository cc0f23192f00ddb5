"""Object storage as the domain sees it: the `ObjectStore` port, `ai://` URLs and where they point.

`ai://<secret>/<path>` names `<path>` under the bucket and pathPrefix of object-store secret `<secret>` in the
caller's resource group. Two kinds of target:
- the secret carries its own credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY): its bucket, at its endpoint
  (or the platform's S3 endpoint when it names none), accessed with those credentials;
- it carries none (or names the platform's own bucket): the platform bucket, confined to the prefix
  `tenants/<tenant>/<resource group>/`. The platform's own credentials never reach outside that prefix, so a
  secret cannot borrow them to read another tenant's data.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Optional, Protocol, Tuple
from urllib.parse import quote, urlsplit

from .context import TenantContext
from .errors import InvalidInput
from .secrets import check_name
from .object_store_secrets import NAME as SECRET_NAME
from .object_store_secrets import NAME_RULE as SECRET_NAME_RULE
from .object_store_secrets import ObjectStoreSecret, ObjectStoreSecretService

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


class ObjectStore(Protocol):
    def put(self, location: ObjectLocation, data: bytes, overwrite: bool) -> None:
        """Store bytes; AlreadyExists when the object exists and overwrite is False."""

    def get(self, location: ObjectLocation) -> bytes:
        """NotFound when there is no such object."""

    def delete(self, location: ObjectLocation) -> None:
        """NotFound when there is no such object."""

    def exists(self, location: ObjectLocation) -> bool: ...


@dataclass(frozen=True)
class PlatformStorage:
    """The platform's own S3 (the embedded emulator locally, real S3 on AWS) and its bucket."""

    bucket: str
    endpoint_url: Optional[str]
    region: str
    allow_private_endpoints: bool  # true only for the embedded stack, whose emulator is on loopback


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


def _endpoint_url(secret: ObjectStoreSecret, allow_private: bool) -> str:
    raw = secret.endpoint.strip()
    scheme = "http" if secret.usehttps == "0" else "https"
    url = raw if "://" in raw else f"{scheme}://{raw}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"Object store secret '{secret.name}' has an invalid endpoint '{raw[:200]}'.",
                           target="endpoint")
    if not allow_private and _is_internal(parts.hostname):
        raise InvalidInput(f"Object store secret '{secret.name}' points at an internal address "
                           f"('{parts.hostname}'); use a public S3 endpoint.", target="endpoint")
    return url


def _is_internal(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


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
        prefix = (secret.path_prefix or "").strip("/")
        if prefix:
            check_object_path(prefix, what="pathPrefix")
        url = ai_url(secret.name, path)
        data = self._secrets.open(ctx, secret)
        key_id, key = data.get("AWS_ACCESS_KEY_ID"), data.get("AWS_SECRET_ACCESS_KEY")
        platform = self._platform
        if not secret.bucket or secret.bucket == platform.bucket:
            # quote(): a tenant id holding '/' must not spell another tenant's prefix.
            home = f"tenants/{quote(ctx.tenant, safe='')}/{group}"
            confined = "/".join(part for part in (home, prefix, path) if part)
            return ObjectLocation(platform.bucket, confined,
                                  StoreConnection(platform.endpoint_url, platform.region), url)
        if not key_id or not key:
            raise InvalidInput(f"Object store secret '{secret.name}' names bucket '{secret.bucket}' but its data has "
                               "no AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; add them, or leave 'bucket' out to "
                               "use the platform's managed store.", target="objectStoreName")
        endpoint = (_endpoint_url(secret, platform.allow_private_endpoints) if secret.endpoint
                    else platform.endpoint_url)
        connection = StoreConnection(endpoint, secret.region or platform.region, key_id, key,
                                     data.get("AWS_SESSION_TOKEN"), secret.verifyssl != "0")
        return ObjectLocation(secret.bucket, "/".join(p for p in (prefix, path) if p), connection, url)
