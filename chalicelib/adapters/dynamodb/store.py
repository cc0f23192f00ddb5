"""RecordStore on DynamoDB: GetItem, conditional Put/Delete and Query only (no Scan)."""
from __future__ import annotations

from typing import Iterator, Optional, Sequence

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.context import TenantContext
from chalicelib.domain.errors import AlreadyExists, Conflict
from chalicelib.domain.records import Kind, Page, Predicate, Record, Scope, Where
from chalicelib.domain.paging import paginate

from .keys import id_of, partition_key, sort_key
from .models import RecordModel


def _plain(value):
    if isinstance(value, dict) or hasattr(value, "as_dict"):
        items = value.as_dict() if hasattr(value, "as_dict") else value
        return {k: _plain(v) for k, v in items.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class DynamoRecordStore:
    def __init__(self, model: type[RecordModel] = RecordModel):
        self._model = model

    def _to_record(self, item: RecordModel, kind: Kind) -> Record:
        return Record(
            kind=kind,
            id=id_of(kind, item.pk, item.sk),
            doc=_plain(item.doc) or {},
            version=item.version,
            index_key=item.work_pk,
            index_sort=item.work_sk,
        )

    def _to_item(self, ctx: TenantContext, record: Record) -> RecordModel:
        item = self._model(
            partition_key(ctx, record.kind, record.id),
            sort_key(record.kind, record.id),
            tenant=ctx.tenant,
            resource_group=ctx.resource_group if record.kind.scope is not Scope.TENANT else None,
            doc=record.doc,
            work_pk=record.index_key,
            work_sk=record.index_sort if record.index_key else None,
        )
        if record.version is not None:
            item.version = record.version
        return item

    def get(self, ctx: TenantContext, kind: Kind, id: str) -> Optional[Record]:
        try:
            item = self._model.get(partition_key(ctx, kind, id), sort_key(kind, id), consistent_read=True)
        except DoesNotExist:
            return None
        return self._to_record(item, kind)

    def create(self, ctx: TenantContext, record: Record) -> Record:
        item = self._to_item(ctx, Record(record.kind, record.id, record.doc, None, record.index_key,
                                          record.index_sort))
        try:
            item.save(condition=self._model.pk.does_not_exist())
        except PutError as err:
            if _is_condition_failure(err):
                raise AlreadyExists(f"{_label(record.kind)} '{record.id}' already exists.") from None
            raise
        return self._to_record(item, record.kind)

    def create_many(self, ctx: TenantContext, records: Sequence[Record]) -> None:
        if len(records) == 1:
            self.create(ctx, records[0])
            return
        if len(records) > 100:  # TransactWriteItems' limit; callers write a few chunks at most
            raise ValueError(f"create_many takes at most 100 records, got {len(records)}")
        try:
            with TransactWrite(connection=self._model._get_connection().connection) as transaction:
                for record in records:
                    item = self._to_item(ctx, Record(record.kind, record.id, record.doc))
                    transaction.save(item, condition=self._model.pk.does_not_exist())
        except TransactWriteError as err:
            if "ConditionalCheckFailed" in str(getattr(err, "cause_response_message", "")) or \
                    "ConditionalCheckFailed" in str(err):
                raise AlreadyExists(f"{_label(records[0].kind)} '{records[0].id}' (or one stored with it) "
                                    "already exists.") from None
            raise

    def replace(self, ctx: TenantContext, record: Record) -> Record:
        item = self._to_item(ctx, record)
        try:
            item.save()  # VersionAttribute makes this conditional on the version we read
        except PutError as err:
            if _is_condition_failure(err):
                raise Conflict(
                    f"{_label(record.kind)} '{record.id}' was changed by another request; retry."
                ) from None
            raise
        return self._to_record(item, record.kind)

    def delete(self, ctx: TenantContext, kind: Kind, id: str, version: Optional[int] = None) -> bool:
        item = self._model(partition_key(ctx, kind, id), sort_key(kind, id))
        condition = self._model.pk.exists()
        if version is not None:
            condition &= self._model.version == version
        try:
            item.delete(condition=condition, add_version_condition=False)
        except DeleteError as err:
            if _is_condition_failure(err):
                return False
            raise
        return True

    def delete_many(self, ctx: TenantContext, kind: Kind, ids: Sequence[str]) -> None:
        # BatchWriteItem in groups of 25; PynamoDB resends unprocessed items.
        with self._model.batch_write() as batch:
            for id in ids:
                batch.delete(self._model(partition_key(ctx, kind, id), sort_key(kind, id)))

    def iterate(
        self, ctx: TenantContext, kind: Kind, where: Sequence[Where] = (), id_prefix: str = ""
    ) -> Iterator[Record]:
        for item in self._model.query(*self._keys(ctx, kind, id_prefix), filter_condition=self._filter(where),
                                      consistent_read=True):
            yield self._to_record(item, kind)

    def _keys(self, ctx: TenantContext, kind: Kind, id_prefix: str) -> tuple:
        # Execution-scoped kinds: id_prefix "<executionId>/..." names the partition; the rest prefixes sort keys.
        return (partition_key(ctx, kind, id_prefix),
                self._model.sk.startswith(sort_key(kind, id_prefix) if kind.scope is Scope.EXECUTION
                                          else sort_key(kind) + id_prefix))

    def _window(self, ctx: TenantContext, kind: Kind, where: Sequence[Where], skip: int, top: int,
                id_prefix: str) -> Page:
        """A page of a list whose conditions DynamoDB evaluates itself: the count without the items (Select=COUNT),
        then only the items the page needs, read from the nearer end. A UI opening the newest page of 10,000
        executions reads 50 items, not 10,000 (DynamoDB has no offset: a read from the start goes through all)."""
        keys, condition = self._keys(ctx, kind, id_prefix), self._filter(where)
        count = self._model.count(*keys, filter_condition=condition, consistent_read=True)
        page = Page(count=count)
        if top <= 0 or skip >= count:
            return page
        backwards = skip > count - skip - top  # the page lies nearer the end
        wanted = count - skip if backwards else skip + top  # items to go through from that end
        items = []
        for item in self._model.query(*keys, filter_condition=condition, consistent_read=True,
                                      scan_index_forward=not backwards):
            items.append(item)
            if len(items) >= wanted:
                break
        window = list(reversed(items))[:top] if backwards else items[skip:skip + top]
        page.items = [self._to_record(item, kind) for item in window]
        return page

    def query(
        self,
        ctx: TenantContext,
        kind: Kind,
        where: Sequence[Where] = (),
        predicate: Optional[Predicate] = None,
        skip: int = 0,
        top: Optional[int] = None,
        id_prefix: str = "",
    ) -> Page:
        if predicate is None and top is not None:
            return self._window(ctx, kind, where, skip, top, id_prefix)
        return paginate(self.iterate(ctx, kind, where, id_prefix), predicate, skip, top)

    def query_index(self, index_key: str, sort_le: Optional[str] = None) -> Iterator[tuple]:
        condition = self._model.work_sk <= sort_le if sort_le is not None else None
        for item in self._model.work.query(index_key, condition):
            kind = next(k for k in Kind if item.sk.startswith(k.prefix + "#"))
            ctx = TenantContext(item.tenant, item.resource_group)
            yield ctx, self._to_record(item, kind)

    def _filter(self, where: Sequence[Where]):
        condition = None
        for w in where:
            path = self._model.doc[w.field]
            if w.op == "eq":
                part = path == w.value
            elif w.op == "ne":
                part = path != w.value
            elif w.op == "in":
                part = path.is_in(*w.value)
            elif w.op == "exists":
                part = path.exists()
            else:
                raise ValueError(f"unsupported condition {w.op}")
            condition = part if condition is None else condition & part
        return condition


def _is_condition_failure(err: Exception) -> bool:
    return getattr(err, "cause_response_code", None) == "ConditionalCheckFailedException"


def _label(kind: Kind) -> str:
    return kind.name.replace("_", " ").capitalize()
