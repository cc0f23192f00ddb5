"""Wire models for /admin/objectStoreSecrets, /admin/dockerRegistrySecrets and /admin/secrets.

Responses never carry `data`. Request `data` stays loosely typed here: the domain checks it with messages that
name keys but never echo values.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from pydantic import Field

from .common import Body, Wire
from .time import WireTime


class ObjectStoreSecretBody(Body):
    """POST and PATCH body (PATCH: fields left out keep their value)."""

    name: Optional[str] = Field(default=None, max_length=253)
    type: Optional[str] = Field(default=None, max_length=64)
    bucket: Optional[str] = None
    endpoint: Optional[str] = None
    region: Optional[str] = None
    path_prefix: Optional[str] = None
    verifyssl: Optional[str] = None
    usehttps: Optional[str] = None
    data: Optional[Any] = None


class ObjectStoreSecretOut(Wire):
    name: str
    metadata: Dict[str, str]


class DockerRegistrySecretCreate(Body):
    name: str = Field(max_length=253)
    data: Any


class DockerRegistrySecretPatch(Body):
    data: Any


class DockerRegistrySecretOut(Wire):
    name: str


class SecretLabel(Body):
    key: str = Field(max_length=256)
    value: str = Field(max_length=5000)


class GenericSecretCreate(Body):
    name: str = Field(max_length=253)
    data: Any
    labels: List[SecretLabel] = []


class GenericSecretPatch(Body):
    data: Any
    labels: Optional[List[SecretLabel]] = None


class GenericSecretOut(Wire):
    name: str
    created_at: WireTime
    labels: Optional[List[SecretLabel]] = None
    resource_group_secrets_sync_status: Optional[Dict[str, bool]] = None


class Message(Wire):
    message: str


class NameMessage(Wire):
    name: str
    message: str
