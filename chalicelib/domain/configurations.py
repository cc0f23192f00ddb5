"""Configurations: immutable bindings of parameters and input artifacts to one executable of a scenario.

Executables and scenarios are tenant-level (written by Git sync); configurations live in a resource group.
A configuration is checked against its executable when it is created, so a typo in an artifact binding key is a
400 naming the valid keys instead of an execution that later dies. Parameter keys the template does not declare
are kept, as Argo keeps extra workflow arguments (`{{workflow.parameters.<key>}}` sees them): AI Core's own ML
Operations reference binds `batch_size` to a template that declares only `learning_rate` and `epochs`.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Callable, ClassVar, List, Optional, Sequence

from pydantic import Field

from .clock import Clock
from .context import TenantContext
from .entity import Entity, Value
from .errors import InvalidInput, NotFound
from .filters import Filter, Listing, search_predicate, valid_ids
from .ids import uuid7
from .records import Kind, RecordStore
from .runs import require_id
from .scenarios import Executable, Scenario


class ParameterBinding(Value):
    key: str
    value: str


class ArtifactBinding(Value):
    key: str
    artifact_id: str


class Configuration(Entity):
    KIND: ClassVar[Kind] = Kind.CONFIGURATION

    id: str
    name: str
    scenario_id: str
    executable_id: str
    parameter_bindings: List[ParameterBinding] = []
    input_artifact_bindings: List[ArtifactBinding] = []
    created_at: datetime
    # Filled only for `$expand=scenario`; never stored.
    scenario: Optional[Scenario] = Field(default=None, exclude=True)


# -- the tenant-level catalogue Git sync writes ---------------------------------------------------------
def find_scenario(store: RecordStore, ctx: TenantContext, scenario_id: str) -> Optional[Scenario]:
    record = store.get(TenantContext(ctx.tenant), Kind.SCENARIO, scenario_id)
    return Scenario.from_record(record) if record is not None else None


def find_executable(store: RecordStore, ctx: TenantContext, scenario_id: str,
                    executable_id: str) -> Optional[Executable]:
    record = store.get(TenantContext(ctx.tenant), Kind.EXECUTABLE, Executable.record_id(scenario_id, executable_id))
    return Executable.from_record(record) if record is not None else None


def _check_keys(given: Sequence[str], valid: Sequence[str], field: str, what: str, executable: Executable,
                known_only: bool = True) -> None:
    duplicates = sorted(key for key, n in Counter(given).items() if n > 1)
    if duplicates:
        raise InvalidInput(f"'{field}' binds key '{duplicates[0]}' more than once.", target=field)
    for key in given if known_only else ():
        if key not in valid:  # case-sensitive, as template names are
            choices = ", ".join(sorted(valid)) if valid else f"none (it declares no {what}s)"
            raise InvalidInput(
                f"'{field}' key '{key}' is not an {what} of executable '{executable.id}' in scenario "
                f"'{executable.scenario_id}'. Valid keys: {choices}.", target=field)


class ConfigurationService:
    def __init__(self, store: RecordStore, clock: Clock, new_id: Callable[[], str] = uuid7):
        self._store = store
        self._clock = clock
        self._new_id = new_id

    def create(self, ctx: TenantContext, name: str, scenario_id: str, executable_id: str,
               parameter_bindings: List[ParameterBinding],
               input_artifact_bindings: List[ArtifactBinding]) -> Configuration:
        executable = find_executable(self._store, ctx, scenario_id, executable_id)
        if executable is None:
            raise InvalidInput(f"Could not create configuration, because executable {executable_id} for scenario "
                               f"{scenario_id} is not found.", target="executableId")
        _check_keys([b.key for b in parameter_bindings], [p.name for p in executable.parameters],
                    "parameterBindings", "input parameter", executable, known_only=False)
        _check_keys([b.key for b in input_artifact_bindings], [a.name for a in executable.input_artifacts],
                    "inputArtifactBindings", "input artifact", executable)
        for binding in input_artifact_bindings:
            if self._store.get(ctx, Kind.ARTIFACT, binding.artifact_id) is None:
                raise InvalidInput(f"'inputArtifactBindings' key '{binding.key}': artifact '{binding.artifact_id}' "
                                   f"not found in resource group '{ctx.resource_group}'.",
                                   target="inputArtifactBindings")
        configuration = Configuration(id=self._new_id(), name=name, scenario_id=scenario_id,
                                      executable_id=executable_id, parameter_bindings=parameter_bindings,
                                      input_artifact_bindings=input_artifact_bindings, created_at=self._clock.now())
        self._store.create(ctx, configuration.to_record(configuration.id))
        return configuration

    def get(self, ctx: TenantContext, configuration_id: str, expand: bool = False) -> Configuration:
        require_id(configuration_id, "Configuration")
        record = self._store.get(ctx, Kind.CONFIGURATION, configuration_id)
        if record is None:
            raise NotFound(f"Configuration '{configuration_id}' not found in resource group "
                           f"'{ctx.resource_group}'.")
        return self._expanded(ctx, [Configuration.from_record(record)], expand)[0]

    def query(self, ctx: TenantContext, scenario_id: Optional[str], executable_ids: Sequence[str],
              search: Optional[str], case_insensitive: bool, skip: int, top: Optional[int],
              expand: bool = False) -> Listing[Configuration]:
        where = self._filter(scenario_id, executable_ids, search, case_insensitive)
        page = self._store.query(ctx, Kind.CONFIGURATION, where.where, where.predicate, skip, top)
        items = [Configuration.from_record(r) for r in page.items]
        return Listing(page.count, self._expanded(ctx, items, expand))

    def count(self, ctx: TenantContext, scenario_id: Optional[str], executable_ids: Sequence[str],
              search: Optional[str], case_insensitive: bool) -> int:
        return self.query(ctx, scenario_id, executable_ids, search, case_insensitive, 0, 0).count

    @staticmethod
    def _filter(scenario_id, executable_ids, search, case_insensitive) -> Filter:
        return (Filter().eq("scenario_id", scenario_id)
                .one_of("executable_id", valid_ids(executable_ids, "executableIds"))
                .check(search_predicate(search, case_insensitive, ("name",))))

    def _expanded(self, ctx: TenantContext, items: List[Configuration], expand: bool) -> List[Configuration]:
        if expand:
            scenarios = {sid: find_scenario(self._store, ctx, sid) for sid in {c.scenario_id for c in items}}
            for item in items:
                item.scenario = scenarios[item.scenario_id]
        return items
