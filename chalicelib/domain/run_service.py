"""What executions and deployments have in common: filters, stop/delete requests and bulk PATCH."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Generic, List, Optional, Sequence, Tuple, Type, TypeVar

from .clock import Clock
from .configurations import Configuration, find_executable
from .context import TenantContext
from .errors import DomainError, InvalidInput
from .filters import Filter, Listing, valid_ids
from .ids import hex16
from .lifecycle import Status, TargetStatus
from .orchestration import Orchestrator
from .records import Kind, RecordStore
from .runs import Run, RunRepository, request, request_delete, request_stop
from .scenarios import Executable

R = TypeVar("R", bound=Run)
MAX_BULK = 100


@dataclass
class RunFilter:
    executable_ids: Sequence[str] = ()
    configuration_id: Optional[str] = None
    scenario_id: Optional[str] = None
    status: Optional[Status] = None
    execution_schedule_id: Optional[str] = None  # executions only

    def to_filter(self) -> Filter:
        return (Filter().eq("configuration_id", self.configuration_id).eq("scenario_id", self.scenario_id)
                .eq("status", self.status.value if self.status else None)
                .eq("execution_schedule_id", self.execution_schedule_id)
                .one_of("executable_id", valid_ids(self.executable_ids, "executableIds")))


@dataclass
class BulkOutcome:
    """One item of a bulk PATCH: it either succeeded (message) or failed on its own (error)."""

    id: str
    message: Optional[str] = None
    error: Optional[DomainError] = None


class RunService(Generic[R]):
    cls: Type[R]
    _new_id: Callable[[], str] = staticmethod(hex16)

    def __init__(self, store: RecordStore, clock: Clock, orchestrator: Orchestrator,
                 new_id: Optional[Callable[[], str]] = None):
        self._store = store
        self._clock = clock
        self._orchestrator = orchestrator
        self._runs = RunRepository(store)
        if new_id is not None:
            self._new_id = new_id

    # -- reads ------------------------------------------------------------------------------------------
    def get(self, ctx: TenantContext, run_id: str) -> R:
        return self._runs.get(ctx, self.cls, run_id)

    def query(self, ctx: TenantContext, filters: RunFilter, skip: int = 0, top: Optional[int] = None) -> Listing[R]:
        where = filters.to_filter()
        page = self._store.query(ctx, self.cls.KIND, where.where, where.predicate, skip, top)
        return Listing(page.count, [self.cls.from_record(r) for r in page.items])

    def count(self, ctx: TenantContext, filters: RunFilter) -> int:
        return self.query(ctx, filters, 0, 0).count

    # -- user requests ----------------------------------------------------------------------------------
    def stop(self, ctx: TenantContext, run_id: str) -> R:
        run = self._runs.update(ctx, self.cls, run_id, lambda r: request_stop(r, self._clock.now()))
        self._stop(ctx, run)
        return run

    def delete(self, ctx: TenantContext, run_id: str) -> R:
        run = self._runs.update(ctx, self.cls, run_id, lambda r: request_delete(r, self._clock.now()))
        self._delete(ctx, run)
        return run

    def bulk_modify(self, ctx: TenantContext, items: Sequence[Tuple[str, TargetStatus]]) -> List[BulkOutcome]:
        label = self.cls.RUN_KIND.label
        if not 1 <= len(items) <= MAX_BULK:
            raise InvalidInput(f"Send 1 to {MAX_BULK} {label.lower()}s per bulk request, got {len(items)}.")
        seen = set()
        for run_id, _ in items:
            if run_id in seen:
                raise InvalidInput(f"{label} '{run_id}' appears more than once; name each id at most once.")
            seen.add(run_id)
        outcomes = []
        for run_id, target in items:
            try:
                run = self._runs.update(ctx, self.cls, run_id, lambda r, t=target: request(r, t, self._clock.now()))
                if target == TargetStatus.STOPPED:
                    self._stop(ctx, run)
                    outcomes.append(BulkOutcome(run_id, f"{label} modification scheduled"))
                else:
                    self._delete(ctx, run)
                    outcomes.append(BulkOutcome(run_id, f"{label} deletion scheduled"))
            except DomainError as err:
                outcomes.append(BulkOutcome(run_id, error=err))
        return outcomes

    # -- helpers for subclasses -------------------------------------------------------------------------
    def _resolve(self, ctx: TenantContext, configuration_id: str) -> Tuple[Configuration, Executable]:
        """The configuration and its executable, or a 400 saying which one is missing."""
        record = self._store.get(ctx, Kind.CONFIGURATION, configuration_id)
        if record is None:
            raise InvalidInput(f"Configuration '{configuration_id}' not found in resource group "
                               f"'{ctx.resource_group}'.", target="configurationId")
        configuration = Configuration.from_record(record)
        executable = find_executable(self._store, ctx, configuration.scenario_id, configuration.executable_id)
        if executable is None:
            raise InvalidInput(f"Executable '{configuration.executable_id}' of scenario '{configuration.scenario_id}' "
                               f"(used by configuration '{configuration_id}') no longer exists; sync its template "
                               "again or use another configuration.", target="configurationId")
        return configuration, executable

    def _stop(self, ctx: TenantContext, run: R) -> None:
        raise NotImplementedError

    def _delete(self, ctx: TenantContext, run: R) -> None:
        raise NotImplementedError
