"""Reading the synced catalog: scenarios, their versions and executables (tenant level, read-only via the API)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Optional

from .context import TenantContext
from .errors import InvalidInput, NotFound
from .ids import is_valid_id
from .labels import LabelSelector
from .records import Kind, RecordStore
from .scenarios import Executable, Scenario


@dataclass
class Version:
    """A scenario version exists while an executable carries its ai.sap.com/version label."""

    id: str
    scenario_id: str
    created_at: datetime
    modified_at: datetime
    description: Optional[str] = None


def _check_id(value: str, what: str) -> str:
    if not is_valid_id(value):
        raise InvalidInput(f"{what} '{value}' must match ^[\\w.-]{{4,64}}$.", target=what)
    return value


class CatalogService:
    def __init__(self, store: RecordStore):
        self._store = store

    @staticmethod
    def _tenant(ctx: TenantContext) -> TenantContext:
        return TenantContext(ctx.tenant)  # scenarios are tenant-level: every resource group sees the same ones

    def scenarios(self, ctx: TenantContext) -> List[Scenario]:
        return [Scenario.from_record(r) for r in self._store.iterate(self._tenant(ctx), Kind.SCENARIO)]

    def scenario(self, ctx: TenantContext, scenario_id: str) -> Scenario:
        _check_id(scenario_id, "scenarioId")
        record = self._store.get(self._tenant(ctx), Kind.SCENARIO, scenario_id)
        if record is None:
            raise NotFound(f"Scenario '{scenario_id}' not found.", target="scenarioId")
        return Scenario.from_record(record)

    def executables(self, ctx: TenantContext, scenario_id: str, version_id: Optional[str] = None) -> List[Executable]:
        self.scenario(ctx, scenario_id)
        items = [Executable.from_record(r) for r in
                 self._store.iterate(self._tenant(ctx), Kind.EXECUTABLE, id_prefix=f"{scenario_id}:")]
        return [e for e in items if version_id is None or e.version_id == version_id]

    def executable(self, ctx: TenantContext, scenario_id: str, executable_id: str) -> Executable:
        _check_id(scenario_id, "scenarioId")
        _check_id(executable_id, "executableId")
        record = self._store.get(self._tenant(ctx), Kind.EXECUTABLE, Executable.record_id(scenario_id, executable_id))
        if record is None:
            raise NotFound(f"Executable '{executable_id}' not found in scenario '{scenario_id}'.",
                           target="executableId")
        return Executable.from_record(record)

    def versions(self, ctx: TenantContext, scenario_id: str, selector: LabelSelector) -> List[Version]:
        """Versions of the scenario's executables; labelSelector keeps versions with a matching executable."""
        versions: Dict[str, Version] = {}
        for exe in self.executables(ctx, scenario_id):
            if not selector.matches(exe.labels):
                continue
            known = versions.get(exe.version_id)
            if known is None:
                versions[exe.version_id] = Version(exe.version_id, scenario_id, exe.created_at, exe.modified_at)
            else:
                known.created_at = min(known.created_at, exe.created_at)
                known.modified_at = max(known.modified_at, exe.modified_at)
        return sorted(versions.values(), key=lambda v: v.id)
