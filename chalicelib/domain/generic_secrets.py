"""Generic secrets (/admin/secrets): in one resource group, or at tenant level with AI-Tenant-Scope: true.

Scopes, as AI Core has them:
- `AI-Tenant-Scope: true`                        -> main-tenant level (Kind.TENANT_SECRET);
- `AI-Tenant-Scope: true` + `AI-Resource-Group: *` -> tenant-wide: a tenant-level secret that every resource
  group of the tenant sees (AI Core replicates it into each group);
- `AI-Resource-Group: <rg>` alone                 -> that resource group (Kind.GENERIC_SECRET).
Data values are base64 strings (Kubernetes secret data); keys are stored as received.
"""
from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime
from typing import ClassVar, Dict, List, Optional, Tuple, Type

from .clock import Clock
from .context import DEFAULT_RESOURCE_GROUP, TenantContext
from .entity import Entity
from .errors import AlreadyExists, Conflict, InvalidInput, NotFound
from .labels import KeyValue
from .records import Kind, Page, RecordStore
from .cluster.secret_manifests import kubernetes_secret_name
from .orchestration import SecretCopies
from .secrets import SecretCipher, SecretSealer, check_data_keys, check_generic_labels, check_name, check_string_map

NAME = re.compile(r"[a-z0-9.-]+")
NAME_RULE = "use 1-252 lower-case letters, digits, '-' or '.'."
ALL_GROUPS = "*"


class GenericSecret(Entity):
    KIND: ClassVar[Kind] = Kind.GENERIC_SECRET

    name: str
    labels: List[KeyValue] = []
    sealed_data: str
    created_at: datetime
    modified_at: datetime
    tenant_wide: bool = False  # only for tenant-level secrets: visible in every resource group


class TenantSecret(GenericSecret):
    KIND: ClassVar[Kind] = Kind.TENANT_SECRET


def check_base64_values(data: Dict[str, str]) -> Dict[str, str]:
    for key, value in data.items():
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(f"'data.{key}' must be base64-encoded (for example base64 of the secret text); "
                               "the value sent is not valid base64.", target="data") from None
    return data


