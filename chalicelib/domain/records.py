"""The storage port every aggregate uses: documents addressed by (tenant context, kind, id).

Which scope a kind lives in (tenant or resource group) is an AI Core rule, so it is stated here; how that
becomes a partition and sort key is the storage adapter's business (adapters/dynamodb/keys.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, Dict, Iterator, List, Optional, Protocol, Sequence

from .context import TenantContext


class Scope(Enum):
    TENANT = "tenant"
    RESOURCE_GROUP = "resource_group"
    # Inside a resource group, kept apart per execution: ids are "<executionId>/<rest>". Items that pile up
    # per run (metrics batches, output copies) then never weigh on the group's other queries.
    EXECUTION = "execution"


class Kind(Enum):
    """Every aggregate the API stores, with its AI Core scope."""

    RESOURCE_GROUP = ("RG", Scope.TENANT)
    REPOSITORY = ("REPO", Scope.TENANT)
    APPLICATION = ("APP", Scope.TENANT)
    DOCKER_SECRET = ("DOCKER", Scope.TENANT)
    TENANT_SECRET = ("TSECRET", Scope.TENANT)
    SCENARIO = ("SCN", Scope.TENANT)
    EXECUTABLE = ("EXE", Scope.TENANT)
    CONFIGURATION = ("CFG", Scope.RESOURCE_GROUP)
    ARTIFACT = ("ART", Scope.RESOURCE_GROUP)
    EXECUTION = ("EXEC", Scope.RESOURCE_GROUP)
    DEPLOYMENT = ("DEP", Scope.RESOURCE_GROUP)
    SCHEDULE = ("SCHED", Scope.RESOURCE_GROUP)
    OBJECT_STORE_SECRET = ("OSS", Scope.RESOURCE_GROUP)
    GENERIC_SECRET = ("SECRET", Scope.RESOURCE_GROUP)
    METRICS = ("METRICS", Scope.RESOURCE_GROUP)  # the older layout: one document per execution (still read)
    METRICS_BATCH = ("MB", Scope.EXECUTION)  # one write (or chunk of one) to an execution's metrics
    EXECUTION_OUTPUT = ("OUT", Scope.EXECUTION)  # a copy of an output artifact: an execution's outputs are one Query

    @property
    def prefix(self) -> str:
        return self.value[0]

    @property
    def scope(self) -> Scope:
        return self.value[1]


@dataclass
class Record:
    kind: Kind
    id: str
    doc: Dict[str, Any]
    version: Optional[int] = None  # None until stored; every write checks it (optimistic locking)
    # Optional global index entry for work that spans tenants (schedulers, pollers), never for requests.
    index_key: Optional[str] = None
    index_sort: Optional[str] = None


@dataclass(frozen=True)
class Where:
    """A condition on a top-level document field that storage can evaluate itself."""

    field: str
    op: str  # "eq" | "in" | "ne" | "exists"
    value: Any = None


@dataclass
class Page:
    count: int
    items: List[Record] = field(default_factory=list)


Predicate = Callable[[Dict[str, Any]], bool]


class RecordStore(Protocol):
    def get(self, ctx: TenantContext, kind: Kind, id: str) -> Optional[Record]: ...

    def create(self, ctx: TenantContext, record: Record) -> Record:
        """Store a new record; AlreadyExists if the id is taken."""

    def create_many(self, ctx: TenantContext, records: Sequence[Record]) -> None:
        """Store new records together, all or none; AlreadyExists if any id is taken."""

    def replace(self, ctx: TenantContext, record: Record) -> Record:
        """Overwrite a stored record; Conflict if its version moved since it was read."""

    def delete(self, ctx: TenantContext, kind: Kind, id: str, version: Optional[int] = None) -> bool: ...

    def delete_many(self, ctx: TenantContext, kind: Kind, ids: Sequence[str]) -> None:
        """Remove records unconditionally (missing ones are no error)."""

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
        """Records of one kind in the context's scope, oldest id first; count is all that match."""

    def iterate(
        self, ctx: TenantContext, kind: Kind, where: Sequence[Where] = (), id_prefix: str = ""
    ) -> Iterator[Record]: ...

    def query_index(self, index_key: str, sort_le: Optional[str] = None) -> Iterator[tuple]:
        """(tenant context, record) pairs from the global index, for background work only."""
