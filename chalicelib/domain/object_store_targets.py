"""Where an object-store secret points, and whether that is the platform's own store.

The platform's store (the embedded emulator, or the artifacts bucket on AWS) holds every tenant's files under
`tenants/<tenant>/<group>/`. A secret may reach it in many spellings: no bucket; the platform bucket's name (in
`bucket`, or as the first segment of a `bucket` holding a '/'); an endpoint naming the emulator as `localhost`,
`127.0.0.1`, `127.1`, `[::1]`, `0.0.0.0`, a name that resolves to loopback, with or without `http://` and trailing
slashes; or the bucket's virtual-hosted name on AWS. Comparing spellings of one host is a losing game, so the rule
is by what cannot be respelled: on the embedded stack, any endpoint on the emulator's port whose host is not a
public IP literal is the emulator. All of these are confined to the caller's own area (see object_store.py).
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Optional, Tuple
from urllib.parse import urlsplit

from .errors import InvalidInput
from .object_store_secrets import ObjectStoreSecret


@dataclass(frozen=True)
class PlatformStorage:
    """The platform's own S3 (the embedded emulator locally, real S3 on AWS) and its bucket."""

    bucket: str
    endpoint_url: Optional[str]
    region: str
    allow_private_endpoints: bool  # true only for the embedded stack, whose emulator is on loopback
    # Embedded stack: a secret's bucket without an endpoint lives in the embedded store (a laptop or CI box may not
    # reach AWS, and must not wait minutes finding out) unless the stack is told to use real S3.
    buckets_in_platform_store: bool = False


def split_bucket(secret: ObjectStoreSecret) -> Tuple[str, str]:
    """(bucket, prefix): a `bucket` written as 'name/some/prefix' gives its tail to the prefix."""
    bucket, _, tail = (secret.bucket or "").strip().strip("/").partition("/")
    prefix = "/".join(p for p in (tail.strip("/"), (secret.path_prefix or "").strip("/")) if p)
    return bucket.lower(), prefix


def endpoint_url(secret: ObjectStoreSecret, allow_private: bool) -> str:
    raw = (secret.endpoint or "").strip()
    scheme = "http" if secret.usehttps == "0" else "https"
    url = (raw if "://" in raw else f"{scheme}://{raw}").rstrip("/")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"Object store secret '{secret.name}' has an invalid endpoint '{raw[:200]}'.",
                           target="endpoint")
    if parts.path.strip("/") or parts.query or parts.fragment or parts.username or parts.password:
        # A path would be read as a bucket by path-style addressing: '.../other-bucket' + our bucket/key.
        raise InvalidInput(f"Object store secret '{secret.name}' has endpoint '{raw[:200]}': give the host (and "
                           "port) only; the bucket goes in 'bucket'.", target="endpoint")
    if not allow_private and is_internal(parts.hostname):
        raise InvalidInput(f"Object store secret '{secret.name}' points at an internal address "
                           f"('{parts.hostname}'); use a public S3 endpoint.", target="endpoint")
    return url


def is_internal(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def _host_port(url: str) -> Tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def _is_public_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_global
    except ValueError:
        return False


def endpoint_is_platform(url: str, platform: PlatformStorage) -> bool:
    host, port = _host_port(url)
    if host == platform.bucket.lower() or host.startswith(platform.bucket.lower() + "."):
        return True  # the platform bucket's virtual-hosted name (bucket.s3.<region>.amazonaws.com)
    if platform.endpoint_url is None:
        return False
    platform_host, platform_port = _host_port(platform.endpoint_url)
    if host == platform_host and port == platform_port:
        return True
    # Any other spelling of the emulator's loopback address on its port (see the module docstring).
    return platform.allow_private_endpoints and port == platform_port and not _is_public_ip(host)


def targets_platform(secret: ObjectStoreSecret, platform: PlatformStorage) -> bool:
    bucket, _ = split_bucket(secret)
    if not bucket or bucket == platform.bucket.lower():
        return True
    if secret.endpoint and secret.endpoint.strip():
        return endpoint_is_platform(endpoint_url(secret, platform.allow_private_endpoints), platform)
    return platform.buckets_in_platform_store
