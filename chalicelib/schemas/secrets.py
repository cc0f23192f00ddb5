"""Wire models for /admin/objectStoreSecrets, /admin/dockerRegistrySecrets and /admin/secrets.

Responses never carry `data`. Request `data` stays loosely typed here: the domain checks it with messages that
name keys but never echo values.
"""
from __future__ import annotations

from typing import Any, ClassVar, Dict, List, Optional

from pydantic import Field

from chalicelib.domain import docker_secrets, generic_secrets, object_store_secrets
from chalicelib.domain.secrets import DATA_KEY, GENERIC_LABEL_KEY

from .common import Body, Wire, anchored, stated

PRINTABLE = r"^[^\x00-\x1f]*$"
STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
# Generic secret data: Kubernetes data keys, base64 values (domain.generic_secrets.check_base64_values).
GENERIC_DATA = {"type": "object", "minProperties": 1, "propertyNames": {"pattern": anchored(DATA_KEY)},
                "additionalProperties": {"type": "string", "pattern": BASE64}}
# Docker registry data: exactly {".dockerconfigjson": <Docker config with an `auths` object>}; the config may also
# come as JSON text or base64 of it (domain.docker_secrets.check_docker_data), which a schema cannot check.
DOCKER_DATA = {"type": "object", "required": [docker_secrets.CONFIG_KEY], "additionalProperties": False,
               "properties": {docker_secrets.CONFIG_KEY: {
                   "type": "object", "required": ["auths"], "properties": {"auths": {"type": "object"}}}}}
from .time import WireTime


class ObjectStoreSecretBody(Body):
    """PATCH body: fields left out keep their value."""

    name: Optional[str] = Field(default=None, max_length=253, json_schema_extra=stated(
        object_store_secrets.NAME, maxLength=233))
    type: Optional[str] = Field(default=None, max_length=64, json_schema_extra=stated(
        enum=list(object_store_secrets.TYPES.values())))
    bucket: Optional[str] = Field(default=None, json_schema_extra=stated(PRINTABLE, maxLength=1024))
    endpoint: Optional[str] = Field(default=None, json_schema_extra=stated(PRINTABLE, maxLength=1024))
    region: Optional[str] = Field(default=None, json_schema_extra=stated(PRINTABLE, maxLength=1024))
    path_prefix: Optional[str] = Field(default=None, json_schema_extra=stated(PRINTABLE, maxLength=1024))
    verifyssl: Optional[str] = Field(default=None, json_schema_extra=stated(
        enum=list(object_store_secrets.FLAG_VALUES)))
    usehttps: Optional[str] = Field(default=None, json_schema_extra=stated(
        enum=list(object_store_secrets.FLAG_VALUES)))
    data: Optional[Any] = Field(default=None, json_schema_extra=STRING_MAP)


class ObjectStoreSecretCreate(ObjectStoreSecretBody):
    """POST body: the domain requires name, type and data (with messages of its own)."""

    SCHEMA_EXTRA: ClassVar[Dict[str, Any]] = {"required": ["name", "type", "data"]}


class ObjectStoreSecretOut(Wire):
    name: str
    metadata: Dict[str, str]


class DockerRegistrySecretCreate(Body):
    name: str = Field(max_length=253, json_schema_extra=stated(docker_secrets.NAME, minLength=2, maxLength=63))
    data: Any = Field(json_schema_extra=DOCKER_DATA)


class DockerRegistrySecretPatch(Body):
    data: Any = Field(json_schema_extra=DOCKER_DATA)


class DockerRegistrySecretOut(Wire):
    name: str


class SecretLabel(Body):
    key: str = Field(max_length=256, json_schema_extra=stated(GENERIC_LABEL_KEY, maxLength=63))
    value: str = Field(max_length=5000)


class GenericSecretCreate(Body):
    name: str = Field(max_length=253, json_schema_extra=stated(generic_secrets.NAME, maxLength=252))
    data: Any = Field(json_schema_extra=GENERIC_DATA)
    labels: List[SecretLabel] = []


class GenericSecretPatch(Body):
    data: Any = Field(json_schema_extra=GENERIC_DATA)
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
