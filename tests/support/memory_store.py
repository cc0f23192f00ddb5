"""An in-memory RecordStore for domain unit tests: same contract (versions, AlreadyExists, Conflict) as DynamoDB."""
from __future__ import annotations

import copy
from typing import Dict, Iterator, Optional, Sequence, Tuple

from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import AlreadyExists, Conflict
from chalicelib.domain.paging import paginate
from chalicelib.domain.records import Kind, Page, Predicate, Record, Scope, Where


class MemoryStore:
    def __init__(self) -> None:
        self.items: Dict[Tuple[str, str, str], Record] = {}
        self.writes = 0

    @staticmethod
    def _partition(ctx: TenantContext, kind: Kind) -> str:
        if kind.scope is Scope.TENANT:
            return ctx.tenant
        return f"{ctx.tenant}/{ctx.require_resource_group()}"

    def _key(self, ctx: TenantContext, kind: Kind, id: str) -> Tuple[str, str, str]:
        return self._partition(ctx, kind), kind.prefix, id

    def get(self, ctx: TenantContext, kind: Kind, id: str) -> Optional[Record]:
        record = self.items.get(self._key(ctx, kind, id))
        return copy.deepcopy(record) if record else None

    def create(self, ctx: TenantContext, record: Record) -> Record:
        key = self._key(ctx, record.kind, record.id)
        if key in self.items:
            raise AlreadyExists(f"'{record.id}' already exists.")
        stored = Record(record.kind, record.id, copy.deepcopy(record.doc), 1, record.index_key, record.index_sort)
        self.items[key] = stored
        self.writes += 1
        return copy.deepcopy(stored)

    def create_many(self, ctx: TenantContext, records) -> None:
        if any(self._key(ctx, r.kind, r.id) in self.items for r in records):
            raise AlreadyExists("one of the records already exists.")
        for record in records:
            self.create(ctx, record)

    def replace(self, ctx: TenantContext, record: Record) -> Record:
        key = self._key(ctx, record.kind, record.id)
        current = self.items.get(key)
        if current is not None and record.version != current.version:
            raise Conflict(f"'{record.id}' was changed by another request; retry.")
        stored = Record(record.kind, record.id, copy.deepcopy(record.doc), (record.version or 0) + 1,
                        record.index_key, record.index_sort)
        self.items[key] = stored
        self.writes += 1
        return copy.deepcopy(stored)

    def delete(self, ctx: TenantContext, kind: Kind, id: str, version: Optional[int] = None) -> bool:
        key = self._key(ctx, kind, id)
        current = self.items.get(key)
        if current is None or (version is not None and current.version != version):
            return False
        del self.items[key]
        return True

    def delete_many(self, ctx: TenantContext, kind: Kind, ids) -> None:
        for id in ids:
            self.items.pop(self._key(ctx, kind, id), None)

    def iterate(self, ctx: TenantContext, kind: Kind, where: Sequence[Where] = (), id_prefix: str = "") -> Iterator[Record]:
        partition = self._partition(ctx, kind)
        for (part, prefix, id), record in sorted(self.items.items()):
            if part == partition and prefix == kind.prefix and id.startswith(id_prefix):
                if all(_holds(w, record.doc) for w in where):
                    yield copy.deepcopy(record)

    def query(self, ctx: TenantContext, kind: Kind, where: Sequence[Where] = (), predicate: Optional[Predicate] = None,
              skip: int = 0, top: Optional[int] = None, id_prefix: str = "") -> Page:
        return paginate(self.iterate(ctx, kind, where, id_prefix), predicate, skip, top)


def _holds(where: Where, doc: dict) -> bool:
    value = doc.get(where.field)
    if where.op == "eq":
        return value == where.value
    if where.op == "ne":
        return value != where.value
    if where.op == "in":
        return value in where.value
    if where.op == "exists":
        return where.field in doc
    raise ValueError(where.op)


def with_deployments(ctx: TenantContext, statuses: Dict[str, "object"], **fields) -> "MemoryStore":
    """A store holding deployments of `ctx` by id -> Status (what inference access decisions read); `fields`: more
    attributes every one of them has."""
    from datetime import datetime, timezone

    from chalicelib.domain.runs import Deployment

    store = MemoryStore()
    now = datetime(2024, 5, 1, tzinfo=timezone.utc)
    for run_id, status in statuses.items():
        d = Deployment(id=run_id, configuration_id="cfg1", configuration_name="c", scenario_id="s", executable_id="e",
                       status=status, inference_url="u", created_at=now, modified_at=now, **fields)
        store.create(ctx, d.to_record(run_id))
    return store
