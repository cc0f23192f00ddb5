"""Object-store secrets (/admin/objectStoreSecrets): where a resource group's `ai://<name>/...` URLs point.

Resource-group level (AI-Resource-Group defaults to `default`). Responses carry metadata only; the
credentials in `data` are sealed at rest and opened only for the engine and the dataset-file service.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Dict, List, Optional, Tuple

from .clock import Clock
from .context import TenantContext
from .entity import Entity, Value
from .errors import AlreadyExists, Conflict, InvalidInput, NotFound
from .records import Kind, Page, RecordStore
from .cluster.secret_manifests import object_store_secret_name
from .orchestration import SecretCopies
from .secrets import SecretCipher, SecretSealer, check_name, check_string_map

NAME = re.compile(r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*")
NAME_RULE = ("use at most 233 lower-case letters, digits, '-' and '.', each dot-separated part starting and "
             "ending with a letter or digit.")
# Lookups accept the looser path spelling the spec allows (and the `-object-store-secret` form GET returns).
PATH_NAME = re.compile(r"[a-zA-Z0-9._-]{1,253}")
SUFFIX = "-object-store-secret"
TYPES = {"s3": "S3", "azure": "azure", "gcs": "gcs", "oss": "oss", "webhdfs": "webhdfs"}
FLAG_VALUES = ("0", "1")


class ObjectStoreSpec(Value):
    """What a client sends (snake_case); None = not given."""

    name: Optional[str] = None
    type: Optional[str] = None
    bucket: Optional[str] = None
    endpoint: Optional[str] = None
    region: Optional[str] = None
    path_prefix: Optional[str] = None
    verifyssl: Optional[str] = None
    usehttps: Optional[str] = None
    data: Optional[Any] = None


class ObjectStoreSecret(Entity):
    KIND: ClassVar[Kind] = Kind.OBJECT_STORE_SECRET

    name: str
    type: str
    bucket: Optional[str] = None
    endpoint: Optional[str] = None
    region: Optional[str] = None
    path_prefix: Optional[str] = None
    verifyssl: Optional[str] = None
    usehttps: Optional[str] = "1"
    sealed_data: str
    created_at: datetime
    modified_at: datetime

    @property
    def is_s3(self) -> bool:
        return self.type.lower() == "s3"

    def metadata(self) -> Dict[str, str]:
        """The annotations AI Core shows for a stored secret (KServe's s3-* ones only for S3)."""
        meta: Dict[str, Optional[str]] = {}
        if self.is_s3:
            meta.update({"serving.kubeflow.org/s3-endpoint": self.endpoint,
                         "serving.kubeflow.org/s3-region": self.region,
                         "serving.kubeflow.org/s3-usehttps": self.usehttps,
                         "serving.kubeflow.org/s3-verifyssl": self.verifyssl})
        meta.update({"storage.ai.sap.com/type": self.type,
                     "storage.ai.sap.com/bucket": self.bucket,
                     "storage.ai.sap.com/endpoint": self.endpoint,
                     "storage.ai.sap.com/region": self.region,
                     "storage.ai.sap.com/pathPrefix": self.path_prefix})
        return {key: value for key, value in meta.items() if value}


def _check_fields(spec: ObjectStoreSpec) -> None:
    if spec.type is not None and spec.type.lower() not in TYPES:
        raise InvalidInput(f"Object store type '{spec.type[:40]}' is not supported: use one of "
                           f"{', '.join(TYPES.values())}.", target="type")
    for field in ("verifyssl", "usehttps"):
        value = getattr(spec, field)
        if value not in (None, "") and value not in FLAG_VALUES:
            raise InvalidInput(f"'{field}' must be \"0\" or \"1\".", target=field)
    for field in ("bucket", "endpoint", "region", "path_prefix"):
        value = getattr(spec, field)
        if value is not None and (len(value) > 1024 or any(ord(c) < 32 for c in value)):
            raise InvalidInput(f"'{field}' must be at most 1024 printable characters.", target=field)


class ObjectStoreSecretService:
    def __init__(self, store: RecordStore, clock: Clock, cipher: SecretCipher, copies: Optional[SecretCopies] = None):
        self._store = store
        self._clock = clock
        self._sealer = SecretSealer(cipher)
        self._copies = copies  # AWS: the Kubernetes Secrets runs' submits made of it go when it goes

    def _seal(self, ctx: TenantContext, name: str, data: Dict[str, str]) -> str:
        return self._sealer.seal(SecretSealer.owner(ctx, Kind.OBJECT_STORE_SECRET, name), data)

    def create(self, ctx: TenantContext, spec: ObjectStoreSpec) -> ObjectStoreSecret:
        name = check_name(spec.name, NAME, 233, "Object store secret name", NAME_RULE)
        if not spec.type:
            raise InvalidInput("'type' is required: the storage type, e.g. S3.", target="type")
        if spec.data is None:
            raise InvalidInput("'data' is required: the store's credentials, e.g. {\"AWS_ACCESS_KEY_ID\": ..., "
                               "\"AWS_SECRET_ACCESS_KEY\": ...}.", target="data")
        _check_fields(spec)
        now = self._clock.now()
        secret = ObjectStoreSecret(
            name=name, type=spec.type, bucket=spec.bucket or None, endpoint=spec.endpoint or None,
            region=spec.region or None, path_prefix=spec.path_prefix or None, verifyssl=spec.verifyssl or None,
            usehttps=spec.usehttps or "1", created_at=now, modified_at=now,
            sealed_data=self._seal(ctx, name, check_string_map(spec.data, "data")))
        try:
            self._store.create(ctx, secret.to_record(name))
        except AlreadyExists:
            raise AlreadyExists(f"Object store secret '{name}' already exists in resource group "
                                f"'{ctx.resource_group}'.", target="name") from None
        return secret

    def get(self, ctx: TenantContext, name: str) -> ObjectStoreSecret:
        check_name(name, PATH_NAME, 253, "Object store name", "use letters, digits, '.', '-' or '_'.",
                   "objectStoreName")
        record = self._store.get(ctx, Kind.OBJECT_STORE_SECRET, name)
        if record is None and name.endswith(SUFFIX):
            record = self._store.get(ctx, Kind.OBJECT_STORE_SECRET, name[: -len(SUFFIX)])
        if record is None:
            raise NotFound(f"Object store secret '{name}' not found in resource group '{ctx.resource_group}'.",
                           target="objectStoreName")
        return ObjectStoreSecret.from_record(record)

    def query(self, ctx: TenantContext, skip: int, top: Optional[int]) -> Tuple[Page, List[ObjectStoreSecret]]:
        page = self._store.query(ctx, Kind.OBJECT_STORE_SECRET, skip=skip, top=top)
        return page, [ObjectStoreSecret.from_record(r) for r in page.items]

    def modify(self, ctx: TenantContext, name: str, spec: ObjectStoreSpec) -> ObjectStoreSecret:
        """Fields sent replace the stored ones; fields left out keep their value ("" clears an optional one)."""
        _check_fields(spec)
        data = check_string_map(spec.data, "data") if spec.data is not None else None
        for _ in range(3):
            secret = self.get(ctx, name)
            if spec.name not in (None, secret.name):
                raise InvalidInput(f"'name' in the body ('{spec.name[:80]}') differs from the path "
                                   f"('{secret.name}'); a secret cannot be renamed.", target="name")
            for field in ("type", "bucket", "endpoint", "region", "path_prefix", "verifyssl", "usehttps"):
                value = getattr(spec, field)
                if value is not None:
                    setattr(secret, field, value or None)
            secret.type = secret.type or "S3"
            secret.usehttps = secret.usehttps or "1"
            if data is not None:
                secret.sealed_data = self._seal(ctx, secret.name, data)
            secret.modified_at = self._clock.now()
            try:
                self._store.replace(ctx, secret.to_record(secret.name, secret.stored_version))
                return secret
            except Conflict:
                continue
        raise Conflict(f"Object store secret '{name}' is being changed by other requests; retry.")

    def delete(self, ctx: TenantContext, name: str) -> str:
        secret = self.get(ctx, name)
        if not self._store.delete(ctx, Kind.OBJECT_STORE_SECRET, secret.name):
            raise NotFound(f"Object store secret '{name}' not found in resource group '{ctx.resource_group}'.",
                           target="objectStoreName")
        if self._copies is not None:
            self._copies.forget_secret(ctx.tenant, ctx.resource_group, object_store_secret_name(secret.name))
        return secret.name

    # -- engine side (never exposed over HTTP) -----------------------------------------------------
    def read_data(self, ctx: TenantContext, name: str) -> Dict[str, str]:
        """The decrypted `data` (credentials) of a secret in ctx's resource group."""
        secret = self.get(ctx, name)
        return self.open(ctx, secret)

    def open(self, ctx: TenantContext, secret: ObjectStoreSecret) -> Dict[str, str]:
        owner = SecretSealer.owner(ctx, Kind.OBJECT_STORE_SECRET, secret.name)
        return self._sealer.unseal(owner, secret.sealed_data)