class GenericSecretService:
    def __init__(self, store: RecordStore, clock: Clock, cipher: SecretCipher, copies: Optional[SecretCopies] = None):
        self._store = store
        self._clock = clock
        self._sealer = SecretSealer(cipher)
        self._copies = copies  # AWS: the Kubernetes Secrets runs' submits made of it go when it goes

    # -- scope -----------------------------------------------------------------------------------
    def _scope(self, ctx: TenantContext) -> Tuple[TenantContext, Type[GenericSecret]]:
        if ctx.tenant_scope:
            return TenantContext(ctx.tenant), TenantSecret
        if ctx.resource_group == ALL_GROUPS:
            raise InvalidInput("AI-Resource-Group '*' (tenant-wide secret) needs the header AI-Tenant-Scope: true.")
        ctx.require_resource_group()
        return ctx, GenericSecret

    def _load(self, ctx: TenantContext, name: str) -> GenericSecret:
        check_name(name, NAME, 252, "Secret name", NAME_RULE, "secretName")
        scoped, cls = self._scope(ctx)
        record = self._store.get(scoped, cls.KIND, name)
        if record is None:
            raise NotFound(f"Secret '{name}' not found in {_where(ctx)}.", target="secretName")
        return cls.from_record(record)

    # -- API -------------------------------------------------------------------------------------
    def create(self, ctx: TenantContext, name: str, data: object, labels: List[KeyValue]) -> GenericSecret:
        check_name(name, NAME, 252, "Secret name", NAME_RULE)
        values = check_base64_values(check_data_keys(check_string_map(data, "data"), "data"))
        scoped, cls = self._scope(ctx)
        now = self._clock.now()
        secret = cls(name=name, labels=check_generic_labels(labels), created_at=now, modified_at=now,
                     tenant_wide=ctx.tenant_scope and ctx.resource_group == ALL_GROUPS,
                     sealed_data=self._sealer.seal(SecretSealer.owner(scoped, cls.KIND, name), values))
        try:
            self._store.create(scoped, secret.to_record(name))
        except AlreadyExists:
            raise AlreadyExists(f"Secret '{name}' already exists in {_where(ctx)}.", target="name") from None
        return secret

    def get(self, ctx: TenantContext, name: str) -> GenericSecret:
        return self._load(ctx, name)

    def query(self, ctx: TenantContext, skip: int, top: Optional[int]) -> Tuple[Page, List[GenericSecret]]:
        scoped, cls = self._scope(ctx)
        page = self._store.query(scoped, cls.KIND, skip=skip, top=top)
        return page, [cls.from_record(r) for r in page.items]

    def modify(self, ctx: TenantContext, name: str, data: object, labels: Optional[List[KeyValue]]) -> GenericSecret:
        values = check_base64_values(check_data_keys(check_string_map(data, "data"), "data"))
        if labels is not None:
            check_generic_labels(labels)
        for _ in range(3):  # two PATCHes may race; the loser re-reads
            secret = self._load(ctx, name)
            scoped, cls = self._scope(ctx)
            secret.sealed_data = self._sealer.seal(SecretSealer.owner(scoped, cls.KIND, name), values)
            if labels is not None:
                secret.labels = labels
            secret.modified_at = self._clock.now()
            try:
                self._store.replace(scoped, secret.to_record(name, secret.stored_version))
                return secret
            except Conflict:
                continue
        raise Conflict(f"Secret '{name}' is being changed by other requests; retry.", target="secretName")

    def delete(self, ctx: TenantContext, name: str) -> None:
        check_name(name, NAME, 252, "Secret name", NAME_RULE, "secretName")
        scoped, cls = self._scope(ctx)
        if not self._store.delete(scoped, cls.KIND, name):
            raise NotFound(f"Secret '{name}' not found in {_where(ctx)}.", target="secretName")
        if self._copies is not None:
            self._copies.forget_secret(ctx.tenant, scoped.resource_group, kubernetes_secret_name(name))

    def sync_status(self, ctx: TenantContext, secret: GenericSecret) -> Optional[Dict[str, bool]]:
        """Tenant-wide secrets report, per resource group, whether the group sees them (always, here)."""
        if not secret.tenant_wide:
            return None
        groups = self._store.iterate(TenantContext(ctx.tenant), Kind.RESOURCE_GROUP)
        # `default` exists for every tenant even before its record is written on first use.
        return {DEFAULT_RESOURCE_GROUP: True, **{record.id: True for record in groups}}

    # -- engine side (never exposed over HTTP) -----------------------------------------------------
    def read_data(self, ctx: TenantContext, name: str) -> Dict[str, bytes]:
        """Decoded data of the secret a run in ctx's resource group may use: the group's own secret of that
        name, else a tenant-wide one. NotFound otherwise."""
        group_ctx = TenantContext(ctx.tenant, ctx.require_resource_group())
        record = self._store.get(group_ctx, Kind.GENERIC_SECRET, name)
        scoped, kind = group_ctx, Kind.GENERIC_SECRET
        if record is None:
            scoped, kind = TenantContext(ctx.tenant), Kind.TENANT_SECRET
            record = self._store.get(scoped, kind, name)
            if record is None or not record.doc.get("tenant_wide"):
                raise NotFound(f"Secret '{name}' not found in resource group '{group_ctx.resource_group}'.")
        sealed = record.doc["sealed_data"]
        values = self._sealer.unseal(SecretSealer.owner(scoped, kind, name), sealed)
        return {key: base64.b64decode(value) for key, value in values.items()}


def _where(ctx: TenantContext) -> str:
    if ctx.tenant_scope:
        return "the tenant scope"
    return f"resource group '{ctx.resource_group}'"
